"""The first pass over a play: which conventions does this document use?

Every line that could open a speech is read as a *candidate* in each cue form
it fits (``**NAME:**``, ``NAME.``, ``Name (direction).``, a name alone on its
line …).  The census counts the forms and the names they carry, and decides
from that evidence which forms are cues here, which names are characters,
whether cues open paragraphs or lines, and how speeches and directions are
laid out.  A form used once against the document's grain is not a cue; a form
used hundreds of times is one, however unusual.  The parse (``play.py``)
applies the decision; ``check`` shows it.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field

from .blocks import Block, SourceLine
from .conventions import (
    ABBREVIATED_TITLES,
    CAST_HEADINGS,
    HONORIFICS,
    SENTENCE_OPENERS,
    alternation,
)
from .cues import (
    GROUP_ALL,
    GROUP_NAMES,
    LOWER_TAIL,
    NAME_SUFFIXES,
    NOT_CHARACTERS,
    Cue,
    is_cast_list_entry,
    may_join_names,
    name_key,
    parse_cue,
)

BOLD_COLON, BOLD, COLON, PERIOD, BRACKET, COMMA, ARROW, SPACED, ALONE = (
    "**NAME:**", "**NAME**", "NAME:", "NAME.", "NAME [..]", "NAME, ..", "NAME>", "NAME text", "NAME alone",
)
FORM_ORDER = (BOLD_COLON, BOLD, COLON, PERIOD, BRACKET, COMMA, ARROW, SPACED, ALONE)
WEAK_FORMS = frozenset({SPACED})  # no mark at all between name and speech: only as the play's own form
MARKED_FORMS = frozenset({BOLD_COLON, COLON})  # deliberate enough to trust on first use

_BOLD = re.compile(r"^(\*\*|__)(?P<inner>[^*_]+?)(?P<colon>:?)\1(?P<after>.*)$")
_ITALIC = re.compile(r"^([*_])(?P<inner>[^*_\s][^*_]*?)\1(?![*_\w])(?P<after>.*)$")
_COLON = re.compile(
    r"^(?P<name>[^:*_\[\]()]{1,80}?(?:\s*\([^()]*\))*)\s*:(?:\s+(?P<rest>.*)|(?P<tight>[A-Z¿¡\"“'(\[].*)|$)")  # "Kids:Yes mummy!"
# "Fairy godmother:", "All kids:": a name in a children's play typed with only its first word capitalised
_SENTENCE_CASE_NAME = re.compile(rf"^(?!(?i:{alternation(SENTENCE_OPENERS)})\b)[A-Z][\w'’\-]*(?: [a-z][\w'’\-]*){{1,2}}$")
# "Un Soldat _avance_: Madame…": how the line is said, in italics between the name and its colon
_ITALIC_BEFORE_COLON = re.compile(r"^(?P<name>[^:*_\[\]()]{1,60}?)\s+(?P<mark>[_*])(?P<direction>[^_*:]{1,60}?)(?P=mark)"
                                  r"\s*:(?P<rest>.*)$")
_ARROW = re.compile(r"^(?P<name>[^>()<]{1,60}?\s*(?:\([^()]*\))?)\s*>\s*(?P<rest>.*)$")
_BRACKET = re.compile(r"^(?P<name>[^\[\](){}:;!?]{1,80}?)\s+(?P<rest>[\[({].*)$")


def _letters(cased: str) -> str:
    """A character class body of every BMP letter that is upper (``"upper"``) or lower case:
    ``re`` has no ``\\p{Lu}``, and cues are written in Cyrillic, Greek and accented capitals too."""
    test = str.isupper if cased == "upper" else str.islower
    spans: list[list[int]] = []
    for code in range(0x2FF0):
        if chr(code).isalpha() and test(chr(code)):
            if spans and spans[-1][1] == code - 1:
                spans[-1][1] = code
            else:
                spans.append([code, code])
    return "".join(re.escape(chr(a)) if a == b else f"{re.escape(chr(a))}-{re.escape(chr(b))}" for a, b in spans)


_UPPER, _LOWER = _letters("upper"), _letters("lower")
# "TOBY  Approach", and speeches that open with a quote, an apostrophe or a one-letter word:
# "MARIA  \"You must not…", "TOBY  'Slight, I'll…", "VIOLA  O, I…"; in any capitals:
# "БАРОН  Дальше!", "ARGÉLIE  Timagène !", "НАСТЯ  «Уйди»…"
# Two spaces or more are a deliberate gap: after them the speech may open as it likes, in lower case
# (Greek editions: "ΛΥΣΙΣΤΡΑΤΗ  ἀλλ’ εἴ τις…"), with "¡¿" (Spanish), a dash or dots ("ROQUE  ...Pues vete.").
_SPACED = re.compile(rf"^(?P<name>[{_UPPER}][{_UPPER}0-9ºª'’. \-]{{0,60}}?[{_UPPER}0-9ºª.])"
                     rf"(?:\s+(?P<rest>(?:[{_UPPER}][{_LOWER}’'].*|I\b.*|[{_UPPER}][\s,;:!?].*|[\"“‘'«„][{_UPPER}{_LOWER}].*))"
                     rf"|\s{{2,}}(?P<wide>(?:[¿¡\"“‘'«„–—(\[-]|\.\.\.|…)*\s?[{_UPPER}{_LOWER}].*))$")
# The same cue read up to its gap first: "GÄST I  Det var…" is GÄST I, not GÄST saying "I Det var…"
# "LAUER, SPRINGER  Gute Nacht!": two names said together; "GRÜNFELD  45!": a speech may open with a number
_SPACED_GAP = re.compile(rf"^(?P<name>[{_UPPER}](?:[{_UPPER}0-9ºª'’.\-]|,? (?! )){{0,60}}?[{_UPPER}0-9ºª.])"
                         rf"\s{{2,}}(?P<wide>(?:[¿¡\"“‘'«„–—(\[-]|\.\.\.|…)*\s?[{_UPPER}{_LOWER}0-9].*)$")
# A colon cue whose name holds lower-case words, as books print them: "Die erste Amazone:", "Der alte W:",
# "Le vieux Gaston:", "Судебный следователь:"; or a title or article before a name in capitals:
# "Madame DORVAL:", "Le LIBRAIRE:". Read only where the name recurs or is in the cast list (play.py).
_NAME_WITH_LOWER_WORDS = re.compile(
    rf"^(?!(?i:{alternation(SENTENCE_OPENERS)})\b)(?:[{_UPPER}][\w'’\-]*(?: [{_LOWER}][\w'’\-]*){{1,2}}(?: [{_UPPER}][\w'’\-]*)?"
    rf"|[{_UPPER}][{_LOWER}]+\.?(?: [{_LOWER}]+['’]?)? [{_UPPER}][{_UPPER}'’\-]+(?: [{_UPPER}][{_UPPER}'’\-]+)?)$")
# "KLESHCH, [to BARON.]  What are you…": the Folger layout's cue with how it is said, then the gap
_SPACED_DIRECTION = re.compile(r"^(?P<name>[^,:\[\](){}]{1,60}?),\s+[\[(](?P<direction>[^\[\](){}]{1,160})[\])]\s{2,}(?P<rest>\S.*)$")
_COMMA = re.compile(r"^(?P<name>[^,.:a-z]{2,60}),\s+(?P<direction>[^.]{1,80})\.\s+(?P<rest>.+)$")
_PERIOD_END = re.compile(r"\.(?=\s|$)")
_PERIOD_OR_DASH_END = re.compile(r"(?<!\.)\.(?:[-—–]+\s*|(?=\s|$))")  # "MADRE.—¿Qué?", "NOVIO.-  Me voy.": Spanish cues
# "MARIE ihn ansehend, mit Ausdruck. Geh' einmal…": a name in capitals, then how it is said in lower case
# (set in spaced type in the printed German editions, plain in their texts)
_CAPS_NAME_THEN_DIRECTION = re.compile(
    rf"^(?P<name>[{_UPPER}][{_UPPER}0-9]+(?:[.'’\-][{_UPPER}0-9]*)*(?:\s+[{_UPPER}][{_UPPER}0-9]+(?:[.'’\-][{_UPPER}0-9]*)*){{0,3}})"
    rf" (?P<direction>[{_LOWER}][^.!?]{{0,80}})$"  # one space: after two, the Folger gap, the speech opens
)
_TITLES = ABBREVIATED_TITLES
_CAST_HEADING = re.compile(
    r"^[*_#\s]*(dramatis person(?:ae|æ)|(?:the )?persons (?:of|in) the (?:play|drama)|(?:the )?persons represented|"
    r"(?:the )?characters(?: in the play| of the play)?|cast(?: of characters| list)?|the cast|"
    rf"{alternation([w for words in CAST_HEADINGS.values() for w in words])}|"
    r"(?:the )?people (?:of|in) the play|voices|(?:characters|voices|cast) (?:\(?in order of (?:their )?"
    r"(?:appearance|occurrence|speaking)\)?)|voices \(in order of (?:their )?(?:appearance|occurrence)\))[.:*_\s]*(?:\s{2,}(?:original )?cast[.:]?)?$",
    re.IGNORECASE,
)
_CAST_ENTRY_NAME = re.compile(rf"^[*_\s]*(?P<name>[^,.(\[{{}}—–:*_]+?(?:\.\s?[{_UPPER}][^,.(\[{{}}—–:*_]*?)?)\s*(?:[,.(\[{{}}—–:*_]|\s{{2,}}|$)")


# Radio and sound cues: "MUSIC:     UP, THEN OUT.", "SOUND:" over "KNOCK ON DOOR", "SFX 12: GATE SLAMS"
TECHNICAL_CUE = re.compile(
    r"^(?:\d{1,4}\s+)?(?:SOUND|MUSIC|SFX|FX|F/X|GRAMS|LX|SOUND EFFECTS?|SOUND CUE|MUSIC CUE|LIGHTING CUE|LIGHTS CUE|SPOT FX|"
    r"Sound|Music|Sound [Cc]ue|Music [Cc]ue)(?:\s*#?\s*\d+[A-Z]?)?\s*:(?P<rest>.*)$"
)


@dataclass(frozen=True)
class Candidate:
    """One way a line could open a speech."""

    form: str
    caps: bool
    cue: Cue
    rest: str
    alone: bool = False  # the line holds nothing but the cue
    unmarked_direction: bool = False  # "MARIE spöttisch. Ach was!": only a known name opens a speech so


def _caps(name: str) -> bool:
    name = name.replace("º", "").replace("ª", "")  # "MINERO 2º": ordinal marks count as lower case to str
    return not any(map(str.islower, name)) and any(map(str.isalpha, name))


_PARENS = re.compile(r"\([^()]*\)")
_BOLD_PAREN_COLON = re.compile(r"^\s*\((?P<paren>[^()]*)\)\s*:\s*(?P<rest>.*)$")


@dataclass(frozen=True)
class Reading:
    """The cue forms one line fits, best first."""

    candidates: tuple[Candidate, ...]
    grouped: bool  # a name it tried holds ``&``, ``and`` or a comma: who speaks alone decides what it is


def _candidate(form: str, name: str, rest: str, *, direction: str | None = None,
               solo: frozenset[str] | None = None, unmarked: bool = False) -> Candidate | None:
    name = name.strip()
    bare = _PARENS.sub("", name) if "(" in name else name
    caps = _caps(LOWER_TAIL.sub("", bare) if "," in bare else bare)  # "GASTON, seul" is a name in capitals
    cue = parse_cue(name, caps=caps, solo=solo)
    if cue is None:
        return None
    if direction:
        cue = Cue(cue.text, cue.names, f"{direction}; {cue.direction}" if cue.direction else direction, cue.alias)
    rest = rest.strip()
    return Candidate(form, caps, cue, rest, alone=not rest, unmarked_direction=unmarked)


def candidates(text: str, solo: frozenset[str] | None = None) -> tuple[Candidate, ...]:
    """Every cue form ``text`` (one line, or a line joined with its wrapped cue
    direction) fits, best first; ``solo`` as for ``parse_cue``."""
    return read_line(text, solo).candidates


_NO_CUE = Reading((), grouped=False)


def read_line(text: str, solo: frozenset[str] | None = None) -> Reading:
    head = text[:1]
    if not head or not (head.isupper() or head.isdigit() or head in "*_@"):
        return _NO_CUE  # every cue opens with a capital, a digit or a mark
    if head.isdigit() and (margin := _MARGIN_NUMBER.match(text)):
        return _read_line(text[margin.end():], solo)  # "13 LAZARUS: Hey!": a numbered script's line number
    return _read_line(text, solo)


_MARGIN_NUMBER = re.compile(r"^\d{1,4}\s+(?=[A-Z][A-Z'’.\- ]*[:.]|[A-Z][A-Z'’.\- ]*$)")


@functools.lru_cache(maxsize=1 << 16)
def _read_line(text: str, solo: frozenset[str] | None) -> Reading:
    found: list[Candidate] = []
    grouped = False

    def add(form: str, name: str, rest: str, direction: str | None = None, unmarked: bool = False) -> Candidate | None:
        nonlocal grouped
        grouped = grouped or may_join_names(name)
        c = _candidate(form, name, rest, direction=direction, solo=solo, unmarked=unmarked)
        if c is not None:
            found.append(c)
        return c

    def reading() -> Reading:
        return Reading(tuple(found), grouped)

    bold = _BOLD.match(text)
    if bold:
        inner, after = bold.group("inner").strip(), bold.group("after")
        if bold.group("colon") or after.lstrip().startswith(":"):
            add(BOLD_COLON, inner.rstrip(":"), after.lstrip()[1:] if not bold.group("colon") else after)
        elif m := _BOLD_PAREN_COLON.match(after):
            add(BOLD_COLON, f"{inner} ({m.group('paren')})", m.group("rest"))
        elif inner.endswith(".") and not _ends_abbreviated(inner):
            add(BOLD, inner[:-1], after)
        elif not after.startswith(("*", "_")):
            add(BOLD, inner, after.lstrip(" .:"))
        return reading()
    italic = _ITALIC.match(text)
    if italic:
        return _read_italic(italic.group("inner"), italic.group("after"), solo)
    if ":" in text and (aside := _ITALIC_BEFORE_COLON.match(text)):
        text = f"{aside.group('name')} ({aside.group('direction')}):{aside.group('rest')}"  # "UN SOLDAT _avance_:"
    if "," in text and (gap := _SPACED_DIRECTION.match(text)) and _caps(gap.group("name")) and _SPACED.match(f"{gap.group('name')}  {gap.group('rest')}"):
        add(SPACED, gap.group("name"), gap.group("rest"), direction=gap.group("direction").strip().rstrip("."))
        return reading()
    stripped = text.rstrip(" .:")
    if (stripped and stripped[-1] not in ",;&" and ":" not in stripped and not stripped.endswith((" and", " AND"))
            and not UNMARKED_DIRECTION.match(stripped)
            and _periods_abbreviate(stripped)
            and add(COLON if text.rstrip().endswith(":") else ALONE, stripped, "") is not None):
        if "  " in text and (gap := _SPACED_GAP.match(text)) and add(SPACED, gap.group("name"), gap.group("wide")):
            # "CANDIDA  (Per che…?)", "LAUER, SPRINGER  Gute Nacht!": the Folger gap, then the speech, if the play cues so
            found.insert(0, found.pop())
        elif ". " in stripped and (period := _period(text)) is not None and period[1].strip() and not _caps(period[1]):
            add(PERIOD, *period)  # "Tr. Philolaches.": Tranio's one-word speech, or a name with an initial alone
        return reading()
    colon = _COLON.match(text) if ":" in text else None
    if colon:
        name = colon.group("name").rstrip()
        if name.endswith(".") and not _ends_abbreviated(name):
            name = name[:-1]  # "Jensen.:": a name, its stop and a colon
        rest = colon.group("rest") or colon.group("tight") or ""
        if add(COLON, name, rest) is None:
            bare, direction = _name_and_direction(name)
            if _SENTENCE_CASE_NAME.match(bare) or _NAME_WITH_LOWER_WORDS.match(bare):
                found.append(Candidate(COLON, False, Cue(name, (bare,), direction), rest.strip(), alone=not rest.strip()))
    arrow = _ARROW.match(text) if ">" in text else None
    if arrow:
        add(ARROW, arrow.group("name"), arrow.group("rest"))
    period = _period(text)
    said_how = period is not None and (m := _CAPS_NAME_THEN_DIRECTION.match(period[0])) is not None \
        and add(PERIOD, m.group("name"), period[1], direction=m.group("direction"), unmarked=True) is not None
    if not said_how and (period is None or add(PERIOD, *period) is None):
        bracket = _BRACKET.match(text) if "[" in text or "(" in text or "{" in text else None
        if bracket and _caps(bracket.group("name")):
            add(BRACKET, bracket.group("name"), bracket.group("rest"))
        comma = _COMMA.match(text) if "," in text else None
        if comma:
            add(COMMA, comma.group("name"), comma.group("rest"), direction=comma.group("direction"))
        if not found and (titled := _TITLE_THEN_SPEECH.match(text)) and titled.group("title") in _TITLES \
                and titled.group("title") not in HONORIFICS and not _caps(titled.group("rest").split(" ", 1)[0][1:]):
            add(PERIOD, titled.group("title"), titled.group("rest"))  # "SEN. Vt aétas…"
        spaced = (_SPACED_GAP.match(text) or _SPACED.match(text)) if not found else None
        if spaced:
            add(SPACED, spaced.group("name"), spaced.groupdict().get("rest") or spaced.group("wide"))
    return reading()


_NAME_THEN_PARENS = re.compile(r"^(?P<name>[^()]+?)\s*(?P<parens>(?:\([^()]*\)\s*)*)$")


def _name_and_direction(text: str) -> tuple[str, str | None]:
    """``Der alte W (ein Greis)`` -> the name, and what its parentheses say."""
    m = _NAME_THEN_PARENS.match(text.strip())
    if m is None:
        return text.strip(), None
    said = "; ".join(p.strip() for p in re.findall(r"\(([^()]*)\)", m.group("parens")) if p.strip())
    return " ".join(m.group("name").split()), said or None


def _read_italic(inner: str, after: str, solo: frozenset[str] | None) -> Reading:
    """``_Filch._ Sir, …``, ``*Ogre*`` alone: a name set in italics (as Gutenberg texts
    write them) reads as the same name unmarked; ``_Polly_ goes out`` is no cue."""
    if inner.endswith(" ") or not (inner.endswith((".", ":")) or not after.strip() or after.startswith((".", ":"))):
        return _NO_CUE
    return _read_line(inner + after, solo)


def _ends_abbreviated(name: str) -> bool:
    """``HARRY, JR.`` keeps its period; ``ROMEO.`` is a name and a period."""
    word = name.rstrip(".").rsplit(" ", 1)[-1].upper()
    return word in _TITLES or word in NAME_SUFFIXES


def _periods_abbreviate(name: str) -> bool:
    """``MRS. O'BRIEN``, ``J. R. EWING``: a period inside a name ends a title or an initial,
    never a sentence (``Porter. Sixpence``)."""
    if "." not in name:
        return True
    caps = _caps(name)
    for m in _PERIOD_END.finditer(name):
        word = name[: m.start()].rsplit(" ", 1)[-1]
        if word.upper() not in _TITLES and len(word) > 2 and not (caps and len(word) <= 6):
            return False  # "ERST. WÄCHT": short words in capitals abbreviate one name
    return True


def _period(text: str) -> tuple[str, str] | None:
    """``NAME. text``, ``Mrs. Linde. text``, ``Helmer (calls out). text``: the name and the rest."""
    window = 120
    if (opening := text.find("(", 0, 60)) >= 0 and (closing := text.find(")", opening, 400)) >= 120:
        window = closing + 4  # "Dintel (ein großer, magerer Mann; … Pfeifchen:). Guten Abend": a long direction
    for m in _PERIOD_OR_DASH_END.finditer(text[:window]):
        head = text[: m.start()]
        if head.count("(") != head.count(")"):
            continue
        bare = head.rsplit(" ", 1)[-1].strip("(").upper()
        if bare in _TITLES and "(" not in head:
            continue
        if len(bare) == 1 and bare.isalpha() and _CAPS_TO_STOP.match(text, m.end()):
            continue  # "C. OF LOR. My lord": an initial inside a name in capitals, which ends at the next stop
        if 1 < len(bare) <= 6 and _caps(head) and _CAPS_ABBREVIATION.match(text, m.end()):
            continue  # "ERST. WÄCHT. Euer…", "ERST. WÄCHT  Euer…": abbreviated words of one name in capitals
        if not head.strip() or head.strip()[0] in "([*_":
            return None
        return head, text[m.end():]
    return None


# "SEN. Vt aétas mea…": a title's abbreviation in capitals as a whole cue (Plautus's senex), where no
# name in capitals follows it and no other reading fits (a cue only where it recurs as the play's cues do)
_TITLE_THEN_SPEECH = re.compile(r"^(?P<title>[^\W\d_a-z]{2,8})\.\s+(?P<rest>\S.*)$")
_CAPS_TO_STOP = re.compile(rf"\s*[{_UPPER}0-9][{_UPPER}0-9'’\-]*(?:\.?\s[{_UPPER}0-9][{_UPPER}0-9'’\-]*)*"
                           rf"(?:\.(?=\s|$)|(?=\s{{2,}}\S|\s*[(\[]|,\s*[\[(]))")  # "D. CHISCIOTTE  Sancio…" (Folger)
# After a word of a name in capitals and its stop: more of the name in capitals, up to the cue's end (a
# stop and the speech, the Folger layout's gap, a direction in brackets): "ERST. WÄCHT. Euer…", "ERST.
# WÄCHT  Euer…", not "HOLM. Nein." (a speech opens in lower case), "HOLM. O, …" (one letter), nor
# "VALBORG. OLOF." alone on its line (who is on stage, under a scene heading); both words short, as
# abbreviations are (not "DE FÖRRA. PROFESSORN. HILMA.").
_CAPS_ABBREVIATION = re.compile(
    rf"\s[{_UPPER}][{_UPPER}'’\-]{{1,5}}(?:\.?\s[{_UPPER}0-9][{_UPPER}0-9'’\-]*)*(?:\.(?=\s+\S)|(?=\s{{2,}}\S|\s*[(\[]|,\s*[\[(]))")


@dataclass
class FormUse:
    form: str
    caps: bool
    count: int = 0
    support: int = 0  # uses whose name recurs or is in the cast list
    at_paragraph_start: int = 0

    @property
    def label(self) -> str:
        case = "capitals" if self.caps else "mixed case"
        shown = self.form if self.caps else self.form.replace("NAME", "Name")
        return f'"{shown}" {case}'


@dataclass
class Conventions:
    """What the census decided, shown by ``check`` and used by the parse."""

    forms: list[FormUse] = field(default_factory=list)  # accepted, most used first
    accepted: frozenset[tuple[str, bool]] = field(default=frozenset(), repr=False)
    """(form, caps) of every accepted form, a name alone on its line in both cases: what ``accepts``
    looks up (the parse asks it for every candidate of every line).  Set with ``forms``."""
    rejected: list[FormUse] = field(default_factory=list)
    names: set[str] = field(default_factory=set)  # name keys that are characters
    solo: frozenset[str] = frozenset()  # name keys that speak on their own
    cast: dict[str, str] = field(default_factory=dict)  # cast-list name key -> name as listed
    cast_notes: dict[str, str] = field(default_factory=dict)  # name as listed -> its description there
    cast_blocks: set[int] = field(default_factory=set)
    aliases: dict[str, str] = field(default_factory=dict)  # cue name key -> the character it names
    joint_cues: dict[str, tuple[str, ...]] = field(default_factory=dict)  # "MACBETH LENNOX" -> both of them
    spelled: dict[str, str] = field(default_factory=dict)  # cue name key -> its commonest spelling as a cue
    cues_open_paragraphs: bool = False
    directions: Counter[str] = field(default_factory=Counter)
    unmarked_directions: bool = False
    paren_lines: int = 0  # lines wholly in ( ): "(Enter CHORUS.)", "*(sighing)*"
    bracket_lines: int = 0  # lines wholly in [ ]
    lone_cues_head_speeches: bool = False  # "ROMEO." alone on the first line of the paragraph that holds the speech
    readings: dict[tuple[int, int], tuple[tuple[Candidate, ...], int]] = field(default_factory=dict, repr=False)
    """(block, line) -> the cue forms the line fits, read with ``solo``, and the lines it takes."""

    @property
    def spoken_parens(self) -> bool:
        """A play whose directions standing on their lines are all in ``[…]`` (and many of them):
        its ``(…)`` are words said in parenthesis, not directions."""
        brackets = self.directions["[…]"] + self.directions["[_…_]"]
        return self.paren_lines == 0 and self.bracket_lines >= 1 and brackets >= 3

    @property
    def brackets_directions(self) -> bool:
        """Does the play set its directions in ``[…]`` more often than in ``(…)``?  Then a whole
        speech in ``(…)`` may be an aside, said."""
        brackets = self.directions["[…]"] + self.directions["[_…_]"]
        return self.bracket_lines >= 1 and brackets >= 3 and brackets >= self.directions["(…)"]

    @property
    def one_paragraph_speeches(self) -> bool:
        """Cues that open the paragraphs of a hard-wrapped play end their speech there."""
        return self.cues_open_paragraphs

    def accepts(self, form: str, caps: bool) -> bool:
        """Is this a cue form here?  A name alone on its line is one form in either case
        (Shakespeare texts give ``First Witch`` and ``MACBETH`` alike)."""
        return (form, caps) in self.accepted

    def primary(self) -> FormUse | None:
        return self.forms[0] if self.forms else None

    def summary(self) -> str:
        cues = ", ".join(f"{f.label} {f.count}×" for f in self.forms) or "none found"
        marks = ", ".join(f"{k}" for k, _ in self.directions.most_common()) or "none"
        if self.unmarked_directions:
            marks += ", plain paragraphs"
        speeches = "one paragraph" if self.one_paragraph_speeches else "may run over several paragraphs"
        if self.spoken_parens:
            marks += "; (…) spoken"
        where = "cues open paragraphs" if self.cues_open_paragraphs else "cues open lines"
        cast = f"; cast list: {len(set(self.cast.values()))} names" if self.cast else ""
        aliases = "; aliases: " + ", ".join(f"{k} → {v}" for k, v in sorted(self.aliases.items())) if self.aliases else ""
        joint = "; said together: " + ", ".join(
            f"{k} → {' + '.join(v)}" for k, v in sorted(self.joint_cues.items())) if self.joint_cues else ""
        return f"cues: {cues} ({where}); directions: {marks}; speeches: {speeches}{cast}{aliases}{joint}"

    def as_json(self) -> dict[str, object]:
        return {
            "cues": [{"form": f.form, "caps": f.caps, "count": f.count} for f in self.forms],
            "rejected_cue_forms": [{"form": f.form, "caps": f.caps, "count": f.count} for f in self.rejected],
            "cues_open_paragraphs": self.cues_open_paragraphs,
            "one_paragraph_speeches": self.one_paragraph_speeches,
            "directions": dict(self.directions.most_common()),
            "unmarked_directions": self.unmarked_directions,
            "cast_list": sorted(set(self.cast.values())),
            "aliases": dict(sorted(self.aliases.items())),
            "said_together": {k: list(v) for k, v in sorted(self.joint_cues.items())},
            "summary": self.summary(),
        }


def cue_text_of(block: Block, index: int = 0) -> tuple[str, int]:
    """The line at ``index``, joined with the next lines while a cue's ``(direction``
    is still open (``Rank (comes out of\\nthe study). Text``); returns the text and
    how many lines it used."""
    lines = block.lines
    text = lines[index].text
    used = 1
    head = text[:80]
    if "(" in head and head.find("(") < 60 and text.count("(") > text.count(")"):
        while index + used < len(lines) and used < 4 and text.count("(") > text.count(")"):
            text = f"{text} {lines[index + used].text}"
            used += 1
    return text, used


def is_cast_heading(text: str) -> bool:
    """``DRAMATIS PERSONAE``, ``Characters``, ``CHARACTERS      ORIGINAL CAST``."""
    return bool(_CAST_HEADING.match(text))


def read_cast_list(blocks: list[Block], stop: int) -> tuple[dict[str, str], set[int], dict[str, str]]:
    """Names in a dramatis personae before block ``stop``: key -> name as listed, the list's
    blocks, and each listed name's description ("his daughter, twenty-five years old")."""
    cast: dict[str, str] = {}
    notes: dict[str, str] = {}
    indexes: set[int] = set()
    in_list = False
    listed: str | None = None
    list_level = 0  # the cast heading's level: its sub-headings ("#### The Family") hold more of the list
    entry_indent: int | None = None  # where the list's entries stand
    for i, block in enumerate(blocks[:stop]):
        first = block.first.text
        if block.kind == "heading" and in_list and 0 < list_level < block.level and not _CAST_HEADING.match(first):
            continue
        if block.kind == "heading" or (block.kind == "paragraph" and _CAST_HEADING.match(first)):
            in_list = bool(_CAST_HEADING.match(first))
            list_level = block.level if block.kind == "heading" else 0
            entry_indent = None
            if in_list and block.kind == "paragraph":
                indexes.add(i)
                entries = block.lines[1:]
            else:
                continue
        elif in_list and block.kind == "rule":
            in_list = False  # "---": the next slide
            continue
        elif not in_list or block.kind != "paragraph":
            continue
        else:
            entries = block.lines
            after = blocks[i + 1] if i + 1 < len(blocks) else None
            # a setting centred below it, or the play set further left than the entries; a scene's number
            moved = entry_indent is not None and (block.indent >= entry_indent + 4
                                                  or (block.indent <= entry_indent - 2 and len(block.lines) > 1))
            if _is_prose(block) or TECHNICAL_CUE.match(first) or _ends_cast_list(block, cast, after) or moved \
                    or _SCENE_NUMBER.match(block.text):
                in_list = False
                if i - 1 in indexes and len(blocks[i - 1].lines) == 1:
                    indexes.discard(i - 1)  # "Beggar." over the first speech: a cue, not the list's last entry
                continue
            indexes.add(i)
        if entries and entry_indent is None:
            entry_indent = min(line.indent for line in entries)
        for line in entries:
            text = line.text.replace("}", " ").replace("{", " ")
            m = _CAST_ENTRY_NAME.match(text)
            if listed and text[:1].islower():  # a description wrapped onto the next line
                notes[listed] = f"{notes.get(listed, '')} {text}".strip()
                continue
            listed = None
            if not m:
                continue
            name = m.group("name").strip(" }{")
            words = name.split()
            if not name or len(words) > 6 or not name[0].isupper() or _describes_a_place(words):
                continue
            cast.setdefault(name_key(name), name)
            listed = cast[name_key(name)]
            note = text[m.end():].strip(" ,.:;—–-*_()[]")
            if note and not set(note) <= set(". "):
                notes.setdefault(listed, note)
            if len(words) > 1 and words[0].upper().rstrip(".") not in _TITLES:
                for word in words:
                    if len(word) > 2 and word[0].isupper() and word.upper() not in ("THE", "OF"):
                        cast.setdefault(name_key(word), name)
    return cast, indexes, notes


