"""Format-independent pieces of script parsing: character cues, inline
directions, spoken text, and the builder that assembles a ``Script``.

The markdown and Fountain parsers find the structure of their format and
hand speeches, directions and headings to ``ScriptBuilder``.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field

from markdown_it import MarkdownIt

from ..delivery import delivery_from
from .model import Direction, Line, Part, Scene, Script, Source

_INLINE = MarkdownIt("commonmark")

GROUP_ALL = frozenset({"ALL", "EVERYONE", "EVERYBODY", "ALL CHARACTERS", "COMPANY", "ENSEMBLE", "TOGETHER"})
GROUP_BOTH = frozenset({"BOTH"})
GROUP_NAMES = GROUP_ALL | GROUP_BOTH  # made once: "x in GROUP_ALL | GROUP_BOTH" made the union at each test

# All-caps words that open a line like a cue but are never characters.
NOT_CHARACTERS = frozenset({
    "REMEMBER", "TIP", "TIPS", "HINT", "TASK", "QUESTION", "QUESTIONS", "ANSWER", "ANSWERS", "DISCUSS",
    "DISCUSSION", "VOCABULARY", "OBJECTIVE", "OBJECTIVES", "MATERIALS", "INSTRUCTIONS", "DIRECTIONS", "SUMMARY",
    "EXAMPLE", "NB", "PS", "P.S", "IMPORTANT", "WARNING", "STEP", "TRANSCRIBER'S NOTE", "EDITOR'S NOTE",
    "AUTHOR'S NOTE", "THE", "AND", "OR", "BUT", "OF", "TO", "IN", "AN", "BY", "FOR", "WITH", "YES", "NO", "OH", "AH", "WELL",
    "ACT DROP", "ACT DROPS", "END OF ACT", "END OF PLAY", "END OF THE PLAY", "SLOW CURTAIN", "QUICK CURTAIN",
    "TABLEAU", "DARKNESS", "THE CURTAIN FALLS", "FINIS", "WARM-UP", "DEBRIEF", "SCENE SETUP", "INT", "EXT",
    "ACT", "SCENE", "SETTING", "TIME", "PLACE", "NOTE", "NOTES", "AT RISE", "END", "THE END",
    "CURTAIN", "BLACKOUT", "LIGHTS", "LIGHTS UP", "LIGHTS DOWN", "FADE IN", "FADE OUT",
    "CUT TO", "INTERMISSION", "PROLOGUE", "EPILOGUE", "CAST", "CHARACTERS", "SOUND", "MUSIC",
    "SFX", "ENTER", "EXIT", "EXEUNT", "PAUSE", "BEAT", "SILENCE", "TRANSITION", "I", "O",
    "SCRIPT", "PROPS", "RESOURCES", "COSTUMES", "COSTUME", "SET", "SYNOPSIS", "RUNNING TIME", "DURATION",
    "LENGTH", "AGES", "AGE", "THEME", "MORAL", "GRAMS", "FX", "LX",
})

# Parenthetical cue extensions that are neither a direction nor an alias (compared without spaces).
EXTENSIONS = frozenset({"V.O.", "O.S.", "O.C.", "CONT'D", "CONTD", "CONT.", "CONTINUED", "OFF", "ONPHONE", "PRE-LAP",
                        "PRELAP", "INTO PHONE", "INTOPHONE", "FILTERED", "SUBTITLED", "ON TV", "ONTV", "ON RADIO",
                        "ONRADIO", "V.O", "O.S", "VO", "OS", "OC"})
NAME_SUFFIXES = frozenset({"JR.", "JR", "SR.", "SR", "II", "III", "IV", "ESQ.", "ESQ", "M.D.", "PH.D."})
# Lower-case words that may sit inside a mixed-case name: "Duke of York", "Maître d'Hôtel".
NAME_PARTICLES = frozenset({"of", "the", "de", "du", "des", "la", "le", "von", "van", "der", "den", "di", "da",
                            "del", "y", "and", "&", "in", "on", "at", "to", "a", "an", "d'", "o'", "mac"})

# Italian, Spanish and French editions cue "Il padre." / "La figliastra (…)." / "Le comte.": the article
# capitalised, the rest of the name in lower case.
ROMANCE_ARTICLES = frozenset({"Il", "Lo", "La", "Gli", "Le", "Les", "El", "Los", "Las", "Un", "Una", "Uno", "Une"})

_NUMBERED = re.compile(r"#\d+[A-Za-z]?")  # "GUARD #2", "Thug #3"
_NAME_CHARS = re.compile(r"^@?[^\W_][\w .'’\-#\"“”&,]*$")
# In a name, a mark that may join several people (or a name and how it is said: "JANOT, APARTÉ").
GROUP_MARK = re.compile(r"\s*(?:&|\+|/|,|\bAND\b|\band\b)\s*")
_GROUP_MARK_TEXT = re.compile(r"[&+/,]|AND|and")  # what every GROUP_MARK holds: a quick first test
_NOT_IN_NAMES = re.compile(r"[^\w .'’\-#\"“”&,+/@]")  # what _NAME_CHARS and GROUP_MARK allow
LOWER_TAIL = re.compile(r",\s*(?P<how>[^\W\d_A-Z][^\W\d_]*['’]?(?:\s+[^\W\d_A-Z][^\W\d_]*['’]?)?)\s*$")
"""``, seul`` / ``, à part`` / ``, aside`` ending a cue: one or two lower-case words, how it is said."""
_TRAILING_PAREN = re.compile(r"^(?P<name>.*?)\s*\((?P<paren>[^()]*)\)\s*$")
_DOT_LEADER = re.compile(r"(?:\.\s?){4,}\s*\S|…\s+\S|\s*[-–—]{1,2}\s")  # "JIMMY ...... Sam Walker", not ". . .and so"
# What no actor's name or part's description has after a cast list's dash: a second dash, or a
# sentence asked or exclaimed ("– er ließ Dich peitschen!", "– – Ich muß fort.", "– Wer da?")
_SPOKEN_AFTER_DASH = re.compile(r"^[-–—]\s+[-–—]\s*\S|[!?…]\W*$|\.\.\.\W*$")  # not "-- Sam Walker"
_ACTOR = re.compile(r"^[A-Z][\w.'’\-]*(?:\s+[\w.'’\-]+){0,4}$")  # what follows a "…" or "--" leader in a cast list
_FOOTNOTE_MARKS = re.compile(r"[*†‡]")
_MARKUP = re.compile(r"[*_\\`<>\[\]&]")  # "!" alone is punctuation: only "![" is markup, and "[" is here
_SPACE_BEFORE_PUNCTUATION = re.compile(r"[ \t]+([.,])(?!\.)")  # French spacing before ; : ! ? is kept
_LEADING_STRAY = re.compile(r"^(?:[,;:]|\.(?![ .]*\.))\s*")  # ". I see it!" after "Name. (dir)", not "...and"
_DOUBLED_STOP = re.compile(r"(?<=[.!?])\s+\.(?!\.)")  # "Give it to me. . Now" once a direction is gone


def _collapse_spaces(text: str) -> str:
    """Each run of white space made one space, none left at the ends: the same as a regular
    expression's substitution and a strip, in a fraction of the time (every speech passes here)."""
    return " ".join(text.split())


