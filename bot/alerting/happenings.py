"""Coalescing: which incident a post belongs to, and what the incident says now.

Air-raid alerts are *episodes* (``bot.alerting.episodes``). Everything else a post says is one *incident*: all its kinds, regions, places and figures, so a
post makes at most one message per chat. A later post joins an incident when it is about the
same thing, judged from place, kind and time rather than a fixed window:

* a **threat** (``live``: drones, missiles, guided bombs on their way) joins one of the same
  weapon over an overlapping region that was last reported at most :data:`THREAT_GAP` before —
  another channel on the same drone group; a longer silence means a new wave;
* a **report** joins one of the same family (attack and its consequences, power, rail) in an
  overlapping region that names the same town, within :data:`REPORT_SPAN` of its last report
  (the toll rising through the morning); a post naming no town joins only a town-less
  incident reported within :data:`UNPLACED_SPAN` (the nationwide summary: :data:`REPORT_SPAN`).

A different town, or a new wave, is a new incident. Figures are running totals per
(kind, figure): the latest report replaces, nothing is dropped; what the latest report changed
is kept for the message to say. An edited post resolves to the incident it already fed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Final

from sqlmodel import Session

from bot.alerting.episodes import ALERT as ALERT
from bot.alerting.episodes import MAX_SOURCES_KEPT, SLACK
from bot.alerting.episodes import WEAPON_KINDS as WEAPON_KINDS
from bot.alerting.episodes import alert_level as alert_level
from bot.alerting.episodes import area_of as area_of
from bot.alerting.episodes import merge as merge
from bot.alerting.episodes import resolve as resolve
from bot.alerting.render import REPORT_ORDER, AlertView, Change
from storage import crud
from storage.models import Event, Happening
from storage.types import as_utc

THREAT_GAP: Final = timedelta(minutes=20)
REPORT_SPAN: Final = timedelta(hours=6)
UNPLACED_SPAN: Final = timedelta(minutes=60)
LOOKBACK: Final = timedelta(hours=12)
THREAT: Final = "threat"
REPORT: Final = "report"
ALERT_KINDS: Final = frozenset({"air_alert_start", "air_alert_end"})
MAX_PLACES_KEPT: Final = 24
MAX_TRAINS_KEPT: Final = 30
END_SLOT: Final = 1
NATIONWIDE: Final = "UA"
FAMILY: Final[Mapping[str, str]] = {
    "drones": "attack",
    "missiles": "attack",
    "airstrike": "attack",
    "shelling": "attack",
    "explosions": "attack",
    "casualties": "attack",
    "damage": "attack",
    "power_outage": "power",
    "outage_schedule": "power",
    "power_restored": "power",
    "train_delay": "rail",
}
_NOT_TOWNS: Final = frozenset({"region", "country"})


def class_of_kind(happening_kind: str) -> str:
    """The outbox class of a happening's messages: "threat" for an alert episode (start and
    all-clear) and a live threat, "report" otherwise. The one place this is decided."""
    return THREAT if happening_kind in (ALERT, THREAT) else REPORT


def message_class(happening: Happening) -> str:
    """:func:`class_of_kind` of a happening."""
    return class_of_kind(happening.kind)


def slot_of(kind: str) -> int:
    """0 = the happening's message; 1 = the alert episode's all-clear."""
    return END_SLOT if kind == "air_alert_end" else 0


# ---- incidents ---------------------------------------------------------------------------


@dataclass(slots=True)
class Report:
    """What one post says about one incident: its non-alert events folded together."""

    live: bool
    at: datetime
    source: tuple[str, int]
    reported_at: datetime | None = None  # when this version was posted (an edit: its time)
    figures: dict[str, dict[str, int]] = field(default_factory=dict)  # kind -> figures
    regions: list[str] = field(default_factory=list)
    heading: list[str] = field(default_factory=list)
    places: list[dict[str, Any]] = field(default_factory=list)
    train_numbers: list[str] = field(default_factory=list)

    @property
    def tag(self) -> str:
        return f"0:{self.source[0]}/{self.source[1]}"

    def towns(self) -> set[str]:
        return _towns(self.places)


def report_of(
    events: Iterable[Event], source: tuple[str, int], reported_at: datetime | None = None
) -> Report | None:
    """The incident report of a post's non-alert events, or ``None`` if there are none.

    A post is a threat when any of its events is ``live`` (the parser's verdict)."""
    picked = [e for e in events if e.kind not in ALERT_KINDS and e.regions]
    if not picked:
        return None
    report = Report(
        live=any(e.live for e in picked),
        at=min(as_utc(e.occurred_at) for e in picked),
        source=source,
        reported_at=as_utc(reported_at) if reported_at is not None else None,
    )
    for e in picked:
        report.figures[e.kind] = {str(k): int(v) for k, v in e.counts.items()}
        report.regions.extend(r for r in e.regions if r not in report.regions)
        report.heading.extend(r for r in e.heading if r not in report.heading)
        report.places.extend(e.places)
        report.train_numbers.extend(
            n for n in (e.train_numbers or []) if n not in report.train_numbers
        )
    return report


def _towns(places: Iterable[Mapping[str, Any]]) -> set[str]:
    return {
        str(p.get("name_uk") or p.get("uk") or "")
        for p in places
        if p.get("level") not in _NOT_TOWNS and (p.get("name_uk") or p.get("uk"))
    }


def same_incident(happening: Happening, report: Report) -> bool:
    """Whether ``report`` is about the incident ``happening`` (see the module docstring)."""
    if (happening.kind == THREAT) != report.live:
        return False
    if not set(happening.regions or [happening.region]) & set(report.regions):
        return False
    if report.at < happening.started_at - SLACK:
        return False
    gap = report.at - (happening.last_at or happening.started_at)
    kinds = set(happening.kinds or [])
    if report.live:
        return bool(kinds & set(report.figures)) and gap <= THREAT_GAP
    families = {FAMILY.get(k, k) for k in kinds}
    if not families & {FAMILY.get(k, k) for k in report.figures}:
        return False
    mine, theirs = _towns(happening.places), report.towns()
    if mine or theirs:
        return bool(mine & theirs) and gap <= REPORT_SPAN
    nationwide = set(report.regions) == {NATIONWIDE}
    return gap <= (REPORT_SPAN if nationwide else UNPLACED_SPAN)


def resolve_incident(session: Session, report: Report, now: datetime) -> Happening:
    """The incident ``report`` belongs to: the one its post already fed, else the latest
    one it is about, else a new one."""
    candidates = crud.recent_incidents(session, since=report.at - LOOKBACK, until=report.at + SLACK)
    for happening in candidates:
        if report.tag in happening.sources:
            return happening
    for happening in candidates:  # latest report first
        if same_incident(happening, report):
            return happening
    primary = next((r for r in report.regions if r not in report.heading), report.regions[0])
    kind = THREAT if report.live else REPORT
    return crud.add_happening(session, kind, primary, report.at, now=now)


def merge_incident(happening: Happening, report: Report, now: datetime) -> None:
    """Fold ``report`` into the incident: its figures replace the same figures (running
    totals), kinds, regions, places and sources add up, and what changed is kept."""
    first = not happening.sources
    trains = list(happening.train_numbers)
    new_trains = [n for n in dict.fromkeys(report.train_numbers) if n not in trains]
    if new_trains:
        trains = (trains + new_trains)[:MAX_TRAINS_KEPT]
        happening.train_numbers = trains
    counts = dict(happening.counts)
    changed: list[list[Any]] = []
    delay = report.figures.get("train_delay")
    if delay is not None and report.train_numbers and delay.get("trains", 0) < len(trains):
        delay["trains"] = len(trains)  # the incident's trains, not only this post's
    for kind, figures in report.figures.items():
        for key, value in figures.items():
            slot = f"{kind}.{key}"
            if counts.get(slot) != value:
                changed.append([kind, key, counts.get(slot), value])
                counts[slot] = value
    if counts != happening.counts:
        happening.counts = counts
    kinds = list(happening.kinds)
    kinds.extend(k for k in report.figures if k not in kinds)
    if kinds != happening.kinds:
        happening.kinds = kinds
    regions = list(happening.regions or [happening.region])
    regions.extend(r for r in report.regions if r not in regions)
    if regions != happening.regions:
        happening.regions = regions
    heading = list(happening.heading)
    heading.extend(r for r in report.heading if r not in heading)
    if heading != happening.heading:
        happening.heading = heading
    added = _add_places(happening, report.places, regions)
    tag = report.tag
    if tag not in happening.sources:
        happening.sources = [*happening.sources, tag][-MAX_SOURCES_KEPT:]
    if report.at < happening.started_at:
        happening.started_at = report.at
    if happening.last_at is None or report.at > happening.last_at:
        happening.last_at = report.at
    if not first and (changed or added or new_trains):
        when = max(report.at, report.reported_at or report.at)
        happening.changes = [
            {"at": when.isoformat(), "figures": changed, "places": added, "trains": new_trains}
        ]
    happening.updated_at = now


def _add_places(
    happening: Happening, places: Sequence[Mapping[str, Any]], regions: Sequence[str]
) -> list[str]:
    known = list(happening.places)
    names = {p.get("uk") for p in known}
    added: list[str] = []
    for place in places:
        if place.get("level") in _NOT_TOWNS:
            continue  # the header names the region already
        if place.get("region") not in (*regions, None) and NATIONWIDE not in regions:
            continue
        entry = {
            "uk": str(place.get("name_uk", "")),
            "en": str(place.get("name_en", "")),
            "level": str(place.get("level", "")),
            "region": str(place.get("region") or ""),
        }
        if entry["uk"] and entry["uk"] not in names and len(known) < MAX_PLACES_KEPT:
            known.append(entry)
            names.add(entry["uk"])
            added.append(entry["uk"])
    if known != happening.places:
        happening.places = known
    return added


# ---- what a message shows ----------------------------------------------------------------


def _sources(happening: Happening, slot: int) -> list[tuple[str, int]]:
    sources: list[tuple[str, int]] = []
    for tag in happening.sources:
        head, _, rest = tag.partition(":")
        channel, _, mid = rest.rpartition("/")
        if head == str(slot) and channel and mid.isdigit():
            sources.append((channel, int(mid)))
    return sources


def _order(kind: str) -> int:
    return REPORT_ORDER.index(kind) if kind in REPORT_ORDER else len(REPORT_ORDER)


def view_of(
    happening: Happening,
    slot: int,
    wanted: Iterable[str] | None = None,
    *,
    other_area: bool = False,
) -> AlertView:
    """What the chats' message for ``slot`` of the happening shows; ``wanted`` limits an
    incident to the kinds a chat asked for; ``other_area`` marks it "not your raion"."""
    sources = _sources(happening, slot)
    if happening.kind == ALERT:
        if slot == END_SLOT:
            end = happening.ended_at or happening.started_at
            known_start = happening.started_at if happening.started_at < end else None
            return AlertView(
                "air_alert_end",
                happening.region,
                end,
                sources=sources,
                started_at=known_start,
                places=list(happening.places),
                other_area=other_area,
            )
        return AlertView(
            "air_alert_start",
            happening.region,
            happening.started_at,
            sources=sources,
            places=list(happening.places),
            other_area=other_area,
            level=happening.level or None,
            threats=[k for k in WEAPON_KINDS if k in happening.kinds],
        )
    allowed = None if wanted is None else set(wanted)
    kinds = [k for k in (happening.kinds or [happening.kind]) if allowed is None or k in allowed]
    kinds.sort(key=_order)
    figures: dict[str, dict[str, int]] = {k: {} for k in kinds}
    for slot_key, value in happening.counts.items():
        kind, _, key = slot_key.partition(".")
        if kind in figures and key:
            figures[kind][key] = int(value)
        elif not key and len(kinds) == 1:  # a row from before incidents: plain figures
            figures[kinds[0]][kind] = int(value)
    changes: list[Change] = []
    added: list[str] = []
    added_trains: list[str] = []
    updated_at = None
    for change in happening.changes[-1:]:
        updated_at = datetime.fromisoformat(str(change.get("at")))
        changes = [
            (str(k), str(f), None if o is None else int(o), int(n))
            for k, f, o, n in change.get("figures", [])
            if allowed is None or k in allowed
        ]
        added = [str(p) for p in change.get("places", [])]
        if allowed is None or "train_delay" in allowed:
            added_trains = [str(n) for n in change.get("trains", [])]
    first = kinds[0] if kinds else happening.kind
    return AlertView(
        first,
        happening.region,
        happening.started_at,
        counts=figures.get(first, {}),
        places=list(happening.places),
        sources=sources,
        live=happening.kind == THREAT,
        regions=list(happening.regions or [happening.region]),
        heading=list(happening.heading),
        more={k: figures[k] for k in kinds[1:]},
        updated_at=updated_at,
        changes=changes,
        added_places=added,
        other_area=other_area,
        train_numbers=list(happening.train_numbers) if "train_delay" in kinds else [],
        added_trains=added_trains,
    )
