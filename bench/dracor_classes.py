"""Sort the failures of a ``bench/dracor.py --json J --keep DIR --examples 400`` run into rough
classes, by layout, ranked by the speeches each costs; with a few examples of each.

    python bench/dracor_classes.py J DIR [--examples 3]

The classes come from the word diff of each failure and the rendered line it points at; they
are a first sort for a reader, not a verdict: read the examples (dracor_failures.py shows more).
"""

from __future__ import annotations

import argparse
import json
import re
from collections import Counter, defaultdict
from pathlib import Path

HEADING = re.compile(
    r"^(?:\S+\s+){0,4}(?:scène|scene|scena|escena|auftritt|szene|scen|scenen|act|acte|akt|atto|acto|aufzug|handlung|"
    r"явление|действие|картина|сцена|actus|scaena|cuadro|jornada|prologue|prolog|epilog|ende|fin|slut|intermezzo)\b",
    re.I)
PIECE = re.compile(r"\[-(.*?)-\] \[\+(.*?)\+\]")


def _find(lines: list[str], words: str, near: int) -> int | None:
    """The line (1-based) nearest ``near`` where the first words of ``words`` are written."""
    first = words.split()[:3]
    if not first:
        return None
    pattern = re.compile(r"[\W_]*".join(re.escape(w) for w in first), re.I)
    hits = [i + 1 for i, line in enumerate(lines) if pattern.search(line)]
    if not hits and len(first) > 1:
        pattern = re.compile(re.escape(first[0]), re.I)
        hits = [i + 1 for i, line in enumerate(lines) if pattern.search(line)]
    return min(hits, key=lambda n: abs(n - near)) if hits else None


def _labels(example: dict, which: str = "both") -> list[str]:
    out = []
    text = {"both": example.get("truth", "") + " | " + example.get("parsed", ""), "parsed": example.get("parsed", ""),
            "truth": example.get("truth", "")}
    for part in text[which].split(" | "):
        name, sep, _ = part.partition(": ")
        if sep:
            out.append(" ".join(re.sub(r"[\W_]+", " ", name.lower()).split()))
    return [x for x in out if x]


def _is_direction_line(line: str, layout: str) -> bool:
    s = line.strip()
    if not s:
        return False
    if s[0] in "[(_*" or s.startswith("*("):
        return True
    return layout == "book" and len(line) - len(line.lstrip()) >= 12