def _describes_a_place(words: list[str]) -> bool:
    """"A drawing-room in …", "The scene is laid …": prose after the entries, not a name
    ("The Doctor", "A Stranger" are names)."""
    return len(words) > 1 and words[0] in ("A", "An", "The") and words[1][:1].islower()


def _ends_cast_list(block: Block, cast: dict[str, str], after: Block | None = None) -> bool:
    """A paragraph after a cast list that is no entry of it: a stage direction, or a listed
    character speaking (the play has begun; a one-act play may have no heading between): a cue
    and its words on the line, or a listed name and its colon alone over the lines of the speech
    (``MERCURIO:`` over his verse, the book layout)."""
    first_line = block.first.text
    if first_line.lstrip("*_ ").startswith(("[", "(")):
        return True
    over_speech = len(block.lines) > 1 or (after is not None and after.kind == "paragraph")
    # "PAL" / "Quo ted hoc noctis…": a name alone over a line that is no name (an entry's next line
    # would be another entry, or its description)
    over_words = len(block.lines) > 1 and not any(c.alone for c in candidates(block.lines[1].text))
    listed = {_unaccented(k) for k in cast}  # "ΑΝΤΙΓΟΝΗ." for "Ἀντιγόνη": Greek capitals drop the accents

    words = {w for k in listed for w in re.split(r"[\s'’]+", k)}

    def is_listed(name: str) -> bool:  # "OCT." for Octavia, "ANGELO" for "L'Angelo che annuncia"
        key = _unaccented(name_key(name)).rstrip(".")
        return key in listed or key in words or (len(key) >= 3 and any(k.startswith(key) for k in listed))

    return any(c.form != COMMA and (c.rest.strip() if not c.alone else (c.form == COLON and over_speech)
                                    or (c.form == ALONE and c.caps and over_words))
               and all(map(is_listed, c.cue.names)) for c in candidates(first_line))


