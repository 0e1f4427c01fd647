"""``sitrep map --out FILE.png``: the current map from the database, decoded and checked."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from PIL import Image

from bot.maps.outlines import placed
from bot.maps.render import ALERT, CALM, HEIGHT, WIDTH, map_box
from bot.pipeline import IncomingPost, Pipeline
from bot.registry import seed_channels
from storage.db import make_engine
from storage.migrate import upgrade
from tests.support.kit import CHANNELS


def test_sitrep_map_out_renders_the_database(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'ops.sqlite3'}"
    engine = make_engine(url)
    upgrade(engine)
    seed_channels(engine, CHANNELS)
    post = IncomingPost(
        "air_alert_ua",
        101,
        datetime.now(UTC) - timedelta(minutes=5),
        "🔴 Повітряна тривога в Одеська область.",
    )
    import asyncio

    asyncio.run(Pipeline(engine).ingest("air_alert_ua", [post]))
    engine.dispose()
    out = tmp_path / "now.png"
    env = {**os.environ, "DATABASE_URL": url}
    done = subprocess.run(
        [sys.executable, "-m", "sitrep.cli", "map", "--out", str(out), "--lang", "en",
         "--region", "UA-51"],
        capture_output=True, text=True, timeout=120, env=env, cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    assert "UA-51 (whole)" in done.stdout
    img = Image.open(out)
    assert img.format == "PNG" and img.size == (WIDTH, HEIGHT)
    rgb = img.convert("RGB")
    x0, y0, w = map_box()
    anchors = placed(float(x0), float(y0), float(w)).anchors
    for code, want in (("UA-51", ALERT), ("UA-46", CALM)):
        x, y = anchors[code]
        assert rgb.getpixel((round(x), round(y))) == want, code
