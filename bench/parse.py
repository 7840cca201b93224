"""Parse speed: a generated 5,000-line script, a real 200 KB play, and about 2 MB of real
plays, side by side (target: >= 1 MB/s on one core, growing linearly).

    python bench/parse.py
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from common import generated_script

from runthru_build.errors import read_text
from runthru_build.script.blocks import _gutenberg_bounds
from runthru_build.script.census import _candidates
from runthru_build.script.play import parse_markdown, parse_text

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
PLAYS = ["wilde_an_ideal_husband.txt", "ibsen_a_dolls_house.txt", "pinero_the_mind_the_paint_girl.txt",
         "shakespeare_macbeth.txt"]


def _inside_wrapper(text: str) -> str:
    """The play without its Project Gutenberg header and licence, so copies can be joined."""
    lines = text.split("\n")
    start, end, _skipped = _gutenberg_bounds(lines)
    return "\n".join(lines[start:end])


def timed(parse, source: str, name: str) -> tuple[float, int]:
    runs = []
    for _ in range(3):
        _candidates.cache_clear()  # no help from an earlier run
        start = time.perf_counter()
        script = parse(source, name)
        runs.append(time.perf_counter() - start)
    return min(runs), sum(1 for _ in script.lines())


def main() -> None:
    cases = [("generated 5,000 lines (markdown)", parse_markdown, generated_script(5000))]
    if CORPUS.is_dir():
        plays = [_inside_wrapper(read_text(CORPUS / p, p, legacy_encoding="cp1252")) for p in PLAYS]
        cases.append(("Wilde, An Ideal Husband (200 KB)", parse_text, plays[0]))
        # about 2 MB: the four plays three times over, each copy a different order
        big = "\n\n".join(plays[i % 4] for i in (0, 1, 2, 3, 1, 2, 3, 0, 2, 3, 0, 1))
        cases.append(("four plays x3 (2 MB)", parse_text, big))
    print(f"{'case':36} {'KB':>7} {'speeches':>9} {'seconds':>8} {'MB/s':>6}")
    for label, parse, source in cases:
        seconds, speeches = timed(parse, source, "bench")
        size = len(source.encode("utf-8"))
        print(f"{label:36} {size / 1000:7.0f} {speeches:9d} {seconds:8.3f} {size / 1e6 / seconds:6.2f}")


if __name__ == "__main__":
    main()
