"""Which kinds of happening a clause reports: trigger patterns by stem, with their negations.

Patterns run on normalised text (lower case, one apostrophe, ASCII dashes). Stems cover
Ukrainian inflection ("обстріл", "обстрілом", "обстріляли"), Russian forms and English.
"""

from __future__ import annotations

import re
from typing import Final


def _rx(*parts: str) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in parts))


B = r"(?<![\w'])"  # start of a word
TRIGGERS: Final[dict[str, re.Pattern[str]]] = {
    "air_alert_start": _rx(
        B + r"повітрян\w* тривог(?:а|у)\b",
        B + r"тривог(?:а|у)\s*(?:!|в\b|у\b|на\b|-|$)",
        B + r"оголошен\w* тривог",
        B + r"воздушн\w* тревог[аи]\b",
        r"\bair[- ]raid alert\b(?! is over| ended| lifted| has ended)",
        r"\bair alert\b(?! is over| ended| lifted)",
        r"\balert (?:declared|announced|issued)\b",
        r"🔴",
    ),
    "air_alert_end": _rx(
        B + r"відбій(?! тривоги\s+(?:не|ще))",
        B + r"отбой",
        r"\ball[- ]clear\b",
        r"\balert (?:is over|ended|has ended|lifted|was lifted)\b",
        r"🟢",
    ),
    "drones": _rx(
        B + r"бпла",
        B + r"безпілотн",
        B + r"беспилотн",
        B + r"(?:ударн\w*|ворож\w*|російськ\w*|атакуюч\w*) (?:\w+ )?дрон",
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
        r"\bмопед",
    ),
    "missiles": _rx(
        B + r"ракет(?!н\w* небезпек\w* (?:не|відсутн))",
        B + r"балістик",
        B + r"балістичн",
        B + r"баллистик",
        B + r"крилат\w* (?:ракет|ціл)",
        B + r"швидкісн\w* ціл",
        B + r"кинджал",
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
        B + r"авіаційн\w* (?:удар|бомб)",
        B + r"(?:уаб|фаб|умпк)\b",
        r"\bglide bombs?\b",
        r"\bguided (?:aerial )?bombs?\b",
        r"\bair ?strikes?\b",
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
        B + r"(?:погиб|ранен|пострадав)\w*",
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
        B + r"пошкодж",
        B + r"пошкодил",
        B + r"зруйнован",
        B + r"зруйнува",
        B + r"знищен\w* (?!\d)(?!(?:\S+ ){0,3}(?:бпла|дрон|ракет|шахед|ціл))",
        B + r"пожеж",
        B + r"загоранн",
        B + r"займанн",
        B + r"горить|горіли|горів",
        B + r"уражен\w* (?:об'єкт|інфраструктур|підприємств|будин|склад|підстанці)",
        B + r"влучанн\w* (?:в|у|по)\s+(?!\d)",
        B + r"повреж",
        B + r"разруш",
        r"\bdamag(?:ed|es|ing)\b",
        r"\bdestroyed\b(?!(?:\s+\S+){0,3}\s+(?:drones?|missiles?|uavs?|targets?))",
        r"\bstruck\b",
        r"\bhit (?!\d)(?!by\b)(?!at\b)",
        B + r"влучил\w* (?:в|у|по)\s+(?!\d)",
        B + r"(?:прилетів|прилетіло|приліт)\w*",
        r"\b(?:fire broke out|caught fire|on fire|set ablaze|blaze)\b",
        r"\bfires?\b(?= (?:broke|at|in|erupted))",
    ),
    "power_outage": _rx(
        B + r"знеструмл",
        B + r"без (?:світла|електро\w*|електрики|живлення)",
        B + r"відсутн\w* (?:електро|світл|живлен)",
        B + r"аварійн\w* (?:відключен|знеструмлен)",
        B + r"обесточ",
        B + r"без света",
        r"\bpower (?:outages?|cuts?)\b",
        r"\bwithout (?:power|electricity|light)\b",
        r"\bblackouts?\b",
        r"\blost power\b",
        r"\bde-?energi[sz]ed\b",
    ),
    "outage_schedule": _rx(
        B + r"графік\w* (?:погодинн\w* |стабілізаційн\w* |планов\w* )?відключен",
        B + r"\bгпв\b",
        B + r"\bгав\b",
        B + r"погодинн\w* відключен",
        B + r"(?:\d|одн\w*|дв\w*|трьох|три|чотир\w*) черг",
        B + r"графики отключ",
        r"\b(?:outage|power-cut|blackout) schedules?\b",
        r"\brolling (?:blackouts|outages)\b",
        r"\bscheduled (?:power )?outages\b",
    ),
    "power_restored": _rx(
        B + r"відновил\w* (?:\w+ )?(?:електропостачанн|живленн|світло|енергопостачанн)",
        B + r"(?:електропостачання|живлення|світло|енергопостачання) (?:\w+ )?(?:відновлен|повернул|повернут)",
        B + r"відновлен\w* (?:\w+ )?(?:електропостачанн|живленн|енергопостачанн)",
        B + r"повернул\w* світло",
        B + r"(?:знову )?зі світлом",
        r"\bpower (?:was |has been |is )?(?:fully )?restored\b",
        r"\brestored (?:power|electricity)\b",
        r"\belectricity (?:was |has been )?(?:fully )?restored\b",
    ),
    "train_delay": _rx(
        B + r"затриму(?:ют|єть|ємо|вал)",
        B + r"затримк",
        B + r"затримаєт",
        B + r"затримаю",
        B + r"із затримк",
        B + r"запізн",
        B + r"змінен\w* маршрут",
        B + r"курсуват\w* (?:за )?змінен",
        B + r"(?:поїзд|потяг|рейс)\w* (?:\w+ ){0,2}скасован",
        B + r"скасован\w* (?:\w+ ){0,2}(?:поїзд|потяг|рейс)",
        B + r"рух (?:\w+ ){0,3}(?:обмежено|призупинено|ускладнено)",
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
        B + r"(?:постраждал|загибл|поранен|травмован)\w* (?:немає|нема|не(?:ма)? виявлено|не було)",
        B + r"без (?:травм|постраждал|жертв|загибл|поранен)",
        B + r"обійшлося без",
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
        B + r"курсують (?:за графіком|вчасно)",
        r"\bon (?:time|schedule)\b",
        r"\bno delays?\b",
    ),
    "air_alert_start": _rx(B + r"до відбою", r"\buntil the all[- ]clear"),
}

# Text after these words lists places still under alert: not new alerts, not places of the post.
STILL_ACTIVE: Final = _rx(
    B + r"(?:тривога )?ще трива\w*",
    B + r"досі трива\w*",
    B + r"тревога (?:ещё|еще) продолжается",
    r"\bstill (?:active|on|under)",
    r"\balert continues",
)


def kinds_in(clause: str) -> set[str]:
    """The kinds whose triggers occur in one normalised clause, negations applied."""
    found = {kind for kind, rx in TRIGGERS.items() if rx.search(clause)}
    for kind in list(found):
        neg = NEGATIONS.get(kind)
        if neg is not None and neg.search(clause):
            # A negation cancels the kind only if no other, positive trigger remains.
            stripped = neg.sub(" ", clause)
            if not TRIGGERS[kind].search(stripped):
                found.discard(kind)
    return found