def _unaccented(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))


_NAME_LIST = re.compile(r"^(?:[^\W\d_a-zß][^\Wa-zß]*(?:\s[^\W\d_a-zß][^\Wa-zß]*){0,3}[.,]\s*)+$")  # "OLOF. LISEN, IVAR."
_SCENE_NUMBER = re.compile(r"^(?:[IVXL]{1,6}|\d{1,3})\.?$")  # "I", "1": a scene numbered and nothing more


def _is_prose(block: Block) -> bool:
    """A paragraph of running text, where a cast list has ended (``If Poverty be a Title
    to Poetry, …`` wrapped over lines): one long line, or two lines of ten words or more."""
    if len(block.lines) == 1:
        return len(block.first.text.split()) > 14
    return sum(1 for line in block.lines if len(line.text.split()) >= 10) >= 2


def take_census(blocks: list[Block], heading_at: set[int], first_body: int) -> Conventions:
    """Decide the document's conventions.  ``heading_at`` holds the indexes of
    paragraphs that are structure (act and scene lines); ``first_body`` is the
    first block after any cast list."""
    conv = Conventions()
    conv.cast, conv.cast_blocks, conv.cast_notes = read_cast_list(blocks, first_body)
    found: list[tuple[int, int, Candidate]] = []  # block index, line index, candidate
    grouped: list[tuple[int, int, str]] = []  # lines whose reading waits on who speaks alone
    for bi, block in enumerate(blocks):
        if block.kind != "paragraph" or bi in conv.cast_blocks or bi in heading_at:
            continue
        li = 0
        while li < len(block.lines):
            text, used = cue_text_of(block, li) if li == 0 else (block.lines[li].text, 1)
            reading = read_line(text)
            conv.readings[bi, li] = (reading.candidates, used)
            if reading.grouped:
                grouped.append((bi, li, text))
            for cand in reading.candidates:
                if cand.alone and not _followed_by_text(blocks, bi, li + used):
                    continue
                if cand.alone and is_cast_list_entry(cand.rest):
                    continue
                if len(block.lines) == 1 and cand.rest.isupper() and _NAME_LIST.match(cand.rest):
                    continue  # "VALBORG. OLOF." under a scene title: who is on, no cue and its speech
                found.append((bi, li, cand))
            li += used
        _count_directions(block, conv)
    _read_listed_words(blocks, conv, found)
    _join_abbreviated_names(found, conv)

    def tally(use_lines: bool) -> dict[tuple[str, bool], FormUse]:
        name_counts: Counter[str] = Counter()
        for _bi, li, c in found:
            if use_lines or li == 0 or c.alone:
                for n in c.cue.names:  # not Counter.update: its set-up costs more than one name
                    name_counts[name_key(n)] += 1
        uses: dict[tuple[str, bool], FormUse] = {}
        for _bi, li, c in found:
            if not (use_lines or li == 0 or c.alone):
                continue
            use = uses.setdefault((c.form, c.caps), FormUse(c.form, c.caps))
            use.count += 1
            keys = [name_key(n) for n in c.cue.names]
            if all(name_counts[k] >= 2 or k in conv.cast or k in GROUP_NAMES for k in keys):
                use.support += 1
                use.at_paragraph_start += li == 0
        return uses

    uses = tally(use_lines=True)
    best = max(uses.values(), key=lambda u: u.support, default=None)
    if best is not None and best.form in (PERIOD, BRACKET, COMMA, ARROW, COLON, SPACED) and best.support >= 10:
        conv.cues_open_paragraphs = best.at_paragraph_start >= 0.9 * best.support and _wrapped(blocks)
    if conv.cues_open_paragraphs:
        uses = tally(use_lines=False)
    top = max((u.support for u in uses.values()), default=0)
    best_use = max(uses.values(), key=lambda u: (u.support, u.count), default=None)
    for use in sorted(uses.values(), key=lambda u: (-u.support, -u.count, FORM_ORDER.index(u.form))):
        if use.caps and use.form in MARKED_FORMS and use.count >= 1:
            accepted = True
        elif use.form in WEAK_FORMS:
            accepted = use.support >= max(4, 0.25 * top)
        elif use.caps and (best_use is None or _family(use.form) == _family(best_use.form)):
            accepted = use.support >= 2
        elif use.caps:
            accepted = use.support >= max(2, 0.05 * top)  # against the grain: "MRS HALE" alone in a cast list
        elif use.form == ALONE and any(f.form in (ALONE, BOLD) and not f.caps for f in conv.forms[:1]):
            accepted = use.support >= 4  # plain names alone, in a play whose cues stand alone
        else:
            accepted = use.support >= max(4, 0.25 * top)
        (conv.forms if accepted else conv.rejected).append(use)
    conv.forms.sort(key=lambda u: -u.count)
    conv.accepted = frozenset((f.form, caps) for f in conv.forms for caps in (True, False)
                              if f.caps == caps or f.form == ALONE)
    accepted = [(bi, li, c) for bi, li, c in found
                if conv.accepts(c.form, c.caps) and (li == 0 or c.alone or not conv.cues_open_paragraphs)]
    cues = [c for _bi, _li, c in accepted]
    lone = [(bi, li) for bi, li, c in accepted if c.alone]
    conv.lone_cues_head_speeches = len(lone) >= 4 and sum(
        1 for bi, li in lone if li == 0 and len(blocks[bi].lines) > 1) >= 0.5 * len(lone)
    conv.solo = frozenset(name_key(c.cue.names[0]) for c in cues if len(c.cue.names) == 1)
    for bi, li, text in grouped:
        conv.readings[bi, li] = (candidates(text, conv.solo), conv.readings[bi, li][1])
    if grouped:
        # "Parents One and Two": read again knowing who speaks alone, it is one name, not
        # PARENTS ONE and a character called TWO, so count it as it will be read
        regrouped = {(bi, li) for bi, li, _text in grouped}
        cues = [next((r for r in conv.readings[bi, li][0] if r.form == c.form and r.caps == c.caps
                      and not any("," in n for n in r.cue.names)), c)  # "Ready, Mr. Smythe." is no name
                if (bi, li) in regrouped else c for bi, li, c in accepted]
    counts: Counter[str] = Counter()
    spellings: dict[str, Counter[str]] = {}
    for c in cues:
        for n in c.cue.names:
            counts[name_key(n)] += 1
            spellings.setdefault(name_key(n), Counter())[n] += 1
            if c.form in MARKED_FORMS:
                conv.names.add(name_key(n))
    conv.spelled = {k: c.most_common(1)[0][0] for k, c in spellings.items()}
    conv.names.update(k for k, n in counts.items() if n >= 2)
    conv.names.update(conv.cast)
    conv.aliases = _aliases(counts, spellings, conv.cast)
    conv.joint_cues = _joint_cues(counts, spellings)
    primary = conv.primary()
    if primary is not None and primary.form in (ALONE, BOLD):
        conv.unmarked_directions = sum(conv.directions.values()) < 0.05 * primary.count
    return conv


