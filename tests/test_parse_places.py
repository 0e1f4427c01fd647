"""Where a post places its events: the place rules of real channel posts, in our own wording."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.geo import find_mentions, resolve
from bot.parsing import parse
from bot.parsing.text import strip_invisible


def regions(
    text: str, source_kind: str | None = None, default: str | None = None, kind: str | None = None
) -> set[str]:
    """Regions of the post's events (of one kind if given), "UA" left out when others exist."""
    events = parse(text, source_kind, default)
    out = {r for e in events if kind is None or e.kind == kind for r in e.regions}
    return out - {"UA"} if len(out) > 1 else out


def places(text: str, context: set[str] | None = None) -> list[str]:
    return [p.region for _, p in resolve(find_mentions(text), context or set(), text)]


# --- text hygiene ---------------------------------------------------------------------------

INVISIBLE = ["\u200b", "\u200c", "\u200d", "\u2060", "\u00ad", "\ufeff", "\ufe0f", "\u200e"]


@pytest.mark.parametrize("mark", INVISIBLE)
def test_an_invisible_character_inside_a_name_does_not_change_the_place(mark: str) -> None:
    text = f"Уламки збитого дрона пошкодили склад у Київ{mark}ській області."
    assert regions(text, "governor") == {"UA-32"}


def test_no_break_spaces_are_spaces() -> None:
    assert regions("Дрони атакували Київську\u202fобласть, пошкоджено будинок.") == {"UA-32"}
    assert regions("Обстріл\u00a0Харківщини: пошкоджено гараж") == {"UA-63"}


def test_emoji_keep_their_joiners_and_selectors() -> None:
    assert strip_invisible("☄️ Балістика") == "☄️ Балістика"
    assert strip_invisible("👨\u200d👩 Київ\u200bщина") == "👨\u200d👩 Київщина"
    assert strip_invisible("без змін") == "без змін"


@given(st.integers(min_value=1, max_value=8), st.sampled_from(INVISIBLE))
def test_invisible_characters_anywhere_in_a_region_name(cut: int, mark: str) -> None:
    name = "Полтавщину"
    text = f"Група ударних БпЛА курсом на {name[:cut]}{mark}{name[cut:]}."
    assert regions(text, "air_force") == {"UA-53"}


# --- launch areas are not affected regions --------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Вночі ворог запустив 60 дронів із напрямків: Орел, Шаталово – рф., ТОТ Донецьк, "
        "Чауда – ТОТ АР Крим. Уражено енергетичний об'єкт на Сумщині.",
        "Крилаті ракети з тимчасово окупованого Криму! Влучання на Миколаївщині.",
        "Пуски балістики з Криму. Ракети влучили в порт на Одещині.",
        "Russian forces launched 30 drones and two missiles from occupied Crimea overnight; "
        "a port was damaged in Mykolaiv Oblast.",
        "Загроза балістики з району пуску Бєлгород. Влучання в Харківській області.",
        "Ракети запущено з тимчасово окупованої території Донеччини, влучання на Сумщині.",
    ],
)
def test_launch_areas_are_not_places_of_the_event(text: str) -> None:
    found = regions(text, "air_force")
    assert "UA-43" not in found and "UA-14" not in found
    assert found & {"UA-59", "UA-48", "UA-51", "UA-63"}


def test_launch_list_runs_past_the_dot_of_an_abbreviation() -> None:
    text = "Атакували 20 дронами з напрямків: Курськ, Брянськ – рф., ТОТ Луганськ, Джанкой – ТОТ АР Крим."
    assert regions(text, "air_force") == {"UA"}


def test_a_launch_area_stops_where_the_heading_starts() -> None:
    text = "Група БпЛА з напрямку Брянщини курсом на Чернігівщину"
    assert regions(text, "air_force") == {"UA-74"}
    assert regions(
        "Drones launched from the Kursk direction, heading towards Sumy", "air_force"
    ) == {"UA-59"}


def test_russian_regions_are_never_ukrainian() -> None:
    assert regions("БпЛА з бєлгородська обл. (рф) курсом на Харківщину", "air_force") == {"UA-63"}
    assert regions("Дрони над Брянською обл. (рф) та над Сумщиною", "air_force") == {"UA-59"}
    assert places("Курської обл.") == []
    # a name marked as Russian is not the Ukrainian village of that name
    assert regions("Дрони над Кіровське (рф) та Сумщиною", "air_force") == {"UA-59"}
    assert regions("🛵 БпЛА з району Михайлівка – рф на Шостку", "air_force") == {"UA-59"}


