"""The one start/stop sequence (``handlers/lifecycle.py``): every stop step runs, failures are
logged rather than swallowed, and a half-done start is undone."""

from __future__ import annotations

import json
import logging
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import SQLModel

import storage.models  # noqa: F401  (registers the tables)
from bot.config import Settings
from bot.logs import JsonFormatter
from bot.pipeline import Pipeline
from bot.services import Services
from bot.standins.botapi_server import BotApiStandin
from handlers.app import build_application
from handlers.lifecycle import on_exit, polling, running
from storage.db import make_engine


def _failures(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.step for r in caplog.records if r.getMessage() == "lifecycle.stop_failed"]  # type: ignore[attr-defined]


async def test_a_failing_stop_step_is_logged_and_the_later_ones_still_run(
    caplog: pytest.LogCaptureFixture,
) -> None:
    ran: list[str] = []

    def step(name: str, fail: bool = False) -> Any:
        async def stop() -> None:
            ran.append(name)
            if fail:
                raise RuntimeError(f"{name} broke")

        return stop

    with caplog.at_level(logging.ERROR, "handlers.lifecycle"):
        async with AsyncExitStack() as stack:
            on_exit(stack, "shutdown", step("shutdown"))
            on_exit(stack, "stop", step("stop", fail=True))
            on_exit(stack, "updater", step("updater"))
    assert ran == ["updater", "stop", "shutdown"]
    assert _failures(caplog) == ["stop"]
    record = next(r for r in caplog.records if r.getMessage() == "lifecycle.stop_failed")
    assert "stop broke" in record.error  # type: ignore[attr-defined]


async def test_the_failure_line_is_structured_and_never_shows_the_token(
    caplog: pytest.LogCaptureFixture,
) -> None:
    token = "123456:AAH-secret-half-of-the-token-0123456789"

    async def refused() -> None:
        raise RuntimeError(f"https://api.telegram.org/bot{token}/close answered 500")

    with caplog.at_level(logging.ERROR, "handlers.lifecycle"):
        async with AsyncExitStack() as stack:
            on_exit(stack, "dispatch_bot.shutdown", refused)
    record = next(r for r in caplog.records if r.getMessage() == "lifecycle.stop_failed")
    line = JsonFormatter([token]).format(record)
    assert token not in line and "secret-half" not in line
    fields = json.loads(line)
    assert fields["step"] == "dispatch_bot.shutdown" and fields["level"] == "error"
    assert "<token>" in fields["error"]


async def _app(tmp_path: Path, tg: BotApiStandin) -> Any:
    engine = make_engine(f"sqlite:///{tmp_path / 'bot.sqlite3'}")
    SQLModel.metadata.create_all(engine)
    svc = Services(Settings(_env_file=None), engine, Pipeline(engine))  # type: ignore[call-arg]
    return build_application(svc, tg.ptb_builder(), rate_limit=False, digests_job=False)


async def test_a_failing_app_stop_no_longer_skips_shutdown(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with BotApiStandin(limits=None) as tg:
        app = await _app(tmp_path, tg)
        hooks: list[str] = []

        async def post_shutdown(_: Any) -> None:
            hooks.append("post_shutdown")

        app.post_shutdown = post_shutdown
        with caplog.at_level(logging.ERROR, "handlers.lifecycle"):
            async with running(app, polling(poll_interval=0, timeout=1)):
                assert app.running and app.updater.running
                await app.stop()  # stopped behind the lifecycle's back: its own stop will fail
    assert _failures(caplog) == ["app.stop"]
    assert not app.updater.running
    assert hooks == ["post_shutdown"]  # shutdown ran after the failed stop


async def test_a_start_that_fails_half_way_is_undone(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with BotApiStandin(limits=None) as tg:
        app = await _app(tmp_path, tg)

        async def refused(_: Any) -> None:
            raise ConnectionError("no updates today")

        with pytest.raises(ConnectionError):
            async with running(app, refused):
                pytest.fail("the body never runs when fetching updates cannot start")
    assert not app.running
    assert _failures(caplog) == []
