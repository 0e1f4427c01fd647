"""Words on the maps, /map, /history and the status page, English."""

MESSAGES: dict[str, str] = {
    "command.map": "Map of the alerts now",
    "command.history": "A region's alerts over 7 days",
    "map.title": "Air-raid alerts",
    "map.night_title": "The night of {date}",
    "map.as_of": "as of {time} ({zone})",
    "map.count": "Alert in {n} of {total} regions",
    "map.calm": "No alerts",
    "map.stale_since": "Data may be stale: the sources are silent since {time}",
    "map.stale_never": "No fresh data from the sources — this is not an all clear",
    "map.legend.whole": "Whole oblast under alert",
    "map.legend.partial": "Part of the oblast",
    "map.legend.calm": "No alert",
    "map.legend.mine": "Your regions",
    "map.legend.drones": "Drones",
    "map.legend.missiles": "Missiles",
    "map.legend.airstrike": "Guided bombs",
    "map.legend.hits": "Hits",
    "map.legend.outage": "Power outages",
    "map.caption": "🗺 Air-raid alerts as of {time}",
    "map.caption_stale": "⚠️ Data may be stale — no alert on the map does not mean all clear.",
}
