"""Region names as people read them, Ukrainian."""

from bot.geo.regions import REGIONS

MESSAGES: dict[str, str] = {
    **{f"region.{code}": r.short_uk for code, r in REGIONS.items()},
    **{f"region.{code}.full": r.name_uk for code, r in REGIONS.items()},
    "region.UA": "Україна",
    "region.UA.full": "вся Україна",
}