def _read_listed_words(blocks: list[Block], conv: Conventions, found: list[tuple[int, int, Candidate]]) -> None:
    """``PS.  Id te Iuppiter…``: a word that is never a name elsewhere (``PS``, a postscript) is one where
    the cast list lists it on its own (Plautus's Pseudolus): read the lines that found no cue again,
    taking such names."""
    listed = frozenset(k for k, entry in conv.cast.items() if k in NOT_CHARACTERS and name_key(entry) == k
                       and len(k) >= 2 and not _ROMAN.fullmatch(k))  # not "I" (a heading under the list)
    if not listed:
        return
    redone: set[tuple[int, int]] = set()
    for (bi, li), (_read, used) in list(conv.readings.items()):
        block = blocks[bi]
        text = cue_text_of(block, li)[0] if li == 0 else block.lines[li].text
        first = _FIRST_WORD.match(text)
        if first is None or first.group("word").upper() not in listed:
            continue
        again = candidates(text, listed)
        if not any(name_key(n) in listed for c in again for n in c.cue.names):
            continue
        conv.readings[bi, li] = (again, used)
        redone.add((bi, li))
        found.extend((bi, li, c) for c in again if not (c.alone and not _followed_by_text(blocks, bi, li + used)))
    if redone:
        found[:] = [f for f in found if (f[0], f[1]) not in redone or any(name_key(n) in listed for n in f[2].cue.names)]


