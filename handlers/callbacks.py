"""Every inline button's ``callback_data``: one frozen dataclass per kind of tap.

Telegram keeps at most 64 bytes per button and hands them back verbatim from any client, so the
data is untrusted input. Each class here is ``<prefix>:<field>:<field>…``, the way aiogram's
``CallbackData`` works: :meth:`~CallbackData.pack` builds it and refuses more than 64 bytes,
:meth:`~CallbackData.unpack` parses it and refuses any value a menu could not have offered
(``ValueError``), and :meth:`~CallbackData.pattern` is the ``CallbackQueryHandler`` pattern that
lets only such values reach a handler. Everything else ends in the catch-all
:func:`handlers.common.expired`, which names the command that gives fresh buttons when the data
has a known prefix (or one of an older version, :data:`LEGACY`).

Fields are ``str`` (non-empty, no ``:``), ``int`` (plain decimal), ``bool`` (``1``/``0``), or one
of those ``| None`` (empty).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import Field, dataclass, fields
from typing import Any, ClassVar, Final, Self, get_args, get_type_hints

from bot.geo.regions import REGIONS
from bot.i18n import LANGUAGES
from storage.models import TOPICS

SEP: Final = ":"
MAX_BYTES: Final = 64  # Telegram's limit for callback_data
_INT: Final = re.compile(r"0|-?[1-9][0-9]*")

# What the menus offer: quiet hours (start, end) in minutes since local midnight, digest times.
QUIET_PRESETS: Final = ((22 * 60, 7 * 60), (23 * 60, 8 * 60), (0, 6 * 60))
DIGEST_PRESETS: Final = ("07:00", "08:00", "09:00", "12:00", "20:00", "21:00")
PAGES: Final = ("main", "topics", "quiet", "digest", "lang")

# Prefixes of buttons sent by older versions → the command that shows fresh ones.
LEGACY: Final = {"uns": "unsubscribe", "lat": "latest", "his": "history", "twn": "subscribe",
                 "adm": "admin"}  # fmt: skip
_BY_PREFIX: dict[str, type[CallbackData]] = {}
_HINTS: dict[type, dict[str, Any]] = {}


class CallbackData:
    """Base of the taps; subclass as ``@dataclass(frozen=True) class X(CallbackData,
    prefix="x", command="start")``, ``command`` being the one that shows such buttons."""

    prefix: ClassVar[str]
    command: ClassVar[str]
    __dataclass_fields__: ClassVar[dict[str, Field[Any]]]  # every tap is a dataclass

    def __init_subclass__(cls, prefix: str = "", command: str = "", **kw: Any) -> None:
        super().__init_subclass__(**kw)
        if not prefix:  # an abstract intermediate (shared fields and checks)
            return
        if SEP in prefix or prefix in _BY_PREFIX or prefix in LEGACY:
            raise ValueError(f"bad or duplicate callback prefix: {prefix!r}")
        cls.prefix, cls.command = prefix, command
        _BY_PREFIX[prefix] = cls

    def pack(self) -> str:
        data = SEP.join([self.prefix, *(_encode(getattr(self, f.name)) for f in fields(self))])
        if len(data.encode()) > MAX_BYTES:
            raise ValueError(f"callback data over {MAX_BYTES} bytes: {data!r}")
        return data

    @classmethod
    def unpack(cls, data: str) -> Self:
        """The tap ``data`` stands for; ``ValueError`` unless :meth:`pack` could have made it."""
        prefix, *parts = data.split(SEP)
        names = fields(cls)
        if prefix != cls.prefix or len(parts) != len(names) or len(data.encode()) > MAX_BYTES:
            raise ValueError(f"not {cls.__name__} data")
        hints = _hints(cls)
        return cls(
            **{f.name: _decode(part, hints[f.name]) for f, part in zip(names, parts, strict=True)}
        )

    @classmethod
    def pattern(cls, data: object) -> bool:
        """``CallbackQueryHandler(…, pattern=X.pattern)``: only valid ``X`` data matches."""
        return any_of(cls)(data)


def any_of(*classes: type[CallbackData]) -> Callable[[object], bool]:
    """A pattern matching valid data of any of ``classes``."""

    def matches(data: object) -> bool:
        return isinstance(data, str) and unpack_any(data, classes) is not None

    return matches


def unpack_any(data: str, classes: tuple[type[CallbackData], ...]) -> CallbackData | None:
    cls = _BY_PREFIX.get(data.split(SEP, 1)[0])
    if cls is None or cls not in classes:
        return None
    try:
        return cls.unpack(data)
    except ValueError:
        return None


def outdated_command(data: str) -> str | None:
    """For data no handler took: the command that shows fresh buttons of its kind, if known."""
    prefix = data.split(SEP, 1)[0]
    cls = _BY_PREFIX.get(prefix)
    return cls.command if cls is not None else LEGACY.get(prefix)


def _hints(cls: type) -> dict[str, Any]:
    if cls not in _HINTS:
        _HINTS[cls] = get_type_hints(cls)
    return _HINTS[cls]


def _encode(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str) and value and SEP not in value:
        return value
    raise ValueError(f"cannot pack {value!r}")


def _decode(text: str, hint: Any) -> object:
    kinds = get_args(hint) or (hint,)
    if type(None) in kinds and text == "":
        return None
    if bool in kinds and text in ("0", "1"):
        return text == "1"
    if int in kinds and _INT.fullmatch(text):
        return int(text)
    if str in kinds and text:
        return text
    raise ValueError(f"bad field: {text!r}")


def _check(ok: bool, what: str) -> None:
    if not ok:
        raise ValueError(what)


# ---- regions and towns ---------------------------------------------------------------------


@dataclass(frozen=True)
class RegionTap(CallbackData):
    """A region button: one of the 27 regions."""

    region: str

    def __post_init__(self) -> None:
        _check(self.region in REGIONS, "unknown region")


@dataclass(frozen=True)
class Subscribe(RegionTap, prefix="sub", command="subscribe"):
    """Subscribe the chat to the region (``/start``, ``/subscribe``, a place named in text)."""


@dataclass(frozen=True)
class Unsubscribe(RegionTap, prefix="unsub", command="unsubscribe"):
    pass


@dataclass(frozen=True)
class ShowLatest(RegionTap, prefix="latest", command="latest"):
    """The region's last 12 hours (``/latest`` when the chat has no regions, or asked)."""


