"""Helpers shared by the benchmarks."""

from __future__ import annotations

import random
import shutil
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def copy_sample(into: Path) -> Path:
    """A copy of the repository's sample production (scripts/ and casts/) in ``into``."""
    for folder in ("scripts", "casts"):
        shutil.copytree(REPO / folder, into / folder)
    return into

NAMES = ["ROMEO", "JULIET", "NURSE", "MRS. O'BRIEN", "NARRATOR 1", "BENVOLIO", "TYBALT"]
WORDS = ["the", "quick", "brown", "fox", "jumps", "over", "a", "lazy", "dog", "while", "we", "wait", "for", "the", "moon", "to", "rise", "and", "every", "actor", "learns", "their", "lines", "by", "heart", "before", "the", "curtain"]


def generated_script(lines: int, seed: int = 1, short: bool = False) -> str:
    """A markdown script of about ``lines`` source lines, every cue style and direction kind.

    ``short`` lines have two or three words, to keep a first render quick."""
    rng = random.Random(seed)
    out = ["# Generated Play", "", "**by The Benchmark**", ""]
    scene = 0
    while len(out) < lines:
        if len(out) % 200 < 4:
            scene += 1
            out += [f"## Scene {scene}", ""]
        name = rng.choice(NAMES)
        text = " ".join(rng.choice(WORDS) for _ in range(rng.randint(2, 3) if short else rng.randint(4, 20))).capitalize() + "."
        style = rng.randrange(5)
        if style == 0:
            out.append(f"**{name}:** {text}")
        elif style == 1:
            out.append(f"{name}: *(softly)* {text}")
        elif style == 2:
            out += [name, text]
        elif style == 3:
            out.append(f"{name}: {text} [aside] {text}")
        else:
            out += ["", "*(She crosses the stage.)*", "", text]
        out.append("")
    return "\n".join(out) + "\n"