_ROMAN = re.compile(r"[IVXLC]+")
_FIRST_WORD = re.compile(r"^[*_#\s]*(?P<word>[^\W\d_]+)")


# "Wächt. Euer…" after the cue "Erst.": one capitalised word (a name's next abbreviated word, or the
# speech's first word), maybe how it is said, its stop, then the speech
_NEXT_WORD_STOPPED = re.compile(rf"^(?P<word>[{_UPPER}][{_LOWER}'’\-]{{0,11}})(?P<paren>\s*\([^()]*\))?\.\s+(?P<rest>\S.*)$")


def _join_abbreviated_names(found: list[tuple[int, int, Candidate]], conv: Conventions) -> None:
    """``Erst. Wächt. Euer Bruder…``, ``D. Chisciotte. Sancio…``: a name of abbreviated words in
    mixed case, each with its stop, first read as the cue ``Erst`` and a speech ``Wächt. Euer…``.
    A first word that (nearly) always has a capitalised word and a stop after it, and is no name in the
    cast list, opens a longer name: each second word it has twice or more is part of the cue.  A
    character's speeches that open with one stopped word (``Thore. Nej.``, ``Hans. Ja.``) do not: most of
    Thore's speeches open otherwise."""
    def one_name_and_speech(c: Candidate) -> bool:  # "Erst. Wächt. Euer…" as read first
        return c.form == PERIOD and not c.alone and not c.cue.direction and len(c.cue.names) == 1

    uses: Counter[str] = Counter()
    followed: Counter[str] = Counter()
    pairs: Counter[tuple[str, str]] = Counter()
    for _bi, _li, c in found:
        if not one_name_and_speech(c):
            continue
        key = name_key(c.cue.text)
        uses[key] += 1
        if (m := _NEXT_WORD_STOPPED.match(c.rest)) is not None:
            followed[key] += 1
            pairs[key, m.group("word")] += 1
    join = {pair for pair, n in pairs.items()
            if n >= 2 and followed[pair[0]] >= 0.8 * uses[pair[0]] and pair[0] not in conv.cast}
    if not join:
        return
    for i, (bi, li, c) in enumerate(found):
        if not one_name_and_speech(c):
            continue
        m = _NEXT_WORD_STOPPED.match(c.rest)
        if m is None or (name_key(c.cue.text), m.group("word")) not in join:
            continue
        longer = _candidate(PERIOD, f"{c.cue.text}. {m.group('word')}{m.group('paren') or ''}", m.group("rest"))
        if longer is None:
            continue
        found[i] = (bi, li, longer)
        read, used = conv.readings[bi, li]
        conv.readings[bi, li] = (tuple(longer if r is c else r for r in read), used)


