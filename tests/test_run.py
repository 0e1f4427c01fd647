"""``sitrep run`` and ``sitrep demo`` as processes: the image's entry point, health, clean stop."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from bot.standins.botapi_server import BotApiStandin
from bot.standins.tme_server import TmeStandin
from tests.support.outages import free_port

SITREP = [sys.executable, "-m", "sitrep.cli"]


def _until(pred: object, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if pred():  # type: ignore[operator]
            return
        time.sleep(0.1)
    raise AssertionError("condition not met in time")


def test_run_end_to_end_on_postgresql(pg_url: str, tmp_path: Path) -> None:
    registry = tmp_path / "channels.json"
    registry.write_text(
        json.dumps(
            {
                "channels": [
                    {
                        "username": "chernigivskaODA",
                        "kind": "governor",
                        "default_region": "UA-74",
                        "confirmed": True,
                    }
                ]
            }
        )
    )
    port = free_port()
    with TmeStandin() as tme, BotApiStandin() as tg:
        tme.add_channel("chernigivskaODA")
        env = {
            **os.environ,
            "DATABASE_URL": pg_url,
            "SITREP_BOT_TOKEN": tg.token,
            "SITREP_BOT_API_BASE_URL": tg.base_url,
            "SITREP_TELEGRAM_WEB_URL": tme.base_url,
            "SITREP_CHANNELS_FILE": str(registry),
            "SITREP_POLL_INTERVAL_S": "0.2",
            "SITREP_METRICS_PORT": str(port),
        }
        proc = subprocess.Popen(
            [*SITREP, "run"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        try:
            health = f"http://127.0.0.1:{port}/healthz"
            _until(lambda: _status(health) == 200, 30)
            tg.send_text(501, "/start", user_id=501, language_code="en")
            tg.send_text(501, "/subscribe Chernihiv", user_id=501, language_code="en")
            _until(lambda: len(tg.sent(501)) >= 2, 15)
            tme.add_post(
                "chernigivskaODA", "Чернігів: внаслідок атаки без світла 30 тисяч споживачів."
            )
            _until(lambda: any("30,000" in m.text for m in tg.sent(501)), 20)
            check = subprocess.run(
                [*SITREP, "healthcheck"], env=env, capture_output=True, text=True, timeout=30
            )
            assert check.returncode == 0, check.stderr
            metrics = httpx.get(f"http://127.0.0.1:{port}/metrics").text
            assert 'sitrep_events_total{kind="power_outage"} 1.0' in metrics
            assert "sitrep_outbox_depth" in metrics
            started = time.monotonic()
            proc.send_signal(signal.SIGTERM)
            assert proc.wait(15) == 0
            assert time.monotonic() - started < 10
        finally:
            if proc.poll() is None:
                proc.kill()
            _, err = proc.communicate(timeout=10)
        assert tg.token not in err.decode()
        alerts = [m.text for m in tg.sent(501) if "30,000" in m.text]
        assert len(alerts) == 1


def _status(url: str) -> int:
    try:
        return httpx.get(url, timeout=2).status_code
    except httpx.HTTPError:
        return 0


def test_run_without_token_is_one_clear_line(tmp_path: Path) -> None:
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}"}
    env.pop("SITREP_BOT_TOKEN", None)
    out = subprocess.run([*SITREP, "run"], env=env, capture_output=True, text=True, timeout=60)
    assert out.returncode == 2
    assert (
        out.stderr.strip()
        == "configuration error: SITREP_BOT_TOKEN: required to run the bot (from @BotFather)"
    )


def test_run_with_an_unknown_time_zone_is_one_clear_line(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}",
        "SITREP_BOT_TOKEN": "123456:AAF-shaped-like-a-real-token-000",
        "SITREP_TIMEZONE": "Europe/Atlantis",
    }
    out = subprocess.run([*SITREP, "run"], env=env, capture_output=True, text=True, timeout=60)
    assert out.returncode == 2
    assert out.stderr.strip() == (
        "configuration error: SITREP_TIMEZONE: unknown time zone "
        "'Europe/Atlantis' (an IANA name like Europe/Kyiv)"
    )


def test_run_with_a_rejected_token_is_one_line_without_the_token(tmp_path: Path) -> None:
    with BotApiStandin() as tg:
        wrong = "987654321:AAF-this-token-is-not-the-one-telegram-knows"
        env = {
            **os.environ,
            "DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}",
            "SITREP_BOT_TOKEN": wrong,
            "SITREP_BOT_API_BASE_URL": tg.base_url,
            "SITREP_METRICS_PORT": "0",
        }
        out = subprocess.run([*SITREP, "run"], env=env, capture_output=True, text=True, timeout=60)
    assert out.returncode == 2
    assert out.stderr.strip() == (
        "configuration error: SITREP_BOT_TOKEN: rejected by Telegram (check it with @BotFather)"
    )
    assert wrong.partition(":")[2] not in out.stdout + out.stderr


def test_health_listens_on_loopback_unless_told(tmp_path: Path) -> None:
    from bot.config import Settings

    assert Settings(_env_file=None).metrics_host == "127.0.0.1"  # type: ignore[call-arg]
    assert (
        "SITREP_METRICS_HOST: 0.0.0.0"
        in (Path(__file__).parents[1] / "docker-compose.yml").read_text()
    )


def test_demo_delivers_the_night(tmp_path: Path) -> None:
    out = subprocess.run(
        [*SITREP, "demo", "--json", "--speed", "1", "--map-out", str(tmp_path / "map.png")],
        capture_output=True,
        text=True,
        timeout=90,
        cwd=tmp_path,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    rows = [json.loads(line) for line in out.stdout.splitlines()]
    by_chat: dict[int, list[str]] = {}
    for row in rows:
        by_chat.setdefault(row["chat_id"], []).append(row["text"].replace("\xa0", " "))
    chernihiv = "\n".join(by_chat[1001])
    assert "30 000" in chernihiv and "Чернігівщина" in chernihiv
    volunteer = "\n".join(by_chat[1002])
    assert "Kostiantynivka" in volunteer and "7 h" in volunteer
    # the night's own clock: 01:12 is pushed as 01:12, 01:31–05:10 lasted 3 h 39 min
    assert "🔴 Повітряна тривога · Чернігівщина\n🕑 01:12" in chernihiv
    assert "Lasted 3 h 39 min (01:31–05:10)" in volunteer
    # a threat with its heading, for the chat of the region it is heading to
    assert any(
        t.startswith("🛩️ Ударні БпЛА: Чернігівщина → курсом на Київщину") for t in by_chat[1003]
    )
    # the night summary: one report per chat, never a threat
    for chat in (1001, 1002, 1003):
        summaries = [t for t in by_chat[chat] if "Підсумок атаки" in t or "Attack summary" in t]
        assert len(summaries) == 1 and "загроз" not in summaries[0].lower()
    # ... with the night's map as one photo and its caption, written beside --map-out
    assert any(r["photo"] and "Підсумок атаки" in r["text"] for r in rows if r["chat_id"] == 1001)
    assert (tmp_path / "map-night.png").read_bytes().startswith(b"\x89PNG")
    # the casualty update edits its incident; another town is a message of its own
    kost = [r for r in rows if r["chat_id"] == 1002 and "Kostiantynivka" in r["text"]]
    assert len({r["message_id"] for r in kost}) == 1  # sent once, edited (or sent updated)
    assert "2 people killed · 7 injured" in kost[-1]["text"]
    assert "Updated 04:50: injured 5 → 7" in kost[-1]["text"]
    assert any("Druzhkivka" in t and "Kostiantynivka" not in t for t in by_chat[1002])
    # a raion's alert: the oblast's chat gets it, the town's chat (another raion) does not
    assert "Ніжинський район" in chernihiv
    assert by_chat[1004] and not any("Ніжинський район" in t for t in by_chat[1004])
    # quiet hours: the report arrives silently, the threat (the alert) rings
    quiet = {r["text"].split("\n")[0]: r["silent"] for r in rows if r["chat_id"] == 1003}
    assert quiet["🏚️ Руйнування · Івано-Франківщина"] is True
    assert quiet["🔴 Повітряна тривога · Київщина"] is False
    assert "Done in" in out.stderr
    # It ends with chat 1001's /map, written to the file it names.
    assert f"written to {tmp_path / 'map.png'}" in out.stderr
    assert (tmp_path / "map.png").read_bytes().startswith(b"\x89PNG")