@functools.lru_cache(maxsize=4096)
def normalize_name(name: str) -> str:
    """A character's name as shown: spaces collapsed, curly apostrophes straightened,
    the author's capitals kept (``Nora``, ``McCLANE``)."""
    return _collapse_spaces(name.replace("’", "'")).lstrip("@").strip()


@functools.lru_cache(maxsize=4096)
def name_key(name: str) -> str:
    """The identity of a name: two spellings differing only in case are one character."""
    return normalize_name(name).upper()


def is_name(text: str, *, caps: bool = True, listed: bool = False) -> bool:
    """Could ``text`` be one character's name?  ``caps`` demands all capitals;
    otherwise every word but a particle must start with a capital.  ``listed``: the play's cast
    list names it, so a word that is otherwise never a name (``PS``, Plautus's Pseudolus) is one."""
    text = text.strip()
    if not text or len(text) > 80 or not _NAME_CHARS.match(text) or text.endswith(","):
        return False
    letters = sum(map(str.isalpha, text))
    if not letters or (letters < 2 and not any(c.isdigit() for c in text) and not caps):
        return False
    words = text.split()
    if caps:
        if text != text.upper() or len(words) > 12:
            return False
    else:
        if len(words) > 5 or len(text) > 40:
            return False
        shouted = [w for w in words if len(w.rstrip(".")) > 1 and w.isupper()]  # "M. Tul" is no shout
        if shouted and any(any(c.islower() for c in w) for w in words):
            return False  # "Enter MACBETH" is a direction naming a character
        if len(words) <= 3 and words[0] in ROMANCE_ARTICLES and all(w.isalpha() and w.islower() for w in words[1:]):
            return listed or name_key(text) not in NOT_CHARACTERS  # "Il padre", "La prima attrice", "Le comte"
        for word in words:
            head = word.lstrip("@\"“'(")
            if not head or head.lower() in NAME_PARTICLES or _NUMBERED.fullmatch(head):
                continue  # "of", "de"; "GUARD #2", "Thug #3"
            if not (head[0].isupper() or head[0].isdigit()):
                return False
    return listed or name_key(text) not in NOT_CHARACTERS


