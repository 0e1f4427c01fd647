"""The Bot API stand-in, driven by the real python-telegram-bot (Bot and Application)."""

from __future__ import annotations

import asyncio
import html
import time
import warnings
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from telegram import (
    Bot,
    BotCommand,
    ChatFullInfo,
    ChatMemberAdministrator,
    ChatMemberOwner,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    MenuButtonCommands,
    MessageOriginChannel,
    Update,
)
from telegram.error import BadRequest, Conflict, Forbidden, InvalidToken, RetryAfter
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, ContextTypes

from bot.standins.botapi_server import BotApiControl, BotApiProcess, BotApiStandin, Limits
from bot.standins.botapi_text import parse_html

USER = 42
GROUP = -1001234567890
pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
KEYBOARD = InlineKeyboardMarkup([[InlineKeyboardButton("More", callback_data="more:1")]])


@pytest.fixture
def tg() -> Iterator[BotApiStandin]:
    with BotApiStandin() as standin:
        yield standin


@pytest.fixture
async def bot(tg: BotApiStandin) -> AsyncIterator[Bot]:
    async with tg.ptb_bot() as b:
        yield b


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_message is not None
    await update.effective_message.reply_text("hi", reply_markup=KEYBOARD)


async def tapped(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    assert query is not None
    await query.answer(f"got {query.data}")
    await query.edit_message_text(f"<b>tapped</b> {query.data}", parse_mode="HTML")


@pytest.fixture
async def app(tg: BotApiStandin) -> AsyncIterator[Application]:  # type: ignore[type-arg]
    application = tg.ptb_builder().build()
    application.add_handler(CommandHandler("start", start))
    application.add_handler(CallbackQueryHandler(tapped))
    await application.initialize()
    await application.start()
    assert application.updater is not None
    await application.updater.start_polling(poll_interval=0.0, timeout=1)
    yield application
    await application.updater.stop()
    await application.stop()
    await application.shutdown()


def retry_seconds(err: RetryAfter) -> float:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        value = err.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


# ---- basics -------------------------------------------------------------------------------


async def test_get_me(bot: Bot, tg: BotApiStandin) -> None:
    me = await bot.get_me()
    assert me.is_bot and me.id == tg.bot_id and me.username == "sitrep_test_bot"
    assert me.can_join_groups is True and me.supports_inline_queries is False


async def test_wrong_token_and_unknown_method(tg: BotApiStandin) -> None:
    async with httpx.AsyncClient() as client:
        r = await client.post(f"{tg.base_url}1:wrong/getMe")
        assert r.status_code == 401
        assert r.json() == {"ok": False, "error_code": 401, "description": "Unauthorized"}
        r = await client.post(f"{tg.api_url}/noSuchMethod")
        assert r.status_code == 404 and r.json()["description"] == "Not Found"
        r = await client.get(f"{tg.api_url}/getme")  # method names are case-insensitive
        assert r.json()["ok"] is True
    with pytest.raises(InvalidToken):
        async with Bot("1:wrong", base_url=tg.base_url) as _:
            pass


async def test_json_and_multipart_bodies(tg: BotApiStandin) -> None:
    async with httpx.AsyncClient() as client:
        r = await client.post(f"{tg.api_url}/sendMessage", json={"chat_id": 7, "text": "12"})
        assert r.json()["result"]["text"] == "12"
        r = await client.post(
            f"{tg.api_url}/sendMessage",
            data={"chat_id": "7", "text": "007"},
            files={"doc": ("a.txt", b"zz")},
        )
        assert r.json()["result"]["text"] == "007"
    assert [m.message_id for m in tg.sent(7)] == [1, 2]


# ---- Application end to end ---------------------------------------------------------------


async def test_start_reply_and_callback_tap(app: Application, tg: BotApiStandin) -> None:  # type: ignore[type-arg]
    tg.send_text(USER, "/start")
    [reply] = await tg.wait_for_messages(USER, 1)
    assert reply.text == "hi" and reply.message_id == 2  # the user's /start was message 1
    assert reply.reply_markup == KEYBOARD.to_dict()

    update = tg.tap(USER, reply.message_id, "more:1")
    await tg.async_wait_for(lambda: tg.sent(USER)[0].edit_date is not None)
    [edited] = tg.sent(USER)
    assert edited.text == "tapped more:1" and edited.reply_markup is None
    assert edited.history[0]["text"] == "hi"
    query_id = update["callback_query"]["id"]
    assert tg.callback_answer(query_id) == {"text": "got more:1"}

    tg.send_text(GROUP, "/start@sitrep_test_bot", user_id=7, title="Ops")
    [group_reply] = await tg.wait_for_messages(GROUP, 1)
    assert group_reply.text == "hi"
    await tg.async_wait_for(lambda: not tg.pending_updates())  # all confirmed via offset


# ---- Telegram's rules ---------------------------------------------------------------------


async def test_private_chat_flood_limit(bot: Bot, tg: BotApiStandin) -> None:
    for i in range(3):  # short burst allowed
        await bot.send_message(USER, f"m{i}")
    with pytest.raises(RetryAfter) as err:
        await bot.send_message(USER, "one too many")
    assert retry_seconds(err.value) == 1
    assert tg.rate_limited == 1 and len(tg.sent(USER)) == 3
    await bot.send_message(USER + 1, "other chats are fine")
    raw = tg.calls("sendMessage", ok=False)[0]
    assert raw.status == 429 and raw.description == "Too Many Requests: retry after 1"


async def test_group_and_global_limits(bot: Bot, tg: BotApiStandin) -> None:
    tg.set_limits(per_group_per_min=20, per_group_burst=2)
    await bot.send_message(GROUP, "a")
    await bot.send_message(GROUP, "b")
    with pytest.raises(RetryAfter) as err:
        await bot.send_message(GROUP, "c")
    assert retry_seconds(err.value) == 3  # 20/min → one slot every 3 s
    tg.set_limits(global_per_s=2, global_burst=2)
    await bot.send_message(1, "x")
    await bot.send_message(2, "x")
    with pytest.raises(RetryAfter):
        await bot.send_message(3, "x")
    tg.set_limits(None)
    for i in range(10):
        await bot.send_message(USER, str(i))
    assert tg.limits() is None and tg.rate_limited == 2


async def test_blocked_and_kicked(bot: Bot, tg: BotApiStandin) -> None:
    msg = await bot.send_message(USER, "before")
    tg.block(USER)
    with pytest.raises(Forbidden, match=r"(?i)blocked by the user"):
        await bot.send_message(USER, "after")
    with pytest.raises(Forbidden):
        await bot.edit_message_text("edit", chat_id=USER, message_id=msg.message_id)
    tg.unblock(USER)
    await bot.send_message(USER, "again")
    tg.kick(GROUP)
    with pytest.raises(Forbidden, match=r"(?i)kicked from the supergroup chat"):
        await bot.send_message(GROUP, "hello")
    tg.my_chat_member(USER, "kicked")  # the user blocks the bot: update + 403 afterwards
    with pytest.raises(Forbidden):
        await bot.send_message(USER, "after block")
    update = Update.de_json(tg.pending_updates()[-1], bot)
    assert update.my_chat_member is not None
    assert update.my_chat_member.new_chat_member.status == "kicked"


async def test_text_rules(bot: Bot, tg: BotApiStandin) -> None:
    with pytest.raises(BadRequest, match=r"(?i)too long"):
        await bot.send_message(USER, "я" * 4097)
    assert (await bot.send_message(USER, "<b>" + "я" * 4096 + "</b>", parse_mode="HTML")).text
    with pytest.raises(BadRequest, match=r"(?i)empty"):
        await bot.send_message(USER, "  <b> </b> ", parse_mode="HTML")
    with pytest.raises(BadRequest, match=r'(?i)unsupported start tag "br"'):
        await bot.send_message(USER, "a<br>b", parse_mode="HTML")
    with pytest.raises(BadRequest, match=r"(?i)can't find end tag"):
        await bot.send_message(USER, "<b>bold", parse_mode="HTML")
    with pytest.raises(BadRequest, match=r"(?i)can't parse entities"):
        await bot.send_message(USER, "2 < 3", parse_mode="HTML")
    with pytest.raises(BadRequest, match=r"(?i)reserved"):
        await bot.send_message(USER, "Done.", parse_mode="MarkdownV2")
    msg = await bot.send_message(
        USER, '<a href="https://x.ua">A&amp;B</a> &lt;3', parse_mode="HTML"
    )
    assert msg.text == "A&B <3" and not msg.entities  # entities are not echoed
    with pytest.raises(BadRequest, match=r"(?i)button_data_invalid"):
        await bot.send_message(USER, "k", reply_markup=InlineKeyboardMarkup(
            [[InlineKeyboardButton("x", callback_data="d" * 65)]]))  # fmt: skip


async def test_edit_delete_rules(bot: Bot, tg: BotApiStandin) -> None:
    with pytest.raises(BadRequest, match=r"(?i)message to edit not found"):
        await bot.edit_message_text("x", chat_id=USER, message_id=999)
    msg = await bot.send_message(USER, "<b>same</b>", parse_mode="HTML", reply_markup=KEYBOARD)
    with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
        await bot.edit_message_text("<b>same</b>", USER, msg.message_id, parse_mode="HTML",
                                    reply_markup=KEYBOARD)  # fmt: skip
    await bot.edit_message_text("same", USER, msg.message_id, reply_markup=KEYBOARD)  # bold gone
    await bot.edit_message_reply_markup(USER, msg.message_id, reply_markup=None)
    with pytest.raises(BadRequest, match=r"(?i)not modified"):
        await bot.edit_message_reply_markup(USER, msg.message_id, reply_markup=None)
    [current] = tg.sent(USER)
    assert len(current.history) == 2 and current.reply_markup is None
    assert await bot.delete_message(USER, msg.message_id)
    with pytest.raises(BadRequest, match=r"(?i)message to delete not found"):
        await bot.delete_message(USER, msg.message_id)
    assert tg.sent(USER) == [] and len(tg.sent(USER, include_deleted=True)) == 1
    with pytest.raises(BadRequest, match=r"(?i)query is too old"):
        await bot.answer_callback_query("12345")
    with pytest.raises(BadRequest, match=r"(?i)replied not found"):
        await bot.send_message(USER, "re", reply_to_message_id=555)


# ---- getUpdates ---------------------------------------------------------------------------


async def test_get_updates_semantics(bot: Bot, tg: BotApiStandin) -> None:
    first = tg.send_text(USER, "one")["update_id"]
    tg.send_text(USER, "two")
    got = await bot.get_updates(timeout=0)
    assert [u.message.text for u in got if u.message] == ["one", "two"]
    got = await bot.get_updates(offset=first + 1, timeout=0, limit=5)
    assert [u.update_id for u in got] == [first + 1]
    assert len(tg.pending_updates()) == 1

    t0 = time.monotonic()
    assert await bot.get_updates(offset=first + 2, timeout=1) == ()
    assert 0.9 < time.monotonic() - t0 < 3

    async with tg.ptb_bot() as other:  # PTB allows one getUpdates at a time per Bot
        poll = asyncio.create_task(other.get_updates(offset=first + 2, timeout=5))
        await tg.wait_for_calls("getUpdates", 4)
        tg.send_text(USER, "wake")  # long poll answers at once
        [woken] = await asyncio.wait_for(poll, 2)
        assert woken.message is not None and woken.message.text == "wake"

        stale = asyncio.create_task(other.get_updates(offset=woken.update_id + 1, timeout=5))
        await tg.wait_for_calls("getUpdates", 5)
        await bot.get_updates(offset=woken.update_id + 1, timeout=0)
        with pytest.raises(Conflict, match=r"(?i)terminated by other getupdates"):
            await stale

    tg.channel_post(-1002, "kpszsu", "post", 10)
    tg.send_text(USER, "text")
    got = await bot.get_updates(offset=woken.update_id + 1, timeout=0,
                                allowed_updates=["channel_post"])  # fmt: skip
    assert [u.channel_post.text for u in got if u.channel_post] == ["post"] and len(got) == 1

    assert await bot.set_webhook("https://example.org/hook")
    with pytest.raises(Conflict, match=r"(?i)webhook is active"):
        await bot.get_updates(timeout=0)
    assert (await bot.get_webhook_info()).url == "https://example.org/hook"
    with pytest.raises(BadRequest, match=r"(?i)https url"):
        await bot.set_webhook("http://example.org/hook")
    assert await bot.delete_webhook(drop_pending_updates=True)
    assert await bot.get_updates(timeout=0) == ()


async def test_injected_updates_parse_in_ptb(bot: Bot, tg: BotApiStandin) -> None:
    tg.forward_from_channel(USER, USER, -1001111, "kpszsu", 77, "🛵 БпЛА на Київщину")
    tg.channel_post(-1001111, "kpszsu", "edited", 77, edited=True)
    tg.send_text(GROUP, "/status@sitrep_test_bot now", user_id=5, title="Ops", language_code="en")
    fwd, edit, cmd = await bot.get_updates(timeout=0)
    assert fwd.message is not None
    origin = fwd.message.forward_origin
    assert isinstance(origin, MessageOriginChannel)
    assert origin.chat.username == "kpszsu" and origin.message_id == 77
    assert edit.edited_channel_post is not None and edit.edited_channel_post.edit_date
    assert cmd.message is not None and cmd.message.chat.type == "supergroup"
    assert cmd.message.parse_entities(["bot_command"]) and cmd.effective_user
    assert cmd.effective_user.language_code == "en"


async def test_chat_members_commands_and_misc(bot: Bot, tg: BotApiStandin) -> None:
    tg.set_admins(GROUP, [5], creator_id=6)
    assert isinstance(await bot.get_chat_member(GROUP, 5), ChatMemberAdministrator)
    assert isinstance(await bot.get_chat_member(GROUP, 6), ChatMemberOwner)
    assert (await bot.get_chat_member(GROUP, 9)).status == "member"
    assert {m.user.id for m in await bot.get_chat_administrators(GROUP)} == {5, 6}
    chat = await bot.get_chat(GROUP)
    assert isinstance(chat, ChatFullInfo) and chat.type == "supergroup"

    commands = [BotCommand("start", "Почати"), BotCommand("region", "Обрати область")]
    assert await bot.set_my_commands(commands, language_code="uk")
    assert await bot.get_my_commands(language_code="uk") == tuple(commands)
    assert await bot.get_my_commands() == ()
    with pytest.raises(BadRequest, match=r"(?i)bot_command_invalid"):
        await bot.set_my_commands([BotCommand("Bad-Name", "x")])
    assert await bot.delete_my_commands(language_code="uk")
    assert await bot.set_chat_menu_button(menu_button=MenuButtonCommands())
    assert await bot.send_chat_action(USER, "typing")
    assert await bot.leave_chat(GROUP)
    with pytest.raises(Forbidden):
        await bot.send_message(GROUP, "gone")
    assert await bot.close() and await bot.log_out()


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_escaped_text_round_trips(text: str) -> None:
    plain, entities = parse_html(f"<b>{html.escape(text)}</b>")
    assert plain == text and len(entities) <= 1


# ---- throughput and the subprocess runner -------------------------------------------------


async def _throughput(tg: BotApiControl, n: int) -> float:
    url = f"{tg.api_url}/sendMessage"
    todo = iter(range(n))
    async with httpx.AsyncClient() as client:

        async def worker() -> None:
            for i in todo:
                r = await client.post(url, data={"chat_id": str(1000 + i % 50), "text": f"#{i}"})
                assert r.status_code == 200

        t0 = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(8)))
        return n / (time.perf_counter() - t0)