def _family(form: str) -> str:
    """Cues that share a line with their speech, or stand on a line of their own."""
    return "alone" if form in (ALONE, BOLD) else "inline"


def _aliases(counts: Counter[str], spellings: dict[str, Counter[str]], cast: dict[str, str]) -> dict[str, str]:
    """Cue names that name one character: ``Doctor Rank``/``Rank`` (both in the cast
    list), ``PEAS.`` for PEASEBLOSSOM, ``THE CHILDREN``/``CHILDREN``."""
    def bare(key: str) -> str:
        return re.sub(r"^(?:THE|AN?) ", "", key)  # "A Flabby Gentleman", then "The Flabby Gentleman"

    groups: dict[str, list[str]] = {}
    for key in counts:
        if key in cast:
            groups.setdefault(cast[key], []).append(key)
            continue
        stem = key.rstrip(".")
        targets = {entry for ck, entry in cast.items()  # "OTHELLO'S" (in Iago's entry) abbreviates no one
                   if len(stem) >= 3 and ck != stem and ck.startswith(stem) and len(stem) <= 0.8 * len(ck)
                   and ck[len(stem)] not in "'’"}
        if len(targets) == 1:
            groups.setdefault(targets.pop(), []).append(key)
    by_bare: dict[str, list[str]] = {}
    for key in counts:
        by_bare.setdefault(bare(key), []).append(key)
    aliases: dict[str, str] = {}

    def spelled(key: str) -> str:
        return spellings[key].most_common(1)[0][0]

    for entry, keys in groups.items():
        exact = [k for k in keys if k in cast]
        if exact:
            main = spelled(max(exact, key=lambda k: counts[k]))
        else:
            main = entry if entry.isupper() or not all(spelled(k).isupper() for k in keys) else entry.upper()
        for k in keys:
            abbreviated = k not in cast
            if spelled(k) != main and (counts[k] == 1 or abbreviated):
                aliases[k] = main  # MADAME RAGOT and RAGOT, both heard often, stay two people
    for keys in by_bare.values():
        if len(keys) > 1:
            main = max(keys, key=lambda k: counts[k])
            for k in keys:
                if k != main and k not in aliases:
                    aliases[k] = aliases.get(main, spelled(main))
    return aliases


