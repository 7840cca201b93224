"""Scoring a parsed script against the TEI truth: speeches as (speaker, words) aligned in order.

Truth speeches are the ``<sp>`` with spoken words, each with the cue label it was rendered
with. Parsed speeches are the parser's lines, a line the parser marks as continuing the
last speaker (after a direction inside a speech) joined to the line before it. The two runs
are aligned on their words (difflib, no junk heuristic); an aligned pair is right when the
parsed speakers are the rendered cue (or, for a joint cue, its parts), or a name the parser
gave that cue consistently (see ``score``).

    right %  = matched / max(truth speeches, parsed speeches)
    lost     = truth speeches with no parsed speech of the same words
    invented = parsed speeches with no truth speech of the same words
    wrong speaker = same words, other speaker
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass, field

_NON_WORD = re.compile(r"[\W_]+")
_JOINING = re.compile(r"['’‘ʼ`<>\[\]{}\u00ad]")  # apostrophes, soft hyphens, editors' <added> [lost] letters
_JOINERS = re.compile(r"\s+(?:and|und|et|e|y|och|и|&|ac|atque|καὶ|ed)\s+|\s*,\s*|\s*/\s*", re.I)


def words(text: str) -> str:
    return " ".join(_NON_WORD.sub(" ", _JOINING.sub("", text.lower())).split())


def name_key(name: str) -> str:
    """A cue name's identity: case, accents (Greek capitals drop them) and punctuation aside."""
    name = "".join(c for c in unicodedata.normalize("NFD", name) if not unicodedata.combining(c))
    return " ".join(_NON_WORD.sub(" ", name.upper()).split())


def speaker_keys(label: str, part_labels: list[str]) -> set[str]:
    """The parsed speaker sets (as keys) that count as this cue."""
    keys = {name_key(label)}
    parts = [p for p in _JOINERS.split(label) if p.strip()]
    if len(parts) > 1:
        keys.add("+".join(sorted(name_key(p) for p in parts)))
    if len(part_labels) > 1:
        keys.add("+".join(sorted(name_key(p) for p in part_labels)))
    return keys


@dataclass
class Truth:
    label: str
    words: str
    keys: list[str]
    text: str = ""  # the words as written, for examples


@dataclass
class Parsed:
    speakers: tuple[str, ...]
    words: str
    text: str
    source: str

    @property
    def key(self) -> str:
        return "+".join(sorted(name_key(s) for s in self.speakers)) if len(self.speakers) > 1 else name_key(
            self.speakers[0] if self.speakers else "")


@dataclass
class Score:
    truth: int = 0
    parsed: int = 0
    matched: int = 0
    wrong_speaker: int = 0
    lost: int = 0
    invented: int = 0
    examples: list[dict] = field(default_factory=list)

    @property
    def right(self) -> float:
        return self.matched / max(self.truth, self.parsed) if max(self.truth, self.parsed) else 1.0

    def add(self, other: Score) -> None:
        for k in ("truth", "parsed", "matched", "wrong_speaker", "lost", "invented"):
            setattr(self, k, getattr(self, k) + getattr(other, k))


def truth_of(play) -> list[Truth]:
    out = []
    for sp in play.speeches():
        w = words(sp.words())
        if not w:
            continue
        parts = [play.person_labels.get(i.lstrip("#"), "") for i in sp.who.split()]
        parts = [p for p in parts if p]
        out.append(Truth(label=sp.label, words=w, keys=sorted(speaker_keys(sp.label, parts)), text=sp.words()))
    return out


def parsed_of(script) -> list[Parsed]:
    out: list[Parsed] = []
    for line in script.lines():
        w = words(line.spoken)
        if not w:
            continue
        if line.continued and out and out[-1].speakers == line.speakers:
            prev = out[-1]
            out[-1] = Parsed(prev.speakers, f"{prev.words} {w}", f"{prev.text} {line.spoken}", prev.source)
            continue
        out.append(Parsed(tuple(line.speakers), w, line.spoken, str(line.source)))
    return out