async def test_throughput_in_thread() -> None:
    with BotApiStandin(limits=None) as tg:
        rate = await _throughput(tg, 1000)
        assert tg.call_count("sendMessage") == 1000
    print(f"\nin-thread stand-in: {rate:.0f} sendMessage/s (httpx client in the same process)")
    assert rate >= 200


async def test_subprocess_runner() -> None:
    with BotApiProcess(limits=Limits(per_chat_burst=1)) as tg:
        async with tg.ptb_bot() as bot:
            await bot.send_message(USER, "first")
            with pytest.raises(RetryAfter):
                await bot.send_message(USER, "second")
            tg.set_limits(None)
            rate = await _throughput(tg, 1000)
            tg.send_text(USER, "/start")
            [update] = await bot.get_updates(timeout=0)
            assert update.message is not None and update.message.text == "/start"
            [msg] = await tg.wait_for_messages(USER, 1)
            assert msg.text == "first" and tg.rate_limited == 1
            tg.tap(USER, msg.message_id, "x")
            assert tg.pending_updates()[-1]["callback_query"]["data"] == "x"
    print(f"\nsubprocess stand-in: {rate:.0f} sendMessage/s (httpx client is the bottleneck)")
    assert rate >= 200


def test_flaky_answers_500_unexecuted_or_executes_and_never_answers() -> None:
    with BotApiStandin(limits=None) as tg:
        url = f"{tg.api_url}/sendMessage"
        tg.flaky(p_5xx=1.0)
        resp = httpx.post(url, json={"chat_id": USER, "text": "a"}, timeout=5)
        assert resp.status_code == 500 and tg.sent(USER) == []
        tg.flaky(p_hang=1.0, hang_s=2.0)
        with pytest.raises(httpx.ReadTimeout):
            httpx.post(url, json={"chat_id": USER, "text": "b"}, timeout=0.5)
        assert [m.text for m in tg.sent(USER)] == ["b"]  # executed, never answered
        assert tg.faults() == {"5xx": 1, "hang": 1}
        tg.flaky()
        assert httpx.post(url, json={"chat_id": USER, "text": "c"}, timeout=5).status_code == 200
