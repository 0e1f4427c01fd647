"""Names of places outside Ukraine: they are consumed by the matcher and never yield a region.

Read by scripts/build_gazetteer.py only. A foreign name that is also a Ukrainian village's name
leaves only the village, which then needs context (the channel's region) to be placed.
"""

from __future__ import annotations

# Foreign places (Ukrainian, Russian, English nominatives): consumed, never yield a place.
FOREIGN: list[str] = [
    "Курськ",
    "Брянськ",
    "Бєлгород",
    "Міллерово",
    "Шаталово",
    "Приморсько-Ахтарськ",
    "Орел",
    "Ростов",
    "Таганрог",
    "Воронеж",
    "Єйськ",
    "Моздок",
    "Енгельс",
    "Росія",
    "Білорусь",
    "Москва",
    "Курськ",
    "Ліпецьк",
    "Смоленськ",
    "Калуга",
    "Тула",
    "Новоросійськ",
    "Краснодар",
    "Саратов",
    "Курск",
    "Брянск",
    "Белгород",
    "Миллерово",
    "Орёл",
    "Россия",
    "Беларусь",
    "Гомель",
    "Мінськ",
    "Kursk",
    "Bryansk",
    "Belgorod",
    "Millerovo",
    "Shatalovo",
    "Oryol",
    "Orel",
    "Russia",
    "Belarus",
    "Rostov",
    "Taganrog",
    "Voronezh",
    "Yeysk",
    "Primorsko-Akhtarsk",
    "Moscow",
    "Engels",
    "Mozdok",
]
FOREIGN_SURFACES: list[str] = [
    "Чорне море",
    "Чорного моря",
    "Чорному морі",
    "Азовське море",
    "Азовського моря",
    "Азовському морі",
    "Каспійське море",
    "Каспійського моря",
    "Black Sea",
    "Sea of Azov",
    "Черное море",
    "Курська область",
    "Курської області",
    "Брянська область",
    "Брянської області",
    "Бєлгородська область",
    "Бєлгородської області",
    "Орловська область",
    "Ростовська область",
    "Ростов-на-Дону",
    "Курщина",
    "Курщині",
    "Брянщина",
    "Брянщині",
    "Бєлгородщина",
    "Бєлгородщині",
    "Kursk oblast",
    "Kursk region",
    "Bryansk oblast",
    "Bryansk region",
    "Belgorod oblast",
    "Belgorod region",
    "Курская область",
    "Брянская область",
    "Белгородская область",
]
# Stations and capitals abroad that Ukrzaliznytsia's routes end at, and neighbouring countries
# (Ukrainian nominatives; the build declines them).
# fmt: off
ABROAD: list[str] = [
    "Будапешт", "Варшава", "Перемишль", "Хелм", "Кишинів", "Відень", "Прага", "Братислава",
    "Кошице", "Бухарест", "Краків", "Люблін", "Жешув", "Вроцлав", "Берлін", "Гданськ",
    "Катовіце", "Тересполь", "Дорогуськ", "Медика", "Польща", "Угорщина", "Молдова", "Румунія",
    "Словаччина", "Чехія", "Німеччина", "Австрія"
]
# fmt: on
# fmt: off
ABROAD_EN: list[str] = [
    "Budapest", "Warsaw", "Przemysl", "Chelm", "Chisinau", "Kishinev", "Vienna", "Prague",
    "Bratislava", "Kosice", "Bucharest", "Krakow", "Lublin", "Rzeszow", "Wroclaw", "Berlin",
    "Gdansk", "Katowice", "Terespol", "Dorohusk", "Poland", "Hungary", "Moldova", "Romania",
    "Slovakia", "Czechia", "Germany", "Austria"
]
# fmt: on
# Russian regions as the Air Force names launch areas ("із Курської, Брянської обл."): feminine
# adjectives; the build joins every form with "область" / "обл." / "області".
# fmt: off
RUSSIAN_OBLASTS: list[str] = [
    "Курська", "Брянська", "Бєлгородська", "Ростовська", "Воронезька", "Орловська",
    "Смоленська", "Калузька", "Ліпецька", "Тульська", "Московська", "Саратовська",
    "Волгоградська", "Астраханська", "Вологодська", "Псковська", "Ленінградська", "Тамбовська",
    "Рязанська", "Нижньогородська", "Мурманська", "Пензенська", "Самарська", "Ульяновська"
]
# fmt: on