@dataclass(frozen=True)
class Cue:
    """A parsed character cue: ``ROMEO & JULIET (aside)`` -> names + direction."""

    text: str
    names: tuple[str, ...]
    direction: str | None = None
    alias: str | None = None

    @property
    def is_group_all(self) -> bool:
        return len(self.names) == 1 and name_key(self.names[0]) in GROUP_ALL

    @property
    def is_both(self) -> bool:
        return len(self.names) == 1 and name_key(self.names[0]) in GROUP_BOTH


def parse_cue(text: str, *, caps: bool = True, solo: frozenset[str] | set[str] | None = None) -> Cue | None:
    """Parse a cue's name part (``NAME``, ``NAME (softly)``, ``NAME (V.O.) (CONT'D)``,
    ``A AND B``).  With ``solo`` (the keys of names that speak on their own), a name
    holding ``AND`` or ``&`` is a group only when each part is such a name, and a name in
    ``solo`` is one even where the word is never a name elsewhere (``PS``)."""
    return _parse_cue(text, caps, frozenset(solo) if isinstance(solo, set) else solo)


@functools.lru_cache(maxsize=4096)  # a play cues the same few names hundreds of times
def _parse_cue(text: str, caps: bool, solo: frozenset[str] | None) -> Cue | None:
    text = _collapse_spaces(text)
    direction = alias = None
    name_part = text
    while name_part.endswith(")") and (m := _TRAILING_PAREN.match(name_part)) and m.group("name").strip():
        name_part, paren = m.group("name").strip(), m.group("paren").strip().lstrip(",;:").strip()
        if paren.replace(" ", "").upper() in EXTENSIONS or paren.upper() in EXTENSIONS:
            continue
        if alias is None and direction is None and is_name(paren) and paren == paren.upper():
            alias = normalize_name(paren)
        elif paren:
            direction = f"{paren}; {direction}" if direction else paren
    name_part = name_part.strip().lstrip("@").strip()
    if "," in name_part and (tail := LOWER_TAIL.search(name_part)):
        # "GASTON, seul", "Janot, à part": a name, then how it is said
        name_part = name_part[: tail.start()].strip()
        said = tail.group("how")
        direction = f"{said}; {direction}" if direction else said
    if not name_part:
        return None
    if (solo is None or "," not in name_part) and _NOT_IN_NAMES.search(name_part):
        return None  # "JULIET: Moon learns. [aside]": no piece of it could be a name
    pieces = _group_pieces(name_part)
    if not pieces:
        return None
    if len(pieces) > 1 and solo is not None and name_key(pieces[0]) in solo and "," in name_part \
            and name_part.split(",", 1)[0].strip() == pieces[0] and len(name_part.split(",", 1)[1].split()) <= 4 \
            and not any(
        name_key(p) in solo for p in pieces[1:]
    ):
        # "JANOT, APARTÉ": a name, then how it is said
        extra = name_part.split(",", 1)[1].strip()
        direction = f"{extra}; {direction}" if direction else extra
        pieces = [pieces[0]]
    elif len(pieces) > 1 and (
        (solo is not None and not all(name_key(p) in solo for p in pieces))
        or not all(is_name(p, caps=caps) for p in pieces)
    ):
        pieces = [name_part]
    for piece in pieces:
        if name_key(piece) in GROUP_NAMES and len(pieces) == 1:
            continue
        if not is_name(piece, caps=caps, listed=solo is not None and name_key(piece) in solo):
            return None
    names = tuple(dict.fromkeys(normalize_name(p) for p in pieces))
    return Cue(text=text, names=names, direction=direction, alias=alias)