def _joint_cues(counts: Counter[str], spellings: dict[str, Counter[str]]) -> dict[str, tuple[str, ...]]:
    """``MACBETH LENNOX``: a cue that is two or more names each cued on its own more often
    than the pair, so both speak (an edition's way of writing a shared line)."""
    joint: dict[str, tuple[str, ...]] = {}
    for key, n in counts.items():
        words = key.split()
        if len(words) > 1 and not GROUP_ALL.intersection(words) and all(
                counts.get(w, 0) >= 2 and counts[w] > n for w in words):  # "All kids" is the kids, not ALL + KIDS
            joint[key] = tuple(spellings[w].most_common(1)[0][0] for w in words)
    return joint


def _followed_by_text(blocks: list[Block], bi: int, li: int) -> bool:
    block = blocks[bi]
    if li < len(block.lines):
        return True
    nxt = blocks[bi + 1] if bi + 1 < len(blocks) else None
    return nxt is not None and nxt.kind == "paragraph" and len(block.lines) == 1


def _wrapped(blocks: list[Block]) -> bool:
    """Are paragraphs hard-wrapped, so a line start is no sign of a new speech?"""
    paragraphs = [b for b in blocks if b.kind == "paragraph"]
    multi = sum(1 for b in paragraphs if len(b.lines) > 1)
    return multi >= 0.15 * max(1, len(paragraphs))


