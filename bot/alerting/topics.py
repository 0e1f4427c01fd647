"""Which chat topic (``storage.models.TOPICS``) each event kind belongs to."""

from __future__ import annotations

from typing import Final

TOPIC_OF_KIND: Final[dict[str, str]] = {
    "air_alert_start": "air_alerts",
    "air_alert_end": "air_alerts",
    "drones": "drones_missiles",
    "missiles": "drones_missiles",
    "airstrike": "drones_missiles",
    "shelling": "shelling_explosions",
    "explosions": "shelling_explosions",
    "casualties": "casualties_damage",
    "damage": "casualties_damage",
    "power_outage": "power",
    "outage_schedule": "power",
    "power_restored": "power",
    "train_delay": "rail",
}


def topic_of(kind: str) -> str | None:
    """The topic a kind is filed under, or ``None`` for kinds we never alert on."""
    return TOPIC_OF_KIND.get(kind)
