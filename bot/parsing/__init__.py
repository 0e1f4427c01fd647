"""Post parsing: text in, :class:`~bot.parsing.events.Event` list out. Pure and deterministic."""

from bot.parsing.events import COUNT_FIELDS, KINDS, Event, PlaceRef
from bot.parsing.parser import parse

__all__ = ["COUNT_FIELDS", "KINDS", "Event", "PlaceRef", "parse"]