def classify(layout: str, ex: dict, lines: list[str]) -> str:
    kind = ex["kind"]
    if kind == "wrong speaker":
        return "wrong speaker: the words right, another name"
    if layout == "slides":
        return "`## NAME:` slide headings not read as cues"
    pieces = PIECE.findall(ex.get("diff", ""))
    removed, added = pieces[0] if pieces else ("", "")
    _name, _, at_line = ex["at"].rpartition(":")
    near = int(at_line) if at_line.isdigit() else 1
    labels = _labels(ex)
    truth_labels = _labels(ex, "truth")
    parsed_labels = _labels(ex, "parsed")
    if added and any(t.startswith(p + " ") and added.startswith(t[len(p) + 1:])
                     for t in truth_labels for p in parsed_labels if p):
        return "abbreviated name split at its full stop (D. ALFONSO. -> D)"
    if added and not removed:
        where = _find(lines, added, near)
        text = lines[where - 1] if where else ""
        first_cue = next((i for i, line in enumerate(lines) if any(
            re.sub(r"[\W_]+", " ", line.lower()).strip().startswith(lab) for lab in labels if lab)), len(lines))
        if where and where <= first_cue and kind == "invented":
            return "title, author or cast list read as a speech"
        alone = bool(where and where > 1 and not lines[where - 2].strip("=# ") and (
            " ".join(re.sub(r"[\W_]+", " ", text.lower()).split()) == added))
        if HEADING.match(added) or (text and HEADING.match(text.strip(" #=*_"))) or (alone and kind != "invented"):
            if kind == "invented":
                return "scene heading with names (SCÈNE II. A, B.) read as a cue"
            return "act/scene heading (or a setting standing as the scene's title) read into the speech before"
        if any(added == lab or added.startswith(lab + " ") for lab in labels):
            return "cue not read: its speech joined to the one before"
        if text and _is_direction_line(text, layout):
            return "direction read into the speech before" if kind != "invented" else "direction read as a speech"
        if kind == "invented":
            return "other invented speech"
        return "other words added to a speech"
    if removed and not added:
        where = _find(lines, removed, near)
        text = lines[where - 1] if where else ""
        first = removed.split()[0]
        pos = text.lower().find(first)
        before = text[:pos] if pos >= 0 else ""
        body = text.strip()
        for lab in labels:
            if lab and re.sub(r"[\W_]+", " ", body.lower()).startswith(lab + " "):
                body = body[len(lab):].lstrip(" .:*,")
                break
        if any(lab and (removed == lab or removed.startswith(lab + " ")) for lab in _labels(ex, "parsed")):
            return "a line of speech read as a cue (Nein. / Arcas, …)"
        if before.rstrip().endswith("(") or re.search(r"\([^)]*$", before):
            return "spoken words in (…) dropped as a direction"
        if body[:1] in "–—-" or body.startswith("...") or re.search(r"[–—-]\s*$", before):
            return "speech opening with a dash or dots lost"
        if where and where > 1 and not lines[where - 2].strip() and kind == "words differ":
            return "paragraph or stanza after a blank line lost"
        if where and where > 1 and _is_direction_line(lines[where - 2], layout):
            return "speech words after a direction lost"
        cue = lines[where - 2].strip() if where and where > 1 else ""
        if kind == "lost" or (cue and len(cue) < 60 and cue.rstrip(":.").strip()):
            return "cue and speech lost"
        return "other words lost"
    if removed and added:
        if any(added == lab or added.startswith(lab + " ") or added.endswith(" " + lab) for lab in labels):
            return "cue not read: its speech joined to the one before"
        return "words differ otherwise"
    return "other"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("json", type=Path)
    ap.add_argument("keep", type=Path)
    ap.add_argument("--examples", type=int, default=3)
    args = ap.parse_args()
    results = json.loads(args.json.read_text(encoding="utf-8"))
    cost: dict[str, Counter[str]] = defaultdict(Counter)
    invented: dict[str, Counter[str]] = defaultdict(Counter)
    samples: dict[tuple[str, str], list[str]] = defaultdict(list)
    files: dict[Path, list[str]] = {}
    for r in results:
        for layout, d in r["layouts"].items():
            unread = any(ex["kind"] == "error" for ex in d["examples"])
            for ex in d["examples"]:
                if ex["kind"] == "error":
                    continue
                if unread:
                    cls = "play unread: no dialogue found"
                else:
                    name = ex["at"].rpartition(":")[0] or ex["at"]
                    file = args.keep / r["corpus"] / name
                    if file not in files:
                        files.clear()
                        files[file] = file.read_text(encoding="utf-8").split("\n") if file.is_file() else []
                    cls = classify(layout, ex, files[file])
                cost[layout][cls] += ex.get("lost", 0) + ex.get("wrong", 0)
                invented[layout][cls] += ex.get("invented", 0)
                if len(samples[(layout, cls)]) < args.examples and not unread:
                    samples[(layout, cls)].append(
                        f"{r['corpus']}/{ex['at']}: truth {ex['truth'][:110]!r} / parsed {ex['parsed'][:110]!r}"
                        f" / {ex.get('diff', '')[:160]}")
    for layout in cost:
        total = sum(cost[layout].values()) + sum(invented[layout].values())
        print(f"## {layout}  ({sum(cost[layout].values())} speeches lost or wrong, {sum(invented[layout].values())} invented)")
        ranked = sorted(set(cost[layout]) | set(invented[layout]),
                        key=lambda c: -(cost[layout][c] + invented[layout][c]))
        for cls in ranked:
            share = 100 * (cost[layout][cls] + invented[layout][cls]) / total if total else 0
            print(f"  {cost[layout][cls]:6} lost/wrong {invented[layout][cls]:6} invented ({share:4.1f}%)  {cls}")
            for s in samples[(layout, cls)]:
                print(f"          e.g. {s}")
        print()


if __name__ == "__main__":
    main()
