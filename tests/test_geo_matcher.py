"""Place mentions: every way posts name a place, resolved to its region or dropped."""

from __future__ import annotations

import pytest

from bot.geo import find_mentions, resolve


def regions(text: str, context: set[str] | None = None) -> list[str]:
    return [p.region for _, p in resolve(find_mentions(text), context or set(), text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Повітряна тривога в Чернігівська область.", ["UA-74"]),
        ("Ракетна загроза в Чернігівській області", ["UA-74"]),
        ("Обстріл Чернігівської обл.", ["UA-74"]),
        ("БпЛА на Чернігівщині", ["UA-74"]),
        ("Група БпЛА курсом на Чернігівщину", ["UA-74"]),
        ("над Чернігівщиною", ["UA-74"]),
        ("Дніпропетровська — відбій", ["UA-12"]),
        ("у Сумській, Харківській та Полтавській областях", ["UA-59", "UA-63", "UA-53"]),
        ("на Слобожанщині", ["UA-63"]),
        ("на Прикарпатті", ["UA-26"]),
        ("на Буковині та Волині", ["UA-77", "UA-07"]),
        ("в Закарпатті", ["UA-21"]),
        ("в АР Крим і Севастополі", ["UA-43", "UA-40"]),
        ("в Автономній Республіці Крим", ["UA-43"]),
        ("на Дніпрощині", ["UA-12"]),
    ],
)
def test_oblast_forms(text: str, expected: list[str]) -> None:
    assert regions(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Відбій тривоги в м. Київ.", ["UA-30"]),
        ("вибухи у Києві", ["UA-30"]),
        ("з Києва", ["UA-30"]),
        ("Київська область", ["UA-32"]),
        ("на Київщині", ["UA-32"]),
        ("Київська міська військова адміністрація", ["UA-30"]),
        ("Kyiv", ["UA-30"]),
        ("Kyiv city", ["UA-30"]),
        ("Kyiv region", ["UA-32"]),
        ("Kyiv Oblast", ["UA-32"]),
        ("Kiev", ["UA-30"]),
    ],
)
def test_kyiv_city_vs_oblast(text: str, expected: list[str]) -> None:
    assert regions(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Повітряна тривога в Конотопський район", ["UA-59"]),
        ("у Конотопському районі", ["UA-59"]),
        ("Конотопського р-ну", ["UA-59"]),
        ("Конотопський р-н", ["UA-59"]),
        ("на Конотопщині", ["UA-59"]),
        ("обстріляли Нікопольщину", ["UA-12"]),
        ("на Ізюмщині та Куп'янщині", ["UA-63", "UA-63"]),
        ("у Прилуцькому та Ніжинському районах", ["UA-74", "UA-74"]),
        ("Konotop raion", ["UA-59"]),
        ("Konotop district", ["UA-59"]),
    ],
)
def test_raion_forms(text: str, expected: list[str]) -> None:
    assert regions(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("в м. Нікополь та Нікопольська територіальна громада", ["UA-12", "UA-12"]),
        ("Криворізька громада", ["UA-12"]),
        ("у Криворізькій ТГ", ["UA-12"]),
        ("Костянтинівська громада", ["UA-14"]),
        ("Одеської міської ради", ["UA-51"]),
        ("Kryvyi Rih hromada", ["UA-12"]),
    ],
)
def test_hromada_forms(text: str, expected: list[str]) -> None:
    assert regions(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("у Костянтинівці", ["UA-14"]),
        ("під Ніжином", ["UA-74"]),
        ("у Сумах і Броварах", ["UA-59", "UA-32"]),
        ("у Кривому Розі та Новій Каховці", ["UA-12", "UA-65"]),
        ("з Кривого Рогу", ["UA-12"]),
        ("в Івано-Франківську", ["UA-26"]),
        ("у Кам'янці-Подільському", ["UA-68"]),
        ("біля Часового Яру", ["UA-14"]),
        ("у Жовтих Водах", ["UA-12"]),
        ("над Дніпром", ["UA-12"]),
        ("Kostiantynivka", ["UA-14"]),
        ("Zaporizhzhia and Kharkov", ["UA-23", "UA-63"]),
        ("Kropyvnytskyi, Kirovohrad", ["UA-35", "UA-35"]),
    ],
)
def test_city_forms(text: str, expected: list[str]) -> None:
    assert regions(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Атака на Днепр и Харьковскую область", ["UA-12", "UA-63"]),
        ("в Харьковской области", ["UA-63"]),
        ("в Запорожье", ["UA-23"]),
        ("в Николаеве и Одессе", ["UA-48", "UA-51"]),
        ("в Кривом Роге", ["UA-12"]),
        ("под Краматорском", ["UA-14"]),
    ],
)
def test_russian_forms(text: str, expected: list[str]) -> None:
    assert regions(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("у Дніпропетровську", ["UA-12"]),
        ("в Кіровограді", ["UA-35"]),
        ("в Артемівську", ["UA-14"]),
        ("Красноармійськ", ["UA-14"]),
        ("в Новомосковську", ["UA-12"]),
        ("Червоноград", ["UA-46"]),
        ("Новоград-Волинський", ["UA-18"]),
        ("Володимир-Волинський", ["UA-07"]),
        ("Dnipropetrovsk", ["UA-12"]),
        ("в Днепропетровске", ["UA-12"]),
    ],
)
def test_renamed(text: str, expected: list[str]) -> None:
    assert regions(text) == expected