@dataclass(frozen=True)
class ShowHistory(RegionTap, prefix="history", command="history"):
    pass


@dataclass(frozen=True)
class FollowTown(CallbackData, prefix="town", command="subscribe"):
    """Follow a town, by its KATOTTG code (whether it is a town is the handler's check)."""

    key: str

    def __post_init__(self) -> None:
        _check(re.fullmatch(r"UA[0-9]{1,30}", self.key) is not None, "not a KATOTTG code")


# ---- /settings and /stop --------------------------------------------------------------------


@dataclass(frozen=True)
class SettingsPage(CallbackData, prefix="set", command="settings"):
    page: str

    def __post_init__(self) -> None:
        _check(self.page in PAGES, "unknown page")


@dataclass(frozen=True)
class ToggleTopic(CallbackData, prefix="topic", command="settings"):
    """Flip one topic (its index in :data:`storage.models.TOPICS`)."""

    index: int

    def __post_init__(self) -> None:
        _check(0 <= self.index < len(TOPICS), "unknown topic")


@dataclass(frozen=True)
class QuietHours(CallbackData, prefix="quiet", command="settings"):
    """One of :data:`QUIET_PRESETS`, or off (both None)."""

    start: int | None
    end: int | None

    def __post_init__(self) -> None:
        off = self.start is None and self.end is None
        _check(off or (self.start, self.end) in QUIET_PRESETS, "not a preset")


@dataclass(frozen=True)
class ThreatsInQuiet(CallbackData, prefix="threats", command="settings"):
    """Whether quiet hours silence threats to the chat's own places too."""

    silent: bool


@dataclass(frozen=True)
class OtherAreas(CallbackData, prefix="others", command="settings"):
    """A town-subscribed chat: other raions' news marked (True) or left out."""

    marked: bool


@dataclass(frozen=True)
class DigestTime(CallbackData, prefix="digest", command="settings"):
    """One of :data:`DIGEST_PRESETS` as minutes since local midnight, or off (None)."""

    minute: int | None

    @classmethod
    def of(cls, hhmm: str | None) -> DigestTime:
        return cls(None if hhmm is None else int(hhmm[:2]) * 60 + int(hhmm[3:]))

    @property
    def hhmm(self) -> str | None:
        return None if self.minute is None else f"{self.minute // 60:02d}:{self.minute % 60:02d}"

    def __post_init__(self) -> None:
        _check(self.minute is None or self.hhmm in DIGEST_PRESETS, "not a preset")


@dataclass(frozen=True)
class DigestMap(CallbackData, prefix="digestmap", command="settings"):
    """Whether the daily digest carries the map of its 24 hours."""

    with_map: bool


@dataclass(frozen=True)
class Language(CallbackData, prefix="lang", command="settings"):
    code: str

    def __post_init__(self) -> None:
        _check(self.code in LANGUAGES, "unknown language")


SETTINGS: Final = (SettingsPage, ToggleTopic, QuietHours, ThreatsInQuiet, OtherAreas, DigestTime,
                   DigestMap, Language)  # fmt: skip


@dataclass(frozen=True)
class Stop(CallbackData, prefix="stop", command="stop"):
    answer: str

    def __post_init__(self) -> None:
        _check(self.answer in ("yes", "no"), "yes or no")


# ---- /admin ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Broadcast(CallbackData, prefix="broadcast", command="admin"):
    """Confirm (``send``) or cancel the previewed broadcast ``token``."""

    token: str
    send: bool

    def __post_init__(self) -> None:
        _check(re.fullmatch(r"[0-9a-f]{8}", self.token) is not None, "not a token")
