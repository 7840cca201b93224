"""Read the failures of a ``bench/dracor.py --json J --keep DIR --examples 400`` run with the
rendered source around each one: what the script said, what the parser made of it, and what
the TEI says.

    python bench/dracor_failures.py J DIR --layout folger --limit 20
    python bench/dracor_failures.py J DIR --layout book --corpus gerdracor --kind lost
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("json", type=Path)
    ap.add_argument("keep", type=Path)
    ap.add_argument("--layout")
    ap.add_argument("--corpus")
    ap.add_argument("--kind", help="lost, invented, words differ, wrong speaker, error")
    ap.add_argument("--limit", type=int, default=20)
    ap.add_argument("--context", type=int, default=4, help="source lines shown before and after")
    args = ap.parse_args()
    results = json.loads(args.json.read_text(encoding="utf-8"))
    shown = 0
    for r in results:
        if args.corpus and r["corpus"] != args.corpus:
            continue
        for layout, d in r["layouts"].items():
            if args.layout and layout != args.layout:
                continue
            for ex in d["examples"]:
                if args.kind and ex["kind"] != args.kind:
                    continue
                shown += 1
                if shown > args.limit:
                    return
                print(f"== {r['corpus']} {ex['kind']} at {ex['at']}  (lost {ex.get('lost', 0)}, "
                      f"invented {ex.get('invented', 0)}, wrong {ex.get('wrong', 0)})")
                print(f"   truth:  {ex['truth']}")
                print(f"   parsed: {ex['parsed']}")
                if ex.get("diff"):
                    print(f"   words:  {ex['diff']}")
                name, _, line = ex["at"].rpartition(":")
                file = args.keep / r["corpus"] / name
                if line.isdigit() and file.is_file():
                    lines = file.read_text(encoding="utf-8").split("\n")
                    at = int(line)
                    first = ex["truth"].split(" | ")[0].partition(": ")[2][:24].strip(" …")
                    near = [i + 1 for i, text in enumerate(lines) if first and first in text]
                    if near and ex["kind"] != "invented":  # show where the truth's speech was written
                        at = min(near, key=lambda n: abs(n - int(line)))
                    for n in range(max(1, at - args.context), min(len(lines), at + args.context) + 1):
                        print(f"   {'>' if n == at else ' '}{n:5} | {lines[n - 1][:150]}")
                print()


if __name__ == "__main__":
    main()
