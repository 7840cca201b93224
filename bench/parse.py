"""Parse speed (the parse and check's name checks): a generated 5,000-line script, a real
200 KB play, about 2 MB of real plays, a verse play with 150 speaking parts, and two hostile
shapes (1,000 one-line parts; ``:(`` 5,000 times), side by side (target: >= 1 MB/s on one
core, growing linearly).

    python bench/parse.py                  # this checkout's parser
    python bench/parse.py --against REV    # and the parser at git revision REV, side by side

With ``--against`` each side parses in fresh processes, taking turns, and the best of
``--rounds`` runs per side is shown with the ratio: both figures from one run, under
the same load.  Times are the process's CPU time (time.process_time), so other work on a shared
machine slows the figures less than it slows the wall clock.  Each case starts after a full garbage
collection, with the case before it gone: otherwise one side may pay for a full collection over
the 2 MB case's objects and the other not, by chance of where its allocations fall.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import subprocess
import sys
import tarfile
import tempfile
import time
from io import BytesIO
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from common import REPO, generated_script

CORPUS = Path(os.environ.get("RUNTHRU_CORPUS") or REPO.parent / "shared" / "corpus")
PLAYS = ["wilde_an_ideal_husband.txt", "ibsen_a_dolls_house.txt", "pinero_the_mind_the_paint_girl.txt",
         "shakespeare_macbeth.txt"]


def _inside_wrapper(text: str) -> str:
    """The play without its Project Gutenberg header and licence, so copies can be joined."""
    from runthru_build.script.blocks import _gutenberg_bounds

    lines = text.split("\n")
    start, end, _skipped = _gutenberg_bounds(lines)
    return "\n".join(lines[start:end])


def cases() -> list[tuple[str, str, str]]:
    """(label, "markdown" or "text", source) for each case."""
    from runthru_build.errors import read_text

    found = [("generated 5,000 lines (markdown)", "markdown", generated_script(5000))]
    if CORPUS.is_dir():
        plays = [_inside_wrapper(read_text(CORPUS / p, p, legacy_encoding="cp1252")) for p in PLAYS]
        found.append(("Wilde, An Ideal Husband (200 KB)", "text", plays[0]))
        # about 2 MB: the four plays three times over, each copy a different order
        big = "\n\n".join(plays[i % 4] for i in (0, 1, 2, 3, 1, 2, 3, 0, 2, 3, 0, 1))
        found.append(("four plays x3 (2 MB)", "text", big))
        found.append(("verse play, 150 speaking parts", "text", many_parts(plays[3], 150)))
    found.append(("1,000 one-line parts (16 KB)", "markdown", many_names(1000)))
    found.append((":( x5,000 (15 KB)", "markdown", "# Sad\n\nAMY: " + ":( " * 5000 + "\n\nBOB: Hi.\n"))
    return found


def many_parts(play: str, parts: int) -> str:
    """A verse play (Macbeth's layout: a name alone, then its indented speech) whose speeches
    are shared among ``parts`` speakers named after words of the play, so names are as alike
    as real ones (``DUNCAN``, ``DUNCANE``...), then the whole doubled."""
    import re

    words = sorted({w.upper() for w in re.findall(r"\b[A-Za-z]{4,10}\b", play)})
    step = max(1, len(words) // parts)
    names = words[::step][:parts]
    speeches = re.split(r"\n\n(?=[A-Z][A-Za-z ]+\n\n    )", play)
    out = []
    for i, speech in enumerate(speeches):
        _head, sep, body = speech.partition("\n\n")
        out.append(f"{names[i % len(names)]}{sep}{body}" if sep and body.startswith("    ") else speech)
    return "\n\n".join(out * 2)


def many_names(count: int) -> str:
    """``count`` characters who each say one line: the near-misspelling check's worst case."""
    import random

    rng = random.Random(3)
    letters = "ABCDEFGHIJKLMNOPRSTUVWY"
    names = {"".join(rng.choice(letters) for _ in range(rng.randint(4, 9))) for _ in range(count * 2)}
    return "# Crowd\n\n" + "".join(f"{n}: Here.\n\n" for n in sorted(names)[:count])


def time_cases(runs: int) -> list[tuple[float, int]]:
    """Best of ``runs`` seconds and the speeches found, per case, for the parser imported here."""
    from runthru_build.script import census
    from runthru_build.script.play import parse_markdown, parse_text

    try:
        from runthru_build.commands.check import script_warnings
    except ImportError:  # an older parser: check's name checks as report_production ran them
        script_warnings = _old_name_checks()

    caches = [getattr(census, n) for n in ("_read_line", "_candidates") if hasattr(census, n)]
    out = []
    for _label, kind, source in cases():
        parse = parse_markdown if kind == "markdown" else parse_text
        best, speeches = float("inf"), 0
        for _ in range(runs):
            for cache in caches:
                cache.cache_clear()  # no help from an earlier run
            gc.collect()  # and no full collection over what an earlier case left: a case pays for its own objects
            start = time.process_time()
            script = parse(source, "bench")
            if script_warnings is not None:
                script_warnings(script)  # check's name checks: misspellings, variants
            best = min(best, time.process_time() - start)
            speeches = sum(1 for _ in script.lines())
            del script  # not alive through the next case's parse
        out.append((best, speeches))
    return out


def _old_name_checks():
    from runthru_build.script.names import name_variants, near_duplicates

    def run(script):
        counts: dict[str, int] = {}
        for line in script.lines():
            for speaker in line.speakers:
                counts[speaker] = counts.get(speaker, 0) + 1
        near_duplicates(list(counts), counts)
        name_variants(list(counts))

    return run


def _worker(root: str) -> list[tuple[float, int]]:
    env = {**os.environ, "PYTHONPATH": root}
    done = subprocess.run([sys.executable, __file__, "--worker"], env=env, capture_output=True, text=True, check=True)
    return [tuple(x) for x in json.loads(done.stdout)]


def _export(rev: str, into: Path) -> None:
    """The ``runthru_build`` package as it was at ``rev``."""
    archive = subprocess.run(["git", "-C", str(REPO), "archive", rev, "runthru_build"], capture_output=True, check=True)
    with tarfile.open(fileobj=BytesIO(archive.stdout)) as tar:
        tar.extractall(into, filter="data")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--against", metavar="REV", help="also time the parser at this git revision, side by side")
    parser.add_argument("--rounds", type=int, default=3, help="turns per side with --against (default 3)")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(time_cases(runs=1)))
        return
    sizes = [(label, len(source.encode("utf-8"))) for label, _kind, source in cases()]
    if not args.against:
        print(f"{'case':36} {'KB':>7} {'speeches':>9} {'seconds':>8} {'MB/s':>6}")
        for (label, size), (seconds, speeches) in zip(sizes, time_cases(runs=3), strict=True):
            print(f"{label:36} {size / 1000:7.0f} {speeches:9d} {seconds:8.3f} {size / 1e6 / seconds:6.2f}")
        return
    with tempfile.TemporaryDirectory() as tmp:
        _export(args.against, Path(tmp))
        sides = {args.against: tmp, "this checkout": str(REPO)}
        best: dict[str, list[tuple[float, int]]] = {}
        for _ in range(args.rounds):
            for side, root in sides.items():
                timings = _worker(root)
                best[side] = [min(a, b) for a, b in zip(best[side], timings, strict=True)] if side in best else timings
    old, new = best[args.against], best["this checkout"]
    print(f"best of {args.rounds} fresh processes per side, taking turns; MB/s on one core")
    print(f"{'case':36} {'KB':>7} {'speeches':>15} {args.against[:10] + ' MB/s':>15} {'now MB/s':>9} {'speed-up':>9}")
    for (label, size), (t_old, n_old), (t_new, n_new) in zip(sizes, old, new, strict=True):
        print(f"{label:36} {size / 1000:7.0f} {f'{n_old} / {n_new}':>15} {size / 1e6 / t_old:15.2f}"
              f" {size / 1e6 / t_new:9.2f} {t_old / t_new:8.2f}x")


if __name__ == "__main__":
    main()
