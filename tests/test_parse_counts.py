"""Counts as posts write them: digits, thousands, number words, sums, and what is not a count."""

from __future__ import annotations

import pytest

from bot.parsing import parse


def counts(
    text: str, kind: str, source_kind: str | None = None, region: str | None = "UA-63"
) -> dict[str, int]:
    for e in parse(text, source_kind, region):
        if e.kind == kind:
            return e.counts
    raise AssertionError(f"no {kind} event in {text!r}: {parse(text, source_kind, region)}")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Внаслідок обстрілу загинули двоє людей, ще четверо поранені.",
            {"killed": 2, "injured": 4},
        ),
        ("Поранено п'ятеро цивільних, серед них дві дитини.", {"injured": 5}),
        ("Загинула 71-річна жінка.", {"killed": 1}),
        ("Загинули жінки 59 та 67 років.", {"killed": 2}),
        ("Ворог вбив 2 людей, поранив ще 7.", {"killed": 2, "injured": 7}),
        ("Загинули 3 жінки та 5 чоловіків.", {"killed": 8}),
        ("Кількість поранених зросла до 14.", {"injured": 14}),
        (
            "Two civilians were killed and twenty-two injured in the strike.",
            {"killed": 2, "injured": 22},
        ),
        ("Russian strike killed a woman and injured her son.", {"killed": 1, "injured": 1}),
    ],
)
def test_casualties(text: str, expected: dict[str, int]) -> None:
    assert counts(text, "casualties") == expected


def test_attack_summary_sums_missile_types_and_keeps_dates_out() -> None:
    text = (
        "У ніч на 3 березня (з 18:00 2 березня) противник атакував 4 балістичними ракетами "
        "Іскандер-М, 20 крилатими ракетами Х-101 та 310 ударними БпЛА.\n"
        "Збито 19 крилатих ракет та 280 БпЛА. 14 БпЛА локаційно втрачені.\n"
        "Зафіксовано влучання 16 ударних БпЛА на 7 локаціях, падіння уламків на 3 локаціях."
    )
    by_kind = {e.kind: e for e in parse(text, "air_force")}
    assert by_kind["missiles"].counts == {"launched": 24, "destroyed": 19}
    assert by_kind["drones"].counts == {
        "launched": 310,
        "destroyed": 280,
        "hit": 16,
        "locations": 7,
    }
    assert "UA" in by_kind["drones"].regions


def test_generic_total_goes_to_the_only_weapon_kind() -> None:
    text = "Противник атакував ударними БпЛА — всього 97 засобів повітряного нападу. Збито 80."
    assert counts(text, "drones", "air_force", None) == {"launched": 97, "destroyed": 80}


def test_english_summary_with_passive_voice() -> None:
    text = "Russia launched 120 drones overnight; 98 drones were shot down, hits by 15 drones were recorded at 5 locations."
    assert counts(text, "drones", "air_force", None) == {
        "launched": 120,
        "destroyed": 98,
        "hit": 15,
        "locations": 5,
    }


@pytest.mark.parametrize(
    ("text", "consumers"),
    [
        ("Знеструмлено понад 30 тис. абонентів.", 30000),
        ("Без світла залишаються 12 500 споживачів.", 12500),
        ("About 45,000 households are without power.", 45000),
        ("Без електропостачання — двісті родин.", 200),
    ],
)
def test_consumers_without_power(text: str, consumers: int) -> None:
    assert counts(text, "power_outage")["consumers"] == consumers


@pytest.mark.parametrize(
    ("text", "delay", "trains"),
    [
        ("Затримуються поїзди:\n№43 Київ – Львів +1:40\n№91 Одеса – Київ +3:05", 185, 2),
        ("Поїзд №7 Київ – Харків затримується на 2 год 15 хв.", 135, 1),
        ("Через знеструмлення 5 поїздів курсують із запізненням понад 7 годин.", 420, 5),
        ("Train 705 Kyiv–Przemyśl is running about half an hour late, 35 minutes.", 35, 1),
    ],
)
def test_train_delays(text: str, delay: int, trains: int) -> None:
    got = counts(text, "train_delay", "railway", None)
    assert got["delay_minutes"] == delay
    assert got["trains"] == trains


def test_figures_named_after_the_verb_and_by_missile_type() -> None:
    text = (
        "Overnight, the enemy launched 4 Iskander-M ballistic missiles and 132 Shahed attack drones. "
        "Air defence neutralised 2 missiles and 110 drones."
    )
    by_kind = {e.kind: e.counts for e in parse(text, "air_force")}
    assert by_kind == {
        "drones": {"launched": 132, "destroyed": 110},
        "missiles": {"launched": 4, "destroyed": 2},
    }
    assert counts(
        "Russia attacked with 50 drones. 38 of them were shot down.", "drones", "air_force", None
    ) == {
        "launched": 50,
        "destroyed": 38,
    }


def test_injury_word_that_starts_like_a_month_is_not_a_date() -> None:
    # "травмовані" begins like "травня" (May); it must not hide the count before it.
    assert counts("Загинули двоє людей, семеро травмовані.", "casualties") == {
        "killed": 2,
        "injured": 7,
    }
    assert counts("Загинула 1 людина, 12 людей поранені.", "casualties") == {
        "killed": 1,
        "injured": 12,
    }


def test_people_left_without_power_are_consumers_when_nobody_was_hurt() -> None:
    text = "A drone attack left over 50,000 people without power in Odesa."
    assert counts(text, "power_outage", region=None)["consumers"] == 50000


def test_restored_and_still_without_power_in_one_sentence() -> None:
    events = {
        e.kind: e.counts
        for e in parse(
            "В Одеській області відновили живлення для 45 тисяч споживачів, без світла ще 12 тисяч.",
            "energy",
        )
    }
    assert events == {"power_outage": {"consumers": 12000}, "power_restored": {"consumers": 45000}}


def test_lost_on_radar_is_neither_destroyed_nor_a_location() -> None:
    text = (
        "За ніч противник запустив 93 ударні БпЛА типу «Шахед». Збито 72. Ще 12 локаційно втрачено."
    )
    assert counts(text, "drones", "air_force", None) == {"launched": 93, "destroyed": 72}


def test_russian_casualty_wording() -> None:
    assert counts(
        "В Харькове прогремели взрывы, пострадали три человека.", "casualties", "news", None
    ) == {"injured": 3}


def test_destroyed_in_the_active_voice_and_families_without_power() -> None:
    text = "Сили ППО знищили 14 ударних БпЛА над Одещиною."
    assert counts(text, "drones", "air_force", None) == {"destroyed": 14}
    text = "Russian shelling of Nikopol damaged a power line, leaving 3,500 families without electricity."
    assert counts(text, "power_outage", "news", None) == {"consumers": 3500}
