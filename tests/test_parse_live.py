"""Threat now or report (``live``) and where a threat is heading, in the channels' styles."""

from __future__ import annotations

import pytest

from bot.parsing import parse


def live(text: str, source_kind: str | None = None, region: str | None = None) -> dict[str, bool]:
    return {e.kind: e.live for e in parse(text, source_kind, region)}


def heading(text: str, source_kind: str | None = "air_force") -> dict[str, tuple[str, ...]]:
    return {e.kind: e.heading for e in parse(text, source_kind) if e.heading}


@pytest.mark.parametrize(
    ("text", "source", "expected"),
    [
        # Alerts declared or lifted.
        ("🔴 21:07 Повітряна тривога в Вінницька область.", "alerts", {"air_alert_start": True}),
        ("🟢 22:15 Відбій тривоги в Вінницька область.", "alerts", {"air_alert_end": True}),
        ("В області повітряна тривога. Усі в укриття!", "governor", {"air_alert_start": True}),
        ("Air raid sirens are sounding across Ukraine.", "news", {"air_alert_start": True}),
        # Threat notices and threats in flight.
        ("🔴🔴 19:30 Загроза ударних БпЛА в Ізюмський район", "alerts", {"drones": True}),
        ("Загроза застосування КАБ для Запорізької області!", "alerts", {"airstrike": True}),
        ("🏍 Кілька БпЛА на сході Житомирщини, курс західний.", "air_force", {"drones": True}),
        ("💣 Скидання КАБ по Костянтинівці", "air_force", {"airstrike": True}),
        ("Швидкісна на Миколаїв!", "air_force", {"missiles": True}),
        ("🚀 Ракети над Черкащиною, рух на захід", None, {"missiles": True}),
        ("Drones over Chernihiv region heading south.", "news", {"drones": True}),
        # Explosions heard now.
        ("У місті чути вибухи! Залишайтеся в безпечних місцях.", "governor", {"explosions": True}),
    ],
)
def test_threats_happening_now_are_live(
    text: str, source: str | None, expected: dict[str, bool]
) -> None:
    assert live(text, source, "UA-18" if source == "governor" else None) == expected


@pytest.mark.parametrize(
    ("text", "source"),
    [
        # Summaries of a night or a day.
        ("У ніч на 3 грудня ворог атакував 64 ударними БпЛА, збито 51.", "air_force"),
        ("Протягом доби окупанти 14 разів обстріляли прикордонні громади.", "governor"),
        ("Overnight Russia launched 40 drones at Ukraine; 33 were shot down.", "news"),
        # A past attack reported by a regional head.
        ("Ввечері ворог скинув на село боєприпас з дрона.", "governor"),
        ("Сили ППО знищили над областю чотири шахеди.", "governor"),
        # Cause of a consequence.
        ("Внаслідок ракетного удару по Рівному знеструмлено 9 тис. абонентів.", "energy"),
        ("Через атаку дронів пошкоджено колію, поїзди їдуть із затримками.", "railway"),
        ("Після нічного обстрілу Херсона без світла 4 тисячі родин.", "governor"),
    ],
)
def test_reports_and_causes_are_not_live(text: str, source: str) -> None:
    got = live(text, source, "UA-56")
    assert got and not any(got.values()), got


@pytest.mark.parametrize(
    "text",
    [
        "Загинули двоє людей, ще п'ятеро поранені.",
        "Пошкоджено дах школи та три автомобілі.",
        "Знеструмлено 3 тис. споживачів.",
        "Завтра діятимуть графіки погодинних відключень.",
        "Енергетики заживили всіх споживачів.",
        "Поїзд №7 прямує із затримкою 50 хвилин.",
    ],
)
def test_consequence_kinds_are_never_live(text: str) -> None:
    got = live(text, "governor", "UA-56")
    assert got and not any(got.values()), got


def test_a_summary_with_an_attack_still_going_is_still_a_report() -> None:
    text = (
        "У ніч на 5 грудня противник атакував 90 БпЛА; збито 70. "
        "Атака триває, у повітрі ще кілька дронів — будьте в укриттях!"
    )
    assert live(text, "air_force") == {"drones": False}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Група БпЛА на півночі Чернігівщини, курсом на Київщину.", {"drones": ("UA-32",)}),
        ("🛵 БпЛА на Полтавщину", {"drones": ("UA-53",)}),
        ("Ракета у напрямку Вінниці!", {"missiles": ("UA-05",)}),
        ("Швидкісна ціль курсом Запоріжжя", {"missiles": ("UA-23",)}),
        ("🚀 Ракета на Кременчук/Полтаву", {"missiles": ("UA-53",)}),
        (
            "БпЛА на Житомирщині, курсом на Рівненщину та Волинь.",
            {"drones": ("UA-07", "UA-56")},
        ),
        ("Drones over Sumy region are heading for Poltava region.", {"drones": ("UA-53",)}),
        # Where the threat already is, or a report, is no heading.
        ("🛵 БпЛА на Полтавщині, курс західний.", {}),
        ("У ніч на 9 грудня БпЛА атакували Полтавщину.", {}),
    ],
)
def test_heading(text: str, expected: dict[str, tuple[str, ...]]) -> None:
    assert heading(text) == expected


def test_heading_regions_are_also_regions() -> None:
    (event,) = parse("Реактивні БпЛА на Сумщині, курсом на Харківщину.", "air_force")
    assert set(event.heading) <= set(event.regions) == {"UA-59", "UA-63"}
    assert event.heading == ("UA-63",)
