"""Which kinds of happening a clause reports: trigger patterns by stem, with their negations.

Patterns run on normalised text (lower case, one apostrophe, ASCII dashes). Stems cover
Ukrainian inflection ("обстріл", "обстрілом", "обстріляли"), Russian forms and English.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from typing import Final

from bot.parsing.anchors import LiteralIndex
from bot.parsing.numbers import trie_pattern

_ANCHORS: dict[int, re.Pattern[str] | None] = {}
_LITERALS: dict[int, tuple[str, ...] | None] = {}  # the literal starts behind each anchor
_PREFIX = re.compile(r"^(?:\\b|\(\?<!\[\\w'\]\))+")
_META = "\\()[]{}?*+|.^$"


def _plain(part: str) -> str:
    """The literal text an alternative starts with ("" if it starts with a construct)."""
    out: list[str] = []
    for i, ch in enumerate(part):
        if ch in _META:
            if ch in "?*{" and out:
                out.pop()  # the previous letter is optional
            break
        out.append(ch)
        if i == len(part) - 1:
            break
    return "".join(out)


def _split_top(pattern: str) -> tuple[list[str], int]:
    """The top-level alternatives of ``pattern`` up to its first unmatched ")", and where that is."""
    alts: list[str] = []
    depth = 0
    begin = i = 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\":
            i += 2
            continue
        if ch == "[":
            close = pattern.find("]", i + 2)
            i = close + 1 if close > 0 else len(pattern)
            continue
        if ch == "(":
            depth += 1
        elif ch == ")":
            if depth == 0:
                break
            depth -= 1
        elif ch == "|" and depth == 0:
            alts.append(pattern[begin:i])
            begin = i + 1
        i += 1
    alts.append(pattern[begin:i])
    return alts, i


def _literals(part: str) -> list[str] | None:
    """Literal starts of one alternative: a word, or each word of a leading (?:a|b) group.

    None when some way of matching starts with no literal: the pattern then always runs.
    """
    part = _PREFIX.sub("", part, count=1)
    alts, _ = _split_top(part)
    if len(alts) > 1:
        found = [_literals(alt) for alt in alts]
        return None if any(f is None for f in found) else [x for f in found if f for x in f]
    if part.startswith("(?:"):
        group, end = _split_top(part[3:])
        rest = part[3 + end + 1 :]
        if rest[:1] in ("?", "*") or rest.startswith("{0"):
            return _literals(rest.split("}", 1)[1] if rest[0] == "{" else rest[1:])
        starts = [_literals(alt) for alt in group]
        if all(x is not None and all(len(w) >= 2 for w in x) for x in starts):
            return [w for x in starts if x for w in x]
        tail = _plain(rest)
        return [tail] if len(tail.strip()) >= 3 else None
    lit = _plain(part)
    return [lit] if lit and (len(lit) >= 2 or not lit.isalpha()) else None


def _rx(*parts: str) -> re.Pattern[str]:
    """One pattern of alternatives, with the literal words each must start with.

    Most alternatives begin with a plain stem ("бпла", "обстріл"); :func:`may_match` checks
    those with a substring test first, which is far cheaper than running the pattern.
    """
    rx = re.compile("|".join(f"(?:{_PREFIX.sub('', p, count=1)})" for p in parts))
    anchors: list[str] = []
    for part in parts:
        lits = _literals(part)
        if lits is None:
            _ANCHORS[id(rx)] = _LITERALS[id(rx)] = None  # no literal start: always run
            return rx
        anchors.extend(lits)
    _LITERALS[id(rx)] = tuple(dict.fromkeys(anchors))
    _ANCHORS[id(rx)] = re.compile(trie_pattern(_LITERALS[id(rx)] or ()))  # a trie: ~20 % faster
    return rx


def may_match(rx: re.Pattern[str], text: str) -> bool:
    """False only when no alternative of ``rx`` can match ``text``."""
    anchors = _ANCHORS.get(id(rx))
    return anchors is None or anchors.search(text) is not None


B = r"(?<![\w'])"  # start of a word
TRIGGERS: Final[dict[str, re.Pattern[str]]] = {
    "air_alert_start": _rx(
        B + r"повітрян\w* тривог(?:а|у)\b",
        B + r"тривог(?:а|у)\s*(?:!|в\b|у\b|на\b|-|$)",
        B + r"оголошен\w* тривог",
        B + r"воздушн\w* тревог[аи]\b",
        r"\bair[- ]raid alerts?\b(?! (?:is|are|was|were) over| ended| (?:was |were |has been )?lifted| ha(?:s|ve) ended)",
        r"\bair alerts?\b(?! (?:is|are|was|were) over| ended| (?:was |were |has been )?lifted)",
        r"\balerts? (?:(?:was|were|has been|have been|is|are) )?(?:declared|announced|issued|sounding|sounded)\b",
        r"\bsirens? (?:(?:are|were|is|was) )?(?:sounding|sounded|wailing|wailed|blaring|went off)\b",
        # A red mark before a threat notice ("🔴🔴 Загроза ударних БпЛА") is not an alert.
        r"🔴(?![🔴🟠🟡\s\d:.]*(?:\w+\s+)?загроз)",
    ),
    "air_alert_end": _rx(
        # "Відбій загрози КАБ" ends a threat notice, not the air-raid alert.
        B + r"відбій(?! тривоги\s+(?:не|ще))(?!\s+загроз)",
        B + r"отбой",
        r"\ball[- ]clear\b",
        r"\balert (?:is over|ended|has ended|lifted|was lifted)\b",
        r"\balert\b[^.!?\n]{0,40}\b(?:is over|has ended|was lifted|ended)\b",
        r"🟢(?![\s\d:.]*відбій\s+загроз)",
    ),
    "drones": _rx(
        B + r"бпла",
        B + r"безпілотн",
        B + r"беспилотн",
        B + r"дрон(?:а|у|ом|і|и|ів|ами|ам|ах)?\b",
        B + r"дронов",
        B + r"шахед",
        B + r"герань",
        B + r"гербер",
        r"\bshahed",
        r"\bgerbera",
        r"\bgeran",
        r"\bdrones?\b",
        r"\buavs?\b",
        r"\bkamikaze",
        r"🛵",
        r"🏍",
        r"\bмопед",
    ),
    "missiles": _rx(
        B + r"ракет(?!н\w* небезпек\w* (?:не|відсутн))",
        B + r"балістик",
        B + r"балістичн",
        B + r"баллистик",
        B + r"крилат\w* (?:ракет|ціл)",
        B + r"швидкісн\w* ціл",
        # "Швидкісна" alone is the Air Force's short form of "швидкісна ціль".
        B + r"швидкісн(?:а|і)\b(?!\s*(?:трас|дорог|автомагістрал|поїзд|потяг|залізниц|інтернет|"
        r"зарядк|мереж|рух|ліні|сполученн|магістрал|катер|човн|автомобіл|режим))",
        B + r"кинджал",
        B + r"кр\b",
        B + r"іскандер",
        B + r"калібр",
        B + r"х-\d{2,3}",
        B + r"міг-31",
        r"\bmissiles?\b",
        r"\bballistic",
        r"\bcruise\b",
        r"\bkinzhal",
        r"\biskander",
        r"☄",
        r"🚀",
    ),
    "airstrike": _rx(
        B + r"каб(?:и|ів|ом|ами|ам|у|а)?\b",
        B + r"керован\w* авіа\w* бомб",
        B + r"авіабомб",
        B + r"авіаудар",
        B + r"авіаційн\w* (?:удар|бомб|засоб)",
        B + r"(?:уаб|фаб|умпк)\b",
        B + r"тактичн\w* авіаці",
        r"💣",
        r"🛬",
        r"\btactical aviation\b",
        r"\bglide bombs?\b",
        r"\bguided (?:aerial )?bombs?\b",
        r"\bairstrikes?\b",
        r"\bair strikes?\b",
        r"\baerial bombs?\b",
    ),
    "shelling": _rx(
        B + r"обстріл",
        B + r"обстрел",
        B + r"артилері",
        B + r"артиллери",
        B + r"артобстріл",
        B + r"мінометн",
        B + r"міномет",
        B + r"рсзв\b",
        B + r"град(?:и|ів|ами)\b",
        r"\bshell(?:ing|ed|s)\b",
        r"\bartillery\b",
        r"\bmortars?\b",
        r"\bmlrs\b",
    ),
    "explosions": _rx(
        B + r"вибух(?:и|ів|ами|ам|ах|у|ом)?\b(?!\w)",
        B + r"вибухов\w* хвил",
        B + r"взрыв",
        r"\bexplosions?\b",
        r"\bblasts?\b",
        r"\bloud bangs?\b",
    ),
    "casualties": _rx(
        B + r"загин(?:ул|ув|ули|уло)",
        B + r"загибл(?:их|і|ий|а)\b",
        B + r"(?:вбит|вбил|вбив|убит|убил|убив)\w*",
        B + r"поранен",
        B + r"поранил",
        B + r"поранив",
        B + r"постраждал",
        B + r"постраждав",
        B + r"травмован",
        B + r"травм(?:и|у)\b",
        B + r"госпіталізован",
        B + r"дістал\w* поранен",
        B + r"медичн\w* допомог",
        B + r"допомог\w* (?:медик|лікар)",
        B + r"(?:погиб|ранен|пострадав|пострадал)\w*",
        r"\bkill(?:ed|ing|s)\b",
        r"\binjur(?:ed|ies|ing)\b",
        r"\bwound(?:ed|ing)\b",
        r"\bdead\b",
        r"\bdied\b",
        r"\bhurt\b",
        r"\bcasualt",
        r"\bhospitali[sz]ed\b",
    ),
    "damage": _rx(
        B + r"пошкодж(?!\w*\s+(?:\w+\s+)?(?:локалізован|усунут|ліквідован|відремонтован))",
        B + r"пошкодил",
        B + r"зруйнован",
        B + r"зруйнува",
        B + r"знищен\w* (?!\d)(?!(?:\S+ ){0,3}(?:бпла|дрон|ракет|шахед|ціл))",
        B + r"пожеж",
        B + r"посічен",
        B + r"вибит\w* (?:\w+ )?(?:вікн|шиб|двер)",
        B + r"загоранн",
        B + r"загорі(?:вся|лася|лося|лися|лись)",
        B + r"загорел(?:ся|ась|ось|ись)",
        B + r"займанн",
        B + r"горить",
        B + r"горіли",
        B + r"горів",
        B + r"уражен\w* (?:об'єкт|інфраструктур|підприємств|будин|склад|підстанці)",
        # A hit reported ("зафіксовано влучання"), not the instruction "не фіксуйте місце влучання".
        B + r"влучан\w*+(?<!місце влучання)(?<!місця влучань)(?<!місця влучання)",
        B + r"повреж",
        B + r"разруш",
        r"\bdamag(?:ed|es|ing)\b",
        r"\bdestroyed\b(?!(?:\s+\S+){0,3}\s+(?:drones?|missiles?|uavs?|targets?))",
        r"\bstruck\b",
        r"\bhit (?<!blackouts hit )(?<!outages hit )(?<!cuts hit )(?!\d)(?!by\b)(?!at\b)",
        B + r"влучи(?:в|л\w*) (?:в|у|по)\s+(?!\d)",
        B + r"(?:прилетів|прилетіло|приліт)\w*",
        r"\b(?:fire broke out|caught fire|on fire|set ablaze|blaze)\b",
        r"\bfires?\b(?<!opened fire)(?<!open fire)(?<!under fire)(?= (?:broke|erupted|started|raged|engulfed|at|in|on)\b)",
        r"\bhits\b(?! (?:the (?:news|headlines)|back))",
    ),
    "power_outage": _rx(
        B + r"знеструмл",
        B + r"без (?:світла|електро\w*|електрики|живлення)",
        B + r"відсутн\w* (?:електро|світл|живлен)",
        B + r"аварійн\w* (?:відключен|знеструмлен)",
        B + r"обесточ",
        B + r"без света",
        B + r"(?:зникл\w*|не стало) (?:світл|електропостачанн|електрик|живленн)",
        r"\bpower(?<!hourly power) (?:outages?|cuts?)\b(?! schedules?)",
        r"\bemergency (?:power )?(?:outages?|shutdowns?|blackouts?|power cuts?)\b",
        r"\bwithout (?:power|electricity|light)\b",
        # Hourly or rolling blackouts are schedules, not an outage.
        r"\bblackouts?\b(?! schedules?)(?<!hourly blackout)(?<!hourly blackouts)"
        r"(?<!rolling blackout)(?<!rolling blackouts)(?<!scheduled blackouts)",
        r"\blost power\b",
        r"\b(?:knock(?:ed|s|ing)? out|cut(?:s|ting)?(?: off)?) (?:the )?(?:power|electricity)\b",
        r"\bde-energi[sz]ed\b",
        r"\bdeenergi[sz]ed\b",
    ),
    "outage_schedule": _rx(
        B + r"графік\w* (?:погодинн\w* |стабілізаційн\w* |планов\w* )?відключен",
        B + r"\bгпв\b",
        B + r"\bгав\b",
        B + r"погодинн\w* відключен",
        B + r"стабілізаційн\w* відключен",
        B + r"(?:\d|одн\w*|дв\w*|трьох|три|чотир\w*) черг",
        B + r"графики отключ",
        B + r"графік\w* обмежен\w* потужност",
        r"\b(?:outage|power-cut|power cut|blackout|shutdown|disconnection|power limitation|"
        r"power restriction|consumption limitation)s? schedules?\b",
        r"\bhourly (?:power )?(?:outages?|blackouts?|shutdowns?|power cuts?|disconnections?)\b",
        r"\brolling (?:blackouts|outages)\b",
        r"\bscheduled (?:power )?outages\b",
    ),
    # Restoration done, not "працюють над відновленням" (the noun) or "щоб відновити".
    "power_restored": _rx(
        B + r"відновил\w* (?:\w+ )?(?:електропостачанн|живленн|світло|енергопостачанн)",
        B + r"відновлювал\w* (?:\w+ )?(?:електропостачанн|живленн|світло|енергопостачанн)",
        B + r"(?:електропостачання|живлення|світло|енергопостачання|електроенергію) (?:\w+ ){0,2}"
        r"(?:відновлен[оаеі]|повернул|повернут|з'явил|дали\b|подали\b)",
        B + r"відновлен[оаеі] (?:\w+ )?(?:електропостачанн|живленн|енергопостачанн)",
        B + r"повернул\w* (?:\w+ )?(?:світло|електропостачанн|живленн|електроенергі)",
        B + r"дали світло",
        B + r"повернут\w* (?:\w+ )?(?:світло|електропостачанн|живленн|електроенергі)",
        B + r"(?:увімкнул|ввімкнул|увімкнен|ввімкнен|включил)\w* (?:\w+ ){0,2}"
        r"(?:світло|електропостачанн|живленн|споживач|абонент)",
        B + r"(?:знову )?зі світлом",
        B + r"заживлен(?!н)",
        B + r"заживил",
        B + r"напруг\w* (?:\w+ )?(?:подано|подали|подан[аі])",
        B + r"(?:подано|подали) напруг",
        B + r"(?:підключил\w*|підключено|підключені|під'єднал\w*|під'єднано) (?:\w+ ){0,3}"
        r"(?:споживач|абонент|домогосподарств|будин|населен|котельн|лікарн|об'єкт|електропостачанн|"
        r"мереж)",
        r"\b(?:power|electricity|supply|light) (?:(?:was|has been|have been|is|had been) )?"
        r"(?:(?:fully|partially|already|now) )?(?:restored|returned|back)\b",
        r"\brestored (?:power|electricity|supply)\b",
        r"\breconnected\b",
        r"\bback on (?:supply|power|the grid)\b",
    ),
    "train_delay": _rx(
        B + r"затриму(?:ют|єть|ємо|вал|ват)",
        B + r"затримк",
        B + r"затримаєт",
        B + r"затримаю",
        B + r"із затримк",
        B + r"запізн",
        B + r"змінен\w* маршрут",
        B + r"відхиленн\w* від графік",
        B + r"курсуват\w* (?:за )?змінен",
        B + r"(?:поїзд|потяг|рейс)\w* (?:\w+ ){0,2}скасован",
        B + r"скасован\w* (?:\w+ ){0,2}(?:поїзд|потяг|рейс)",
        B + r"рух (?:[^.!?\n]{0,60}?)(?:обмежено|призупинено|ускладнено|обмежений|призупинений)",
        B + r"змін\w* (?:\w+ ){0,2}(?:у|в|до) (?:маршрут|розклад|графік)",
        B + r"скорочен\w* маршрут",
        B + r"відставанн\w* (?:\w+ )?від графік",
        r"\b(?:rail |train )?traffic (?:is |was |has been )?(?:restricted|suspended|halted)\b",
        B + r"(?:обмежено|призупинено) рух",
        B + r"опоздан",
        r"\b(?:delayed|delays?|late|cancelled|canceled|rerouted|diverted)\b",
    ),
}

# Posts that mention attack words without reporting an attack: fundraising, memorials,
# announcements of new weapons. They produce no events at all.
NON_EVENT: Final = _rx(
    B + r"оголошуємо збір",
    B + r"збираємо (?:на|кошти)",
    B + r"\bзбір (?:на|коштів)",
    B + r"донат",
    B + r"реквізит",
    B + r"вшановуємо",
    B + r"хвилин\w* мовчання",
    r"\bunveil",
    r"\bfundrais",
    r"\bdonat(?:e|ion)",
    r"\bproduction (?:would|will|is)",
)

# Negations that cancel a kind found in the same clause.
NEGATIONS: Final[dict[str, re.Pattern[str]]] = {
    "casualties": _rx(
        B + r"(?:(?:постраждал|загибл|поранен|травмован)\w*(?:,| і| та| й| чи| або)? )+"
        r"(?:немає|нема|не(?:ма)? виявлено|не було)",
        B + r"без (?:травм|постраждал|жертв|загибл|поранен)\w*",
        B + r"обійшлося без \w+",
        B + r"ніхто не (?:постраждав|загинув)",
        r"\bno (?:one|body) (?:was )?(?:killed|injured|hurt)",
        r"\bno (?:casualties|injuries|deaths)",
        r"\bwithout casualties",
        B + r"пострадавших нет",
    ),
    "outage_schedule": _rx(
        B + r"графік\w* [^.]*?(?:не застосов|не діят|не діють|не будуть|скасов)",
        B + r"не (?:прогнозуєт|плануют|застосовуват)\w*[^.]*відключ",
        B + r"відключен\w* не (?:прогноз|план|буде|очіку)",
        r"\bno (?:outages|power cuts|blackouts)",
    ),
    "power_outage": _rx(
        B + r"(?:були|було|був|була) знеструмлен",
        r"\bno (?:outages|power cuts|blackouts)",
    ),
    "train_delay": _rx(
        B + r"без затрим",
        B + r"(?:курсу\w*|прямую\w*|рухают\w*|прямуватим\w*|проходять|курсуватим\w*) (?:\w+ ){0,3}"
        r"(?:за (?:\w+ )?(?:графіком|розкладом)|вчасно|штатно|без змін|стандартним графіком)",
        B + r"(?:стандартним|звичайним|штатним) (?:графіком|розкладом)",
        r"\bon (?:time|schedule)\b",
        r"\bno delays?\b",
    ),
    "air_alert_start": _rx(B + r"до відбою", r"\buntil the all[- ]clear"),
}

_NEGATABLE: Final = frozenset(NEGATIONS)

# Text after these words lists places still under alert: not new alerts, not places of the post.
STILL_ACTIVE: Final = _rx(
    B + r"(?:тривога )?ще трива\w*",
    B + r"досі трива\w*",
    B + r"тривога триває (?:у|в)\s*:",  # "Тривога триває у:" and a list
    B + r"тревога (?:ещё|еще) продолжается",
    r"\bstill (?:active|on|under)",
    r"\balert continues",
)


# The end of a threat notice ("Відбій загрози застосування КАБ"): neither an all-clear of the
# air-raid alert nor a new threat. A clause saying so reports no threat kind.
THREAT_OVER: Final = re.compile(
    r"(?<![\w'])(?:відбій|скасування) загроз|(?<![\w'])загроз\w* (?:минула|скасовано)|\bthreat (?:is |has )?(?:over|passed|lifted)"
)
_THREAT_OVER_HINTS: Final = ("загроз", "threat")
_THREATS: Final = frozenset({"drones", "missiles", "airstrike", "shelling", "air_alert_end"})


_TRIGGER_STARTS: Final = LiteralIndex({kind: _LITERALS[id(rx)] for kind, rx in TRIGGERS.items()})


def candidate_kinds(text: str) -> list[str]:
    """Kinds whose trigger words occur somewhere in the (normalised) post: a cheap pre-filter.

    The same as ``[k for k, rx in TRIGGERS.items() if may_match(rx, text)]``, in one scan.
    """
    return _TRIGGER_STARTS.keys_in(text)


def word_matches(rx: re.Pattern[str], text: str) -> list[int]:
    """Start offsets of the matches of ``rx`` that begin a word (or begin with a symbol).

    The patterns carry no look-behind for the word start (it would stop the regex engine from
    skipping ahead by the first letter, and dominated parsing time); it is checked here.
    """
    out: list[int] = []
    pos = 0
    while (m := rx.search(text, pos)) is not None:
        start = m.start()
        prev = text[start - 1] if start else " "
        if not (prev.isalnum() or prev in "'_") or not (
            text[start].isalnum() or text[start] == "'"
        ):
            out.append(start)
            pos = m.end() if m.end() > start else start + 1
        else:
            pos = start + 1
    return out


def kinds_by_clause(
    norm: str, bounds: list[tuple[int, int]], candidates: list[str]
) -> list[set[str]]:
    """The kinds of each clause (``bounds`` are its offsets in ``norm``), negations applied.

    One scan of the post per candidate kind; a clause with a hit is then checked for negations.
    """
    out: list[set[str]] = [set() for _ in bounds]
    starts = [a for a, _ in bounds]
    for kind in candidates:
        for pos in word_matches(TRIGGERS[kind], norm):
            i = bisect_right(starts, pos) - 1
            if i >= 0 and pos < bounds[i][1]:
                out[i].add(kind)
    for i, kinds in enumerate(out):
        if kinds & _NEGATABLE:
            out[i] = kinds_in(norm[bounds[i][0] : bounds[i][1]], sorted(kinds))
    if any(h in norm for h in _THREAT_OVER_HINTS):
        for i, (a, b) in enumerate(bounds):
            if out[i] & _THREATS and THREAT_OVER.search(norm, a, b):
                out[i] = out[i] - _THREATS
    return out


def kinds_in(clause: str, candidates: list[str] | None = None) -> set[str]:
    """The kinds whose triggers occur in one normalised clause, negations applied."""
    kinds = TRIGGERS if candidates is None else candidates
    found = {kind for kind in kinds if word_matches(TRIGGERS[kind], clause)}
    for kind in list(found):
        neg = NEGATIONS.get(kind)
        if neg is not None and neg.search(clause):
            # A negation cancels the kind only if no other, positive trigger remains.
            stripped = neg.sub(" ", clause)
            if not word_matches(TRIGGERS[kind], stripped):
                found.discard(kind)
    return found
