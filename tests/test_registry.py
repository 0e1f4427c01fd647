"""The shipped channel registry: usernames as the field notes' evidence says, ``confirmed``
only with evidence recorded in ``source`` (unconfirmed channels never alert)."""

from __future__ import annotations

from sqlalchemy.engine import Engine

from bot.registry import (
    ChannelSpec,
    default_channels,
    retire_channels,
    retired_usernames,
    seed_channels,
)
from storage import crud
from storage.db import session_scope

SPECS = {c.username: c for c in default_channels()}


def test_every_confirmed_channel_names_its_evidence() -> None:
    for spec in SPECS.values():
        if spec.confirmed:
            assert spec.source.strip(), spec.username
            assert "weak" not in spec.source and "no public evidence" not in spec.source


def test_corrected_usernames() -> None:
    for wrong in ("poltavskaoda", "zoda_inform", "people_of_action"):
        assert wrong not in SPECS
    expected = {
        "poltavskaOVA": "UA-53",
        "dnipropetrovskaODA": "UA-12",
        "zakarpatskaODA": "UA-21",
        "kozytskyy_maksym_official": "UA-46",
        "vinnytskaODA": "UA-05",
        "mykolaivskaODA": "UA-48",
        "VadymFilashkin": "UA-14",
        "onyshchuksvitlana": "UA-26",
    }
    for username, region in expected.items():
        spec = SPECS[username]
        assert spec.confirmed and spec.default_region == region and spec.kind == "governor"


def test_weak_evidence_stays_unconfirmed() -> None:
    weak = ("adm_dp", "DonetskaODA", "zoda_gov_ua", "IF_ODA", "VA_Kyiv", "kirovohradskaODA",
            "mykolaiv_ova", "ODA_RV", "odesaoda", "VinnytsiaODA", "dtek_ua", "lvivoblenergo",
            "dsns_telegram")  # fmt: skip
    for username in weak:
        assert not SPECS[username].confirmed, username


def test_unique_usernames_and_valid_regions() -> None:
    names = [c.username.lower() for c in default_channels()]
    assert len(names) == len(set(names))
    for spec in SPECS.values():
        if spec.kind == "governor":
            assert spec.default_region and spec.default_region.startswith("UA-")
            assert spec.default_region not in ("UA-40", "UA-43")


def test_usernames_retired_as_wrong_stop_speaking_in_existing_databases(engine: Engine) -> None:
    retired = retired_usernames()
    assert {"poltavskaoda", "zoda_inform", "people_of_action"} <= set(retired)
    assert not set(retired) & set(SPECS)
    # a database seeded by an earlier registry still holds the wrong username, confirmed
    seed_channels(engine, [ChannelSpec("poltavskaoda", "governor", "UA-53", True, "", 30)])
    seed_channels(engine, default_channels())
    assert retire_channels(engine, retired) == 1
    assert retire_channels(engine, retired) == 0  # idempotent
    with session_scope(engine, readonly=True) as s:
        wrong = crud.get_channel_by_username(s, "poltavskaoda")
        right = crud.get_channel_by_username(s, "poltavskaOVA")
        assert wrong is not None and not wrong.enabled and not wrong.trusted
        assert right is not None and right.trusted