def test_homonyms_by_context() -> None:
    # Selyshche "Південне" exists in several oblasts; context picks one, without it it is dropped.
    assert regions("обстріл у Південному,", {"UA-63"}) == ["UA-63"]
    assert regions("Мирне") == []
    # Another unambiguous mention in the same post is context too.
    assert regions("Харківщина: обстріл у Південному.") == ["UA-63", "UA-63"]


def test_city_beats_hromada_elsewhere() -> None:
    assert regions("Костянтинівка") == ["UA-14"]


def test_villages_only_with_context() -> None:
    # Верхоріччя is a village found only in Crimea: still not matched without context.
    assert regions("Вибух у Верхоріччі.") == []
    assert regions("Вибух у Верхоріччі.", {"UA-43"}) == ["UA-43"]
    assert regions("Обстріл у Верхоріччі, Крим.") == ["UA-43", "UA-43"]
    # Гнилиця: two villages in Sumy oblast, one in Kharkiv: unique only in Kharkiv.
    assert regions("Вибух у Гнилиці.", {"UA-63"}) == ["UA-63"]
    assert regions("Вибух у Гнилиці.", {"UA-59"}) == []


def test_village_unique_in_context() -> None:
    ms = find_mentions("Обстріляли Веселе Поле")
    assert ms and all(p.level == "village" for p in ms[0].candidates)
    regs = {p.region for p in ms[0].candidates}
    ctx = next(r for r in regs if sum(p.region == r for p in ms[0].candidates) == 1)
    assert [p.region for _, p in resolve(ms, {ctx})] == [ctx]


@pytest.mark.parametrize(
    "text",
    [
        "з напрямків: Курськ, Міллерово, Брянськ, Шаталово, Приморсько-Ахтарськ, Орел",
        "у Курській та Брянській областях, Бєлгороді",
        "Чорне море, Росія, Білорусь",
        "Kursk, Bryansk, Belgorod, Black Sea",
        "Слава Україні!",
        "Щастя і мир",
        "Студенти Харківського університету",
    ],
)
def test_not_places(text: str) -> None:
    assert regions(text) == []


def test_donetsk_is_ukrainian() -> None:
    assert regions("Донецьк") == ["UA-14"]


def test_marker_allows_common_word_names() -> None:
    assert regions("Обстріляли м. Щастя") == ["UA-09"]


def test_apostrophes_and_lookalikes() -> None:
    for text in ("Куп'янськ", "Куп’янськ", "Купʼянськ", "Куп`янськ"):
        assert regions(text) == ["UA-63"], text
    assert regions("в Kиєві") == ["UA-30"]  # Latin K
    assert regions("Хapкiв") == ["UA-63"]  # Latin a, p, i


def test_capital_letter_required_unless_all_caps() -> None:
    assert regions("вибухи у харкові") == []
    assert regions("ЗАГРОЗА БАЛІСТИКИ ДЛЯ ХАРКІВЩИНИ") == ["UA-63"]


def test_offsets_point_into_original() -> None:
    text = "🔴 Тривога!\nУ Костянтинівці — вибухи"
    (m,) = find_mentions(text)
    assert text[m.start : m.end] == m.surface == "Костянтинівці"