def parse_back(file) -> tuple[list[Parsed], str | None]:
    """The real parser's speeches in a rendered file, or none and its one-line error."""
    from runthru_build.errors import RunThruError
    from runthru_build.script import load_script

    try:
        return parsed_of(load_script(file, file.name)), None
    except RunThruError as exc:
        return [], str(exc)


def _short(text: str, n: int = 90) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[:n - 1] + "…"


def _word_diff(a: str, b: str, width: int = 6) -> str:
    """Where two word runs part: ``-truth words- +parsed words+`` with a few words around."""
    aw, bw = a.split(), b.split()
    m = difflib.SequenceMatcher(None, aw, bw, autojunk=False)
    out = []
    for op, i1, i2, j1, j2 in m.get_opcodes():
        if op == "equal":
            continue
        before = " ".join(aw[max(0, i1 - width):i1])
        out.append(f"…{before} [-{' '.join(aw[i1:i2][:12])}-] [+{' '.join(bw[j1:j2][:12])}+]")
        if len(out) == 2:
            break
    return " ".join(out)


def score(truth: list[Truth], parsed: list[Parsed], *, examples: int = 6) -> Score:
    s = Score(truth=len(truth), parsed=len(parsed))
    matcher = difflib.SequenceMatcher(None, [t.words for t in truth], [p.words for p in parsed], autojunk=False)
    ops = matcher.get_opcodes()
    # A parser may name a character its own way (the cast list's full name for a cue's short one):
    # a parsed name counts as a cue when most of its speeches are that cue's and no other parsed
    # name has more of them. Two characters merged under one name still lose the smaller one.
    votes: dict[str, Counter[str]] = defaultdict(Counter)
    for op, i1, i2, j1, j2 in ops:
        if op == "equal":
            for t, p in zip(truth[i1:i2], parsed[j1:j2], strict=False):
                votes[p.key][t.keys[0] if len(t.keys) == 1 else min(t.keys)] += 1
    best: dict[str, tuple[int, str]] = {}
    for pk, counter in votes.items():
        label, n = counter.most_common(1)[0]
        if n > best.get(label, (0, ""))[0]:
            best[label] = (n, pk)
    renamed = {pk: label for label, (n, pk) in best.items()}
    for op, i1, i2, j1, j2 in ops:
        if op == "equal":
            for t, p in zip(truth[i1:i2], parsed[j1:j2], strict=False):
                if p.key in t.keys or renamed.get(p.key) == name_key(t.label):
                    s.matched += 1
                else:
                    s.wrong_speaker += 1
                    if len(s.examples) < examples:
                        s.examples.append({"kind": "wrong speaker", "truth": f"{t.label}: {_short(t.text)}",
                                           "wrong": 1, "truth_index": truth.index(t),
                                           "parsed": f"{' & '.join(p.speakers)}: {_short(p.text)}",
                                           "at": p.source})
            continue
        s.lost += i2 - i1
        s.invented += j2 - j1
        if len(s.examples) < examples:
            s.examples.append({
                "kind": "words differ" if i2 > i1 and j2 > j1 else ("lost" if i2 > i1 else "invented"),
                "lost": i2 - i1, "invented": j2 - j1, "truth_index": i1,
                "diff": _word_diff(" ".join(t.words for t in truth[i1:i2]), " ".join(p.words for p in parsed[j1:j2])),
                "truth": " | ".join(f"{t.label}: {_short(t.text, 70)}" for t in truth[i1:min(i2, i1 + 3)]),
                "parsed": " | ".join(f"{' & '.join(p.speakers)}: {_short(p.text, 70)}" for p in parsed[j1:min(j2, j1 + 3)]),
                "at": parsed[j1].source if j2 > j1 else (parsed[j1 - 1].source if j1 else "start"),
            })
    return s
