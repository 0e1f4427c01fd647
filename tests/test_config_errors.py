"""Every bad setting a new operator makes is one line naming the setting and the problem,
exit code 2, never the token (``sitrep run`` as a subprocess)."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from tests.conftest import PG_URL

SITREP = [sys.executable, "-m", "sitrep.cli"]
TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw0"
SECRET = TOKEN.partition(":")[2]


def run(env: dict[str, str], tmp: Path) -> subprocess.CompletedProcess[str]:
    full = {k: v for k, v in os.environ.items() if not k.startswith("SITREP_")}
    full.pop("DATABASE_URL", None)
    full.update({"SITREP_METRICS_PORT": "0", "SITREP_BOT_API_BASE_URL": "http://127.0.0.1:9"})
    full.update(env)
    return subprocess.run(
        [*SITREP, "run"], env=full, cwd=tmp, capture_output=True, text=True, timeout=60
    )


def one_line(out: subprocess.CompletedProcess[str], setting: str, problem: str) -> None:
    lines = out.stderr.strip().splitlines()
    assert out.returncode == 2, out.stderr[-1500:]
    assert len(lines) == 1, out.stderr[-1500:]
    assert lines[0].startswith(f"configuration error: {setting}: "), lines[0]
    assert problem in lines[0], lines[0]
    assert SECRET not in out.stdout + out.stderr


@contextlib.contextmanager
def read_only(path: Path) -> Iterator[None]:
    """Make ``path`` unwritable even for root (immutable), else by its mode."""
    chattr = shutil.which("chattr")
    if os.geteuid() == 0 and chattr:
        subprocess.run([chattr, "+i", str(path)], check=True)
        try:
            yield
        finally:
            subprocess.run([chattr, "-i", str(path)], check=True)
    else:
        mode = path.stat().st_mode
        path.chmod(0o555 if path.is_dir() else 0o444)
        try:
            yield
        finally:
            path.chmod(mode)


def sqlite(tmp: Path, name: str = "x.sqlite3") -> str:
    return f"sqlite:///{tmp / name}"


@pytest.mark.parametrize(
    ("token", "problem"),
    [("", "empty"), ("   ", "empty"), ("not-a-token", "malformed"), ("12345:short", "malformed"),
     (f"abc:{SECRET}", "malformed")],
)  # fmt: skip
def test_empty_or_malformed_token(tmp_path: Path, token: str, problem: str) -> None:
    out = run({"SITREP_BOT_TOKEN": token, "DATABASE_URL": sqlite(tmp_path)}, tmp_path)
    one_line(out, "SITREP_BOT_TOKEN", problem)
    assert token.strip() == "" or token not in out.stderr


@pytest.mark.parametrize(
    ("url", "problem"),
    [("nonsense", "not a database URL"), ("mysql://u:p@h/db", "unsupported database 'mysql'"),
     ("://", "not a database URL")],
)  # fmt: skip
def test_nonsense_or_unsupported_database_url(tmp_path: Path, url: str, problem: str) -> None:
    one_line(
        run({"SITREP_BOT_TOKEN": TOKEN, "DATABASE_URL": url}, tmp_path), "DATABASE_URL", problem
    )


def test_unreachable_postgresql(tmp_path: Path) -> None:
    url = "postgresql://sitrep:hunter2@127.0.0.1:9/sitrep"  # nothing listens on port 9
    out = run({"SITREP_BOT_TOKEN": TOKEN, "DATABASE_URL": url}, tmp_path)
    one_line(out, "DATABASE_URL", "PostgreSQL at 127.0.0.1:9")
    assert "refused" in out.stderr.lower() and "hunter2" not in out.stderr


def test_missing_postgresql_database(tmp_path: Path) -> None:
    url = make_url(PG_URL).set(database="sitrep_no_such_db").render_as_string(hide_password=False)
    out = run({"SITREP_BOT_TOKEN": TOKEN, "DATABASE_URL": url}, tmp_path)
    one_line(out, "DATABASE_URL", 'database "sitrep_no_such_db" does not exist')


def test_unwritable_data_directory(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    with read_only(data):
        out = run({"SITREP_BOT_TOKEN": TOKEN, "DATABASE_URL": sqlite(data)}, tmp_path)
        nested = run(
            {"SITREP_BOT_TOKEN": TOKEN, "DATABASE_URL": sqlite(data, "deeper/x.sqlite3")},
            tmp_path,
        )
    one_line(out, "DATABASE_URL", "is not writable")
    one_line(nested, "DATABASE_URL", "cannot create directory")


def test_read_only_sqlite_file(tmp_path: Path) -> None:
    db = tmp_path / "x.sqlite3"
    db.write_bytes(b"")
    with read_only(db):
        out = run({"SITREP_BOT_TOKEN": TOKEN, "DATABASE_URL": sqlite(tmp_path)}, tmp_path)
    one_line(out, "DATABASE_URL", "read-only")


@pytest.mark.parametrize("value", ["abc", "[1, x]", "1,two", '{"a": 1}'])
def test_admin_ids_not_numbers(tmp_path: Path, value: str) -> None:
    env = {"SITREP_BOT_TOKEN": TOKEN, "DATABASE_URL": sqlite(tmp_path), "SITREP_ADMIN_IDS": value}
    one_line(run(env, tmp_path), "SITREP_ADMIN_IDS", "must be Telegram user ids")


def test_admin_ids_as_json_or_comma_list() -> None:
    from bot.config import Settings

    assert Settings(_env_file=None, admin_ids="[1, 2]").admin_ids == [1, 2]  # type: ignore[call-arg]
    assert Settings(_env_file=None, admin_ids="3, 4").admin_ids == [3, 4]  # type: ignore[call-arg]


def test_missing_or_broken_channels_file(tmp_path: Path) -> None:
    env = {"SITREP_BOT_TOKEN": TOKEN, "DATABASE_URL": sqlite(tmp_path)}
    missing = run({**env, "SITREP_CHANNELS_FILE": str(tmp_path / "nope.json")}, tmp_path)
    one_line(missing, "SITREP_CHANNELS_FILE", "no such file")
    (tmp_path / "bad.json").write_text("{not json")
    broken = run({**env, "SITREP_CHANNELS_FILE": str(tmp_path / "bad.json")}, tmp_path)
    one_line(broken, "SITREP_CHANNELS_FILE", "not JSON")


WEBHOOK = {"SITREP_WEBHOOK_URL": "https://bot.example.org/telegram"}


@pytest.mark.parametrize(
    ("secret", "problem"),
    [(None, "required when SITREP_WEBHOOK_URL is set"), ("", "empty"), ("  ", "empty"),
     ("has spaces-in-it", "malformed"), ("naïve-secret", "malformed"), ("x" * 257, "malformed")],
)  # fmt: skip
def test_webhook_secret_missing_or_malformed(
    tmp_path: Path, secret: str | None, problem: str
) -> None:
    env = {"SITREP_BOT_TOKEN": TOKEN, "DATABASE_URL": sqlite(tmp_path), **WEBHOOK}
    if secret is not None:
        env["SITREP_WEBHOOK_SECRET"] = secret
    out = run(env, tmp_path)
    one_line(out, "SITREP_WEBHOOK_SECRET", problem)
    assert "1-256 characters, only A-Z, a-z, 0-9, _ and -" in out.stderr
    assert not (secret and secret.strip()) or secret not in out.stderr


@pytest.mark.parametrize(
    ("url", "problem"),
    [("http://bot.example.org/telegram", "https URLs only"), ("bot.example.org", "not a URL"),
     ("https://bot.example.org:9443/telegram", "ports 443, 80, 88 or 8443")],
)  # fmt: skip
def test_webhook_url_telegram_would_refuse(tmp_path: Path, url: str, problem: str) -> None:
    env = {"SITREP_BOT_TOKEN": TOKEN, "DATABASE_URL": sqlite(tmp_path),
           "SITREP_WEBHOOK_URL": url, "SITREP_WEBHOOK_SECRET": "fine_secret",
           "SITREP_BOT_API_BASE_URL": "https://api.telegram.org/bot"}  # fmt: skip
    one_line(run(env, tmp_path), "SITREP_WEBHOOK_URL", problem)


def test_webhook_settings() -> None:
    from bot.config import Settings

    plain = Settings(_env_file=None)  # type: ignore[call-arg]
    assert plain.webhook_url is None and plain.webhook_secret is None
    assert plain.webhook_listen == "127.0.0.1" and plain.webhook_port == 8443
    local = Settings(  # type: ignore[call-arg]
        _env_file=None, bot_api_base_url="http://127.0.0.1:8081/bot",
        webhook_url="http://bot:8080/hook", webhook_secret="abc",
    )  # a local Bot API server may post over plain http to any port  # fmt: skip
    assert local.webhook_url == "http://bot:8080/hook"
