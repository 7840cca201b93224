"""The DraCor golden sample: a few small CC0 / CC BY plays, rendered and committed under
tests/fixtures/dracor/ with their TEI truth, so tests/test_dracor_sample.py needs no mirror.

    python bench/dracor_sample.py --render   # needs the mirrors: writes the scripts and truth.json
    python bench/dracor_sample.py --pin      # parses the committed scripts: writes pinned.json

Re-pin after a deliberate parser change, and read the diff of pinned.json.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

if str(Path(__file__).parent) not in sys.path:  # imported by tests: after site-packages (bench/ray.py is no ray)
    sys.path.append(str(Path(__file__).parent))
from dracor_layouts import LAYOUTS, render
from dracor_score import Truth, parse_back, score, truth_of

FIXTURES = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "dracor"
# (corpus, TEI path, layouts): every layout twice or more over the sample
SAMPLE = [
    ("gerdracor", "tei/leisewitz-die-pfandung.xml", ["name-period", "book", "slides"]),
    ("gerdracor", "tei/scheerbart-das-dumme-luder.xml", ["mixed-period", "folger", "name-alone"]),
    ("gerdracor", "tei/scheerbart-die-welt-geht-unter.xml", ["name-colon", "md-bold", "book"]),
    ("gerdracor", "tei/goethe-proserpina.xml", ["name-alone", "slides"]),
    ("rusdracor", "tei/chekhov-tragik-ponevole.xml", ["name-period", "folger", "md-bold"]),
    ("rusdracor", "tei/pushkin-pir-vo-vremja-chumy.xml", ["book", "mixed-period", "slides"]),
    ("rusdracor", "tei/gogol-lakeiskaja.xml", ["name-colon", "name-alone", "folger"]),
]


def file_name(path: str, layout: str) -> str:
    return f"{Path(path).stem}.{layout}.{LAYOUTS[layout][0]}"


def render_sample() -> None:
    from dracor_tei import Corpus, read_play

    FIXTURES.mkdir(parents=True, exist_ok=True)
    truth: dict[str, dict] = {}
    for corpus_name, path, layouts in SAMPLE:
        corpus = Corpus(corpus_name)
        play = read_play(corpus_name, path, corpus.read([path])[path])
        truth[Path(path).stem] = {
            "source": f"dracor-org/{corpus_name}@{corpus.commit()}:{path}",
            "title": play.title, "author": play.author,
            "speeches": [{"label": t.label, "words": t.words, "keys": t.keys} for t in truth_of(play)],
        }
        for layout in layouts:
            text, _ = render(play, layout)
            (FIXTURES / file_name(path, layout)).write_text(text, encoding="utf-8")
    (FIXTURES / "truth.json").write_text(json.dumps(truth, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def load_truth() -> dict[str, list[Truth]]:
    data = json.loads((FIXTURES / "truth.json").read_text(encoding="utf-8"))
    return {stem: [Truth(label=s["label"], words=s["words"], keys=s["keys"], text=s["words"]) for s in d["speeches"]]
            for stem, d in data.items()}


def measure(file: Path, truth: list[Truth]) -> dict:
    """The parser's score on one committed sample script."""
    parsed, error = parse_back(file)
    s = score(truth, parsed)
    return {**{k: getattr(s, k) for k in ("truth", "parsed", "matched", "wrong_speaker", "lost", "invented")},
            "error": error}


def pin() -> None:
    truth = load_truth()
    pinned = {}
    for _corpus, path, layouts in SAMPLE:
        for layout in layouts:
            name = file_name(path, layout)
            pinned[name] = measure(FIXTURES / name, truth[Path(path).stem])
            print(f"{name}: {pinned[name]['matched']}/{pinned[name]['truth']} right")
    (FIXTURES / "pinned.json").write_text(json.dumps(pinned, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--render", action="store_true")
    ap.add_argument("--pin", action="store_true")
    args = ap.parse_args()
    if args.render:
        render_sample()
    if args.pin or args.render:
        pin()