# --- real-time Air Force places -------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("🛵 БпЛА на Дніпропетровщина/Запоріжжя", {"UA-12", "UA-23"}),
        ("🛵 Дрони на Сумщину\\Полтавщину", {"UA-59", "UA-53"}),
        ("Ударні БпЛА на межі Житомирщини та Київщини, рух на захід", {"UA-18", "UA-32"}),
        ("🛵 БпЛА в напрямку н.п. Васильків", {"UA-32"}),
        ("🛵 БпЛА в напрямку н. п. Бровари", {"UA-32"}),
    ],
)
def test_joined_places_borders_and_settlement_marks(text: str, expected: set[str]) -> None:
    assert regions(text, "air_force") == expected


@pytest.mark.parametrize(
    "text",
    [
        "🛵 БпЛА над Оболонню",
        "Вибухи на Троєщині",
        "Уламки впали на Позняках",
        "🛵 Дрон курсом на Святошин",
        "Пожежа на Подолі після атаки",
        "Drone debris fell in Darnytsia",
        "Над Теремками працює ППО",
        "🛵 БпЛА у бік Борщагівки",
    ],
)
def test_a_kyiv_district_named_alone_is_kyiv_city(text: str) -> None:
    assert places(text) == ["UA-30"]


def test_a_village_of_the_same_name_needs_its_marker_or_its_regions_channel() -> None:
    assert places("у селі Оболонь", {"UA-53"}) == ["UA-53"]
    assert places("Пошкоджено будинок в Оболоні", {"UA-53"}) == ["UA-53"]
    assert places("Пошкоджено будинок в Оболоні", {"UA-32"}) == ["UA-30"]


def test_the_sea_settles_a_coastal_homonym() -> None:
    text = "🛵 БпЛА з акваторії Чорного моря в напрямку н.п.Південне"
    assert regions(text, "air_force") == {"UA-51"}
    assert regions("Drones from the Black Sea heading for Pivdenne", "air_force") == {"UA-51"}
    # without the sea the name is ambiguous, and the parser does not guess
    assert regions("🛵 БпЛА в напрямку н.п. Південне", "air_force") == {"UA"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("🛵 БпЛА курсом на Новомосковськ", "UA-12"),
        ("🛵 БпЛА курсом на Самар", "UA-12"),
        ("Вибухи у Красноград", "UA-63"),
        ("Атака на Червоноград", "UA-46"),
        ("Обстріл Сєвєродонецька", "UA-09"),
        ("Дрони над Первомайським, Харківщина", "UA-63"),
        ("Strikes on Novomoskovsk and Krasnohrad", "UA-12"),
        ("Explosions in Sievierodonetsk", "UA-09"),
        ("Дрон над Кузнецовськом", "UA-56"),
    ],
)
def test_renamed_towns_keep_their_region(text: str, expected: str) -> None:
    assert expected in places(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("🛵 БпЛА курсом на Полтавщ", {"UA-53"}),
        ("🛵 Група БпЛА на півночі Чернігівщ", {"UA-74"}),
        ("🏍 Київщина - реактивний БпЛА на", {"UA-32"}),
        ("🛵 БпЛА на Київ", {"UA-30"}),
        ("🛵 Група дронів курсом на Полта…", {"UA-53"}),
        ("🛵 БпЛА на Х", {"UA"}),
    ],
)
def test_a_cut_off_post(text: str, expected: set[str]) -> None:
    assert regions(text, "air_force") == expected


def test_every_prefix_of_a_post_parses() -> None:
    text = "🛵 Група ударних БпЛА з акваторії Чорного моря в напрямку н.п. Затока (Одещина)"
    for n in range(len(text) + 1):
        for event in parse(text[:n], "air_force"):
            assert event.regions


# --- alert channel --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("🔴 Повітряна тривога!\n#Вишгородський_район", {"UA-32"}),
        ("🟢 Відбій тривоги.\n#Житомирська_область", {"UA-18"}),
        ("🟢 Відбій тривоги.\n#м_Київ", {"UA-30"}),
        ("🟢 Відбій тривоги в Макарівський район.\n#Макарівський_район", {"UA-32"}),
        ("🔴 Повітряна тривога в Васильківський район.", {"UA-32"}),
        ("🔴 Повітряна тривога в Красноградський район.", {"UA-63"}),
        ("🔴 Повітряна тривога в Новомосковський район.\n#Новомосковський_район", {"UA-12"}),
        ("🔴 Повітряна тривога в Бориспільський район.", {"UA-32"}),
        ("🔴 Повітряна тривога в Кременчуцький район.", {"UA-53"}),
        ("🔴 Повітряна тривога в Ізмаїльський район.", {"UA-51"}),
    ],
)
def test_alert_places_in_hashtags_and_old_raion_names(text: str, expected: set[str]) -> None:
    assert regions(text, "alerts") == expected


def test_a_partial_all_clear_is_placed_by_its_hashtag() -> None:
    text = (
        "🟡 02:10 Відбій тривоги. Тривога ще триває у:\n- Охтирський район\n"
        "- Тростянецька територіальна громада\n#Сумська_область"
    )
    assert regions(text, "alerts", kind="air_alert_end") == {"UA-59"}


