"""/start, /subscribe, /unsubscribe, /settings, /stop, groups and membership, end to end."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from handlers.callbacks import (
    DigestTime,
    FollowTown,
    Language,
    OtherAreas,
    QuietHours,
    SettingsPage,
    Stop,
    Subscribe,
    ThreatsInQuiet,
    ToggleTopic,
    Unsubscribe,
)
from tests.support.kit import Bot, running_bot

USER = 501
GROUP = -100777


@pytest.fixture
async def bot(tmp_path: Path) -> AsyncIterator[Bot]:
    async with running_bot(tmp_path) as b:
        yield b


def _buttons(markup: dict[str, object] | None) -> list[tuple[str, str]]:
    assert markup is not None
    rows = markup["inline_keyboard"]
    assert isinstance(rows, list)
    return [(b["text"], b["callback_data"]) for row in rows for b in row]


async def test_start_greets_registers_and_one_tap_subscribes(bot: Bot) -> None:
    [hello] = await bot.say(USER, "/start", first_name="Оксана")
    assert "Вітаю, Оксана" in hello.text and "Оберіть регіон" in hello.text
    buttons = _buttons(hello.reply_markup)
    assert len(buttons) == 27
    assert ("Чернігівщина", Subscribe("UA-74").pack()) in buttons
    assert all(len(data.encode()) <= 64 for _, data in buttons)
    chat = bot.chat(USER)
    assert chat is not None and chat.language == "uk" and chat.type == "private"

    tapped = await bot.tap(USER, hello.message_id, Subscribe("UA-74").pack())
    tapped = await bot.edited(USER, hello.message_id, "Ви підписані на: Чернігівщина")
    assert ("✅ Чернігівщина", Subscribe("UA-74").pack()) in _buttons(tapped.reply_markup)
    assert bot.regions(USER) == ["UA-74"]


async def test_start_in_english(bot: Bot) -> None:
    [hello] = await bot.say(USER, "/start", language_code="en-GB")
    assert "Hello" in hello.text and "Pick a region" in hello.text
    assert ("Kyiv city", Subscribe("UA-30").pack()) in _buttons(hello.reply_markup)
    await bot.tap(USER, hello.message_id, Subscribe("UA-30").pack(), language_code="en")
    await bot.edited(USER, hello.message_id, "You are subscribed to: Kyiv city")


@pytest.mark.parametrize(
    ("text", "region", "expect"),
    [
        ("Київщина", "UA-32", "Ви підписані на: Київщина"),
        ("Київська область", "UA-32", "Ви підписані на: Київщина"),
        ("kyiv oblast", "UA-32", "Ви підписані на: Київщина"),
        ("Kiev", "UA-30", "Ви підписані на: Київ"),
        ("Ніжин", "UA-74", "Ви підписані на Ніжин (Чернігівщина)"),  # down to the town
        ("Чернигівщина", "UA-74", "Ви підписані на: Чернігівщина"),  # typo
        ("Хмельницкий", "UA-68", "Ви підписані на Хмельницький (Хмельниччина)"),  # typo, town
    ],
)
async def test_subscribe_understands(bot: Bot, text: str, region: str, expect: str) -> None:
    [answer] = await bot.say(USER, f"/subscribe {text}")
    assert expect in answer.text
    assert bot.regions(USER) == [region]


async def test_kyiv_city_and_oblast_are_told_apart(bot: Bot) -> None:
    [answer] = await bot.say(USER, "/subscribe Kiev", language_code="en")
    assert "Kyiv city and Kyiv oblast are separate regions" in answer.text
    assert _buttons(answer.reply_markup) == [("Kyiv region", Subscribe("UA-32").pack())]
    await bot.tap(USER, answer.message_id, Subscribe("UA-32").pack())
    await bot.edited(USER, answer.message_id, "subscribed to: Kyiv region")
    assert bot.regions(USER) == ["UA-30", "UA-32"]


async def test_subscribe_ambiguous_asks_with_buttons(bot: Bot) -> None:
    [question] = await bot.say(USER, "/subscribe Олександрівка")
    assert "що саме ви маєте на увазі" in question.text
    buttons = _buttons(question.reply_markup)
    assert ("Олександрівка (Кіровоградщина)", Subscribe("UA-35").pack()) in buttons
    assert len(buttons) > 2
    assert bot.regions(USER) == []
    await bot.tap(USER, question.message_id, Subscribe("UA-35").pack())
    await bot.edited(USER, question.message_id, "Кіровоградщина")
    assert bot.regions(USER) == ["UA-35"]


async def test_subscribe_unknown_says_so_with_suggestions(bot: Bot) -> None:
    [answer] = await bot.say(USER, "/subscribe Хогвартс")
    assert "Не знайшов «Хогвартс»" in answer.text
    assert len(_buttons(answer.reply_markup)) == 3
    assert bot.regions(USER) == []
    [escaped] = await bot.say(USER, "/subscribe <b>x</b>")
    assert "«<b>x</b>»" in escaped.text  # shown literally, not as markup


async def test_subscribe_without_argument_shows_keyboard(bot: Bot) -> None:
    [answer] = await bot.say(USER, "/subscribe")
    assert len(_buttons(answer.reply_markup)) == 27


async def test_unsubscribe_by_name_and_by_button(bot: Bot) -> None:
    [none] = await bot.say(USER, "/unsubscribe")
    assert "ні на що не підписані" in none.text
    await bot.say(USER, "/subscribe Київщина")
    await bot.say(USER, "/subscribe Ніжин")
    [pick] = await bot.say(USER, "/unsubscribe")
    assert _buttons(pick.reply_markup) == [
        ("Київщина", Unsubscribe("UA-32").pack()),
        ("Чернігівщина", Unsubscribe("UA-74").pack()),
    ]
    await bot.tap(USER, pick.message_id, Unsubscribe("UA-32").pack())
    await bot.edited(USER, pick.message_id, "Ви відписалися від: Київщина")
    assert bot.regions(USER) == ["UA-74"]
    [other] = await bot.say(USER, "/unsubscribe Львів")
    assert "немає «Львів»" in other.text
    [done] = await bot.say(USER, "/unsubscribe Чернігівщина")
    assert "Ви відписалися від: Чернігівщина" in done.text and "Підписок більше немає" in done.text
    assert bot.regions(USER) == []


async def test_settings_menus_change_the_chat(bot: Bot) -> None:
    await bot.say(USER, "/start")
    [menu] = await bot.say(USER, "/settings")
    assert "Щоденний дайджест: 08:00" in menu.text and "Тиха година: вимкнено" in menu.text
    mid = menu.message_id
    await bot.tap(USER, mid, SettingsPage("topics").pack())
    await bot.tap(USER, mid, ToggleTopic(5).pack())  # rail off
    # The tap is answered before the menu is edited: wait for the edit itself.
    await bot.tg.async_wait_for(
        lambda: (
            ("▫️ Поїзди", ToggleTopic(5).pack())
            in _buttons(next(m for m in bot.tg.sent(USER) if m.message_id == mid).reply_markup)
        )
    )
    assert bot.chat(USER).topics == 0b011111
    await bot.tap(USER, mid, QuietHours(1320, 420).pack())
    await bot.edited(USER, mid, "Тиха година: 22:00–07:00")
    await bot.tap(USER, mid, DigestTime(None).pack())
    await bot.edited(USER, mid, "Щоденний дайджест: вимкнено")
    await bot.tap(USER, mid, Language("en").pack())
    await bot.edited(USER, mid, "Daily digest: off")
    chat = bot.chat(USER)
    assert (chat.quiet_start, chat.quiet_end, chat.digest_time, chat.language) == (
        1320,
        420,
        None,
        "en",
    )
    [answer] = await bot.say(USER, "/help")  # the chat now speaks English
    assert "What I can do" in answer.text


async def test_settings_choose_silence_for_threats_and_other_raions(bot: Bot) -> None:
    await bot.say(USER, "/subscribe Nizhyn", language_code="en")
    [menu] = await bot.say(USER, "/settings", language_code="en")
    mid = menu.message_id
    assert "threats to your places still ring" in menu.text
    assert "other raions' news not sent" in menu.text
    await bot.tap(USER, mid, SettingsPage("quiet").pack())
    await bot.tap(USER, mid, ThreatsInQuiet(silent=True).pack())  # quiet hours silence everything
    await bot.edited(USER, mid, "everything silent")
    await bot.tap(USER, mid, SettingsPage("main").pack())
    await bot.tap(
        USER, mid, OtherAreas(marked=True).pack()
    )  # other raions' news marked, not left out
    await bot.edited(USER, mid, "marked “not your raion”")
    chat = bot.chat(USER)
    assert (chat.quiet_all, chat.other_areas) == (True, True)
    await bot.tap(USER, mid, f"{ThreatsInQuiet.prefix}:2")  # never offered: refused, unchanged
    assert bot.chat(USER).quiet_all is True


async def test_stop_asks_then_forgets(bot: Bot) -> None:
    await bot.say(USER, "/subscribe Київщина")
    [ask] = await bot.say(USER, "/stop")
    assert "Забути цей чат" in ask.text
    await bot.tap(USER, ask.message_id, Stop("no").pack())
    await bot.edited(USER, ask.message_id, "усе залишається")
    assert bot.regions(USER) == ["UA-32"]
    [ask] = await bot.say(USER, "/stop")
    await bot.tap(USER, ask.message_id, Stop("yes").pack())
    await bot.edited(USER, ask.message_id, "я забув цей чат")
    assert bot.chat(USER) is None and bot.regions(USER) == []


async def test_group_admins_change_others_are_refused(bot: Bot) -> None:
    admin, member = 11, 12
    bot.tg.set_admins(GROUP, [admin], creator_id=10)
    bot.tg.set_member(GROUP, member, "member")
    [refusal] = await bot.say(GROUP, "/subscribe Київщина", user_id=member, chat_type="supergroup")
    assert "лише її адміністратори" in refusal.text
    assert bot.regions(GROUP) == []
    [ok] = await bot.say(GROUP, "/subscribe Київщина", user_id=admin, chat_type="supergroup")
    assert "Ви підписані на: Київщина" in ok.text
    [creator] = await bot.say(GROUP, "/subscribe Ніжин", user_id=10, chat_type="supergroup")
    assert "Чернігівщина" in creator.text
    assert bot.regions(GROUP) == ["UA-32", "UA-74"]
    # Buttons: a member is not shown them, and a tap on an admin's board is refused with an
    # alert; everybody may read /regions.
    [hello] = await bot.say(GROUP, "/start", user_id=member, chat_type="supergroup")
    assert hello.reply_markup is None and "Вітаю" in hello.text
    [board] = await bot.say(GROUP, "/start", user_id=admin, chat_type="supergroup")
    update = bot.tg.tap(GROUP, board.message_id, Subscribe("UA-46").pack(), user_id=member)
    answer = await bot.tg.async_wait_for(
        lambda: bot.tg.callback_answer(update["callback_query"]["id"])
    )
    assert "адміністратори" in answer["text"] and answer["show_alert"] is True
    assert bot.regions(GROUP) == ["UA-32", "UA-74"]
    [listing] = await bot.say(GROUP, "/regions", user_id=member, chat_type="supergroup")
    assert "Київщина" in listing.text


async def test_blocked_deactivates_and_added_to_group_greets(bot: Bot) -> None:
    await bot.say(USER, "/subscribe Київщина")
    bot.tg.my_chat_member(USER, "kicked", old_status="member")
    await bot.tg.async_wait_for(lambda: bot.chat(USER).active is False)
    bot.tg.my_chat_member(GROUP, "member", old_status="left", chat_type="group", user_id=11)
    [hello] = await bot.tg.wait_for_messages(GROUP, 1)
    assert "Я <b>Sitrep</b>" in hello.source_text
    assert bot.chat(GROUP).active is True


async def test_commands_menu_in_both_languages(bot: Bot) -> None:
    commands = await bot.tg.async_wait_for(lambda: bot.tg.commands())
    flat = repr(commands)
    assert "Тривоги по всій Україні зараз" in flat and "Air-raid alerts across Ukraine now" in flat


async def test_a_town_is_followed_down_to_it_and_regions_show_it(bot: Bot) -> None:
    await bot.say(USER, "/subscribe Ніжин")
    [regions] = await bot.say(USER, "/regions")
    assert "Чернігівщина" in regions.text and "📍 Ніжин" in regions.text
    await bot.say(USER, "/subscribe Чернігівщина")  # the oblast itself: followed whole again
    [whole] = await bot.say(USER, "/regions")
    assert "📍" not in whole.text and bot.regions(USER) == ["UA-74"]


async def test_plain_text_naming_a_place_offers_to_subscribe(bot: Bot) -> None:
    [offer] = await bot.say(USER, "Ніжин")
    assert "Підписатися на Ніжин (Чернігівщина)?" in offer.text
    ((label, data),) = _buttons(offer.reply_markup)
    assert label == "✅ Підписатися"
    assert FollowTown.unpack(data).key.startswith("UA74") and len(data.encode()) <= 64
    await bot.tap(USER, offer.message_id, data)
    await bot.edited(USER, offer.message_id, "Ви підписані на Ніжин")
    assert bot.regions(USER) == ["UA-74"]
    before = len(bot.tg.sent(USER))
    await bot.say(USER, "просто слова без жодного місця", n=0)
    await asyncio.sleep(1.0)
    assert len(bot.tg.sent(USER)) == before  # no place named: no answer


async def test_unknown_command_gets_help(bot: Bot) -> None:
    [answer] = await bot.say(USER, "/weather")
    assert answer.text.startswith("Такої команди немає.") and "/subscribe" in answer.text


async def test_kyiv_prompt_in_the_accusative_and_buttons_in_alphabet_order(bot: Bot) -> None:
    [answer] = await bot.say(USER, "/subscribe Київ")
    assert "Додати ще Київщину?" in answer.text
    [hello] = await bot.say(USER, "/start")
    names = [text.removeprefix("✅ ") for text, _ in _buttons(hello.reply_markup)]
    assert names[:3] == ["Буковина", "Вінниччина", "Волинь"]
    assert names.index("Житомирщина") < names.index("Івано-Франківщина") < names.index("Київ")
