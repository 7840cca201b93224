"""What every importer produces: typed paragraphs in reading order, each with its source place.

The PDF, Word and Final Draft readers differ in how they learn what a paragraph
is (x positions and fonts, paragraph styles, XML types); from here on they are
the same, and ``writer`` turns them into an editable markdown play or Fountain
screenplay that the ordinary parsers read back.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from typing import Literal

Kind = Literal[
    "title", "author", "front", "act", "scene", "scene_heading", "action", "direction",
    "cue", "paren", "dialogue", "transition", "centered", "note", "unplaced", "back",
]


@dataclass
class Para:
    """One paragraph. ``text`` is plain text, except ``dialogue`` in a play, where
    inline stage directions are already marked as ``*(…)*`` or ``[…]``."""

    kind: Kind
    text: str
    where: str
    """Place in the source, for messages: ``page 3 line 12``, ``paragraph 40``."""
    dual: bool = False


@dataclass
class Imported:
    """One source document read into paragraphs."""

    paras: list[Para]
    screenplay: bool
    source_kind: str
    """``PDF``, ``Word``, ``Final Draft``, ``text``: for the report."""
    notes: list[str] = field(default_factory=list)
    """What the reader removed or repaired (page furniture, hyphens, rejoined speeches)."""
    dropped: list[Para] = field(default_factory=list)
    """Page furniture taken out (running headers and footers, page numbers, ``(MORE)``,
    ``CONTINUED:``), each with its place: nothing of the text layer goes without a record."""

    left_out: list[Para] = field(default_factory=list)
    """Source lines no paragraph holds (a text file's end marks the play parser drops): reported
    beside the unplaced paragraphs, though not written into the script."""

    @property
    def unplaced(self) -> list[Para]:
        """Paragraphs kept in the script as stage directions because no rule placed them."""
        return [p for p in self.paras if p.kind == "unplaced"]


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u00ad\u200b\u200e\u200f\u2028\u2029\ufeff\ufffe\uffff]")
_SPACES = re.compile(r"[\u00a0\u2000-\u200a\u202f\u205f\u3000]")


def clean_text(text: str) -> str:
    """Text as a script may hold it: no control character (C0 but tab and newline, C1),
    soft hyphen, zero-width or direction mark; odd spaces become plain ones.  PDFium marks
    a hyphen at a line end as ``\\x02`` (Final Draft's ``pizza\\x02`` / ``getter``): it
    becomes a real hyphen, and ``join_lines`` decides whether it stays."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x02", "-").replace("\ufffe", "-")
    return _CONTROL.sub("", _SPACES.sub(" ", text))


_HYPHEN_END = re.compile(r"(?<=[^\W\d_])-$")


def join_lines(lines: list[str], known: set[str] | None = None, *, keep_hyphens: bool = False,
               counter: list[int] | None = None, breaks: list[bool] | None = None) -> str:
    """Join wrapped lines into one paragraph.  A line ending in a hyphen joins the next
    line's first word with no space: the hyphen is dropped (a word broken by the typesetter)
    when the next word starts lower case and the document spells the joined word without
    one (or, with no evidence either way, when the layout hyphenates: ``keep_hyphens`` is
    for screenplays, whose software breaks lines only at real hyphens); otherwise it is
    kept (``pizza-getter``, ``SCI-FI``, ``self-assured``)."""
    out = ""
    for i, text in enumerate(lines):
        if not out:
            out = text
            continue
        if _HYPHEN_END.search(out) and text[:1].isalpha():
            head = re.search(r"(\w+)-$", out)
            tail = re.match(r"\w+", text)
            joined = (head.group(1) + tail.group(0)).lower() if head and tail else ""
            hyphened = f"{head.group(1)}-{tail.group(0)}".lower() if head and tail else ""
            drop = text[:1].islower() and not (known is not None and hyphened in known) and (
                (known is not None and joined in known) or not keep_hyphens)
            out = (out[:-1] if drop else out) + text
            if counter is not None and drop:
                counter[0] += 1
        elif out.endswith(")*") and text.startswith("*("):  # one italic direction wrapped onto two lines
            out = out[:-2] + " " + text[2:]
        else:
            out += ("\n" if breaks and breaks[i - 1] else " ") + text
    return out


def known_words(texts) -> set[str]:
    """Every word (and hyphenated word) of a document, lower case: the evidence ``join_lines`` uses."""
    words: set[str] = set()
    for text in texts:
        for compound in re.findall(r"\w+(?:-\w+)*", text.lower()):
            words.add(compound)
            pieces = compound.split("-")
            words.update(pieces)
            words.update(f"{a}-{b}" for a, b in itertools.pairwise(pieces))
    return words


_EXTENSION = re.compile(r"\s*\((?:[^()]{1,24})\)\s*$")
_PARTICLE_WORD = re.compile(r"^(?:Ma?c|De|Di|Da|Du|Del|Della|La|Le|Van|Von|St|Mc)[A-Z][A-Z'’\-]*$")


def cue_name(text: str) -> str:
    """A cue without its extensions: ``McCLANE (V.O.) (CONT'D)`` -> ``McCLANE``."""
    name = text.strip()
    while True:
        bare = _EXTENSION.sub("", name)
        if bare == name:
            return bare.strip()
        name = bare


def is_cue_shape(text: str) -> bool:
    """A character cue's shape, any case: capitals (``O'NEIL``, ``DR. SMITH #2``), or a
    capitalised name with lower-case particles (``McCLANE``, ``DeMARCO``, ``MacGREGOR``),
    with any extensions (``(V.O.)``, ``(O.S.)``, ``(CONT'D)``, ``(PRE-LAP)``)."""
    name = cue_name(text)
    if not name or len(name) > 40 or (not name[0].isalpha() and name[0] not in "#'’"):
        return False
    if is_caps(name):
        return True
    words = name.split()
    return any(_PARTICLE_WORD.match(w) for w in words) and all(
        is_caps(w) or _PARTICLE_WORD.match(w) or not any(c.isalpha() for c in w) for w in words)


_BY = re.compile(r"^(?:written\s+|adapted\s+)?by\b[\s:]*(?P<who>.*)$", re.IGNORECASE)


def title_page_paras(texts: list[str], where: str) -> list[Para]:
    """The lines before a script's first scene: the first is the title, ``by …`` names the
    author (on the same line or the next), a bracketed stage direction (it may wrap over
    several lines) stays a direction, everything else is front matter."""
    paras: list[Para] = []
    texts = [t.strip() for t in texts if t.strip()]
    i = 0
    while i < len(texts):
        text = texts[i]
        m = _BY.match(text)
        if paras and text.startswith(("[", "(")):
            close = "]" if text.startswith("[") else ")"
            end = next((j for j in range(i, min(i + 8, len(texts))) if texts[j].rstrip(".").endswith(close)), None)
            if end is not None:
                paras.append(Para("direction", " ".join(texts[i:end + 1]), where))
                i = end + 1
                continue
        if not paras:
            paras.append(Para("title", text, where))
        elif m and not any(p.kind == "author" for p in paras):
            who = m.group("who") or (texts[i + 1] if i + 1 < len(texts) else "")
            i += 0 if m.group("who") else 1
            if who:  # the credit as printed ("Written by Ann Smith"): the writer splits it again
                credit = text[: m.start("who")].strip() if m.group("who") else text
                paras.append(Para("author", f"{credit} {who}".strip(), where))
        else:
            paras.append(Para("front", text, where))
        i += 1
    return paras


Span = tuple[str, bool, bool]
"""(text, bold, italic): a run of text as the source styled it."""

_NAME_END = re.compile(r"(?<=[A-Z0-9])[.:]\s+(?=\S)")
ACT_HEADING = re.compile(r"^(?:ACTE?\b|(?:THE\s+)?(?:FIRST|SECOND|THIRD|FOURTH|FIFTH|LAST)\s+ACT\b|PROLOGUE|EPILOGUE)",
                         re.IGNORECASE)
_MARKDOWN_MARK = re.compile(r"([\\*_`])")
STRUCTURE_WORDS = re.compile(r"^(?:ACTE?|SCENE|SC[EÈ]NE|PROLOGUE|EPILOGUE)\b", re.IGNORECASE)


def is_caps(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return bool(letters) and all(c.isupper() for c in letters)


def leading_name(spans: list[Span]) -> tuple[str, bool] | None:
    """A character name opening a paragraph: bold text before regular text (``**Nora.** Yes``),
    or capitals ending in ``.``/``:`` (``NORA. Yes``). Returns the name and whether it was bold."""
    bold = ""
    for text, is_bold, _ in spans:
        if not is_bold:
            break
        bold += text
    bold = bold.strip()
    whole = "".join(t for t, _, _ in spans).strip()
    all_bold = bold == whole
    if bold and len(bold) < 40 and bold[:1].isupper() and (
            bold[-1:] in ".:" or (not all_bold and (is_cue_shape(bold) or bold.istitle()))):
        name = bold.rstrip(".:").strip()
        if name and not STRUCTURE_WORDS.match(name):
            return name, True
    split = _caps_name_end(whole)
    if split and not STRUCTURE_WORDS.match(whole[:split[0]]):
        return whole[:split[0]].strip(), False
    return None


def _caps_name_end(text: str) -> tuple[int, int] | None:
    """Where a leading capitals name ends (``MRS. CHEVELEY. Text`` -> after CHEVELEY) and its
    text begins: the longest all-capitals prefix that ends in ``.`` or ``:``."""
    best = None
    for m in _NAME_END.finditer(text, 0, 42):
        name = text[: m.start()]
        if not (name[:1].isalpha() and name[:1].isupper() and is_cue_shape(name)):
            break
        best = (m.start(), m.end())
    return best


def after_name(spans: list[Span]) -> list[Span]:
    """The spans of a paragraph after its leading name."""
    if spans and spans[0][1]:
        rest = list(spans)
        while rest and rest[0][1]:
            rest.pop(0)
        return rest
    whole = "".join(t for t, _, _ in spans)
    split = _caps_name_end(whole.strip())
    if not split:
        return list(spans)
    skip = len(whole) - len(whole.lstrip()) + split[1]
    rest: list[Span] = []
    for text, bold, italic in spans:
        cut = min(skip, len(text))
        skip -= cut
        if text[cut:]:
            rest.append((text[cut:], bold, italic))
    return rest


def emphasis_markdown(spans: list[Span]) -> str:
    """A screenplay's dialogue as markdown: emphasis kept where part of it is styled (a line
    all in one style is just text), never a direction (those are parentheticals of their own)."""
    styles = {(bool(b), bool(i)) for t, b, i in spans if t.strip()}
    if len(styles) < 2:
        return "".join(t for t, _, _ in spans).replace("\t", " ").strip()
    return speech_markdown(spans, directions=False)


def speech_markdown(spans: list[Span], *, directions: bool = True) -> str:
    """A speech's text as markdown: emphasis kept, stage directions marked ``*(…)*``.

    The direction rule, the same for PDF and Word: inside a speech, a run in italics is a
    stage direction only when its shape says so:

    1. it is in brackets, ``(…)`` or ``[…]`` (italic or roman brackets, one of them may be
       on the next line): ``NORA. (smiling) Yes.``;
    2. it is set off by its own punctuation: a sentence of two words or more that opens the
       speech or follows the end of one (``. ! ? : ;``, a dash or a closing bracket), starts
       with a capital and ends with ``.`` or ``:``: ``NORA. Yes. *She sits.* Well.``
       (``*Quiet.* Or out.`` and ``*Dragon!*`` stay emphasis.)

    A whole line or paragraph in italics is a direction too (the readers decide that),
    unless it is all the speech there is under its cue (``PATRON FIVE`` / ``*Shhh!*``).
    Any other italic, bold or underlined run is emphasis and stays speech, as markdown
    emphasis: ``Not to *you*, dear.``, never ``Not to, dear.``"""
    segments: list[list] = []
    for text, bold, italic in spans:
        style = (bool(bold), bool(italic))
        if segments and (segments[-1][1] == style or not text.strip()):
            segments[-1][0] += text
        else:
            segments.append([text, style])
    out = ""
    skip_close = False
    for n, (text, (bold, italic)) in enumerate(segments):
        if skip_close:
            text = re.sub(r"^\s*[.:]?\s*[)\]]?\.?", "", text)
            skip_close = False
        if not text.strip():
            out += text
            continue
        core = text.strip()
        before = out.rstrip()
        after = segments[n + 1][0].lstrip() if n + 1 < len(segments) else ""
        if italic and directions and _is_direction(core, before, after):
            if before.endswith(("(", "[")):
                out = before[:-1]
            if re.match(r"[.:]?\s*[)\]]", after) or (after[:1] in (".", ":") and not core.endswith((".", ":"))):
                skip_close = True
                if after[:1] in (".", ":"):
                    core += after[0]
            inner = core.strip("()[] ")
            out = out.rstrip() + (" " if out.strip() else "") + "*(" + _escape(inner) + ")* "
            continue
        escaped = _escape(core)
        if bold or italic:
            mark = "***" if bold and italic else "**" if bold else "*"
            escaped = f"{mark}{escaped}{mark}"
        lead = text[: len(text) - len(text.lstrip())]
        trail = text[len(text.rstrip()):]
        out += lead + escaped + trail
    return re.sub(r"[ \t]+", " ", out).strip()


def _escape(text: str) -> str:
    return _MARKDOWN_MARK.sub(r"\\\1", text)


_SENTENCE_END = (".", "!", "?", ":", ";", "—", "–", "--", ")", "]")


def _is_direction(core: str, before: str, after: str) -> bool:
    if core.startswith(("(", "[")) or core.rstrip(".:,;").endswith((")", "]")):
        return True
    if before.endswith(("(", "[")) and (re.match(r"[.:]?\s*[)\]]", after) or not after):
        return True
    opens = not before or before.endswith(_SENTENCE_END)
    return opens and core[:1].isupper() and len(core.split()) >= 2 and (
        core.endswith((".", ":")) or after[:1] in (".", ":"))
