"""Finds place mentions in a post and resolves each to one place, never guessing between regions.

Matching is dictionary lookups of word n-grams over a normalised token stream (longest match wins).
Raion, hromada and oblast adjectives ("Конотопського", "Криворізька") only count when followed by
their head noun ("району", "ТГ", "областях"), possibly through a list ("у Сумській, Харківській та
Полтавській областях").
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.geo.gazetteer import LEVEL_RANK, Gazetteer, Place, load
from bot.geo.matcher_text import normalise, strip_invisible, words
from bot.geo.regions import CAPITALS

__all__ = ["Mention", "Place", "find_mentions", "resolve"]

Word = tuple[int, int, str, bool]


@dataclass(frozen=True, slots=True)
class Mention:
    start: int  # offsets into the original text
    end: int
    surface: str
    candidates: tuple[Place, ...]  # every place this surface can denote


_RAION = {
    "район",
    "району",
    "районі",
    "районом",
    "райони",
    "районів",
    "районах",
    "районам",
    "районами",
    "р-н",
    "р-ну",
    "р-ні",
    "р-на",
    "р-ном",
    "района",
    "районе",
    "raion",
    "district",
    "rayon",
}
_OBLAST = {
    "область",
    "області",
    "областю",
    "обл",
    "областей",
    "областях",
    "областям",
    "областями",
    "области",
    "областью",
    "oblast",
    "region",
    "province",
    "oblasts",
    "regions",
    "provinces",
    # the oblast's administration: "Київська ОВА", "Харківської обласної військової адміністрації"
    "ова",
    "ода",
    "обласна",
    "обласної",
    "обласній",
    "обласну",
    "обласною",
}
_HROMADA = {
    "громада",
    "громади",
    "громаді",
    "громаду",
    "громадою",
    "громад",
    "громадах",
    "громадам",
    "громадами",
    "тг",
    "отг",
    "мтг",
    "стг",
    "рада",
    "ради",
    "раді",
    "раду",
    "радою",
    "hromada",
    "community",
}
_HROMADA_ADJ = ("міськ", "селищн", "сільськ", "територіальн", "об'єднан")
_TAIL_LEVELS = {"raion": ("raion", "district"), "oblast": ("region",), "hromada": ("hromada",)}
_CONJ = {"та", "і", "й", "and", "або", "чи", "і/або"}
_CITY_MARK = {"м", "місто", "міста", "місті", "містом", "city", "town", "г", "мм"}
_SETTLE_MARK = {
    "смт",
    "селище",
    "селища",
    "селищі",
    "с",
    "село",
    "села",
    "селі",
    "селом",
    "сел",
    "пгт",
    "village",
    "settlement",
    "с-ще",
    "хутір",
}
# "н.п." / "нп" (населений пункт): any settlement, a city included.
_PLACE_MARK = {"нп"}
_PLACE_LEVELS = ("city", "selyshche", "village")
_MARK_WORDS = frozenset(_CITY_MARK | _SETTLE_MARK | _PLACE_MARK | {"п"})
_MID_SENTENCE = set(",;:(«\"'-/") | set("0123456789")


def _tail(ws: list[Word], j: int) -> tuple[str, int] | None:
    """Head noun of a raion/oblast/hromada adjective at word j: (kind, words used)."""
    n = len(ws)
    if j >= n:
        return None
    w = ws[j][2]
    if j + 1 < n and ws[j + 1][3]:  # hyphenated abbreviation: р-н, р-ну
        w2 = w + "-" + ws[j + 1][2]
        if w2 in _RAION:
            return "raion", 2
    if w in _RAION:
        return "raion", 1
    if w in _OBLAST:
        return "oblast", 1
    k = j
    while k < n and k < j + 2 and ws[k][2].startswith(_HROMADA_ADJ):
        k += 1
    if k < n and ws[k][2] in _HROMADA and (k > j or not ws[k][2].startswith("рад")):
        return "hromada", k - j + 1
    if k > j and ws[j][2].startswith(("міськ", "селищн", "сільськ")):  # "Одеської міської ради"
        return "hromada", k - j
    return None


class _Scanner:
    """One pass over a text; kept as a class only to share the token list between helpers."""

    def __init__(self, g: Gazetteer, text: str, caps: bool, norm: str | None = None) -> None:
        self.g, self.text, self.caps = g, text, caps
        self.norm = normalise(text) if norm is None else norm
        self.ws = words(self.norm)
        self._caps_lines: dict[int, bool] = {}

    def _lookup(self, table: dict[str, str], i: int) -> tuple[int, str] | None:
        """Longest key of ``table`` starting at word i: (words, packed ids)."""
        ws = self.ws
        maxn = min(self.g.heads.get(ws[i][2], 1), len(ws) - i)
        if maxn == 1:  # most words start no longer name
            v = table.get(ws[i][2])
            return None if v is None else (1, v)
        keys = [ws[i][2]]
        for k in range(1, maxn):
            keys.append(keys[-1] + ("-" if ws[i + k][3] else " ") + ws[i + k][2])
        for k in range(maxn, 0, -1):
            v = table.get(keys[k - 1])
            if v is not None:
                return k, v
        return None

    def _capitalised(self, start: int) -> bool:
        if not self.caps or self.text[start].isupper():
            return True
        line = self.text.rfind("\n", 0, start) + 1
        if line not in self._caps_lines:
            end = self.text.find("\n", start)
            seg = self.text[line : end if end >= 0 else len(self.text)]
            self._caps_lines[line] = seg == seg.upper()
        return self._caps_lines[line]

    def _mid_sentence(self, start: int) -> bool:
        k = start - 1
        while k >= 0 and self.text[k] in " \t#":
            k -= 1
        return k >= 0 and (self.text[k].isalpha() or self.text[k] in _MID_SENTENCE)

    def _adj_chain(self, i: int) -> tuple[list[tuple[int, int, str]], int, str] | None:
        """Adjectives from word i up to their head noun: ([(first, words, ids)], end, kind)."""
        ws, chain, j = self.ws, [], i
        while True:
            hit = self._lookup(self.g.adjs, j)
            if hit is None:
                return None
            chain.append((j, hit[0], hit[1]))
            j += hit[0]
            tail = _tail(ws, j)
            if tail is not None:
                return chain, j + tail[1], tail[0]
            if j < len(ws) and ws[j][2] in _CONJ:
                j += 1
            elif j < len(ws) and self.norm[ws[j - 1][1] : ws[j][0]].strip() == ",":
                pass
            else:
                return None
            if j >= len(ws):
                return None

    def _places(self, packed: str, levels: tuple[str, ...] | None) -> list[tuple[int, Place]]:
        g = self.g
        out = [(i, g.places[i]) for i in g.ids(packed)]
        if levels is not None:
            out = [(i, p) for i, p in out if p.level in levels]
        if any(i == g.foreign for i, _ in out):  # foreign name: only same-named villages remain
            out = [(i, p) for i, p in out if p.level == "village"]
        return out

    def scan(self) -> list[Mention]:
        ws, out, i = self.ws, [], 0
        mark = ""
        text = self.text
        # Lower-case words can only be names inside an ALL-CAPS line; most posts have none.
        caps_lines = self.caps and any(line.isupper() for line in text.splitlines() if line.strip())
        n = len(ws)
        while i < n:
            if self.caps and not caps_lines and text[ws[i][0]].islower():
                # A run of lower-case words: only the marker word just before the next
                # capitalised one matters ("м. Суми").
                while i + 1 < n and text[ws[i + 1][0]].islower():
                    i += 1
                mark = self._mark(i) if ws[i][2] in _MARK_WORDS else ""
                i += 1
                continue
            w = ws[i][2]
            if (
                self.caps
                and text[ws[i][0]].islower()
                and (not caps_lines or not self._capitalised(ws[i][0]))
            ):
                # Names start with a capital (or stand in an all-caps line): skip the lookups.
                mark = self._mark(i) if w in _MARK_WORDS else ""
                i += 1
                continue
            form = self._lookup(self.g.forms, i)
            chain = self._adj_chain(i) if w in self.g.heads or w in self.g.adjs else None
            if chain is not None and (form is None or chain[1] - i >= form[0]):
                found = self._chain_mentions(chain)
                if found:
                    out.extend(found)
                    i, mark = chain[1], ""
                    continue
            if form is not None:
                start, end = ws[i][0], ws[i + form[0] - 1][1]
                cands_i = self._places(form[1], None)
                if mark == "city":  # "міста Запоріжжя": the city, not the oblast
                    cands_i = (
                        [c for c in cands_i if c[1].level == "city"]
                        or [c for c in cands_i if c[1].level == "region"]
                        or cands_i
                    )
                elif mark == "place":
                    cands_i = [c for c in cands_i if c[1].level in _PLACE_LEVELS] or cands_i
                elif mark == "settlement":
                    cands_i = [c for c in cands_i if c[1].level in ("selyshche", "village")] or (
                        cands_i
                    )
                if not mark:
                    cands_i = self._unmarked(cands_i, start, end)
                if cands_i and self._capitalised(start):
                    out.append(self._mention(start, end, [p for _, p in cands_i]))
                i, mark = i + form[0], ""
                continue
            mark = self._mark(i) if w in _MARK_WORDS else ""
            i += 1
        return out

    def _mark(self, i: int) -> str:
        """The kind of place a marker word announces for the name after it ("м.", "с.", "н.п.")."""
        w = self.ws[i][2]
        if w in _CITY_MARK:
            return "city"
        if w in _SETTLE_MARK:
            return "settlement"
        if w in _PLACE_MARK or (
            w == "п"
            and i > 0
            and self.ws[i - 1][2] == "н"
            and self.norm[self.ws[i - 1][1] : self.ws[i][0]].strip() == "."
        ):
            return "place"
        return ""

    def _unmarked(
        self, cands: list[tuple[int, Place]], start: int, end: int
    ) -> list[tuple[int, Place]]:
        """Drop common-word names at a sentence start, and adjective-like village names that
        modify the next word ("Харківського університету")."""
        g = self.g
        if not self._mid_sentence(start):
            cands = [c for c in cands if c[0] not in g.stop]
        k = end
        while k < len(self.text) and self.text[k] == " ":
            k += 1
        if k < len(self.text) and self.text[k].islower():
            cands = [c for c in cands if c[0] not in g.adjectival]
        return cands

    def _chain_mentions(self, chain: tuple[list[tuple[int, int, str]], int, str]) -> list[Mention]:
        ws, levels, out = self.ws, _TAIL_LEVELS[chain[2]], []
        for n_, (j, k, packed) in enumerate(chain[0]):
            end = ws[chain[1] - 1][1] if n_ == len(chain[0]) - 1 else ws[j + k - 1][1]
            cands = [p for _, p in self._places(packed, levels)]
            if cands and self._capitalised(ws[j][0]):
                out.append(self._mention(ws[j][0], end, cands))
        return out

    def _mention(self, start: int, end: int, cands: list[Place]) -> Mention:
        return Mention(start, end, self.text[start:end], tuple(dict.fromkeys(cands)))


def find_mentions(
    text: str, *, require_capital: bool = True, norm: str | None = None
) -> list[Mention]:
    """All candidate place mentions, non-overlapping, in text order; longest match wins.

    ``norm`` is ``matcher_text.normalise(text)`` when the caller has it already (then the caller
    has cleaned the text); otherwise invisible characters are dropped first and the offsets are
    into ``strip_invisible(text)``.
    """
    if norm is None:
        text = strip_invisible(text)
    return _Scanner(load(), text, require_capital, norm).scan()


def _rank(p: Place) -> tuple[int, int]:
    """Level first; among hromadas, those centred on a city ("Криворізька") come first; a raion
    from before 2020 comes after every current raion, those named after a city first."""
    g = load()
    idx = g.by_key.get(p.key, -1)
    if idx in g.old:
        return LEVEL_RANK[p.level], 2 if idx in g.urban else 3
    urban = p.level == "hromada" and idx in g.urban
    return LEVEL_RANK[p.level], 0 if urban else 1


def _best(cands: list[Place]) -> Place:
    return min(cands, key=_rank)


def _one_region(cands: list[Place]) -> Place | None:
    """The highest-ranked candidate if that rank leaves a single region, else None."""
    if not cands:
        return None
    top = min(_rank(p) for p in cands)
    tops = [p for p in cands if _rank(p) == top]
    return tops[0] if len({p.region for p in tops}) == 1 else None


def _pick(
    m: Mention, regions: set[str], raions: set[str], raion_of: dict[str, str]
) -> Place | None:
    cands = list(m.candidates)
    settled = [p for p in cands if p.level != "village"]
    villages = [p for p in cands if p.level == "village"]
    if len(settled) == 1 and settled[0].key == "region:UA-30" and "UA-30" not in regions:
        # a Kyiv neighbourhood ("Оболонь", "Березняки") named by another region's channel that
        # has a village of that name is the village
        local = [p for p in villages if p.region in regions]
        if len(local) == 1:
            return local[0]
    if len({p.region for p in settled}) == 1:
        return _best(settled)
    near = [p for p in settled if raion_of.get(p.key) in raions or p.key in raions]
    if near and len({p.region for p in near}) == 1:
        return _best(near)
    inside = [p for p in settled if p.region in regions]
    if inside and len({p.region for p in inside}) == 1:
        return _best(inside)
    cities = [p for p in settled if p.level in ("region", "city")]
    if cities and (p := _one_region(cities)) is not None:
        return p
    capitals = [p for p in cities if p.level == "city" and CAPITALS.get(p.region) == p.name_uk]
    if len(capitals) == 1:
        return capitals[0]
    local = [p for p in villages if p.region in regions]
    if not inside and len(local) == 1:
        return local[0]
    return _one_region(settled)


def resolve(
    mentions: list[Mention], context: set[str], text: str | None = None
) -> list[tuple[Mention, Place]]:
    """One place per mention, or the mention is dropped.

    ``context`` holds ISO region codes (the channel's region) and/or KATOTTG raion codes; regions
    and raions that other mentions of the same post name unambiguously are added here. ``text`` is
    accepted for callers that have it; resolution needs only the mentions.
    """
    del text
    g = load()
    regions = {c for c in context if c.startswith("UA-")}
    raions = set(context) - regions
    raion_of: dict[str, str] = {}
    for m in mentions:
        settled = [p for p in m.candidates if p.level != "village"]
        for p in settled:  # only settled places are matched by raion (villages never are)
            raion_of[p.key] = _raion_code(g, p)
        kyiv_homonym = (
            settled and settled[0].key == "region:UA-30" and len(settled) < len(m.candidates)
        )
        if settled and len({p.region for p in settled}) == 1 and not kyiv_homonym:
            regions.add(settled[0].region)
            if len(settled) == 1 and settled[0].level == "raion":
                raions.add(settled[0].key)
    out = []
    for m in mentions:
        picked = _pick(m, regions, raions, raion_of)
        if picked is not None:
            out.append((m, picked))
    return out


def _raion_code(g: Gazetteer, p: Place) -> str:
    idx = g.by_key.get(p.key)
    return g.raion[idx] if idx is not None else ""
