"""Regions table, transliteration, /subscribe lookup, robustness and speed of the gazetteer."""

from __future__ import annotations

import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.geo import REGIONS, find_mentions, lookup, resolve, translit
from bot.geo.gazetteer import load
from bot.geo.regions import iso_from_katottg


def test_regions_table() -> None:
    assert len(REGIONS) == 27
    assert REGIONS["UA-74"].name_uk == "Чернігівська область"
    assert REGIONS["UA-74"].short_uk == "Чернігівщина"
    assert REGIONS["UA-30"].name_en == "Kyiv city"
    assert REGIONS["UA-32"].name_en == "Kyiv oblast"
    assert "UA" not in REGIONS


@pytest.mark.parametrize(
    ("code", "iso"),
    [
        ("UA01000000000013043", "UA-43"),
        ("UA44000000000018893", "UA-09"),
        ("UA73000000000044923", "UA-77"),
        ("UA80000000000093317", "UA-30"),
        ("UA85000000000065278", "UA-40"),
        ("UA74000000000025378", "UA-74"),
    ],
)
def test_katottg_to_iso(code: str, iso: str) -> None:
    assert iso_from_katottg(code) == iso


@pytest.mark.parametrize(
    ("uk", "en"),
    [
        ("Костянтинівка", "Kostiantynivka"),
        ("Запоріжжя", "Zaporizhzhia"),
        ("Знам'янка", "Znamianka"),
        ("Згурівка", "Zghurivka"),
        ("Єнакієве", "Yenakiieve"),
        ("Їжаківка", "Yizhakivka"),
        ("Йосипівка", "Yosypivka"),
        ("Юрківка", "Yurkivka"),
        ("Яготин", "Yahotyn"),
        ("Хмельницький", "Khmelnytskyi"),
        ("Біла Церква", "Bila Tserkva"),
        ("Гуляйполе", "Huliaipole"),
        ("Щастя", "Shchastia"),
        ("Ізюм", "Izium"),
        ("Подвір’ївка", "Podvirivka"),
        ("Ужгород", "Uzhhorod"),
        ("Чернігів", "Chernihiv"),
    ],
)
def test_translit(uk: str, en: str) -> None:
    assert translit(uk) == en


@pytest.mark.parametrize(
    ("query", "name", "region"),
    [
        ("Костянтинівка", "Костянтинівка", "UA-14"),
        ("kostiantynivka", "Костянтинівка", "UA-14"),
        ("Костянтинивка", "Костянтинівка", "UA-14"),
        ("Кастянтинівка", "Костянтинівка", "UA-14"),
        ("Чернигів", "Чернігів", "UA-74"),
        ("Ніжинн", "Ніжин", "UA-74"),
        ("Kharkov", "Харків", "UA-63"),
        ("харківщина", "Харківська область", "UA-63"),
        ("київ", "м. Київ", "UA-30"),
        ("Конотопський район", "Конотопський район", "UA-59"),
        ("Криворізька громада", "Криворізька громада", "UA-12"),
        ("Запоріжжя", "Запорізька область", "UA-23"),
    ],
)
def test_lookup(query: str, name: str, region: str) -> None:
    best = lookup(query)[0]
    assert (best.name_uk, best.region) == (name, region)


def test_lookup_nothing() -> None:
    assert lookup("") == []
    assert lookup("qwertyuiop") == []


@settings(max_examples=300, deadline=None)
@given(
    st.text(
        alphabet=st.sampled_from(
            list(
                "абвгґдеєжзиіїйклмнопрстуфхцчшщьюяАБВКЛМНОПСХЧ'’ -.,\n#aiokxKyiv0123456789ТГобласть"
            )
        ),
        max_size=200,
    )
)
def test_any_text_is_safe(text: str) -> None:
    ms = find_mentions(text)
    last = 0
    for m in ms:
        assert last <= m.start < m.end <= len(text)
        assert text[m.start : m.end] == m.surface
        last = m.end
    for _, p in resolve(ms, {"UA-63"}, text):
        assert p.region in REGIONS


@given(st.text(max_size=120))
@settings(max_examples=200, deadline=None)
def test_any_unicode_is_safe(text: str) -> None:
    for m in find_mentions(text):
        assert 0 <= m.start < m.end <= len(text)
    lookup(text[:30])


def test_load_and_find_fast_enough() -> None:
    load()
    posts = [
        "🔴 11:40 Повітряна тривога в Конотопський район. Слідкуйте за повідомленнями.",
        "Група ударних БпЛА на півночі Сумщини, курсом на Полтавщину",
        "Внаслідок обстрілу Костянтинівки загинули 2 людини, ще 5 поранено.",
    ] * 334
    t = time.perf_counter()
    for p in posts:
        resolve(find_mentions(p), set(), p)
    assert time.perf_counter() - t < 5.0  # generous: ~0.1 s expected
