"""DraCor TEI plays: where the corpora are, and what a play says (the truth the benchmark scores against).

A play becomes a ``Play``: its title, author, cast list, and a flat run of items in order:
``("act", head)``, ``("scene", head)``, ``("stage", text)`` and ``("sp", Speech)``. A speech
keeps its blocks (a verse group or a paragraph: lines of segments, each spoken text or an
inline direction) and its own directions between blocks, so each layout can write them its way.
"""

from __future__ import annotations

import os
import re
import subprocess
import xml.etree.ElementTree as ET
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

# corpus -> (language, licence as the corpus states it)
CORPORA = {
    "gerdracor": ("German", "CC0 1.0 (corpus README; a few source texts CC BY 3.0 DE)"),
    "fredracor": ("French", "CC BY-NC-SA 4.0 (from Théâtre Classique)"),
    "shakedracor": ("English", "CC BY-NC 3.0 (Folger Shakespeare Library)"),
    "rusdracor": ("Russian", "CC0 1.0 (per-file licence)"),
    "swedracor": ("Swedish", "CC BY-SA 3.0 (eDrama / Dramawebben)"),
    "itadracor": ("Italian", "free for personal or scientific use, no commercial use (Biblioteca Italiana)"),
    "spandracor": ("Spanish", "\"freely available\" (BETTE; no named licence)"),
    "romdracor": ("Latin", "CC BY-SA 3.0 US (Perseus Digital Library)"),
    "greekdracor": ("Ancient Greek", "CC BY-SA 3.0 US (Perseus Digital Library)"),
    # Not in the default run: a language the parser was never tuned on (--corpora dutchdracor)
    "dutchdracor": ("Dutch", "CC0 1.0 (corpus README)"),
}
DEFAULT_CORPORA = tuple(name for name in CORPORA if name != "dutchdracor")
MIRROR = Path(os.environ.get("DRACOR_MIRROR", "/work/.mirror"))


def fetch_hint(corpus: str) -> str:
    return (f"{corpus}: not found. Clone it (a bare or plain clone both work) and point the bench at it:\n"
            f"  git clone --bare https://github.com/dracor-org/{corpus} {MIRROR}/dracor-org+{corpus}/repo\n"
            f"  (or set DRACOR_MIRROR=DIR holding dracor-org+{corpus}/repo, or pass --mirror DIR)")


class Corpus:
    """The TEI files of one corpus, read from a git directory (bare mirror) or a plain checkout."""

    def __init__(self, name: str, mirror: Path = MIRROR):
        self.name = name
        self.language, self.licence = CORPORA[name]
        base = mirror / f"dracor-org+{name}" / "repo"
        if not base.exists():
            base = mirror / name
        self.path = base
        self.git = (base / "HEAD").is_file() and not (base / "tei").is_dir()
        if not base.exists():
            raise FileNotFoundError(fetch_hint(name))

    def files(self) -> list[tuple[str, int]]:
        """(path, size in bytes) of every play, sorted by path."""
        if self.git:
            out = subprocess.run(["git", "--git-dir", str(self.path), "ls-tree", "-r", "-l", "HEAD", "tei/"],
                                 capture_output=True, text=True, check=True).stdout
            rows = []
            for line in out.splitlines():
                meta, path = line.split("\t", 1)
                size = meta.split()[3]
                if path.endswith(".xml") and size.isdigit():
                    rows.append((path, int(size)))
            return sorted(rows)
        return sorted((f"tei/{p.name}", p.stat().st_size) for p in (self.path / "tei").glob("*.xml"))

    def commit(self) -> str:
        if not self.git:
            return "working tree"
        return subprocess.run(["git", "--git-dir", str(self.path), "rev-parse", "HEAD"],
                              capture_output=True, text=True, check=True).stdout.strip()

    def read(self, paths: list[str]) -> dict[str, bytes]:
        if not self.git:
            return {p: (self.path / p).read_bytes() for p in paths}
        proc = subprocess.run(["git", "--git-dir", str(self.path), "cat-file", "--batch"],
                              input="".join(f"HEAD:{p}\n" for p in paths).encode(), capture_output=True, check=True)
        data, at, out = proc.stdout, 0, {}
        for p in paths:
            end = data.index(b"\n", at)
            header = data[at:end].split()
            size = int(header[2])
            out[p] = data[end + 1:end + 1 + size]
            at = end + 1 + size + 1
        return out


# ---------------------------------------------------------------- the model

Seg = tuple[str, str]  # ("text" | "stage", text)


@dataclass
class Speech:
    who: str
    label: str = ""
    cue_stage: str = ""  # a direction between the speaker and the first words
    blocks: list[tuple[str, object]] = field(default_factory=list)
    """("verse" | "prose", [line, ...]) where a line is [Seg, ...]; or ("stage", text)."""

    def words(self) -> str:
        out = []
        for kind, body in self.blocks:
            if kind != "stage":
                out.extend(t for line in body for k, t in line if k == "text")
        return " ".join(out)


