"""PDF -> paragraphs, from the layout: x positions, fonts and centring, never the bare text stream.

Screenplays are read by indent (cue, parenthetical and dialogue each sit at
their own x); stage plays by font (bold or capital names, italic directions)
and centring (act and scene headings). Page furniture goes first: running
headers and footers, page numbers, ``(MORE)``/``(CONT'D)`` and revision
asterisks; speeches split by a page break are joined again and line-end
hyphens removed.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property

from ..errors import UnreadableInput
from ..script.play import is_end_mark, is_structure_line
from .budget import DEFAULT_LIMITS, Limits
from .document import (
    ACT_HEADING,
    STRUCTURE_WORDS,
    Imported,
    Para,
    Span,
    after_name,
    emphasis_markdown,
    is_caps,
    is_cue_shape,
    join_lines,
    known_words,
    leading_name,
    speech_markdown,
    title_page_paras,
)
from .pdf_text import PageRuns, Run, pdfium_pages

PageReader = Callable[[bytes, str, Limits], list[PageRuns]]

_PAGE_NUMBER = re.compile(r"^[\s\-–—]*(?:page\s*)?(?:\d+|[ivxlc]+)\.?(?:\s*(?:of|/)\s*\d+)?[\s\-–—]*$", re.I)
_MORE = re.compile(r"^\(\s*(?:MORE|CONT(?:'|’)?D|CONTINUED)\s*\)$|^(?:\(?CONTINUED\)?:?)$", re.I)
_CONTD = re.compile(r"\s*\(\s*CONT(?:'|’)?D\s*\)\s*$|\s*\(\s*CONTINUING\s*\)\s*$", re.I)
_SCENE_NUMBER = r"[A-Z]{0,2}\d+[A-Z]{0,2}(?:\.\d+)?"
_SCENE_HEADING = re.compile(rf"^(?:{_SCENE_NUMBER}\s+)?\.?(?:INT|EXT|EST|I/E|E/I|INT\.?\s*/\s*EXT|EXT\.?\s*/\s*INT"
                            r"|INTERIOR|EXTERIOR)(?:\.|\s|-|$)", re.IGNORECASE)
_FORCED_HEADING = re.compile(r"^\.[A-Z0-9]")
"""Fountain's forced scene heading (``.FLASHBACK``), as a screenplay printed from Fountain may keep it."""
_CONTINUED = re.compile(rf"^(?:{_SCENE_NUMBER}\s+)?\(?\s*CONTINUED\s*\)?:?\s*(?:\(\d+\))?(?:\s+{_SCENE_NUMBER})?$", re.I)
_OMITTED = re.compile(rf"^(?:{_SCENE_NUMBER}\s+)?(?:OMITTED|OMIT)\b.*?(?:\s+{_SCENE_NUMBER})?$")
_TRANSITION = re.compile(r"^(?:[A-Z .'’\-]+TO:|FADE (?:IN|OUT)[.:]?|FADE TO BLACK\.?|CUT TO BLACK\.?|THE END\.?)$")
_SCENE_NUMBERS = re.compile(rf"^(?P<left>{_SCENE_NUMBER})\s+(?=\S)|\s+(?P<right>{_SCENE_NUMBER})$")


@dataclass
class TextLine:
    page: int
    number: int
    x0: float
    x1: float
    baseline: float
    size: float
    spans: list[Span] = field(default_factory=list)
    """(text, bold, italic) in reading order."""
    columns: list[tuple[float, str]] = field(default_factory=list)
    """(x, text) of each stretch of the line apart from the rest by a wide gap: two for a
    line of dual dialogue."""

    @cached_property
    def text(self) -> str:
        """The line's text (read once the line is built: its spans do not change after)."""
        return "".join(s for s, _, _ in self.spans).replace("\t", " ").strip()

    @property
    def where(self) -> str:
        return f"page {self.page} line {self.number}"

    def _styled(self, index: int) -> bool:
        letters = [(s, st) for s, b, i in self.spans for st in [(b, i)[index]] if s.strip()]
        return bool(letters) and all(st for _, st in letters)

    @property
    def bold(self) -> bool:
        return self._styled(0)

    @property
    def italic(self) -> bool:
        return self._styled(1)


