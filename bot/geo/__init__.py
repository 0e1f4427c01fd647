"""Region gazetteer: Ukrainian place names in all their forms, mapped to ISO region codes."""

from bot.geo.gazetteer import Place
from bot.geo.lookup import lookup
from bot.geo.matcher import Mention, find_mentions, resolve
from bot.geo.regions import REGIONS, Region
from bot.geo.translit import translit

__all__ = [
    "REGIONS",
    "Mention",
    "Place",
    "Region",
    "find_mentions",
    "lookup",
    "resolve",
    "translit",
]