def may_join_names(name: str) -> bool:
    """Does ``name`` hold a ``GROUP_MARK`` (``&``, ``and``, a comma…)?  Most names hold none of
    the texts such a mark needs, and are answered without a regular expression."""
    return _GROUP_MARK_TEXT.search(name) is not None and GROUP_MARK.search(name) is not None


def _group_pieces(name: str) -> list[str]:
    if not may_join_names(name):
        return [name] if name else []
    pieces: list[str] = []
    for piece in GROUP_MARK.split(name):
        if not piece:
            continue
        if pieces and piece.upper() in NAME_SUFFIXES:
            pieces[-1] = f"{pieces[-1]}, {piece}"
        else:
            pieces.append(piece)
    return pieces


def is_cast_list_entry(text: str, *, in_dialogue: bool = False) -> bool:
    """``**JIMMY** ........ Sam Walker``: a cast list line, never dialogue.  With ``in_dialogue``
    (the play's speeches have begun), ``NAME – text`` is a speech opening with a dash: a cast list
    sets a name off by a dash before the play, not between its speeches (``NAME – Nada, nada.``)."""
    text = text.strip()
    m = _DOT_LEADER.match(text)
    if m is None:
        return False
    if in_dialogue and text[:1] in "-–—":
        return False
    if text.startswith((".", "…")) and not text.startswith("...."):
        return bool(_ACTOR.match(text[m.end() - 1:]))  # "… y ese hombre no vuelve. O si…" is a speech
    # "HOLM. – er ließ Dich peitschen!", "– – Ich muß fort.": a speech opening with a dash
    return not (text[:1] in "-–—" and _SPOKEN_AFTER_DASH.search(text))


# Italics that are a direction, not emphasis: ``*Exit.*``, ``_Aside_``, ``*to audience*``.
_EMPHASIS_DIRECTION = re.compile(
    r"(?<![\w*_])(?P<mark>\*|_)(?P<inner>(?:Exit|Exits|Exeunt|Exeunt omnes|Aside|Enter|Enters|Re-enter|Dies|Pause|"
    r"Beat|Laughs|Sighs|Weeps|Sings|Kneels|Rises|Sits|Falls|Within|to (?:the )?audience|aside|[Tt]o [A-Z][\w .'-]*)"
    r"[^*_]{0,60}?)(?P=mark)(?![\w*_])"
)


_ESCAPE_OR_OPENER = re.compile(r"[\\(\[{]")


def _bracketed(m: re.Match[str], text: str) -> str:
    """``*Exit.*`` -> ``[Exit.]``; ``[_Aside._]`` is bracketed already -> ``[Aside.]``."""
    enclosed = text[m.start() - 1: m.start()] in ("[", "(") and text[m.end(): m.end() + 1] in ("]", ")")
    return m.group("inner") if enclosed else f"[{m.group('inner')}]"


def split_directions(markdown: str, *, spoken_parens: bool = False) -> list[Part]:
    """Split speech markdown into spoken runs and inline directions: ``(…)``, ``[…]``,
    and italics that read as one (``*Exit.*``, ``_Aside_``; ``I *never* said`` stays spoken).

    A direction's wrapping emphasis (``*(To the audience:)*``) belongs to it.  With
    ``spoken_parens`` (a play whose directions are all in ``[…]``), ``(…)`` is spoken.
    """
    if ("*" in markdown or "_" in markdown) and _EMPHASIS_DIRECTION.search(markdown):
        markdown = _EMPHASIS_DIRECTION.sub(lambda m: _bracketed(m, markdown), markdown)
    parts: list[Part] = []
    i, start, n = 0, 0, len(markdown)
    closers = _closers(markdown) if _ESCAPE_OR_OPENER.search(markdown) else {}  # most speeches open none
    while (mark := _ESCAPE_OR_OPENER.search(markdown, i)) is not None:
        i = mark.start()
        ch = markdown[i]
        if ch == "\\":
            i += 2
            continue
        if ch in "([{" and not (ch == "(" and spoken_parens):
            close = closers.get(i)
            if close is not None:
                lo, hi = i, close + 1
                while lo > start and hi < n and markdown[lo - 1] in "*_" and markdown[hi] == markdown[lo - 1]:
                    lo, hi = lo - 1, hi + 1
                _append(parts, "speech", markdown[start:lo])
                inner = markdown[lo:hi].strip("*_ ")
                _append(parts, "direction", inner[1:-1])
                i = start = hi
                continue
            if ch == "[":  # "Affliction.    [Exit _Filch_.": an unclosed bracket runs to the end of its line
                eol = markdown.find("\n", i)
                hi = n if eol < 0 else eol
                _append(parts, "speech", markdown[start:i])
                _append(parts, "direction", markdown[i + 1:hi])
                i = start = hi
                continue
        i += 1
    _append(parts, "speech", markdown[start:])
    return parts


