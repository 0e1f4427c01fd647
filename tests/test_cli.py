"""The ``sitrep`` command as a person and a script use it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from sitrep.cli import main


def run(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "sitrep.cli", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_jsonl_keeps_order_and_reports_bad_lines() -> None:
    lines = [
        json.dumps({"id": 1, "text": "Швидкісна ціль на Кременчук!", "source_kind": "air_force"}),
        "{not json",
        json.dumps({"id": 3, "text": None}),
        json.dumps({"id": 4, "text": "Знеструмлено 5 тис. абонентів.", "default_region": "UA-74"}),
    ]
    out = run("parse", "--jsonl", stdin="\n".join(lines) + "\n")
    assert out.returncode == 0
    rows = [json.loads(x) for x in out.stdout.splitlines()]
    assert [r["id"] for r in rows] == [1, None, 3, 4]
    assert rows[0]["events"][0]["kind"] == "missiles"
    assert (rows[0]["events"][0]["live"], rows[0]["events"][0]["heading"]) == (True, ["UA-53"])
    assert "error" in rows[1] and "error" in rows[2]
    assert rows[3]["events"] == [
        {
            "kind": "power_outage",
            "regions": ["UA-74"],
            "counts": {"consumers": 5000},
            "places": [],
            "weapons": [],
            "times": [],
            "summary": "Power outage — UA-74: consumers 5,000",
            "live": False,
            "heading": [],
        }
    ]


def test_readable_output(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["parse", "Загинула жінка, ще двоє поранені.", "--region", "UA-63"]) == 0
    assert "killed 1, injured 2" in capsys.readouterr().out
    assert main(["parse", "Гарного дня!"]) == 0
    assert "No events" in capsys.readouterr().out


def test_help_explains_itself() -> None:
    out = run("--help")
    assert out.returncode == 0
    for word in ("parse", "channels", "watch"):
        assert word in out.stdout


def test_bad_setting_is_one_clear_line() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "sitrep.cli", "channels", "list"],
        capture_output=True,
        text=True,
        timeout=60,
        env={"SITREP_POLL_INTERVAL_S": "soon", "PATH": ""},
    )
    assert out.returncode == 2
    assert out.stderr.strip().splitlines() == [out.stderr.strip()]
    assert "SITREP_POLL_INTERVAL_S" in out.stderr


def test_channels_add_list_remove_and_check_against_the_stand_in(tmp_path: Path) -> None:
    from bot.standins.tme_server import TmeStandin

    registry = tmp_path / "channels.json"
    registry.write_text(
        json.dumps({"channels": [{"username": "kpszsu", "kind": "air_force", "confirmed": True}]})
    )
    with TmeStandin() as tme:
        tme.add_channel("kpszsu", "Повітряні сили ЗСУ")
        tme.add_post(
            "kpszsu", "🛵 БпЛА на Київщину", published_at=datetime(2026, 11, 30, 1, 14, tzinfo=UTC)
        )
        env = {
            **os.environ,
            "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
            "SITREP_CHANNELS_FILE": str(registry),
            "SITREP_TELEGRAM_WEB_URL": tme.base_url,
        }

        def sitrep(*args: str) -> subprocess.CompletedProcess[str]:
            return subprocess.run(
                [sys.executable, "-m", "sitrep.cli", *args],
                env=env,
                capture_output=True,
                text=True,
                timeout=60,
            )

        assert (
            sitrep(
                "channels", "add", "zhytomyrskaODA", "--kind", "governor", "--region", "UA-18"
            ).returncode
            == 0
        )
        listed = sitrep("channels", "list").stdout
        assert "kpszsu" in listed and "zhytomyrskaoda" in listed and "UA-18" in listed
        check = sitrep("channels", "check")
        assert check.returncode == 1  # zhytomyrskaODA has no preview on the stand-in
        assert "ok   kpszsu" in check.stdout and "FAIL zhytomyrskaoda" in check.stdout
        header, *rows = check.stdout.splitlines()
        assert header.split() == ["channel", "reachable", "last", "post", "(UTC)", "title"]
        ok = next(r for r in rows if "kpszsu" in r)
        assert ok.split()[2:] == ["yes", "2026-11-30", "01:14", "Повітряні", "сили", "ЗСУ"]
        fail = next(r for r in rows if "zhytomyrskaoda" in r)
        assert fail.split()[2:4] == ["no", "-"] and "preview disabled" in fail
        assert sitrep("channels", "remove", "zhytomyrskaODA").returncode == 0
        assert sitrep("channels", "check").returncode == 0
        bad = sitrep("channels", "add", "x", "--kind", "gossip")
        assert bad.returncode == 2 and bad.stderr.startswith("unknown channel kind 'gossip'")
        assert "Traceback" not in bad.stderr


def test_jsonl_gives_each_malformed_line_its_own_error_and_goes_on() -> None:
    good = {"text": "Загинула жінка.", "default_region": "UA-63"}
    lines = [
        json.dumps({"id": "a", **good}),
        json.dumps({"id": "b", "text": "Загинула жінка.", "default_region": 42}),
        "[1, 2, 3]",
        '"just a string"',
        json.dumps({"id": "c", "text": ["not", "a", "string"]}),
        json.dumps({"id": "d", "text": "Загинула жінка.", "default_region": "UA-99"}),
        json.dumps({"id": "e", "text": "Загинула жінка.", "source_kind": 7}),
        "{truncated",
        "[" * 100_000,
        json.dumps({"id": "f", "text": "Поранено " + "9" * 400 + " людей."}),
        json.dumps({"id": "g", "text": "Збито 12 БпЛА. " * 70_000, "source_kind": "air_force"}),
        json.dumps({"id": "h", **good, "source_kind": "police"}),
        json.dumps({"id": "i", "text": "\ud800 Загинула жінка.", "default_region": "UA-63"}),
    ]
    out = run("parse", "--jsonl", stdin="\n".join(lines) + "\n")
    assert out.returncode == 0, out.stderr
    rows = [json.loads(x) for x in out.stdout.splitlines()]
    assert len(rows) == len(lines)
    errors = ["error" in r for r in rows]
    assert errors == [False, True, True, True, True, True, True, True, True] + [False] * 4
    assert [r["id"] for r in rows][:2] == ["a", "b"]
    assert "default_region" in rows[1]["error"]
    assert rows[9]["events"][0]["counts"] == {}  # a 400-digit number is no count
    assert rows[10]["events"][0]["kind"] == "drones"
    for row in (rows[0], rows[11], rows[12]):
        assert row["events"][0]["counts"] == {"killed": 1}
        assert row["events"][0]["regions"] == ["UA-63"]


def test_jsonl_survives_bytes_that_are_not_utf8() -> None:
    data = b'{"id": 1, "text": "\xff\xfe"}\n' + json.dumps({"id": 2, "text": "Loud."}).encode()
    out = subprocess.run(
        [sys.executable, "-m", "sitrep.cli", "parse", "--jsonl"],
        input=data + b"\n",
        capture_output=True,
        timeout=60,
    )
    assert out.returncode == 0, out.stderr
    assert [json.loads(x)["id"] for x in out.stdout.decode().splitlines()] == [1, 2]
