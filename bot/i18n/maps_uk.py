"""Words on the maps, /map, /history and the status page, Ukrainian."""

MESSAGES: dict[str, str] = {
    "command.map": "Мапа тривог зараз",
    "command.history": "Тривоги регіону за 7 днів",
    "map.title": "Повітряні тривоги",
    "map.night_title": "Ніч {date}",
    "map.as_of": "станом на {time} ({zone})",
    "map.count": "Тривога в {n} з {total} регіонів",
    "map.calm": "Тривог немає",
    "map.stale_since": "Дані можуть бути застарілими: джерела мовчать з {time}",
    "map.stale_never": "Немає свіжих даних від джерел — це не означає відбій",
    "map.legend.whole": "Тривога в усій області",
    "map.legend.partial": "Тривога в частині області",
    "map.legend.calm": "Немає тривоги",
    "map.legend.mine": "Ваші регіони",
    "map.legend.drones": "Дрони",
    "map.legend.missiles": "Ракети",
    "map.legend.airstrike": "КАБи",
    "map.legend.hits": "Влучання",
    "map.legend.outage": "Знеструмлення",
    "map.caption": "🗺 Повітряні тривоги станом на {time}",
    "map.caption_stale": "⚠️ Дані можуть бути застарілими — відсутність тривоги на мапі не означає відбій.",
}
