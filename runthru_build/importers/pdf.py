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

from ..errors import UnreadableInput
from ..script.play import is_end_mark, is_structure_line
from .document import (
    ACT_HEADING,
    STRUCTURE_WORDS,
    Imported,
    Para,
    Span,
    after_name,
    is_caps,
    leading_name,
    speech_markdown,
    title_page_paras,
)
from .pdf_text import PageRuns, Run, pdfium_pages

PageReader = Callable[[bytes, str], list[PageRuns]]

_PAGE_NUMBER = re.compile(r"^[\s\-–—]*(?:page\s*)?(?:\d+|[ivxlc]+)\.?(?:\s*(?:of|/)\s*\d+)?[\s\-–—]*$", re.I)
_MORE = re.compile(r"^\(\s*(?:MORE|CONT(?:'|’)?D|CONTINUED)\s*\)$|^(?:\(?CONTINUED\)?:?)$", re.I)
_CONTD = re.compile(r"\s*\(\s*CONT(?:'|’)?D\s*\)\s*$|\s*\(\s*CONTINUING\s*\)\s*$", re.I)
_SCENE_HEADING = re.compile(r"^(?:\d+[A-Z]?\s+)?(?:INT|EXT|EST|INT\.?/EXT|I/E)[. ]")
_TRANSITION = re.compile(r"^(?:[A-Z .'’\-]+TO:|FADE (?:IN|OUT)[.:]?|FADE TO BLACK\.?|CUT TO BLACK\.?|THE END\.?)$")
_SCENE_NUMBERS = re.compile(r"^\d+[A-Z]?\s+(?=\S)|\s+\d+[A-Z]?$")
_HYPHEN_END = re.compile(r"[A-Za-zÀ-ÿ]-$")


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

    @property
    def text(self) -> str:
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
            elif previous is not None and run.x0 - previous.x1 > run.size * 0.15 \
                    and not previous.text.endswith(" ") and not text.startswith(" "):
                text = " " + text
            line.spans.append((text, run.bold, run.italic))
            x, so_far = line.columns[-1]
            line.columns[-1] = (x, (so_far + text.lstrip("\t")).strip() if so_far else text.strip())
            previous = run
        lines.append(line)
    return lines


def _revision_mark(run: Run, width: float) -> bool:
    return run.text.strip() == "*" and (run.x0 > width * 0.82 or run.x1 < width * 0.12)


