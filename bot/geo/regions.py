"""The 27 first-level regions of Ukraine, keyed by ISO 3166-2 code.

Hand-written because it is small, reviewed, and the codifier's level-1 codes differ from ISO for five
regions. ``"UA"`` (the whole country) is not a region: callers handle it.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Region:
    code: str  # ISO 3166-2, e.g. "UA-74"
    name_uk: str  # "Чернігівська область"
    name_en: str  # "Chernihiv oblast"
    short_uk: str  # "Чернігівщина"
    short_en: str  # "Chernihiv region"


def _r(code: str, uk: str, en: str, short_uk: str, short_en: str) -> Region:
    return Region(code, uk, en, short_uk, short_en)


REGIONS: dict[str, Region] = {
    r.code: r
    for r in (
        _r("UA-05", "Вінницька область", "Vinnytsia oblast", "Вінниччина", "Vinnytsia region"),
        _r("UA-07", "Волинська область", "Volyn oblast", "Волинь", "Volyn region"),
        _r("UA-09", "Луганська область", "Luhansk oblast", "Луганщина", "Luhansk region"),
        _r(
            "UA-12",
            "Дніпропетровська область",
            "Dnipropetrovsk oblast",
            "Дніпропетровщина",
            "Dnipropetrovsk region",
        ),
        _r("UA-14", "Донецька область", "Donetsk oblast", "Донеччина", "Donetsk region"),
        _r("UA-18", "Житомирська область", "Zhytomyr oblast", "Житомирщина", "Zhytomyr region"),
        _r(
            "UA-21",
            "Закарпатська область",
            "Zakarpattia oblast",
            "Закарпаття",
            "Zakarpattia region",
        ),
        _r(
            "UA-23", "Запорізька область", "Zaporizhzhia oblast", "Запоріжжя", "Zaporizhzhia region"
        ),
        _r(
            "UA-26",
            "Івано-Франківська область",
            "Ivano-Frankivsk oblast",
            "Івано-Франківщина",
            "Ivano-Frankivsk region",
        ),
        _r("UA-30", "м. Київ", "Kyiv city", "Київ", "Kyiv city"),
        _r("UA-32", "Київська область", "Kyiv oblast", "Київщина", "Kyiv region"),
        _r(
            "UA-35",
            "Кіровоградська область",
            "Kirovohrad oblast",
            "Кіровоградщина",
            "Kirovohrad region",
        ),
        _r("UA-40", "м. Севастополь", "Sevastopol city", "Севастополь", "Sevastopol"),
        _r("UA-43", "Автономна Республіка Крим", "Autonomous Republic of Crimea", "Крим", "Crimea"),
        _r("UA-46", "Львівська область", "Lviv oblast", "Львівщина", "Lviv region"),
        _r("UA-48", "Миколаївська область", "Mykolaiv oblast", "Миколаївщина", "Mykolaiv region"),
        _r("UA-51", "Одеська область", "Odesa oblast", "Одещина", "Odesa region"),
        _r("UA-53", "Полтавська область", "Poltava oblast", "Полтавщина", "Poltava region"),
        _r("UA-56", "Рівненська область", "Rivne oblast", "Рівненщина", "Rivne region"),
        _r("UA-59", "Сумська область", "Sumy oblast", "Сумщина", "Sumy region"),
        _r("UA-61", "Тернопільська область", "Ternopil oblast", "Тернопільщина", "Ternopil region"),
        _r("UA-63", "Харківська область", "Kharkiv oblast", "Харківщина", "Kharkiv region"),
        _r("UA-65", "Херсонська область", "Kherson oblast", "Херсонщина", "Kherson region"),
        _r(
            "UA-68",
            "Хмельницька область",
            "Khmelnytskyi oblast",
            "Хмельниччина",
            "Khmelnytskyi region",
        ),
        _r("UA-71", "Черкаська область", "Cherkasy oblast", "Черкащина", "Cherkasy region"),
        _r("UA-74", "Чернігівська область", "Chernihiv oblast", "Чернігівщина", "Chernihiv region"),
        _r("UA-77", "Чернівецька область", "Chernivtsi oblast", "Буковина", "Chernivtsi region"),
    )
}

# Codifier level-1 prefix ("UA01") → ISO code; only five differ from "UA-" + digits.
_KATOTTG_EXCEPTIONS = {"01": "UA-43", "44": "UA-09", "73": "UA-77", "80": "UA-30", "85": "UA-40"}


def iso_from_katottg(code: str) -> str:
    """ISO 3166-2 code of the region a KATOTTG code (``UA01…``) belongs to."""
    digits = code[2:4]
    return _KATOTTG_EXCEPTIONS.get(digits, "UA-" + digits)


# Each region's administrative centre: among cities of the same name in several oblasts
# ("Миколаїв" in Mykolaiv and Lviv oblasts) a post means the oblast centre unless it says otherwise.
CAPITALS: dict[str, str] = {
    "UA-05": "Вінниця",
    "UA-07": "Луцьк",
    "UA-09": "Луганськ",
    "UA-12": "Дніпро",
    "UA-14": "Донецьк",
    "UA-18": "Житомир",
    "UA-21": "Ужгород",
    "UA-23": "Запоріжжя",
    "UA-26": "Івано-Франківськ",
    "UA-30": "Київ",
    "UA-32": "Київ",
    "UA-35": "Кропивницький",
    "UA-40": "Севастополь",
    "UA-43": "Сімферополь",
    "UA-46": "Львів",
    "UA-48": "Миколаїв",
    "UA-51": "Одеса",
    "UA-53": "Полтава",
    "UA-56": "Рівне",
    "UA-59": "Суми",
    "UA-61": "Тернопіль",
    "UA-63": "Харків",
    "UA-65": "Херсон",
    "UA-68": "Хмельницький",
    "UA-71": "Черкаси",
    "UA-74": "Чернігів",
    "UA-77": "Чернівці",
}
