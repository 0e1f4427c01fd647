"""A recorded night in the style of the real channels, replayed by ``sitrep demo``.

Each step is (the night's clock, channel username, post text). Texts follow the channels'
own templates (see the README's "Parsing posts"); numbers are those of the seed scenario.
"""

from __future__ import annotations

from typing import Final

# (channel, kind, default region, title) of the channels the demo serves.
DEMO_CHANNELS: Final = (
    ("air_alert_ua", "alerts", None, "Повітряна тривога"),
    ("kpszsu", "air_force", None, "Повітряні сили ЗСУ"),
    ("UkrzalInfo", "railway", None, "Укрзалізниця"),
    ("chernigivskaODA", "governor", "UA-74", "Чернігівська ОВА"),
    ("DonetskaODA", "governor", "UA-14", "Донецька ОВА"),
    ("IF_ODA", "governor", "UA-26", "Івано-Франківська ОВА"),
)

# (night clock "HH:MM" in Kyiv, channel, text), in order. The replay keeps this clock: a post
# saying 01:14 is published at 01:14 of the night, so alert times and durations read true.
NIGHT: Final[tuple[tuple[str, str, str], ...]] = (
    (
        "01:12",
        "air_alert_ua",
        "🔴 01:12 Повітряна тривога в Чернігівська область.\nСлідкуйте за подальшими повідомленнями.\n#Чернігівська_область",
    ),
    (
        "01:14",
        "air_alert_ua",
        "🔴 01:14 Повітряна тривога в Київська область.\nСлідкуйте за подальшими повідомленнями.\n#Київська_область",
    ),
    ("01:17", "kpszsu", "Група ударних БпЛА на півночі Чернігівщини, курсом на Київщину."),
    (
        "01:31",
        "air_alert_ua",
        "🔴 01:31 Повітряна тривога в Донецька область.\nСлідкуйте за подальшими повідомленнями.",
    ),
    (
        "01:40",
        "air_alert_ua",
        "🔴 01:40 Повітряна тривога в Ніжинський район.\nСлідкуйте за подальшими повідомленнями.\n#Ніжинський_район",
    ),
    (
        "01:48",
        "chernigivskaODA",
        "Чернігів: внаслідок атаки ворожих БпЛА пошкоджено об'єкт енергетичної інфраструктури. Без світла залишаються 30 тисяч споживачів. Енергетики розпочнуть відновлення, щойно дозволить безпекова ситуація.",
    ),
    (
        "02:05",
        "DonetskaODA",
        "Костянтинівка знову під обстрілом: окупанти вбили 2 мирних жителів, поранили ще 5. Пошкоджено 7 приватних будинків і газопровід.",
    ),
    (
        "02:12",
        "DonetskaODA",
        "Дружківка: ворог скинув авіабомбу на житловий квартал, поранено одну людину.",
    ),
    (
        "02:20",
        "IF_ODA",
        "На Івано-Франківщині внаслідок нічної атаки виникла пожежа на складі. Попередньо, без постраждалих.",
    ),
    ("02:25", "air_alert_ua", "🟢 02:25 Відбій тривоги в Ніжинський район.\nБудьте обережні!"),
    ("03:40", "air_alert_ua", "🟢 03:40 Відбій тривоги в Київська область.\nБудьте обережні!"),
    ("03:52", "air_alert_ua", "🟢 03:52 Відбій тривоги в Чернігівська область.\nБудьте обережні!"),
    (
        "04:30",
        "UkrzalInfo",
        "Унаслідок ворожої атаки на Кіровоградщині травмовано чотирьох залізничників, усім надано допомогу. Поїзди курсують із затримками до 7 годин:\n№ 80 Київ – Кривий Ріг +7:00\n№ 106 Одеса – Київ +4:20\n№ 43 Київ – Львів +2:15",
    ),
    ("04:50", "DonetskaODA", "Кількість поранених у Костянтинівці зросла до 7."),
    ("05:10", "air_alert_ua", "🟢 05:10 Відбій тривоги в Донецька область.\nБудьте обережні!"),
    (
        "08:40",
        "kpszsu",
        "У ніч на 25 листопада (з 18:00 24 листопада) противник атакував 502 ударними БпЛА та 24 ракетами: 3 балістичними Іскандер-М та 21 крилатою Х-101. Пуски з напрямків: Курськ, Брянськ, Міллерово, Приморсько-Ахтарськ.\nЗа попередніми даними, станом на 08:30 збито/подавлено 430 БпЛА та 21 ракету.\nЗафіксовано влучання ракет і ударних БпЛА на 14 локаціях.",
    ),
)

# Demo chats: (chat id, language, what they subscribe to: region codes, or a town's name).
DEMO_CHATS: Final = (
    (1001, "uk", ("UA-74",)),  # a family in Chernihiv
    (1002, "en", ("UA-14", "UA-35")),  # a volunteer in Kostiantynivka who rides the train
    (1003, "uk", ("UA-26", "UA-32")),  # keeps quiet hours 00:00–07:00
    (1004, "uk", ("Чернігів",)),  # follows the town: not the Nizhyn raion's alert
)
# Chat 1003's quiet hours (minutes of the day): reports arrive silently, threats still ring.
QUIET_CHAT: Final = (1003, 0, 7 * 60)