_DIRECTION_MARKS = (  # label, the mark each needs (most paragraphs hold none: no search), pattern
    ("[_…_]", "[_", re.compile(r"\[_[^\]]*_?\.?\]?")),
    # innermost pairs: the same test, in time linear in the text even where brackets never close
    ("[…]", "[", re.compile(r"\[[^\[\]_][^\[\]]*\]")),
    ("(…)", "(", re.compile(r"\([^()]*\)")),
    ("{…}", "{", re.compile(r"\{[^{}]*\}")),
    ("_…_", "_", re.compile(r"(?<![\w*])_[^_]+_(?!\w)")),
    ("*…*", "*", re.compile(r"(?<![\w*])\*[^*]+\*(?![\w*])")),
)


_WHOLE_LINE = re.compile(r"^[*_]*(?:\((?P<paren>.*)\)|\[(?P<bracket>.*)\])[*_.]*$")


def _count_directions(block: Block, conv: Conventions) -> None:
    for li, line in enumerate(block.lines):
        whole = _WHOLE_LINE.match(line.text) if line.text[:1] in "*_([" else None
        if whole:
            # "( Which by no means we may extenuate)" deep in a verse speech is a parenthesis said,
            # no sign that the play writes its directions in ( )
            conv.paren_lines += whole.group("paren") is not None and li < 2
            conv.bracket_lines += whole.group("bracket") is not None
    text = block.text
    for label, mark, pattern in _DIRECTION_MARKS:
        if mark in text and pattern.search(text):
            conv.directions[label] += 1
            return


def line_is_direction_word(line: SourceLine) -> bool:
    """A line that reads as an unmarked stage direction: ``Exeunt``, ``Knocking within``."""
    return bool(UNMARKED_DIRECTION.match(line.text)) and not line.text.rstrip().endswith(("?", "!", ",", ";"))


UNMARKED_DIRECTION = re.compile(
    r"^(?:Enter|Re-enter|Reenter|Exit|Exeunt|Exeunt omnes|Manet|Manent|Flourish|Sennet|Alarum|Alarums|Retreat|"
    r"Thunder|Knocking|Knocks|Hautboys|Trumpets?|Drums?|Dies|Descends|Ascends|They fight|Fight|Music|Aside|"
    r"Within|Noise|Song|Dance|Kneels|Rises|Sits|Stabs|Falls|Lights|Curtain|Blackout|Pause|Beat|Silence|"
    r"(?:A )?bell rings|Bell rings)\b(?:\W|$)",
)
