"""Property tests: whatever text arrives, the parser answers within the contract."""

from __future__ import annotations

import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.geo import REGIONS
from bot.parsing import COUNT_FIELDS, KINDS, parse

VALID_REGIONS = set(REGIONS) | {"UA"}
WORDS = [
    "БпЛА",
    "ракети",
    "Харківщині",
    "загинули",
    "поранено",
    "двоє",
    "30 тис.",
    "абонентів",
    "відбій",
    "тривога",
    "№12",
    "+1:20",
    "Київ",
    "—",
    "\n",
    "збито",
    "12",
    "Х-101",
    "Kyiv",
    "drones",
    "killed",
    "a man",
    "обстріл",
    "знеструмлено",
    "затримка",
    "годин",
    "'",
    "ʼ",
]


def _check(events: list) -> None:  # type: ignore[type-arg]
    kinds = [e.kind for e in events]
    assert len(kinds) == len(set(kinds)), "at most one event per kind"
    for e in events:
        assert e.kind in KINDS
        assert e.regions and set(e.regions) <= VALID_REGIONS
        for field, value in e.counts.items():
            assert field in COUNT_FIELDS
            assert isinstance(value, int) and value >= 0


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(st.text(max_size=400), st.sampled_from([None, "air_force", "alerts", "governor", "railway"]))
def test_any_text_parses_within_the_contract(text: str, source_kind: str | None) -> None:
    _check(parse(text, source_kind=source_kind))


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.sampled_from(WORDS), max_size=40).map(" ".join),
    st.sampled_from([None, *sorted(REGIONS)]),
)
def test_post_like_text_parses_within_the_contract(text: str, region: str | None) -> None:
    events = parse(text, default_region=region)
    _check(events)
    if region and events:
        assert all(e.regions for e in events)


@given(st.integers(min_value=1, max_value=999_999))
def test_digits_with_separators_are_one_count(n: int) -> None:
    spaced = re.sub(r"(?<=\d)(?=(\d{3})+$)", " ", str(n))
    events = parse(f"Знеструмлено {spaced} абонентів.", default_region="UA-74")
    assert [e.counts.get("consumers") for e in events if e.kind == "power_outage"] == [n]
