"""A short, human line per event, for logs, the CLI and the bot's fallbacks."""

from __future__ import annotations

from typing import Final

from bot.parsing.events import PlaceRef

LABELS: Final[dict[str, str]] = {
    "air_alert_start": "Air-raid alert",
    "air_alert_end": "All clear",
    "drones": "Attack drones",
    "missiles": "Missiles",
    "airstrike": "Guided bombs / airstrike",
    "shelling": "Shelling",
    "explosions": "Explosions",
    "casualties": "Casualties",
    "damage": "Damage",
    "power_outage": "Power outage",
    "outage_schedule": "Outage schedules",
    "power_restored": "Power restored",
    "train_delay": "Train delays",
}
_FIELDS: Final[dict[str, str]] = {
    "launched": "launched",
    "destroyed": "destroyed",
    "hit": "hit",
    "locations": "locations",
    "killed": "killed",
    "injured": "injured",
    "consumers": "consumers",
    "delay_minutes": "min delay",
    "trains": "trains",
}


def summarise(
    kind: str, regions: tuple[str, ...], counts: dict[str, int], places: tuple[PlaceRef, ...]
) -> str:
    """E.g. "Casualties — UA-14 (Kostiantynivka): killed 3, injured 5"."""
    where = ", ".join(regions)
    named = [p.name_en for p in places if p.level not in ("region",)][:3]
    if named:
        where += f" ({', '.join(named)})"
    figures = ", ".join(f"{_FIELDS.get(k, k)} {v:,}" for k, v in counts.items())
    line = f"{LABELS.get(kind, kind)} — {where}"
    return f"{line}: {figures}" if figures else line