@dataclass
class Play:
    corpus: str
    name: str
    language: str
    title: str
    author: str
    cast_head: str
    cast: list[str]
    items: list[tuple[str, object]]
    labels: dict[str, str]  # who -> cue label
    person_labels: dict[str, str]  # one person's id -> their own cue label

    def speeches(self) -> list[Speech]:
        return [sp for kind, sp in self.items if kind == "sp"]


def _local(tag: object) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


_WS = re.compile(r"\s+")


def _clean(text: str) -> str:
    return _WS.sub(" ", text).strip()


def _text(el: ET.Element, skip: tuple[str, ...] = ("note", "fw")) -> str:
    parts: list[str] = []

    def walk(e: ET.Element) -> None:
        if e.text:
            parts.append(e.text)
        for c in e:
            t = _local(c.tag)
            if t == "lb":
                parts.append(" ")
            elif t not in skip and t not in ("sic", "orig", "abbr"):
                walk(c)
            if c.tail:
                parts.append(c.tail)

    walk(el)
    return _clean("".join(parts))


_SKIP = ("note", "fw", "pb", "milestone", "anchor", "figure", "speaker", "sic", "orig", "abbr", "bibl", "ref")


def _segments(el: ET.Element) -> list[list[Seg]]:
    """The lines of a paragraph or verse line (split at ``<lb/>``), each a list of segments."""
    lines: list[list[Seg]] = [[]]

    def add(kind: str, text: str) -> None:
        text = _WS.sub(" ", text)
        if not text.strip() and kind == "stage":
            return
        line = lines[-1]
        if line and line[-1][0] == kind:
            line[-1] = (kind, line[-1][1] + text)
        else:
            line.append((kind, text))

    def walk(e: ET.Element) -> None:
        if e.text:
            add("text", e.text)
        for c in e:
            t = _local(c.tag)
            if t == "stage":
                add("stage", _text(c))
            elif t == "lb":
                if lines[-1] and any(s.strip() for _, s in lines[-1]):
                    lines.append([])
            elif t in ("l",):
                if lines[-1] and any(s.strip() for _, s in lines[-1]):
                    lines.append([])
                walk(c)
                lines.append([])
            elif t not in _SKIP:
                walk(c)
            if c.tail:
                add("text", c.tail)

    walk(el)
    out = []
    for line in lines:
        segs = [(k, _clean(s)) for k, s in line]
        segs = [(k, s) for k, s in segs if s]
        if segs:
            out.append(segs)
    return out


def _clean_label(text: str) -> str:
    text = _clean(text)
    text = re.sub(r"^[\s.,:;\-–—]+|[\s.,:;\-–—]+$", "", text)
    while len(text) > 2 and text[0] in "([" and text[-1] in ")]":  # "(Bleph.)": an editor's guess
        text = re.sub(r"^[\s.,:;\-–—]+|[\s.,:;\-–—]+$", "", text[1:-1])
    return text


_LABEL_DIRECTION = re.compile(r"^(?P<name>[^,(]+?)\s*(?:,\s*(?P<comma>[a-zà-ÿа-яё].*)|\((?P<paren>.*)\)\s*)$")


def _split_label(label: str) -> tuple[str, str]:
    """A speaker line that carries a direction (``THÉOTIME, bas à Agnès``, ``Beide (zugleich)``):
    the name, and the direction, which each layout writes its own way."""
    m = _LABEL_DIRECTION.match(label)
    if not m or not m.group("name").strip():
        return label, ""
    return m.group("name").strip(), (m.group("comma") or m.group("paren") or "").strip(" .")


def _speech(sp: ET.Element) -> Speech:
    speech = Speech(who=_clean(sp.get("who") or ""))
    saw_words = False
    verse: list[list[Seg]] | None = None
    for c in sp:
        t = _local(c.tag)
        if t == "speaker":
            speech.label, direction = _split_label(_clean_label(_text(c, skip=("note", "fw", "stage"))))
            if direction:
                speech.cue_stage = direction
            continue
        if t == "l":
            if verse is None:
                verse = []
                speech.blocks.append(("verse", verse))
            verse.extend(_segments(c))
        elif t == "lg":
            verse = None
            lines = []
            for member in c:
                if _local(member.tag) == "l":
                    lines.extend(_segments(member))
                elif _local(member.tag) == "stage":
                    lines.append([("stage", _text(member))])
            if lines:
                speech.blocks.append(("verse", lines))
        elif t in ("p", "ab", "seg", "s", "q"):
            verse = None
            lines = _segments(c)
            if lines:
                speech.blocks.append(("prose", lines))
        elif t == "stage":
            text = _text(c)
            if not text:
                continue
            if not saw_words and not speech.blocks and not speech.cue_stage:
                speech.cue_stage = text
            else:
                speech.blocks.append(("stage", text))
                verse = None
            continue
        else:
            continue
        saw_words = saw_words or bool(speech.words().strip())
    # a block that is only directions is a direction standing in the speech
    fixed: list[tuple[str, object]] = []
    for kind, body in speech.blocks:
        if kind != "stage":
            body = [line for line in body if line]
            if all(k == "stage" for line in body for k, _ in line):
                for line in body:
                    for _, s in line:
                        fixed.append(("stage", s))
                continue
        fixed.append((kind, body))
    speech.blocks = fixed
    return speech