def _drop_furniture(pages: list[list[TextLine]], heights: list[float], notes: list[str]) -> list[list[TextLine]]:
    """Running headers, footers and page numbers: lines at the top or bottom of a page, in its
    margin and set apart from the body by white space, that are page numbers or repeat (digits
    aside) on several pages. A cue that merely happens to open many pages sits right above its
    speech, so it is never taken for a header."""
    pitch = _median_pitch([ln for lines in pages for ln in lines])

    def apart(lines: list[TextLine], i: int, height: float) -> bool:
        ln = lines[i]
        room = pitch * 1.3
        if ln.baseline < height * 0.12 and i < 2:
            return i + 1 >= len(lines) or lines[i + 1].baseline - ln.baseline > room
        if ln.baseline > height * 0.88 and i >= len(lines) - 2:
            return i == 0 or ln.baseline - lines[i - 1].baseline > room
        return False

    candidates = [{i for i in range(len(lines)) if apart(lines, i, height)}
                  for lines, height in zip(pages, heights, strict=True)]
    shape: Counter[str] = Counter()
    for lines, found in zip(pages, candidates, strict=True):
        for key in {re.sub(r"\d+", "#", lines[i].text) for i in found}:
            shape[key] += 1
    repeated = max(2, len(pages) // 4)
    kept, dropped = [], 0
    for lines, found in zip(pages, candidates, strict=True):
        keep = []
        for i, ln in enumerate(lines):
            text = ln.text
            if (i in found and (_PAGE_NUMBER.match(text) or shape[re.sub(r"\d+", "#", text)] >= repeated)) \
                    or _MORE.match(text):
                dropped += 1
                continue
            keep.append(ln)
        kept.append(keep)
    if dropped:
        notes.append(f"dropped {dropped} lines of page furniture (headers, footers, page numbers, (MORE), CONTINUED)")
    return kept


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


def _without_scene_numbers(ln: TextLine) -> TextLine:
    """``12 INT. HOUSE - DAY 12`` (a shooting script's scene numbers in both margins) -> the heading."""
    text = _SCENE_NUMBERS.sub("", ln.text)
    return TextLine(ln.page, ln.number, ln.x0, ln.x1, ln.baseline, ln.size, [(text, *ln.spans[0][1:])])


def _near(x: float, target: float | None, tolerance: float = 9.0) -> bool:
    return target is not None and abs(x - target) <= tolerance


def _join(lines: list[str], notes_count: list[int], *, breaks: list[bool] | None = None) -> str:
    """Join wrapped lines, removing a hyphen that only split a word at a line end."""
    out = ""
    for i, text in enumerate(lines):
        if not out:
            out = text
        elif _HYPHEN_END.search(out) and text[:1].islower():
            out = out[:-1] + text
            notes_count[0] += 1
        elif out.endswith(")*") and text.startswith("*("):  # one italic direction wrapped onto two lines
            out = out[:-2] + " " + text[2:]
        else:
            out += ("\n" if breaks and breaks[i - 1] else " ") + text
    return out


def read_pdf(data: bytes, shown: str, *, ocr: bool = False, reader: PageReader = pdfium_pages) -> Imported:
    pages = reader(data, shown)
    chars = sum(len(r.text.strip()) for p in pages for r in p.runs)
    if chars < 20 * max(len(pages), 1):
        if not ocr:
            what = "is image-only (a scan?)" if any(p.images for p in pages) else "has no text layer"
            raise UnreadableInput(f"{what}: run OCR first (ocrmypdf --force-ocr IN.pdf OUT.pdf), "
                                  "or import with --ocr (needs tesseract)", path=shown)
        from .ocr import ocr_pages

        pages = ocr_pages(data, shown)
    notes: list[str] = []
    lines = _drop_furniture([_lines_of(p) for p in pages], [p.height for p in pages], notes)
    width = pages[0].width if pages else 612.0
    flat = [ln for page in lines for ln in page if ln.text]
    if not flat:
        raise UnreadableInput("has no text to import", path=shown)
    layout = _Layout(flat, width)
    screenplay = layout.screenplay()
    paras = layout.screenplay_paras(notes) if screenplay else layout.play_paras(notes)
    return Imported(paras, screenplay=screenplay, source_kind="PDF", notes=notes)


class _Layout:
    def __init__(self, lines: list[TextLine], width: float) -> None:
        self.lines = lines
        self.width = width
        self.left = _left_margin([ln.x0 for ln in lines])
        self.right = max(ln.x1 for ln in lines)
        self.pitch = _median_pitch(lines)

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
            if ln.x0 > self.left + 90 and ln.x0 < self.width * 0.6 and is_caps(text) and len(text) < 45 \
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
        hyphens = [0]
        rejoined = 0
        current: list[TextLine] = []
        kind = ""
        in_speech = False
        speaker = None

        def flush() -> None:
            nonlocal current
            if current:
                text = _join([ln.text for ln in current], hyphens)
                paras.append(Para(kind, text, current[0].where))
            current = []

        dual_until = 0
        for i in range(first_body, len(lines)):
            if i < dual_until:
                continue
            dual = self._dual_dialogue(i, hyphens)
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
            if _near(ln.x0, cue_x, 14) and is_caps(text) and len(text) < 45 and i + 1 < len(lines) \
                    and lines[i + 1].x0 < ln.x0 - 20 and lines[i + 1].x0 > self.left + 25:
                name = _CONTD.sub("", text).strip()
                if new_page and kind in ("dialogue", "paren") and name == speaker:
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
            if _SCENE_HEADING.match(text) or (_near(ln.x0, self.left) and is_caps(text) and len(text) < 60
                                               and self._alone(i)):
                kind = "scene_heading"
            elif is_caps(text) and _TRANSITION.match(text) and ln.x0 > self.width * 0.5:
                kind = "transition"
            elif self._centred(ln):
                kind = "centered"
            elif _near(ln.x0, self.left, 12):
                kind = "action"
            else:
                kind = "unplaced"
            if kind == "scene_heading":
                ln = _without_scene_numbers(ln)
            current = [ln]
            if kind != "action":
                flush()
                kind = ""
        flush()
        if hyphens[0]:
            notes.append(f"removed {hyphens[0]} line-end hyphens")
        if rejoined:
            notes.append(f"rejoined {rejoined} speeches split across pages")
        return paras

    def _dual_dialogue(self, i: int, hyphens: list[int]) -> tuple[list[Para], int] | None:
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
            if not (is_caps(bare) and len(bare) < 45) or _SCENE_HEADING.match(bare) or _TRANSITION.match(bare):
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
            paras += [Para(kind, _join(texts, hyphens), head.where) for kind, texts in groups]
        return paras, end

    def _alone(self, i: int) -> bool:
        lines = self.lines
        before = i == 0 or lines[i - 1].page != lines[i].page or self._gap(lines[i - 1], lines[i])
        after = i + 1 >= len(lines) or lines[i + 1].page != lines[i].page or self._gap(lines[i], lines[i + 1])
        return before and after

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
        centred_names = Counter(ln.text for ln in lines if self._centred(ln) and is_caps(ln.text)
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
        hyphens = [0]
        counts: Counter[str] = Counter()
        speech: list[TextLine] = []
        speech_text: list[str] = []
        breaks: list[bool] = []
        direction: list[TextLine] = []
        centred_cue = False

        def end_direction() -> None:
            if direction:
                text = _join([ln.text for ln in direction], hyphens)
                if speech:  # a cue is open: the direction belongs to its speech
                    speech_text.append(f"*({text.strip('()[] ')})*")
                    breaks.append(True)
                else:
                    paras.append(Para("direction", text, direction[0].where))
                direction.clear()

        def end_speech() -> None:
            end_direction()
            if speech_text:
                paras.append(Para("dialogue", _join(speech_text, hyphens, breaks=breaks), speech[0].where))
            speech.clear()
            speech_text.clear()
            breaks.clear()

        for i in range(first_body, len(lines)):
            ln = lines[i]
            text = ln.text
            prev = lines[i - 1] if i > first_body else None
            gap = prev is not None and self._gap(prev, ln)
            if self._centred(ln) and (ln.bold or is_caps(text)):
                nxt = lines[i + 1] if i + 1 < len(lines) else None
                opens_speech = nxt is not None and nxt.page == ln.page and not self._gap(ln, nxt) \
                    and _near(nxt.x0, self.left, 12) and not nxt.italic and is_caps(text) and len(text) < 40
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
                paras[-1].text = _join([paras[-1].text, text], hyphens)  # a bracketed direction, wrapped
            elif text.startswith(("[", "(")) or is_end_mark(text):
                paras.append(Para("direction", text, ln.where))
            else:
                paras.append(Para("unplaced", text, ln.where))
        end_speech()
        _merge_unplaced(paras)
        notes.append("stage-play layout, read by font and centring: "
                      + ", ".join(f"{what} {n}×" for what, n in counts.most_common()))
        if hyphens[0]:
            notes.append(f"removed {hyphens[0]} line-end hyphens")
        return paras

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
