"""The Bot API stand-in speaks webhooks as Telegram does, driven by the real PTB ``Bot``: the
secret in every POST, allowed_updates, retries with last_error, 409 on getUpdates meanwhile."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import AsyncIterator, Iterator
from http.server import BaseHTTPRequestHandler
from typing import Any

import pytest
from telegram import Bot
from telegram.error import BadRequest, Conflict

from bot.standins.botapi_server import BotApiStandin
from bot.standins.threaded import ThreadedServer, reply

USER = 42
PUBLIC = "https://bot.example.org"
SECRET = "s3cret_Token-42"
ATTEMPTS = 5
pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")


class Receiver:
    """A bot's webhook endpoint: answers the statuses queued in ``answers`` (then 200)."""

    def __init__(self, answers: list[int] | None = None) -> None:
        self.answers = list(answers or [])
        self.posts: list[tuple[str, dict[str, str], dict[str, Any]]] = []
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with receiver.lock:
                    receiver.posts.append((self.path, dict(self.headers), json.loads(body)))
                    status = receiver.answers.pop(0) if receiver.answers else 200
                reply(self, status, b"", {})

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadedServer(Handler)

    def updates(self) -> list[dict[str, Any]]:
        with self.lock:
            return [body for _, _, body in self.posts]


@pytest.fixture
def tg() -> Iterator[BotApiStandin]:
    with BotApiStandin() as standin:
        yield standin


@pytest.fixture
async def bot(tg: BotApiStandin) -> AsyncIterator[Bot]:
    async with tg.ptb_bot() as b:
        yield b


async def test_updates_are_posted_with_the_secret_and_only_allowed_kinds(
    bot: Bot, tg: BotApiStandin
) -> None:
    receiver = Receiver()
    with receiver.server:
        tg.webhook_route(PUBLIC, receiver.server.base_url)
        tg.channel_post(-1002, "kpszsu", "queued before the webhook", 10)
        assert await bot.set_webhook(
            f"{PUBLIC}/hook", secret_token=SECRET, allowed_updates=["message"]
        )
        tg.send_text(USER, "/start")
        await tg.async_wait_for(lambda: tg.webhook_log()["attempts"], 5)  # taken, recorded
        path, headers, body = receiver.posts[0]
        assert path == "/hook" and headers["X-Telegram-Bot-Api-Secret-Token"] == SECRET
        assert headers["Content-Type"] == "application/json"
        assert body["message"]["text"] == "/start" and "channel_post" not in body
        info = await bot.get_webhook_info()
        assert info.url == f"{PUBLIC}/hook" and info.pending_update_count == 0
        assert info.allowed_updates == ("message",) and info.last_error_message is None


async def test_a_refusing_bot_is_retried_with_last_error_then_given_up(
    bot: Bot, tg: BotApiStandin
) -> None:
    tg.webhook_retries(ATTEMPTS, [0.05, 0.1, 0.1, 0.1])
    receiver = Receiver(answers=[500, 403])
    with receiver.server:
        tg.webhook_route(PUBLIC, receiver.server.base_url)
        await bot.set_webhook(f"{PUBLIC}/hook", secret_token=SECRET)
        first = tg.send_text(USER, "first")
        await tg.async_wait_for(lambda: len(tg.webhook_log()["attempts"]) == 3, 5)
        log = tg.webhook_log()["attempts"]
        assert [(a["update_id"], a["status"]) for a in log] == [
            (first["update_id"], 500), (first["update_id"], 403), (first["update_id"], 200),
        ]  # fmt: skip
        info = await bot.get_webhook_info()
        assert info.last_error_message == "Wrong response from the webhook: 403 Forbidden"
        assert info.last_error_date is not None and info.pending_update_count == 0

        receiver.answers = [502] * ATTEMPTS
        lost = tg.send_text(USER, "never taken")
        after = tg.send_text(USER, "after")
        await tg.async_wait_for(lambda: receiver.updates()[-1]["update_id"] == after["update_id"])
        assert tg.webhook_log()["given_up"] == [lost["update_id"]]
        tries = [u for u in receiver.updates() if u["update_id"] == lost["update_id"]]
        assert len(tries) == ATTEMPTS


async def test_an_unreachable_bot_keeps_its_updates_pending(bot: Bot, tg: BotApiStandin) -> None:
    with Receiver().server as gone:
        dead = gone.base_url  # nothing listens there any more
    tg.webhook_route(PUBLIC, dead)
    await bot.set_webhook(f"{PUBLIC}/hook", secret_token=SECRET)
    tg.send_text(USER, "hello?")
    await tg.async_wait_for(lambda: tg.webhook_log()["attempts"], 5)
    info = await bot.get_webhook_info()
    assert info.pending_update_count == 1
    assert info.last_error_message and info.last_error_message.startswith("Connection failed")


async def test_get_updates_conflicts_while_a_webhook_is_set(bot: Bot, tg: BotApiStandin) -> None:
    tg.send_text(USER, "kept")
    assert await bot.set_webhook(f"{PUBLIC}/hook", secret_token=SECRET)
    with pytest.raises(Conflict, match=r"(?i)can't use getUpdates method while webhook is active"):
        await bot.get_updates(timeout=0)
    [call] = tg.calls("getUpdates")
    assert call.status == 409
    assert await bot.delete_webhook()  # pending updates stay unless dropped
    [kept] = await bot.get_updates(timeout=0)
    assert kept.message is not None and kept.message.text == "kept"
    assert (await bot.get_webhook_info()).url == ""


@pytest.mark.parametrize(
    ("url", "secret", "problem"),
    [("https://bot.example.org:9000/hook", SECRET, "only on ports 80, 88, 443 or 8443"),
     ("http://bot.example.org/hook", SECRET, "HTTPS URL must be provided"),
     ("https://bot.example.org/hook", "no spaces allowed", "secret token contains unallowed")],
)  # fmt: skip
async def test_set_webhook_refuses_what_telegram_refuses(
    bot: Bot, tg: BotApiStandin, url: str, secret: str, problem: str
) -> None:
    with pytest.raises(BadRequest, match=f"(?i){problem}"):
        await bot.set_webhook(url, secret_token=secret)
    assert tg.webhook()["url"] == ""


async def test_a_route_with_several_targets_takes_turns(bot: Bot, tg: BotApiStandin) -> None:
    one, two = Receiver(), Receiver()
    with one.server, two.server:
        tg.webhook_route(PUBLIC, [one.server.base_url, two.server.base_url])
        await bot.set_webhook(f"{PUBLIC}/hook", secret_token=SECRET)
        for n in range(4):
            tg.send_text(USER, f"n{n}")
        await tg.async_wait_for(lambda: len(one.updates()) + len(two.updates()) == 4, 5)
        assert [u["message"]["text"] for u in one.updates()] == ["n0", "n2"]
        assert [u["message"]["text"] for u in two.updates()] == ["n1", "n3"]


async def test_nothing_is_posted_while_telegram_is_down(bot: Bot, tg: BotApiStandin) -> None:
    receiver = Receiver()
    with receiver.server:
        tg.webhook_route(PUBLIC, receiver.server.base_url)
        await bot.set_webhook(f"{PUBLIC}/hook", secret_token=SECRET)
        tg.outage(1.0)
        tg.send_text(USER, "during the outage")
        await asyncio.sleep(0.7)
        assert receiver.updates() == []
        await tg.async_wait_for(lambda: receiver.updates(), 5)
        assert receiver.updates()[0]["message"]["text"] == "during the outage"