def test_a_current_raion_outranks_an_old_one_of_the_same_name() -> None:
    # Миколаївський: a raion of Mykolaiv oblast today, also of Lviv and Odesa oblasts before 2020
    assert places("у Миколаївському районі") == ["UA-48"]
    assert places("у Миколаївському районі", {"UA-46"}) == ["UA-46"]


def test_old_raion_names_in_english() -> None:
    assert places("Makariv district") == ["UA-32"]
    assert places("Krasnohrad raion") == ["UA-63"]


def test_old_raion_names_in_every_case() -> None:
    assert places("у Києво-Святошинському районі") == ["UA-32"]
    assert places("Чорнухинського району") == ["UA-53"]
    assert places("Станично-Луганському районі") == ["UA-09"]


# --- regional administrations ---------------------------------------------------------------


def test_the_oblast_without_a_place_is_the_channels_region() -> None:
    assert regions("В області вночі пошкоджено лінію електропередачі.", "governor", "UA-68") == {
        "UA-68"
    }


@pytest.mark.parametrize(
    "text",
    [
        "Вночі у Києві та області пошкоджено кілька будинків.",
        "Київ і область: уламки пошкодили будинки.",
        "У столиці та області пошкоджено будинки.",
        "Drones damaged houses in Kyiv and the region overnight.",
        "Debris damaged homes in Kyiv and the surrounding region.",
    ],
)
def test_kyiv_and_the_oblast_are_both(text: str) -> None:
    assert regions(text, "news", kind="damage") == {"UA-30", "UA-32"}


def test_kyiv_and_other_regions_is_not_the_oblast() -> None:
    assert regions("Drones damaged houses in Kyiv and regions in the south.", "news") == {"UA-30"}
    assert regions("У Києві та Одеській області пошкоджено будинки.", "news") == {"UA-30", "UA-51"}


def test_a_shared_hromada_name_is_settled_by_the_raion_or_the_channel() -> None:
    # Миропільська громада exists in Zhytomyr and in Sumy oblast
    assert regions("Обстріл Миропільської громади: пошкоджено будинок", "governor") == {"UA"}
    text = "Обстріл Миропільської громади Сумського району: пошкоджено будинок"
    assert regions(text, "governor") == {"UA-59"}
    assert regions("Обстріл Миропільської громади: пошкоджено будинок", "governor", "UA-18") == {
        "UA-18"
    }


# --- English press style --------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "The Kyiv governor said a drone damaged a warehouse.",
        "Kyiv Oblast Governor said a drone damaged a warehouse.",
        "The head of the Kyiv regional administration said a house was damaged.",
        "According to the Kyiv Regional Military Administration, a house was damaged.",
        "Голова Київської ОВА повідомив, що пошкоджено склад.",
        "Київська обласна військова адміністрація: пошкоджено склад.",
    ],
)
def test_a_governor_speaks_for_the_oblast(text: str) -> None:
    assert regions(text, "news") == {"UA-32"}


def test_an_english_list_of_regions() -> None:
    assert places("shot down over Kyiv, Zhytomyr and Rivne regions") == ["UA-32", "UA-18", "UA-56"]
    assert places("in the Kharkiv and Poltava oblasts") == ["UA-63", "UA-53"]
    assert places("in Kyiv and Lviv") == ["UA-30", "UA-46"]


def test_the_mayor_speaks_for_the_city() -> None:
    assert regions("Kyiv's mayor said a house was damaged.", "news") == {"UA-30"}
    assert regions("За даними КМВА, уламки пошкодили будинок.", "news") == {"UA-30"}
    assert regions("Київська МВА: уламки пошкодили будинок.", "news") == {"UA-30"}


# --- railway --------------------------------------------------------------------------------


def test_stations_abroad_are_not_regions() -> None:
    text = "Затримуються поїзди:\n№ 67 Київ — Будапешт +1:10\n№ 705 Перемишль — Київ +0:50"
    assert regions(text, "railway") == {"UA-30"}
    assert places("Варшава, Хелм, Кишинів, Budapest, Przemysl") == []


def test_route_ends_are_not_the_damage_site() -> None:
    text = "Через атаку пошкоджено контактну мережу. Поїзд № 12 Львів — Харків затримується на 2 години."
    assert regions(text, "railway", kind="damage") == {"UA"}
    assert regions(text, "railway", kind="train_delay") == {"UA-46", "UA-63"}


def test_outside_railway_posts_a_dash_joins_places_of_the_event() -> None:
    assert regions("🛵 БпЛА Чернігівщина – Київщина", "air_force") == {"UA-74", "UA-32"}


def test_a_delay_is_where_the_disruption_happened() -> None:
    text = (
        "Через знеструмлення на Житомирщині затримуються поїзди:\n"
        "№ 91 Київ-Пасажирський — Варшава +1:30"
    )
    assert regions(text, "railway", kind="train_delay") == {"UA-18"}