def _cast(castlist: ET.Element) -> tuple[str, list[str]]:
    head = ""
    entries: list[str] = []
    for c in castlist:
        t = _local(c.tag)
        if t == "head":
            head = _text(c)
        elif t == "castItem":
            text = _text(c)
            if text:
                entries.append(text)
        elif t == "castGroup":
            desc = _text(c.find("{*}roleDesc")) if c.find("{*}roleDesc") is not None else ""
            for item in c:
                if _local(item.tag) == "castItem":
                    text = _text(item)
                    if text:
                        entries.append(text + (f" {desc}" if desc else ""))
                elif _local(item.tag) == "head":
                    entries.append(_text(item))
    return head, entries


_ACT_TYPES = {"act", "acte", "akt", "atto", "acto", "part"}


def read_play(corpus: str, name: str, data: bytes) -> Play:
    root = ET.fromstring(data)
    header = root.find("{*}teiHeader")
    title = author = ""
    if header is not None:
        ts = header.find(".//{*}titleStmt")
        if ts is not None:
            titles = ts.findall("{*}title")
            main = [t for t in titles if t.get("type") == "main"] or titles
            title = _text(main[0]) if main else ""
            au = ts.find("{*}author")
            if au is not None:
                pn = au.find("{*}persName")
                author = _text(pn if pn is not None else au)
    persons: dict[str, str] = {}
    for p in root.iter():
        if _local(p.tag) in ("person", "personGrp"):
            pid = p.get("{http://www.w3.org/XML/1998/namespace}id")
            pn = p.find("{*}persName")
            if pid and pn is not None and _text(pn):
                persons[pid] = _text(pn)
    text = root.find("{*}text")
    items: list[tuple[str, object]] = []
    cast_head, cast = "", []

    def walk(el: ET.Element, in_front: bool) -> None:
        nonlocal cast_head, cast
        for c in el:
            t = _local(c.tag)
            if t == "castList" and not cast:
                cast_head, cast = _cast(c)
            elif t == "front":
                walk(c, True)
            elif t in ("body", "back"):
                walk(c, False)
            elif t in ("div", "div1", "div2", "div3", "div4"):
                if in_front and c.find(".//{*}sp") is None:
                    if c.find(".//{*}castList") is not None:
                        walk(c, True)
                    continue  # prefaces and dedications: not rendered
                head = c.find("{*}head")
                subdivs = [d for d in c if _local(d.tag).startswith("div")]
                kind = "act" if subdivs or (c.get("type") or "").lower() in _ACT_TYPES else "scene"
                if head is not None and _text(head):
                    items.append((kind, _text(head)))
                elif kind == "act":
                    items.append(("act", ""))
                walk(c, in_front)
            elif t == "sp":
                items.append(("sp", _speech(c)))
            elif t in ("stage", "set", "trailer") or (t in ("p", "ab", "l", "lg") and not in_front):
                s = _text(c)
                if s:
                    items.append(("stage", s))
            elif t in ("head", "titlePage", "docTitle", "docAuthor", "note", "pb", "fw", "milestone", "anchor",
                       "figure", "performance", "epilogue", "prologue", "docImprint", "docDate"):
                continue
            else:
                walk(c, in_front)

    if text is not None:
        walk(text, False)
    # one label per speaker: the most frequent spelling of the speaker line, else the person's name
    spellings: dict[str, Counter[str]] = {}
    for kind, sp in items:
        if kind == "sp" and sp.label:
            spellings.setdefault(sp.who, Counter())[sp.label] += 1
    labels: dict[str, str] = {}
    for kind, sp in items:
        if kind != "sp" or sp.who in labels:
            continue
        counts = spellings.get(sp.who)
        label = counts.most_common(1)[0][0] if counts else ""
        if not label or len(label) > 40 or len(label.split()) > 6:
            ids = [w.lstrip("#") for w in sp.who.split()]
            label = " & ".join(persons.get(i, i.replace("_", " ").title()) for i in ids if i) or label
        labels[sp.who] = label
    person_labels: dict[str, str] = {}
    for who, label in labels.items():
        ids = who.split()
        if len(ids) == 1:
            person_labels[ids[0].lstrip("#")] = label
    for kind, sp in items:
        if kind == "sp":
            sp.label = labels[sp.who]
    # a speech no one is named for (an unattributed fragment) cannot be cued: left out
    items = [(kind, item) for kind, item in items if kind != "sp" or item.label]
    language = CORPORA[corpus][0]
    return Play(corpus=corpus, name=name, language=language, title=title or name, author=author,
                cast_head=cast_head, cast=cast, items=items, labels=labels, person_labels=person_labels)
