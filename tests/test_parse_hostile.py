"""The parser on hostile text: huge numbers, huge posts, and numeric noise stay harmless."""

from __future__ import annotations

import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.parsing import COUNT_FIELDS, parse
from bot.parsing.limits import FIELD_MAX, MAX_TEXT, clip
from bot.parsing.numbers import find_numbers


def all_counts(text: str, source_kind: str | None = None) -> dict[str, dict[str, int]]:
    return {e.kind: e.counts for e in parse(text, source_kind, "UA-63")}


def test_a_400_digit_number_gives_no_count() -> None:
    text = f"Внаслідок атаки поранено {'7' * 400} людей."
    assert all_counts(text) == {"casualties": {}}


@pytest.mark.parametrize("digits", [10, 30, 308, 309, 5000])
def test_digit_runs_beyond_any_count_are_no_number(digits: int) -> None:
    assert find_numbers(f"збито {'9' * digits} дронів") == []
    assert all_counts(f"Збито {'9' * digits} ударних БпЛА.", "air_force").get("drones") == {}


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("Загинули 30 000 людей.", "casualties"),
        ("Injured 10 000 000 people.", "casualties"),
        ("Знеструмлено 90 млн абонентів.", "power_outage"),
        ("Ворог атакував 600 тисяч БпЛА.", "drones"),
        ("Збито мільйон мільйонів дронів.", "drones"),
    ],
)
def test_figures_beyond_what_a_post_can_mean_are_dropped(text: str, kind: str) -> None:
    assert all_counts(text, "railway" if "Поїзд" in text else None)[kind] == {}


def test_a_delay_beyond_a_few_days_is_dropped() -> None:
    assert all_counts("Поїзд №12 затримується на 900 годин.", "railway")["train_delay"] == {
        "trains": 1
    }


def test_figures_within_bounds_are_kept() -> None:
    assert all_counts("Знеструмлено 1,2 млн абонентів.")["power_outage"] == {"consumers": 1_200_000}
    assert all_counts("Затримка поїзда №12 становить 20 годин.", "railway")["train_delay"] == {
        "delay_minutes": 1200,
        "trains": 1,
    }


def test_a_one_megabyte_post_parses_in_under_half_a_second() -> None:
    sentence = "У ніч на 3 березня ворог атакував 20 ударними БпЛА, збито 15. Поранено двоє людей. "
    text = (sentence * (1_000_000 // len(sentence) + 1))[:1_000_000]
    parse("прогрів")  # the gazetteer's first load is not the post's cost
    started = time.perf_counter()
    events = parse(text, "air_force")
    assert time.perf_counter() - started < 0.5
    assert events  # the head of the post is still read


@pytest.mark.parametrize(
    "unit",
    [
        "9",
        "1 ",
        "двадцять ",
        "мільйон ",
        "збито 12 БпЛА, ",
        "загинули 3, ",
        "+1:20 ",
        "\u200b",
        "ї",
    ],
)
def test_a_megabyte_of_one_repeated_unit_is_linear(unit: str) -> None:
    text = unit * (1_000_000 // len(unit))
    parse("прогрів")
    started = time.perf_counter()
    parse(text, "railway")
    parse(text, "air_force")
    assert time.perf_counter() - started < 1.0


def test_the_cap_cuts_on_whitespace_and_keeps_short_posts_whole() -> None:
    short = "Збито 12 БпЛА."
    assert clip(short) is short
    long = "слово " * 3000
    cut = clip(long)
    assert len(cut) <= MAX_TEXT and long.startswith(cut) and cut.endswith("слово")
    assert len(clip("я" * 20_000)) == MAX_TEXT  # no whitespace: a hard cut


NUMERIC = st.one_of(
    st.integers(min_value=0, max_value=10**40).map(str),
    st.text(alphabet="0123456789 ,.:+-№", min_size=1, max_size=60),
    st.sampled_from(["тис.", "млн", "тисяч", "мільйон", "million", "thousand", "k", "годин", "хв"]),
)
WORDS = st.sampled_from(
    [
        "збито",
        "БпЛА",
        "ракет",
        "загинули",
        "поранено",
        "людей",
        "абонентів",
        "знеструмлено",
        "поїзд",
        "затримка",
        "на",
        "локаціях",
        "із",
        "of",
        "drones",
        "killed",
        "customers",
        "\n",
        ".",
    ]
)


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(
    st.lists(st.one_of(NUMERIC, WORDS), min_size=1, max_size=60).map(" ".join),
    st.sampled_from([None, "air_force", "governor", "railway", "energy", "news"]),
)
def test_numeric_noise_gives_bounded_deterministic_counts(text: str, kind: str | None) -> None:
    first = parse(text, kind, "UA-63")
    for e in first:
        for field, value in e.counts.items():
            assert field in COUNT_FIELDS
            assert 0 <= value <= FIELD_MAX[field]
    assert parse(text, kind, "UA-63") == first


@settings(max_examples=25, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(
    st.lists(st.one_of(NUMERIC, WORDS), min_size=1, max_size=20).map(" ".join),
    st.integers(min_value=1_000, max_value=60_000),
)
def test_long_posts_parse_quickly_and_within_bounds(unit: str, repeat: int) -> None:
    text = (unit + " ") * (repeat // (len(unit) + 1) + 1)
    started = time.perf_counter()
    events = parse(text, "air_force")
    assert time.perf_counter() - started < 0.5
    for e in events:
        assert all(0 <= v <= FIELD_MAX[f] for f, v in e.counts.items())