_BRACKET_MARK = re.compile(r"[\\()\[\]{}]")
_PAIRS = {")": "(", "]": "[", "}": "{"}


def _closers(text: str) -> dict[int, int]:
    """Each opening bracket's matching closer (nesting counted per kind, escapes skipped), in
    one pass: an unclosed ``(`` typed 20,000 times must not rescan the text each time."""
    found: dict[int, int] = {}
    stacks: dict[str, list[int]] = {"(": [], "[": [], "{": []}
    skip_to = -1
    for m in _BRACKET_MARK.finditer(text):
        i = m.start()
        if i < skip_to:
            continue
        ch = text[i]
        if ch == "\\":
            skip_to = i + 2
        elif ch in stacks:
            stacks[ch].append(i)
        elif stacks[_PAIRS[ch]]:
            found[stacks[_PAIRS[ch]].pop()] = i
    return found


def _append(parts: list[Part], kind: str, markdown: str) -> None:
    markdown = markdown.strip()
    if kind == "speech" and markdown and (markdown[:1] in "*_" or markdown[-1:] in "*_") and not spoken_text(markdown):
        markdown = markdown.strip("*_ ").strip()
    if markdown:
        parts.append(Part(kind, markdown))  # type: ignore[arg-type]


# "_Rising_." and "_Kisses_ LADY CHILTERN _and goes out_": underscore emphasis that opens after a space or
# a mark and closes before one, with no other markup inside.  CommonMark reads these pairs as this does, so
# the common case skips the markdown parser (12% of the parse time on plays that italicise directions).
_PLAIN_PUNCT = r"\s()\[\]{}\"'“”‘’—–\-,.;:!?"
_SIMPLE_EMPHASIS = re.compile(rf"(?<![^{_PLAIN_PUNCT}])_(?=[^\s_])([^_*\\`<>\[\]&]*?[^\s_\\])_(?![^{_PLAIN_PUNCT}])")


def plain_text(markdown: str) -> str:
    """Markdown inline -> the text a reader sees, without markup."""
    if not _MARKUP.search(markdown):
        return _collapse_spaces(markdown)
    if "_" in markdown:
        bare = _SIMPLE_EMPHASIS.sub(r"\1", markdown)
        if not _MARKUP.search(bare):
            return _collapse_spaces(bare)
    out: list[str] = []
    for token in _INLINE.parseInline(markdown):
        for child in token.children or []:
            if child.type in ("text", "code_inline"):
                out.append(child.content)
            elif child.type in ("softbreak", "hardbreak"):
                out.append(" ")
    return _collapse_spaces("".join(out))


def spoken_text(markdown: str) -> str:
    """What the voice says: emphasis, markup and footnote markers removed."""
    text = plain_text(markdown)  # spaces already collapsed
    if _FOOTNOTE_MARKS.search(text):
        text = _collapse_spaces(_FOOTNOTE_MARKS.sub(" ", text))
    return _SPACE_BEFORE_PUNCTUATION.sub(r"\1", text) if " ." in text or " ," in text else text


@dataclass
class _OpenSpeech:
    cue: Cue
    speakers: tuple[str, ...]
    source: Source
    body: list[str] = field(default_factory=list)
    continued: bool = False
    lead_direction: str | None = None
    said: bool = False  # has any spoken word been added yet?
    tentative: bool = False  # named by a song's label ("Aria.—Constance."): dropped quietly if nothing is sung


@dataclass
class _Section:
    title: str | None
    level: int
    source: Source
    front_matter: bool = False
    raw: list[str] = field(default_factory=list)
    scene: Scene | None = None
    play_part: bool = False  # headed by an act, scene or prologue line: what is said under it is the play's


