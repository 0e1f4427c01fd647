"""/map rendering speed: all 27 regions in mixed states (whole oblast, part of it, calm), threat
marks on a third of them, the chat's regions outlined, the stale band on. Each run renders from
scratch (no cache), PNG encoding included. Prints the median and p95 in ms; the last line is one
JSON object with ``render_ms_p50``, ``width`` and ``height``. Target: p50 < 200 ms.

    .venv/bin/python benchmarks/map_render.py [--runs 30] [--out docs/map.png]
"""

from __future__ import annotations

import argparse
import io
import json
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from PIL import Image

from bot.geo import REGIONS
from bot.latest import Staleness
from bot.maps.render import render_map
from bot.maps.state import PARTIAL, THREAT_KINDS, WHOLE, make_state


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=30)
    ap.add_argument("--out", type=Path, help="also write the English picture here")
    args = ap.parse_args()
    codes = list(REGIONS)
    alerts = {c: (WHOLE, PARTIAL, "")[i % 3] for i, c in enumerate(codes)}
    alerts = {c: s for c, s in alerts.items() if s}
    marks = {c: THREAT_KINDS[(i // 3) % 3 :] for i, c in enumerate(codes) if i % 3 == 1}
    now = datetime(2026, 11, 24, 8, 0, tzinfo=UTC)
    state = make_state(alerts, marks, now, Staleness(now - timedelta(minutes=40), ("x",)))
    tz = ZoneInfo("Europe/Kyiv")
    mine = ["UA-74", "UA-32", "UA-30"]
    png = render_map(state, "uk", tz, mine)  # warm-up: fonts, scaled outlines, palette
    times = []
    for i in range(args.runs):
        start = time.perf_counter()
        png = render_map(state, ("uk", "en")[i % 2], tz, mine)
        times.append((time.perf_counter() - start) * 1000)
    width, height = Image.open(io.BytesIO(png)).size
    if args.out is not None:
        args.out.write_bytes(render_map(state, "en", tz, mine))
    times.sort()
    p50 = statistics.median(times)
    p95 = times[min(len(times) - 1, int(len(times) * 0.95))]
    print(f"regions: {len(codes)} ({len(alerts)} under alert, {len(marks)} with marks)")
    print(f"render + PNG: p50 {p50:.1f} ms, p95 {p95:.1f} ms, {len(png):,} bytes, {width}x{height}")
    print(
        json.dumps(
            {
                "render_ms_p50": round(p50, 1),
                "render_ms_p95": round(p95, 1),
                "width": width,
                "height": height,
                "bytes": len(png),
                "runs": args.runs,
            }
        )
    )


if __name__ == "__main__":
    main()
