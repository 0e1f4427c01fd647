"""The callback-data codec: every button fits Telegram's 64 bytes and reads back as itself;
anything a menu could not have offered is refused."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.geo.regions import REGIONS
from bot.i18n import LANGUAGES
from handlers import callbacks as cb
from handlers.settings import OFFERED
from storage.models import TOPICS

REGION = st.sampled_from(sorted(REGIONS))
VALID: dict[type[cb.CallbackData], st.SearchStrategy[cb.CallbackData]] = {
    cb.Subscribe: st.builds(cb.Subscribe, REGION),
    cb.Unsubscribe: st.builds(cb.Unsubscribe, REGION),
    cb.ShowLatest: st.builds(cb.ShowLatest, REGION),
    cb.ShowHistory: st.builds(cb.ShowHistory, REGION),
    cb.FollowTown: st.builds(cb.FollowTown, st.from_regex(r"UA[0-9]{1,30}", fullmatch=True)),
    cb.SettingsPage: st.builds(cb.SettingsPage, st.sampled_from(cb.PAGES)),
    cb.ToggleTopic: st.builds(cb.ToggleTopic, st.integers(0, len(TOPICS) - 1)),
    cb.QuietHours: st.sampled_from([*cb.QUIET_PRESETS, (None, None)]).map(
        lambda p: cb.QuietHours(*p)
    ),
    cb.ThreatsInQuiet: st.builds(cb.ThreatsInQuiet, st.booleans()),
    cb.OtherAreas: st.builds(cb.OtherAreas, st.booleans()),
    cb.DigestTime: st.sampled_from([*cb.DIGEST_PRESETS, None]).map(cb.DigestTime.of),
    cb.DigestMap: st.builds(cb.DigestMap, st.booleans()),
    cb.Language: st.builds(cb.Language, st.sampled_from(LANGUAGES)),
    cb.Stop: st.builds(cb.Stop, st.sampled_from(["yes", "no"])),
    cb.Broadcast: st.builds(
        cb.Broadcast, st.from_regex(r"[0-9a-f]{8}", fullmatch=True), st.booleans()
    ),
}
ANY_VALID = st.one_of(*VALID.values())
# Text shaped like callback data: known and unknown prefixes, short fields of likely characters.
PREFIXES = st.sampled_from([*cb._BY_PREFIX, *cb.LEGACY, "", "x"])
FIELD = st.text(alphabet="0123456789-:abcnoqrstyzAU<Ї", max_size=8)
SHAPED = st.builds(lambda p, fs: ":".join([p, *fs]), PREFIXES, st.lists(FIELD, max_size=3))


def test_every_tap_kind_is_covered_here() -> None:
    assert set(VALID) == set(cb._BY_PREFIX.values()) - {_Long}


@given(ANY_VALID)
def test_valid_taps_fit_64_bytes_and_read_back_as_themselves(tap: cb.CallbackData) -> None:
    data = tap.pack()
    assert len(data.encode()) <= cb.MAX_BYTES
    assert type(tap).unpack(data) == tap
    assert type(tap).pattern(data)
    assert all(not other.pattern(data) for other in VALID if other is not type(tap))


@given(st.one_of(SHAPED, st.text(max_size=70)))
def test_any_data_is_refused_or_is_exactly_what_pack_makes(data: str) -> None:
    for kind in VALID:
        try:
            tap = kind.unpack(data)
        except ValueError:
            assert not kind.pattern(data)
            continue
        assert tap.pack() == data and kind.pattern(data)


@given(st.one_of(SHAPED, st.sampled_from(sorted(OFFERED))))
def test_the_settings_handler_takes_exactly_what_the_menus_offer(data: str) -> None:
    assert cb.any_of(*cb.SETTINGS)(data) == (data in OFFERED)


@dataclass(frozen=True)
class _Long(cb.CallbackData, prefix="test-long", command="start"):
    text: str


def test_pack_refuses_more_than_64_bytes_and_unpacks_nothing_longer() -> None:
    assert _Long("ї" * 26).pack() == "test-long:" + "ї" * 26  # 10 + 52 bytes
    with pytest.raises(ValueError, match="64 bytes"):
        _Long("ї" * 28).pack()
    with pytest.raises(ValueError):
        _Long.unpack("test-long:" + "ї" * 28)


@pytest.mark.parametrize("value", ["", "a:b"])
def test_pack_refuses_fields_that_would_not_read_back(value: str) -> None:
    with pytest.raises(ValueError):
        _Long(value).pack()


def test_older_versions_prefixes_name_the_command_for_fresh_buttons() -> None:
    assert cb.outdated_command("uns:UA-74") == "unsubscribe"
    assert cb.outdated_command("set:t:5") == "settings"
    assert cb.outdated_command("adm:bc:0a1b2c3d:ok") == "admin"
    assert cb.outdated_command("x" * 64) is None
