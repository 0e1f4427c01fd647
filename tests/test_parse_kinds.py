"""One or more examples per kind, written in the channels' styles (not copied from the corpus)."""

from __future__ import annotations

import pytest

from bot.parsing import parse


def kinds(text: str, source_kind: str | None = None, region: str | None = None) -> set[str]:
    return {e.kind for e in parse(text, source_kind, region)}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("🔴 04:20 Повітряна тривога в Сумська область.", {"air_alert_start"}),
        ("Увага! Оголошено повітряну тривогу.", {"air_alert_start"}),
        ("🔴 Броварський район - повітряна тривога!", {"air_alert_start"}),
        ("Air raid alert in Kharkiv oblast.", {"air_alert_start"}),
        ("🟢 05:01 Відбій тривоги в Сумська область.", {"air_alert_end"}),
        ("All clear in Kyiv.", {"air_alert_end"}),
        ("Залишайтеся в укриттях до відбою тривоги.", set()),
        ("🛵 БпЛА на Київщину", {"drones"}),
        ("Група ударних безпілотників курсом на Вінниччину.", {"drones"}),
        ("☄️ Балістика на Одесу", {"missiles"}),
        ("Швидкісна ціль курсом на Київ!", {"missiles"}),
        ("Пуски КАБ на Сумщину.", {"airstrike"}),
        ("Russian glide bombs hit Zaporizhzhia overnight.", {"airstrike", "damage"}),
        ("Окупанти обстріляли Херсон з артилерії.", {"shelling"}),
        ("Mortar shelling of the border hromadas continues.", {"shelling"}),
        ("У Полтаві пролунали вибухи.", {"explosions"}),
        ("У Кременчуці внаслідок атаки загинув чоловік.", {"casualties"}),
        ("Внаслідок атаки пошкоджено адмінбудівлю, виникла пожежа.", {"damage"}),
        ("Знеструмлено 20 тисяч споживачів на Житомирщині.", {"power_outage"}),
        ("Завтра діятимуть графіки погодинних відключень: від 2 до 3 черг.", {"outage_schedule"}),
        ("Завтра графіки погодинних відключень не застосовуватимуться.", set()),
        ("Енергетики відновили електропостачання в Ізюмі.", {"power_restored"}),
        ("Поїзд №12 Київ – Харків курсує із затримкою на 2 години.", {"train_delay"}),
        ("Ukrzaliznytsia: train 743 is delayed by 40 minutes.", {"train_delay"}),
    ],
)
def test_kind_detected(text: str, expected: set[str]) -> None:
    assert kinds(text) == expected


def test_no_casualties_is_not_casualties() -> None:
    assert "casualties" not in kinds(
        "Уламки впали на подвір'я. Постраждалих немає.", region="UA-18"
    )
    assert "casualties" not in kinds("A drone hit a warehouse; no one was injured.")


def test_fundraising_and_memorials_are_not_events() -> None:
    assert kinds("Збираємо кошти на 20 FPV-дронів для бригади. Реквізити нижче.") == set()
    assert kinds("Вшановуємо пам'ять загиблих. Хвилина мовчання о 9:00.") == set()


def test_still_under_alert_list_is_not_a_new_alert() -> None:
    events = parse(
        "🟡 11:30 Відбій тривоги в Полтавська область.\nТривога ще триває у: Сумська область, Харківська область."
    )
    assert [(e.kind, e.regions) for e in events] == [("air_alert_end", ("UA-53",))]


def test_railway_reports_consequences_not_attacks() -> None:
    got = kinds("Через обстріл на Харківщині поїзди курсують із затримками.", source_kind="railway")
    assert got == {"train_delay"}


def test_delay_word_needs_a_railway_context() -> None:
    assert "train_delay" not in kinds("Роботи з відновлення затримуються через погоду.")


def test_empty_and_whitespace_posts() -> None:
    assert parse("") == []
    assert parse("   \n ") == []


def test_oblast_centre_wins_among_same_named_cities_unless_the_channel_says_otherwise() -> None:
    assert [e.regions for e in parse("Балістика на Миколаїв!", "air_force")] == [("UA-48",)]
    assert [e.regions for e in parse("Вибух у Миколаєві.", "governor", "UA-46")] == [("UA-46",)]


def test_alert_over_phrased_at_the_end() -> None:
    assert kinds("The air raid alert in Sumy oblast is over.") == {"air_alert_end"}


def test_the_capital_is_kyiv_city() -> None:
    assert [e.regions for e in parse("Вибухи у столиці! Працює ППО.")] == [("UA-30",)]
    assert [e.regions for e in parse("Explosions in the capital overnight.")] == [("UA-30",)]


def test_outage_schedules_are_not_an_outage() -> None:
    assert kinds("Ukrenergo: power outage schedules will apply in all regions tomorrow.") == {
        "outage_schedule"
    }


def test_a_first_name_before_a_surname_is_not_the_town_of_that_name() -> None:
    text = "A Russian missile strike on Poltava killed 5 people, Governor Volodymyr Kohut said."
    assert {e.regions for e in parse(text, "news")} == {("UA-53",)}
    assert [e.regions for e in parse("Explosions in Volodymyr overnight.")] == [("UA-07",)]