def _lines_of(page: PageRuns) -> list[TextLine]:
    """Runs -> lines: same baseline (within a third of the size), ordered by x, spaces from gaps."""
    runs = sorted((r for r in page.runs if not _revision_mark(r, page.width)), key=lambda r: (r.baseline, r.x0))
    groups: list[list[Run]] = []
    for run in runs:
        if groups and abs(groups[-1][0].baseline - run.baseline) <= max(run.size, 4) * 0.35:
            groups[-1].append(run)
        else:
            groups.append([run])
    lines = []
    for number, group in enumerate(groups, start=1):
        group.sort(key=lambda r: r.x0)
        line = TextLine(page.number, number, group[0].x0, max(r.x1 for r in group), group[0].baseline,
                        max(r.size for r in group))
        previous: Run | None = None
        for run in group:
            text = run.text
            if previous is None or run.x0 - previous.x1 > run.size * 1.2:  # two spaces and more
                line.columns.append((run.x0, ""))
            if previous is not None and run.x0 - previous.x1 > run.size * 3:
                text = "\t" + text.lstrip()
            elif previous is not None and run.x0 - previous.x1 > run.size * _word_gap(previous, run) \
                    and not previous.text.endswith(" ") and not text.startswith(" "):
                text = " " + text
            line.spans.append((text, run.bold, run.italic))
            x, so_far = line.columns[-1]
            line.columns[-1] = (x, (so_far + text.lstrip("\t")).strip() if so_far else text.strip())
            previous = run
        lines.append(line)
    return lines


def _word_gap(previous: Run, run: Run) -> float:
    """The gap (in ems) between two runs that means a space.  Bounds are the glyphs' ink: a
    fixed-pitch font's letters stand up to ~0.4 em apart in ink (Final Draft's Courier, split
    into runs mid-word: ``AUS`` / ``TIN``) where its space is 0.6 em; a browser that places
    each letter on its own (Chromium's header) leaves up to ~0.2 em between letters; runs of
    whole words in a proportional font never sit that close."""
    if previous.mono and run.mono:
        return 0.45
    return 0.3 if len(previous.text.strip()) <= 1 or len(run.text.strip()) <= 1 else 0.15


def _revision_mark(run: Run, width: float) -> bool:
    return run.text.strip() == "*" and (run.x0 > width * 0.82 or run.x1 < width * 0.12)


