"""Figures a post gives beyond the scored counts: what was damaged or destroyed, and the
numbers of the trains a delay names. Sentences written for these tests (no corpus text)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.i18n.plural import plural_form
from bot.parsing import parse
from bot.parsing.damage import ALL_FIELDS
from bot.parsing.events import Event
from bot.parsing.limits import FIELD_MAX


def damage(text: str, source: str = "governor") -> dict[str, int]:
    events = {e.kind: e for e in parse(text, source, "UA-18")}
    return dict(events["damage"].counts) if "damage" in events else {}


def trains(text: str) -> tuple[str, ...]:
    events: dict[str, Event] = {e.kind: e for e in parse(text, "railway", None)}
    return events["train_delay"].train_numbers if "train_delay" in events else ()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # figure, adjectives, noun; the verb before
        ("Унаслідок удару по Коростеню пошкоджено 9 приватних будинків.", {"houses": 9}),
        # the verb after, in its own phrase
        ("У Бердичеві 14 житлових будинків зазнали пошкоджень.", {"houses": 14}),
        # number words, a feminine noun, destroyed
        (
            "Ворожа ракета зруйнувала три п'ятиповерхівки у Житомирі.",
            {"apartment_blocks_destroyed": 3},
        ),
        # a list: each noun its own field; "авто" is a vehicle, not more houses
        (
            "Пошкоджені 11 будинків, 2 багатоквартирні будинки та 4 авто.",
            {"houses": 11, "apartment_blocks": 2, "vehicles": 4},
        ),
        # damaged and destroyed in one clause, the second figure without its noun
        ("Зруйновано 3 будинки, ще 20 – пошкоджено.", {"houses_destroyed": 3, "houses": 20}),
        # a lone singular noun is one; a plural without a figure is none
        ("Пошкоджено адмінбудівлю, склади та приватні будинки.", {"buildings": 1}),
        ("Пошкоджено об'єкт критичної інфраструктури.", {"objects": 1}),
        ("Уламками пошкоджено автомобіль і два гаражі.", {"vehicles": 1}),
        # windows in two houses: the locative counts windows, not houses
        ("Вибуховою хвилею пошкоджено вікна у трьох будинках.", {}),
        # "кілька" is no figure
        ("Пошкоджено кілька будинків і лінію електропередач.", {}),
        # a figure of people in the same clause is not a figure of damage
        ("Пошкоджено 5 будинків, поранено 3 людей.", {"houses": 5}),
        # a subtotal list repeats the total once
        ("Пошкоджено 12 будинків: у Коростені 5, у Малині 7.", {"houses": 12}),
        # a war-long total is no figure of this attack
        ("З початку війни в області зруйновано 3000 будинків.", {}),
        # English: figures before the noun, the verb after, articles
        (
            "Two apartment buildings and 7 houses were damaged in Zhytomyr, a car was destroyed.",
            {"apartment_blocks": 2, "houses": 7, "vehicles_destroyed": 1},
        ),
        (
            "Russian shelling destroyed 4 homes and damaged 12 residential buildings.",
            {"houses_destroyed": 4, "houses": 12},
        ),
        # participles inside the phrase decide for their own figure
        (
            "Зафіксовано 3 пошкоджені будинки та 2 зруйновані автомобілі.",
            {"houses": 3, "vehicles_destroyed": 2},
        ),
        # a part of the total destroyed: "з них"
        (
            "У Малині пошкоджено 16 будинків, 3 з них зруйновано повністю.",
            {"houses": 16, "houses_destroyed": 3},
        ),
        # homes without power are consumers, not damage
        ("The strike damaged a substation in Zhytomyr, leaving 40,000 homes without power.", {}),
        ("Пошкоджено підстанцію, без світла 600 будинків.", {}),
        # a house of culture is a public building
        ("Пошкоджено 2 будинки культури у Коростені.", {"buildings": 2}),
        # drones destroyed are no damage figure
        ("Знищено 9 безпілотників, пошкоджено 2 будинки.", {"houses": 2}),
    ],
)
def test_damage_figures(text: str, expected: dict[str, int]) -> None:
    got = damage(text)
    assert {k: v for k, v in got.items() if k not in ("hit", "locations")} == expected


# The form a counted noun takes after a number, by CLDR plural category (accusative after
# "пошкоджено": "1 будинок", "2 будинки", "5 будинків").
NOUNS = {
    "houses": {"one": "будинок", "few": "будинки", "many": "будинків"},
    "apartment_blocks": {
        "one": "багатоповерхівку",
        "few": "багатоповерхівки",
        "many": "багатоповерхівок",
    },
    "buildings": {"one": "будівлю", "few": "будівлі", "many": "будівель"},
    "vehicles": {"one": "автомобіль", "few": "автомобілі", "many": "автомобілів"},
}
ADJECTIVES = ("", "приватних ", "житлових ", "нежитлових ", "")


@settings(max_examples=60, deadline=None)
@given(
    n=st.integers(min_value=1, max_value=5000),
    field=st.sampled_from(sorted(NOUNS)),
    verb=st.sampled_from([("пошкоджено", ""), ("зруйновано", "_destroyed")]),
    town=st.sampled_from(["Коростені", "Бердичеві", "Овручі"]),
)
def test_any_figure_with_its_noun_in_the_right_form(
    n: int, field: str, verb: tuple[str, str], town: str
) -> None:
    form = NOUNS[field][plural_form("uk", n) if plural_form("uk", n) in ("one", "few") else "many"]
    adjective = "" if field != "houses" else ADJECTIVES[n % len(ADJECTIVES)]
    text = f"Внаслідок обстрілу в {town} {verb[0]} {n} {adjective}{form}."
    assert damage(text).get(field + verb[1]) == n


@settings(max_examples=40, deadline=None)
@given(
    words=st.lists(
        st.sampled_from(["будинок", "будинки", "будівлю", "авто", "вікна", "у", "та", "сім"]),
        max_size=8,
    ),
    n=st.integers(min_value=0, max_value=99),
)
def test_no_damage_verb_no_damage_figure(words: list[str], n: int) -> None:
    """Without a damage verb nothing is counted, whatever nouns and figures stand around."""
    text = f"Вибух у Житомирі, уламки впали біля {n} " + " ".join(words) + ". Виникла пожежа."
    assert {k for k in damage(text) if k not in ("hit", "locations")} == set()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Поїзд 105 Київ — Ковель затримується на 2 години.", ("105",)),
        ("Поїзди №12, 14 та 48 курсують із затримкою до 7 год.", ("12", "14", "48")),
        ("Інтерсіті+ 743 Київ – Харків прямує із запізненням 40 хв.", ("743",)),
        ("№ 92/91 Київ – Ужгород затримується на 3 год.", ("92/91",)),
        # a table: only the rows that state a delay, not the train on schedule
        (
            "Затримки поїздів станом на 07:00:\n№ 6 Київ – Одеса +1:20\n№ 43 Київ – Львів за графіком\n"
            "№ 715/716 Київ – Харків +0:45",
            ("6", "715/716"),
        ),
        ("Train No. 17 Kyiv – Lviv is running 40 minutes late.", ("17",)),
        # durations, wagons and years after the word are no train numbers
        ("Через знеструмлення поїзди затримуються 3 години, 2 вагони поїзда відчеплено.", ()),
        ("Поїзди 2025 року курсуватимуть із затримками.", ()),
    ],
)
def test_train_numbers(text: str, expected: tuple[str, ...]) -> None:
    assert trains(text) == expected


def test_every_damage_field_has_a_bound() -> None:
    """A figure above its field's bound is dropped, never shown (``bot.parsing.limits``)."""
    assert set(ALL_FIELDS) <= set(FIELD_MAX)
    assert damage("Пошкоджено 900000 будинків.") == {}


def test_train_numbers_count_the_trains_when_no_figure_is_stated() -> None:
    (event,) = [e for e in parse("Поїзди №12, 14 та 48 затримуються.", "railway") if e.counts]
    assert event.counts["trains"] == 3 and event.train_numbers == ("12", "14", "48")
    assert event.to_json()["train_numbers"] == ["12", "14", "48"]


@settings(max_examples=50, deadline=None)
@given(
    numbers=st.lists(
        st.tuples(st.integers(1, 999), st.one_of(st.none(), st.integers(1, 999))),
        min_size=1,
        max_size=6,
        unique_by=lambda p: p[0],
    ),
    joiner=st.sampled_from([", ", " та ", " і ", ", №"]),
)
def test_any_list_of_train_numbers(numbers: list[tuple[int, int | None]], joiner: str) -> None:
    ids = [f"{a}/{b}" if b else str(a) for a, b in numbers]
    text = "Через обстріл поїзди №" + joiner.join(ids) + " затримуються до 3 год."
    assert trains(text) == tuple(dict.fromkeys(ids))
