"""The parser's output: one :class:`Event` per kind of happening a post reports."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Final

KINDS: Final[tuple[str, ...]] = (
    "air_alert_start",
    "air_alert_end",
    "drones",
    "missiles",
    "airstrike",
    "shelling",
    "explosions",
    "casualties",
    "damage",
    "power_outage",
    "outage_schedule",
    "power_restored",
    "train_delay",
)

COUNT_FIELDS: Final[tuple[str, ...]] = (
    "launched",
    "destroyed",
    "hit",
    "locations",
    "killed",
    "injured",
    "consumers",
    "delay_minutes",
    "trains",
)

NATIONWIDE: Final = "UA"


@dataclass(frozen=True, slots=True)
class PlaceRef:
    """A place the post names for an event, kept for display ("Костянтинівка", UA-14)."""

    name_uk: str
    name_en: str
    level: str
    region: str


@dataclass(frozen=True, slots=True)
class Event:
    """One happening of one kind in a post.

    ``regions`` and ``counts`` are the scored contract (``shared/contracts/parse.md``); the rest
    is what the bot needs to render alerts and summaries without re-reading the post. ``live``
    tells a threat happening now (take cover) from a report of what already happened;
    ``heading`` lists the regions a threat moves towards (each also in ``regions``);
    ``train_numbers`` the trains a ``train_delay`` names ("743", "92/91"): not counts, so kept
    apart from them (an extra key of the contract's output, which the scorer ignores).
    """

    kind: str
    regions: tuple[str, ...]
    counts: dict[str, int] = field(default_factory=dict)
    places: tuple[PlaceRef, ...] = ()
    weapons: tuple[str, ...] = ()
    times: tuple[str, ...] = ()
    summary: str = ""
    live: bool = False
    heading: tuple[str, ...] = ()
    train_numbers: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        """The contract's JSON form plus the richer fields (``train_numbers`` when there are)."""
        body: dict[str, Any] = {
            "kind": self.kind,
            "regions": list(self.regions),
            "counts": dict(self.counts),
            "places": [
                {"name_uk": p.name_uk, "name_en": p.name_en, "level": p.level, "region": p.region}
                for p in self.places
            ],
            "weapons": list(self.weapons),
            "times": list(self.times),
            "summary": self.summary,
            "live": self.live,
            "heading": list(self.heading),
        }
        if self.train_numbers:
            body["train_numbers"] = list(self.train_numbers)
        return body
