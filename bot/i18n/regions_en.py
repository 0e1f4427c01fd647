"""Region names as people read them, English."""

from bot.geo import REGIONS

MESSAGES: dict[str, str] = {
    **{f"region.{code}": r.short_en for code, r in REGIONS.items()},
    **{f"region.{code}.full": r.name_en for code, r in REGIONS.items()},
    **{f"region.{code}.acc": r.short_en for code, r in REGIONS.items()},
    "region.UA.acc": "Ukraine",
    "region.UA": "Ukraine",
    "region.UA.full": "all of Ukraine",
}