class ScriptBuilder:
    """Receives speeches, directions and headings in reading order; builds a ``Script``."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.script = Script(path=path, title="")
        self._sections: list[_Section] = [_Section(None, 0, Source(path, 1))]
        self._open: _OpenSpeech | None = None
        self._after_direction = False
        self._last_speakers: tuple[str, ...] | None = None
        self._recent: list[str] = []  # who spoke last, across scenes, for BOTH
        self._spellings: dict[str, str] = {}  # name key -> the spelling shown
        self._lines_said = 0
        self.aliases_used: set[str] = set()
        self.spoken_parens = False
        """Set by a parser whose play writes every direction in ``[…]``: its ``(…)`` are spoken."""

    # -- structure -----------------------------------------------------
    @property
    def section(self) -> _Section:
        return self._sections[-1]

    @property
    def has_dialogue(self) -> bool:
        return self._lines_said > 0

    def heading(self, title: str, level: int, source: Source, *, front_matter: bool = False,
                play_part: bool = False) -> None:
        self.end_speech()
        self.named_next = False
        self._sections.append(_Section(title, level, source, front_matter=front_matter, play_part=play_part))
        self._after_direction = False
        self._last_speakers = None

    def end_front_matter(self, source: Source) -> None:
        """The play begins under a front-matter heading ("## Characters" with no heading
        before the first speech): what follows is an untitled scene."""
        self.end_speech()
        self._sections.append(_Section(None, self.section.level, source))

    def raw(self, markdown: str) -> None:
        """Record a block as written, for front matter."""
        self.section.raw.append(markdown)

    def _scene(self) -> Scene:
        sec = self.section
        if sec.scene is None:
            sec.scene = Scene(title=sec.title or "", source=sec.source)
        return sec.scene

    # -- speech --------------------------------------------------------
    def speech_open(self) -> bool:
        return self._open is not None

    def continuing_speakers(self) -> tuple[str, ...]:
        """Who a paragraph of plain text would be spoken by: the open speech's speakers, or
        after a direction inside it, the last ones."""
        return self._open.speakers if self._open is not None else tuple(self._last_speakers or ())

    def after_direction(self) -> bool:
        """Did a direction just follow a speech (so plain text may continue it)?"""
        return self._after_direction and self._last_speakers is not None

    def directions_since_last_speech(self) -> tuple[list[str], bool]:
        """The stage directions standing since the scene's last speech, in order, and whether
        the scene has had no speech yet."""
        found: list[str] = []
        for element in reversed(self._scene().elements):
            if isinstance(element, Line):
                return found[::-1], False
            found.append(element.text)
        return found[::-1], True

    @property
    def last_speakers(self) -> tuple[str, ...] | None:
        """Who spoke the last speech, or None after structure."""
        return self._last_speakers

    def open_speech_is_empty(self) -> bool:
        return self._open is not None and not self._open.said

    def open_speech_is_sung(self) -> bool:
        """Is the speech in progress a song that a label gave its singer?"""
        return self._open is not None and self._open.tentative

    def open_speech_runs_on(self) -> bool:
        """Does the speech in progress stop mid-sentence (``…sighs I chance to utter,``), so
        the paragraph after it goes on with it?"""
        if self._open is None or not self._open.said:
            return False
        last = self._open.body[-1].rstrip(" *_")
        return last[-1:] in (",", ";", ":", "—", "–") or (last[-1:].isalpha() and last[-1:].islower())

    def structure(self, text: str) -> None:
        """A label or an end mark (``**Warm-up:**``, ``THE END``): not speech, not a direction."""
        self.end_speech()
        self.script.structure.append(text)
        self._after_direction = False
        self._last_speakers = None

    def give_uncued_words_to(self, name: str) -> None:
        """After a direction that names who speaks next (``Martha alone.``, ``BEN reads.``),
        uncued words are theirs."""
        self._last_speakers = (self.canonical(name),)
        self._after_direction = True
        self.named_next = True

    named_next = False
    """Set by ``give_uncued_words_to`` until the next cue or heading: plain words are that character's."""

    def canonical(self, name: str) -> str:
        """One spelling per character: the first one seen, or the one an alias names."""
        key = name_key(name)
        if key in self.script.aliases:
            self.aliases_used.add(key)
            name = self.script.aliases[key]
        return self._spellings.setdefault(name_key(name), name)

    def start_speech(self, cue: Cue, source: Source, *, tentative: bool = False) -> None:
        self.end_speech()
        self.named_next = False
        names = tuple(dict.fromkeys(self.canonical(n) for n in cue.names))
        if cue.alias:
            self.script.aliases.setdefault(name_key(cue.alias), names[0])
        self._open = _OpenSpeech(cue=cue, speakers=names, source=source, lead_direction=cue.direction,
                                 tentative=tentative)
        self._after_direction = False

    def add_text(self, markdown: str, source: Source) -> None:
        """Text that belongs to the speech in progress, or continues the last speaker."""
        if self._open is None:
            if self._last_speakers is None or not self._after_direction:
                self.direction(markdown, source)
                return
            self._open = _OpenSpeech(
                cue=Cue(text=" & ".join(self._last_speakers), names=self._last_speakers),
                speakers=self._last_speakers, source=source, continued=True,
            )
            who = " & ".join(self._last_speakers)
            self.script.doubts.append(
                (0.3, source, f"no cue here: read as {who}'s, who the paragraph above leaves speaking") if self.named_next
                else (0.4, source, f"no cue here: read as more of {who}'s speech, after the direction above"))
        self._open.body.append(markdown)
        if not self._open.said:
            self._open.said = _says_something(markdown, spoken_parens=self.spoken_parens)

    def direction(self, text: str, source: Source, *, inline: bool = False) -> None:
        """A stage direction; ``inline`` ones join the speech in progress."""
        if inline and self._open is not None:
            self._open.body.append(f"[{text}]" if self.spoken_parens else f"({text})")
            return
        self.end_speech()
        text = text.strip()
        if text:
            self._scene().elements.append(Direction(text=text, source=source))
            self._after_direction = True

    def end_speech(self) -> None:
        speech, self._open = self._open, None
        if speech is None:
            return
        body = "\n".join(b for b in speech.body if b.strip())
        parts = split_directions(body, spoken_parens=self.spoken_parens)
        if speech.lead_direction:
            parts.insert(0, Part("direction", speech.lead_direction))
        spoken = " ".join(spoken_text(p.markdown) for p in parts if p.kind == "speech")
        if " ." in spoken or " ," in spoken:  # spaces are collapsed: both marks need a space before them
            spoken = _SPACE_BEFORE_PUNCTUATION.sub(r"\1", _DOUBLED_STOP.sub("", spoken))
        spoken = spoken.strip()
        spoken = _LEADING_STRAY.sub("", spoken)
        if not spoken and speech.tentative:
            return
        if not spoken:
            self.script.warnings.append(f"{speech.source}: cue {speech.cue.text} has no text")
            self.script.structure.append(speech.cue.text)
            for p in parts:
                self.direction(p.markdown, speech.source)
            return
        directions = [plain_text(p.markdown) for p in parts if p.kind == "direction"]
        line = Line(
            speakers=speech.speakers, cue=speech.cue.text, parts=tuple(parts), spoken=spoken,
            delivery=delivery_from(directions), source=speech.source, continued=speech.continued,
        )
        self._scene().elements.append(line)
        self._lines_said += 1
        self._last_speakers = speech.speakers
        self._after_direction = speech.tentative  # after a song, the singer may go on speaking uncued

    # -- result --------------------------------------------------------
    def finish(self) -> Script:
        self.end_speech()
        script = self.script
        sections = self._sections
        has_headings = len(sections) > 1
        preamble = sections[0]
        if has_headings and preamble.scene is not None and not _is_dialogue(preamble.scene):
            preamble.front_matter = True
        cues: dict[str, int] = {}
        for sec in sections:
            for line in sec.scene.lines if sec.scene else []:
                if not line.continued:
                    for speaker in line.speakers:
                        cues[speaker] = cues.get(speaker, 0) + 1

        def has_dialogue(sec: _Section, *, real: bool) -> bool:
            """Real dialogue has a character who speaks more than once in the play: a
            ``TRANSCRIBER'S NOTE:`` or ``LONDON:`` in the preface does not."""
            lines = sec.scene.lines if sec.scene and not sec.front_matter else []
            return any(not real or any(cues[s] >= 2 for s in line.speakers) for line in lines)

        first_dialogue = next((i for i, s in enumerate(sections) if has_dialogue(s, real=True)), None)
        if first_dialogue is None:
            first_dialogue = next((i for i, s in enumerate(sections) if has_dialogue(s, real=False)), None)
        empty_titles: list[str] = []
        for index, sec in enumerate(sections):
            before_dialogue = first_dialogue is not None and index < first_dialogue
            # a prologue's one speech before the first act is the play's, not a preface
            prologue = sec.play_part and has_dialogue(sec, real=False)
            if sec.front_matter or (before_dialogue and sec.raw and sec.level <= sections[first_dialogue].level
                                    and not prologue):
                if sec.title:
                    script.front_matter.append(f"## {sec.title}")
                script.front_matter.extend(sec.raw)
                if not sec.raw and sec.scene is not None:  # a screenplay's cold-open notes: kept, not spoken
                    script.front_matter.extend(e.text if isinstance(e, Direction) else f"{e.cue}: {e.spoken}"
                                               for e in sec.scene.elements)
                continue
            if sec.scene is None or not sec.scene.elements:
                if sec.title:
                    empty_titles.append(sec.title)
                continue
            scene = sec.scene
            if index == 0 or sec.title is None:
                scene.title = script.title or "Scene 1"
                if not has_headings:  # a byline or note above the play; the opening direction names people
                    while scene.elements and isinstance(scene.elements[0], Direction) \
                            and not _names_a_speaker(scene.elements[0].text, cues):
                        script.front_matter.append(scene.elements.pop(0).text)
            scene.act = _act_of(sections, index)
            self._resolve_groups(scene)
            script.scenes.append(scene)
        acts = {scene.act for scene in script.scenes}
        script.structure.extend(t for t in empty_titles if t not in acts)  # headings with nothing under them
        return script

    def _resolve_groups(self, scene: Scene) -> None:
        individuals = list(dict.fromkeys(
            s for line in scene.lines if not _is_group(line) for s in line.speakers
        ))
        everyone = individuals  # or, where no one speaks alone here, the cast so far: only ALL asks
        recent = self._recent
        for i, element in enumerate(scene.elements):
            if not isinstance(element, Line):
                continue
            names = element.speakers
            if names and names[0] in GROUP_ALL and len(names) == 1:
                everyone = everyone or self.script.characters  # a walk over every line: only when needed
            if names and names[0] in GROUP_ALL and len(names) == 1 and len(everyone) >= 2:
                names = tuple(everyone)  # with one person on stage, ALL is a chorus: it stays ALL
            elif names and names[0] in GROUP_BOTH and len(names) == 1 and len(recent) >= 2:
                names = tuple(recent[-2:])
            if names != element.speakers:
                scene.elements[i] = Line(**{**element.__dict__, "speakers": names})
            else:
                for s in names:
                    if s in recent:
                        recent.remove(s)
                    recent.append(s)
                del recent[:-8]  # BOTH takes the last two: a few are enough, and keep this linear