def _drop_furniture(pages: list[list[TextLine]], heights: list[float], notes: list[str],
                    dropped: list[Para]) -> list[list[TextLine]]:
    """Page furniture, whatever it holds: running headers and footers (title, episode, draft
    date, page number) repeated at the top or bottom of most pages, page numbers, ``(MORE)``
    and the ``CONTINUED:`` lines of a shooting script.  What goes is kept in ``dropped``.
    A cue that merely happens to open many pages sits right above its speech, so it is
    never taken for a header."""
    pitch = _median_pitch([ln for lines in pages for ln in lines])

    def edge(lines: list[TextLine], i: int, height: float) -> bool:
        ln = lines[i]
        return (ln.baseline < height * 0.12 and i < 2) or (ln.baseline > height * 0.88 and i >= len(lines) - 2)

    def apart(lines: list[TextLine], i: int, height: float) -> bool:
        ln = lines[i]
        room = pitch * 1.3
        if ln.baseline < height * 0.12 and i < 2:
            return i + 1 >= len(lines) or lines[i + 1].baseline - ln.baseline > room
        if ln.baseline > height * 0.88 and i >= len(lines) - 2:
            return i == 0 or ln.baseline - lines[i - 1].baseline > room
        return False

    def heads_a_speech(lines: list[TextLine], i: int) -> bool:
        nxt = lines[i + 1] if i + 1 < len(lines) else None
        return nxt is not None and is_cue_shape(lines[i].text) and nxt.baseline - lines[i].baseline <= pitch * 1.3 \
            and nxt.x0 < lines[i].x0 - 20

    at_edge = [{i for i in range(len(lines)) if edge(lines, i, height)}
               for lines, height in zip(pages, heights, strict=True)]
    shape: Counter[str] = Counter()
    for lines, found in zip(pages, at_edge, strict=True):
        for key in {_shape(lines[i].text) for i in found}:
            shape[key] += 1
    repeated = max(2, len(pages) // 4)
    most = max(3, len(pages) // 2)
    kept = []
    for lines, found, height in zip(pages, at_edge, heights, strict=True):
        keep = []
        for i, ln in enumerate(lines):
            text = ln.text
            key = _shape(text)
            furniture = _MORE.match(text) or _CONTINUED.match(text)
            if i in found and not furniture and not heads_a_speech(lines, i):
                furniture = (apart(lines, i, height) and (_PAGE_NUMBER.match(text) or shape[key] >= repeated)) \
                    or shape[key] >= most
            if furniture:
                dropped.append(Para("unplaced", text, ln.where))
                continue
            keep.append(ln)
        kept.append(keep)
    if dropped:
        notes.append(f"dropped {len(dropped)} lines of page furniture (headers, footers, page numbers, (MORE), "
                     "CONTINUED)")
    return kept


def _shape(text: str) -> str:
    """A header's shape: its text with numbers (page, episode, date) wildcarded."""
    return re.sub(r"\d+", "#", " ".join(text.split()))


def _median_pitch(lines: list[TextLine]) -> float:
    """The usual distance between one baseline and the next (single spacing): the lower
    quartile, since a screenplay of short speeches has more blank lines than wrapped ones."""
    pitches = sorted(b.baseline - a.baseline for a, b in itertools.pairwise(lines)
                     if a.page == b.page and 0 < b.baseline - a.baseline < 3 * a.size)
    return pitches[len(pitches) // 4] if pitches else 14.0


def _mode(values: list[float], step: float = 3.0) -> float | None:
    if not values:
        return None
    counts = Counter(round(v / step) for v in values)
    return counts.most_common(1)[0][0] * step


def _left_margin(xs: list[float]) -> float:
    """The leftmost x where a good share of lines start (screenplay dialogue outnumbers action,
    so the most common x is not the margin)."""
    counts = Counter(round(x / 3.0) for x in xs)
    floor = max(3, len(xs) // 20)
    return min((k for k, n in counts.items() if n >= floor), default=counts.most_common(1)[0][0]) * 3.0


def _near(x: float, target: float | None, tolerance: float = 9.0) -> bool:
    return target is not None and abs(x - target) <= tolerance


def read_pdf(data: bytes, shown: str, *, ocr: bool = False, reader: PageReader = pdfium_pages,
             limits: Limits = DEFAULT_LIMITS) -> Imported:
    pages = reader(data, shown, limits)
    chars = sum(len(r.text.strip()) for p in pages for r in p.runs)
    if chars < 20 * max(len(pages), 1):
        if not ocr:
            what = "is image-only (a scan?)" if any(p.images for p in pages) else "has no text layer"
            raise UnreadableInput(f"{what}: run OCR first (ocrmypdf --force-ocr IN.pdf OUT.pdf), "
                                  "or import with --ocr (needs tesseract)", path=shown)
        from .ocr import ocr_pages

        pages = ocr_pages(data, shown, limits)
    notes: list[str] = []
    dropped: list[Para] = []
    lines = _drop_furniture([_lines_of(p) for p in pages], [p.height for p in pages], notes, dropped)
    width = pages[0].width if pages else 612.0
    flat = [ln for page in lines for ln in page if ln.text]
    if not flat:
        raise UnreadableInput("has no text to import", path=shown)
    layout = _Layout(flat, width)
    screenplay = layout.screenplay()
    layout.keep_hyphens = screenplay
    layout.dropped = dropped
    paras = layout.screenplay_paras(notes) if screenplay else layout.play_paras(notes)
    return Imported(paras, screenplay=screenplay, source_kind="PDF", notes=notes, dropped=dropped)


class _Layout:
    def __init__(self, lines: list[TextLine], width: float) -> None:
        self.lines = lines
        self.width = width
        self.left = _left_margin([ln.x0 for ln in lines])
        self.right = max(ln.x1 for ln in lines)
        self.pitch = _median_pitch(lines)
        self.known = known_words(ln.text for ln in lines)
        self.keep_hyphens = False
        self.hyphens = [0]
        self.dropped: list[Para] = []

    def _join(self, texts: list[str], *, breaks: list[bool] | None = None) -> str:
        return join_lines(texts, self.known, keep_hyphens=self.keep_hyphens, counter=self.hyphens, breaks=breaks)

    def _centred(self, ln: TextLine) -> bool:
        return abs((ln.x0 + ln.x1) / 2 - self.width / 2) < self.width * 0.04 and ln.x0 > self.left + 24

    def _gap(self, a: TextLine, b: TextLine) -> bool:
        """A blank line (or more) between two lines on one page."""
        return a.page == b.page and b.baseline - a.baseline > self.pitch * 1.45

    # -- screenplays ----------------------------------------------------
    def screenplay(self) -> bool:
        xs = [self.lines[i].x0 for i in self._cue_candidates()]
        cue_x = _mode(xs)
        aligned = sum(1 for x in xs if _near(x, cue_x, 4))
        return aligned >= 3 and aligned >= len(xs) * 0.6

    def _cue_candidates(self) -> list[int]:
        """Capital lines well right of the margin, followed by a line indented less (the dialogue)."""
        found = []
        for i, (ln, nxt) in enumerate(zip(self.lines, self.lines[1:], strict=False)):
            text = ln.text
            if ln.x0 > self.left + 90 and ln.x0 < self.width * 0.6 and is_cue_shape(text) and len(text) < 45 \
                    and self.left + 25 < nxt.x0 < ln.x0 - 20 and not _MORE.match(text) \
                    and not (self._centred(nxt) and is_caps(nxt.text)) and not is_structure_line(text) \
                    and not nxt.italic and not (ln.bold and self._centred(ln)):
                found.append(i)
        return found

    def screenplay_paras(self, notes: list[str]) -> list[Para]:
        lines = self.lines
        cues = self._cue_candidates()
        cue_x = _mode([lines[i].x0 for i in cues])
        dial_x = _mode([lines[i + 1].x0 for i in cues if not lines[i + 1].text.startswith("(")])
        paren_x = _mode([lines[i + 1].x0 for i in cues if lines[i + 1].text.startswith("(")])
        first_body = next((i for i, ln in enumerate(lines) if _SCENE_HEADING.match(ln.text) or i in cues), 0)
        paras = title_page_paras([ln.text for ln in lines[:first_body]], "page 1")
        notes.append("screenplay layout, read by indent: " + ", ".join(
            f"{what} at {x / 72:.2f} in" for what, x in (("character cues", cue_x), ("dialogue", dial_x),
                                                          ("parentheticals", paren_x), ("action", self.left))
            if x is not None))
        rejoined = 0
        current: list[TextLine] = []
        kind = ""
        in_speech = False
        speaker = None

        def flush() -> None:
            nonlocal current
            if current:
                text = self._join([emphasis_markdown(ln.spans) if kind == "dialogue" else ln.text for ln in current])
                paras.append(Para(kind, text, current[0].where))
            current = []

        dual_until = 0
        for i in range(first_body, len(lines)):
            if i < dual_until:
                continue
            dual = self._dual_dialogue(i)
            if dual is not None:
                flush()
                speeches, dual_until = dual
                paras.extend(speeches)
                kind, in_speech = "", False
                continue
            ln = lines[i]
            text = ln.text
            prev = lines[i - 1] if i > first_body else None
            new_page = prev is not None and prev.page != ln.page
            if _near(ln.x0, cue_x, 14) and is_cue_shape(text) and len(text) < 45 and i + 1 < len(lines) \
                    and lines[i + 1].x0 < ln.x0 - 20 and lines[i + 1].x0 > self.left + 25:
                name = _CONTD.sub("", text).strip()
                if new_page and kind in ("dialogue", "paren") and name == speaker:
                    self.dropped.append(Para("unplaced", text, ln.where))  # NAME (CONT'D) over the rest
                    rejoined += 1
                    continue
                flush()
                kind, current, in_speech, speaker = "cue", [ln], True, name
                flush()
                kind = ""
                continue
            if in_speech and (text.startswith("(") or (kind == "paren" and not current[-1].text.endswith(")"))) \
                    and (paren_x is None or ln.x0 >= (dial_x or self.left) + 10 or _near(ln.x0, paren_x)):
                if kind != "paren" or (current and current[-1].text.endswith(")")):
                    flush()
                kind = "paren"
                current.append(ln)
                continue
            if in_speech and _near(ln.x0, dial_x, 12) and not (prev is not None and self._gap(prev, ln)):
                if kind != "dialogue":
                    flush()
                kind = "dialogue"
                current.append(ln)
                continue
            if in_speech and new_page and _near(ln.x0, dial_x, 12) and kind == "dialogue":
                current.append(ln)
                rejoined += 1
                continue
            in_speech = False
            if kind == "action" and current and (not self._gap(current[-1], ln) if current[-1].page == ln.page
                                                 else text[:1].islower()) and _near(ln.x0, self.left, 12):
                current.append(ln)
                continue
            flush()
            if _SCENE_HEADING.match(text) or _FORCED_HEADING.match(text):
                kind = "scene_heading"
            elif _OMITTED.match(text):
                kind = "note"
            elif is_caps(text) and _TRANSITION.match(text) and ln.x0 > self.width * 0.5:
                kind = "transition"
            elif self._centred(ln):
                kind = "centered"
            elif _near(ln.x0, self.left, 12):
                kind = "action"
            else:
                kind = "unplaced"
            if kind == "scene_heading":
                ln = self._without_scene_numbers(ln)
            current = [ln]
            if kind != "action":
                flush()
                kind = ""
        flush()
        if self.hyphens[0]:
            notes.append(f"removed {self.hyphens[0]} line-end hyphens")
        if rejoined:
            notes.append(f"rejoined {rejoined} speeches split across pages")
        return paras

    def _dual_dialogue(self, i: int) -> tuple[list[Para], int] | None:
        """Two speeches printed side by side (dual dialogue): a line of two capital names far
        apart, then lines in two columns laid out alike, one further right.  Returns the
        left speech, then the right one marked dual, and the index after the block."""
        lines = self.lines
        head = lines[i]
        if len(head.columns) != 2:
            return None
        (left_x, left_name), (right_x, right_name) = head.columns
        for name in (left_name, right_name):
            bare = _CONTD.sub("", name).strip()
            if not (is_cue_shape(bare) and len(bare) < 45) or _SCENE_HEADING.match(bare) or _TRANSITION.match(bare):
                return None
        if right_x < self.width * 0.45 or right_x - left_x < self.width * 0.25:
            return None
        end = i + 1
        while end < len(lines) and lines[end].page == head.page and not self._gap(lines[end - 1], lines[end]):
            end += 1
        body = [column for ln in lines[i + 1:end] for column in ln.columns]
        if not body:
            return None
        right_edge = min(x for x, _ in body) + (right_x - left_x) - 18  # the right column's dialogue x, less slack
        sides: tuple[list[str], list[str]] = ([], [])
        for x, text in body:
            sides[x >= right_edge].append(text)
        if not all(sides):
            return None
        paras: list[Para] = []
        for side, name in enumerate((left_name, right_name)):
            paras.append(Para("cue", name, head.where, dual=side == 1))
            groups: list[tuple[str, list[str]]] = []
            for text in sides[side]:
                open_paren = bool(groups) and groups[-1][0] == "paren" and not groups[-1][1][-1].endswith(")")
                kind = "paren" if open_paren or text.startswith("(") else "dialogue"
                if groups and groups[-1][0] == kind and (kind == "dialogue" or open_paren):
                    groups[-1][1].append(text)
                else:
                    groups.append((kind, [text]))
            paras += [Para(kind, self._join(texts), head.where) for kind, texts in groups]
        return paras, end

    def _without_scene_numbers(self, ln: TextLine) -> TextLine:
        """``A13 INT. LIVING ROOM - SAME A13`` (a shooting script's scene numbers in both margins)
        -> ``INT. LIVING ROOM - SAME #A13#``: the number kept as Fountain's scene number, never spoken."""
        text = ln.text
        m = re.match(rf"^({_SCENE_NUMBER})\s+(?=\S)", text)
        if m:
            number = m.group(1)
            body = re.sub(rf"\s+{re.escape(number)}$", "", text[m.end():])
            if body != text[m.end():]:
                self.dropped.append(Para("unplaced", number, ln.where))  # the same number in the right margin
            text = body
            text = f"{text} #{number}#"
        return TextLine(ln.page, ln.number, ln.x0, ln.x1, ln.baseline, ln.size, [(text, *ln.spans[0][1:])])

    # -- stage plays ----------------------------------------------------
    def play_paras(self, notes: list[str]) -> list[Para]:
        lines = self.lines
        names: Counter[str] = Counter()
        styled = 0
        for ln in lines:
            found = leading_name(ln.spans)
            if found:
                names[found[0]] += 1
                styled += found[1]
        centred_names = Counter(ln.text for ln in lines if self._centred(ln) and is_cue_shape(ln.text)
                                and not STRUCTURE_WORDS.match(ln.text) and len(ln.text) < 40)
        # plain capitals (NAME. text) are a cue only where names are not set in bold or centred:
        # otherwise a speech line that opens with a name is just speech
        plain_caps_cues = styled + sum(n for n in centred_names.values() if n >= 2) < 3
        first_body = next((i for i, ln in enumerate(lines) if is_structure_line(ln.text)
                           and (self._centred(ln) or ln.bold or is_caps(ln.text))), None)
        if first_body is None:
            first_body = next((i for i, ln in enumerate(lines)
                               if names[(leading_name(ln.spans) or ("",))[0]] >= 2 or centred_names[ln.text] >= 2), 0)
        paras = title_page_paras(self._front_texts(lines[:first_body]), "page 1")
        counts: Counter[str] = Counter()
        speech: list[TextLine] = []
        speech_text: list[str] = []
        breaks: list[bool] = []
        direction: list[TextLine] = []
        centred_cue = False

        def end_direction() -> None:
            if direction:
                text = self._join([ln.text for ln in direction])
                if speech:  # a cue is open: the direction belongs to its speech
                    speech_text.append(f"*({text.strip('()[] ')})*")
                    breaks.append(True)
                else:
                    paras.append(Para("direction", text, direction[0].where))
                direction.clear()

        def end_speech() -> None:
            end_direction()
            if speech_text:
                paras.append(Para("dialogue", self._join(speech_text, breaks=breaks), speech[0].where))
            speech.clear()
            speech_text.clear()
            breaks.clear()

        for i in range(first_body, len(lines)):
            ln = lines[i]
            text = ln.text
            prev = lines[i - 1] if i > first_body else None
            gap = prev is not None and self._gap(prev, ln)
            if self._centred(ln) and (ln.bold or is_cue_shape(text)):
                nxt = lines[i + 1] if i + 1 < len(lines) else None
                opens_speech = nxt is not None and nxt.page == ln.page and not self._gap(ln, nxt) \
                    and _near(nxt.x0, self.left, 12) and is_cue_shape(text) and len(text) < 40 \
                    and (not nxt.italic or (not nxt.text.startswith(("(", "[")) and self._ends_speech(i + 1)))
                if (centred_names[text] >= 2 or opens_speech) and not is_structure_line(text):
                    counts["centred names"] += 1
                    end_speech()
                    paras.append(Para("cue", text, ln.where))
                    speech.append(ln)
                    centred_cue = True
                    continue
                end_speech()
                centred_cue = False
                kind = "act" if ACT_HEADING.match(text) else "scene"
                if paras and paras[-1].kind == kind and prev is not None and not gap and prev.page == ln.page:
                    paras[-1].text += " " + text
                else:
                    paras.append(Para(kind, text, ln.where))
                continue
            if is_structure_line(text) and (ln.bold or is_caps(text)) and not self._centred(ln):
                end_speech()
                paras.append(Para("act" if ACT_HEADING.match(text) else "scene", text, ln.where))
                continue
            found = leading_name(ln.spans)
            opens_paragraph = prev is None or gap or prev.x1 < self.right - self.width * 0.12
            if found and ln.x0 < self.left + 12 and (
                    found[1] or (plain_caps_cues and (names[found[0]] >= 2 or opens_paragraph))):
                name = found[0]
                counts["bold names" if found[1] else "capital names"] += 1
                end_speech()
                centred_cue = False
                paras.append(Para("cue", name, ln.where))
                speech.append(ln)
                rest = after_name(ln.spans)
                if rest:
                    self._speech_line(rest, ln, speech_text, breaks, end_direction)
                continue
            if ln.italic and speech and not speech_text and not direction and self._ends_speech(i):
                self._speech_line(ln.spans, ln, speech_text, breaks, end_direction)  # *Shhh!*: all it says
                continue
            if ln.italic:
                counts["italic directions"] += not direction
                if direction and not gap:
                    direction.append(ln)
                elif gap or ln.x0 > self.left + 12 or not speech:
                    end_speech()  # a direction paragraph of its own
                    direction.append(ln)
                else:
                    end_direction()
                    direction.append(ln)  # inside the speech, between its lines
                continue
            if speech and ln.x0 < self.left + 40 and (not gap or centred_cue):
                self._speech_line(ln.spans, ln, speech_text, breaks, end_direction)
                continue
            end_speech()
            centred_cue = False
            if paras and paras[-1].kind == "direction" and paras[-1].text.startswith("[") \
                    and "]" not in paras[-1].text and not gap:
                paras[-1].text = self._join([paras[-1].text, text])  # a bracketed direction, wrapped
            elif text.startswith(("[", "(")) or is_end_mark(text):
                paras.append(Para("direction", text, ln.where))
            else:
                paras.append(Para("unplaced", text, ln.where))
        end_speech()
        _merge_unplaced(paras)
        notes.append("stage-play layout, read by font and centring: "
                      + ", ".join(f"{what} {n}×" for what, n in counts.most_common()))
        if self.hyphens[0]:
            notes.append(f"removed {self.hyphens[0]} line-end hyphens")
        return paras

    def _ends_speech(self, i: int) -> bool:
        """Nothing of the same speech follows line ``i``: the text ends, a blank line, a page
        break, a centred line (the next cue), an indented one (a direction) or a line opening with a name."""
        lines = self.lines
        if i + 1 >= len(lines):
            return True
        ln, nxt = lines[i], lines[i + 1]
        return nxt.page != ln.page or self._gap(ln, nxt) or self._centred(nxt) or nxt.x0 > self.left + 12 \
            or leading_name(nxt.spans) is not None

    def _speech_line(self, spans: list[Span], ln: TextLine, speech_text: list[str], breaks: list[bool],
                     end_direction: Callable[[], None]) -> None:
        end_direction()
        out = speech_markdown(spans)
        if out:
            speech_text.append(out)
            breaks.append(ln.x1 < self.right - self.width * 0.12)

    def _front_texts(self, lines: list[TextLine]) -> list[str]:
        """Front-matter lines, with two-column lines (a cast list) split into their columns."""
        out = []
        for ln in lines:
            out.extend(c.strip() for c in "".join(t for t, _, _ in ln.spans).split("\t") if c.strip())
        return out


def _merge_unplaced(paras: list[Para]) -> None:
    merged: list[Para] = []
    for p in paras:
        if merged and p.kind == "unplaced" and merged[-1].kind == "unplaced":
            merged[-1].text += " " + p.text
        else:
            merged.append(p)
    paras[:] = merged
