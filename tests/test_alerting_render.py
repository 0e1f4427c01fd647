"""Alert rendering: locale formats, Kyiv time, escaping, length bounds, splitting; topics."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.alerting import TOPIC_OF_KIND, AlertView, in_quiet_hours, render, split_html
from bot.alerting.render import COUNT_ORDER, MAX_LEN, fmt_duration, fmt_int, u16len
from bot.geo import REGIONS
from bot.parsing import KINDS
from bot.standins.botapi_text import parse_text
from storage.models import TOPICS

AT = datetime(2026, 7, 1, 23, 5, tzinfo=UTC)  # 02:05 next day in Kyiv (summer time)


def test_numbers_and_durations_per_locale() -> None:
    assert fmt_int(30000, "uk") == "30\u00a0000" and fmt_int(30000, "en") == "30,000"
    assert fmt_duration(timedelta(minutes=80), "uk") == "1 год 20 хв"
    assert fmt_duration(timedelta(minutes=120), "en") == "2 h"
    assert fmt_duration(timedelta(seconds=20), "en") == "1 min"


def test_message_shape_and_kyiv_time() -> None:
    view = AlertView("drones", "UA-74", AT, {"launched": 1200, "destroyed": 30000},
                     [{"uk": "Чернігів", "en": "Chernihiv"}], [("kpszsu", 77)])  # fmt: skip
    assert render(view, "en") == (
        "🛩️ <b>Drone attack</b> · Chernihiv region\n"
        "🛩️ Drones: launched 1,200 · destroyed 30,000\n"
        "📍 Chernihiv\n"
        '🕑 02:05 · <a href="https://t.me/kpszsu/77">@kpszsu</a>'
    )
    assert "запущено 1\u00a0200" in render(view, "uk")
    assert "🕑 23:05" in render(view, "en", tz=ZoneInfo("UTC"))


def test_threat_is_short_with_its_heading() -> None:
    view = AlertView("drones", "UA-74", AT, live=True, regions=["UA-74", "UA-32"],
                     heading=["UA-32"], more={"missiles": {}})  # fmt: skip
    text = render(view, "uk")
    assert text.splitlines()[:2] == [
        "🛩️ <b>Ударні БпЛА</b>: Чернігівщина → курсом на Київщину",
        "🚀 <b>Ракетна загроза</b>: Чернігівщина → курсом на Київщину",
    ]
    assert "heading for Kyiv region" in render(view, "en")
    only = AlertView("drones", "UA-32", AT, live=True, regions=["UA-32"], heading=["UA-32"])
    assert render(only, "uk").startswith("🛩️ <b>Ударні БпЛА</b> → курсом на Київщину\n")


def test_reports_never_use_threat_wording() -> None:
    for kind in KINDS:
        if kind.startswith("air_alert"):
            continue
        for lang, word in (("uk", "загроз"), ("en", "threat")):
            text = render(AlertView(kind, "UA", AT, {"launched": 5, "locations": 2}), lang)
            assert word not in text.lower(), (kind, text)
    summary = AlertView("drones", "UA", AT, {"launched": 502, "destroyed": 430, "locations": 14},
                        more={"missiles": {"launched": 24, "destroyed": 21, "locations": 14}})  # fmt: skip
    assert render(summary, "uk").splitlines()[:4] == [
        "📋 <b>Підсумок атаки</b> · Україна",
        "🛩️ БпЛА: запущено 502 · збито/подавлено 430",
        "🚀 Ракети: запущено 24 · збито/подавлено 21",
        "📍 Влучання на 14 локаціях",
    ]


def test_figures_read_as_sentences_with_cldr_plurals() -> None:
    def line(kind: str, lang: str = "uk", **counts: int) -> str:
        return render(AlertView(kind, "UA-14", AT, counts, more={"damage": {}}), lang)

    assert "🕯️ Загинула 1 людина · поранено 2" in line("casualties", killed=1, injured=2)
    assert "Загинули 2 людини" in line("casualties", killed=2)
    assert "Загинули 5 людей" in line("casualties", killed=5)
    assert "Загинули 21 людини" not in line("casualties", killed=21)
    assert "Загинула 21 людина" in line("casualties", killed=21)
    assert "1 person killed" in line("casualties", "en", killed=1)
    assert "🕯️" not in line("casualties", injured=3) and "🩹 Поранено 3" in line(
        "casualties", injured=3
    )
    assert "Без світла 30\u00a0000 споживачів" in line("power_outage", consumers=30000)
    assert "Без світла 2 споживачі" in line("power_outage", consumers=2)
    assert "30,000 consumers without power" in line("power_outage", "en", consumers=30000)
    assert "Затримуються 3 поїзди, до 7 год" in line("train_delay", trains=3, delay_minutes=420)


def test_an_update_says_what_changed() -> None:
    later = AT + timedelta(hours=2)
    view = AlertView("casualties", "UA-14", AT, {"killed": 2, "injured": 7}, updated_at=later,
                     changes=[("casualties", "injured", 5, 7)], added_places=["Дружківка"])  # fmt: skip
    assert "✎ Оновлено 04:05: поранених 5 → 7; + Дружківка" in render(view, "uk")
    assert "✎ Updated 04:05: injured 5 → 7; + Дружківка" in render(view, "en")


def test_yellow_alert_and_threat_types() -> None:
    view = AlertView(
        "air_alert_start", "UA-74", AT, level="yellow", threats=["drones", "airstrike"]
    )
    assert render(view, "uk").splitlines()[:2] == [
        "🟡 <b>Загроза (жовта тривога)</b> · Чернігівщина",
        "Загрози: БпЛА, КАБи",
    ]


def test_post_text_is_escaped() -> None:
    view = AlertView("shelling", "UA-14", AT, places=[{"uk": "<b>X</b> & Co", "en": ""}],
                     sources=[('evil"><script>', 1)])  # fmt: skip
    text = render(view, "uk")
    assert "<script>" not in text and "&lt;b&gt;X&lt;/b&gt; &amp; Co" in text
    parse_text(text, "HTML")  # Telegram's parser accepts it


def test_every_kind_has_a_topic_and_a_title() -> None:
    assert set(TOPIC_OF_KIND) == set(KINDS) and set(TOPIC_OF_KIND.values()) == set(TOPICS)
    for kind in KINDS:
        for lang in ("uk", "en"):
            assert "alert.kind" not in render(AlertView(kind, "UA", AT), lang)


def test_quiet_hours_wrap_midnight() -> None:
    night = datetime(2026, 1, 10, 22, 30, tzinfo=UTC)  # 00:30 Kyiv
    assert in_quiet_hours(23 * 60, 7 * 60, night)
    assert not in_quiet_hours(8 * 60, 20 * 60, night)
    assert not in_quiet_hours(None, None, night)
    assert not in_quiet_hours(23 * 60, 7 * 60, night, ZoneInfo("Pacific/Auckland"))  # 11:30 there


names = st.text(min_size=0, max_size=300)
views = st.builds(
    AlertView,
    kind=st.sampled_from(KINDS),
    region=st.sampled_from([*REGIONS, "UA", "UA-99"]),
    at=st.datetimes(timezones=st.just(UTC)),
    counts=st.dictionaries(st.sampled_from(COUNT_ORDER), st.integers(0, 10**18)),
    places=st.lists(st.fixed_dictionaries({"uk": names, "en": names}), max_size=60),
    sources=st.lists(st.tuples(names, st.integers(1, 10**12)), max_size=30),
    started_at=st.none() | st.datetimes(timezones=st.just(UTC)),
)


@settings(max_examples=150, deadline=None)
@given(view=views, lang=st.sampled_from(["uk", "en"]))
def test_any_alert_fits_and_parses(view: AlertView, lang: str) -> None:
    text = render(view, lang)
    assert u16len(text) <= MAX_LEN
    parse_text(text, "HTML")  # Telegram's parser accepts it: tags balanced, text escaped


@settings(max_examples=100, deadline=None)
@given(
    lines=st.lists(
        st.tuples(st.sampled_from(["", "b", "i", "a"]), st.text(min_size=0, max_size=900)),
        min_size=1,
        max_size=40,
    ),
    limit=st.sampled_from([200, 1000, MAX_LEN]),
)
def test_split_keeps_text_and_tags(lines: list[tuple[str, str]], limit: int) -> None:
    def wrap(tag: str, body: str) -> str:
        body = html.escape(body)
        if tag == "a":
            return f'<a href="https://t.me/x/1">{body}</a>'
        return f"<{tag}>{body}</{tag}>" if tag else body

    text = "\n".join(wrap(tag, body) for tag, body in lines)
    if not html.unescape(re.sub("<[^>]*>", "", text)).strip():
        assert split_html(text, limit) in ([text], [])
        return
    parts = split_html(text, limit)
    assert all(u16len(p) <= limit for p in parts)
    visible = [parse_text(p, "HTML")[0] for p in parts]
    squash = re.compile(r"\s+")
    assert squash.sub("", "".join(visible)) == squash.sub("", parse_text(text, "HTML")[0])


def test_one_source_link_per_channel_to_its_latest_post() -> None:
    view = AlertView(
        kind="casualties",
        region="UA-14",
        at=datetime(2026, 11, 25, 3, 0, tzinfo=UTC),
        counts={"killed": 2, "injured": 7},
        sources=(("donetskaoda", 10), ("kpszsu", 5), ("donetskaoda", 12)),
    )
    text = render(view, "en")
    assert (
        text.count("@donetskaoda") == 1
        and "/donetskaoda/12" in text
        and "/donetskaoda/10" not in text
    )
    assert "@kpszsu" in text