_SPEECH_MARKUP = re.compile(r"[*_\\`<>\[\]&(){}]")
_VISIBLE = re.compile(r"[^\s†‡]")


def _says_something(markdown: str, *, spoken_parens: bool = False) -> bool:
    """Does this text hold a spoken word, not only directions and marks?"""
    if not _SPEECH_MARKUP.search(markdown):
        return bool(_VISIBLE.search(markdown))  # plain words: what is written is what is said
    return any(p.kind == "speech" and spoken_text(p.markdown)
               for p in split_directions(markdown, spoken_parens=spoken_parens))


def _is_group(line: Line) -> bool:
    return len(line.speakers) == 1 and line.speakers[0] in GROUP_NAMES


def _is_dialogue(scene: Scene) -> bool:
    """A preamble is dialogue (not a cast list) when someone speaks in it twice."""
    counts: dict[str, int] = {}
    for line in scene.lines:
        for s in line.speakers:
            counts[s] = counts.get(s, 0) + 1
    return any(c >= 2 for c in counts.values())


def _names_a_speaker(text: str, speakers: dict[str, int]) -> bool:
    words = {w.strip(".,;:!?'’()[]").casefold() for w in text.split()}
    return any(all(part.casefold() in words for part in name.split()) for name in speakers)


def _act_of(sections: list[_Section], index: int) -> str | None:
    """The title of the enclosing heading that holds no dialogue of its own (never a
    front-matter heading such as "Characters")."""
    level = sections[index].level
    for sec in reversed(sections[:index]):
        if 0 < sec.level < level and not sec.front_matter:
            if sec.scene is None or not sec.scene.lines:
                return sec.title
            return None
    return None

