"""Region names as people read them, Ukrainian."""

from bot.geo import REGIONS

MESSAGES: dict[str, str] = {
    **{f"region.{code}": r.short_uk for code, r in REGIONS.items()},
    **{f"region.{code}.full": r.name_uk for code, r in REGIONS.items()},
    # Accusative ("курсом на Київщину"): the short names end in -а (→ -у) or do not decline.
    **{
        f"region.{code}.acc": r.short_uk[:-1] + "у" if r.short_uk.endswith("а") else r.short_uk
        for code, r in REGIONS.items()
    },
    "region.UA": "Україна",
    "region.UA.acc": "Україну",
    "region.UA.full": "вся Україна",
}
