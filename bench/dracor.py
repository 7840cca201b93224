"""The parser against DraCor: plays scholars encoded in TEI, rendered into the layouts real
scripts use, parsed back with the real parser, and scored speech by speech against the TEI.

    python bench/dracor.py                          # default: 36 plays a corpus, 9 corpora, 8 layouts
    python bench/dracor.py --jobs 2 --per-corpus 10 --layouts folger,book --corpora gerdracor
    python bench/dracor.py --keep /tmp/dracor       # keep the rendered files to read them
    python bench/dracor.py --json out.json          # every play's scores and example failures

The corpora are read from git mirrors (``--mirror``, default $DRACOR_MIRROR or /work/.mirror,
holding ``dracor-org+<corpus>/repo``; a plain clone at ``<mirror>/<corpus>`` works too). A
missing corpus prints how to fetch it. Score: see dracor_score.py (right % = matched speeches
/ max(truth, parsed), so invented speeches count against it).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from collections import defaultdict
from multiprocessing import get_context
from pathlib import Path

if str(Path(__file__).parent) not in sys.path:  # imported by tests: after site-packages (bench/ray.py is no ray)
    sys.path.append(str(Path(__file__).parent))
from dracor_layouts import LAYOUTS, render
from dracor_score import Score, parse_back, score, truth_of
from dracor_tei import CORPORA, DEFAULT_CORPORA, MIRROR, Corpus, read_play

PER_CORPUS = 36
"""Plays the default run takes from each corpus (the set the parser's rules were tuned on)."""


def spread(files: list[str], n: int) -> list[str]:
    """``n`` of ``files`` spread evenly over the list (all of them if there are no more)."""
    if n >= len(files):
        return files
    return [files[(i * len(files)) // n] for i in range(n)]


def select(corpus: Corpus, n: int, max_kb: int, held_out: int = 0) -> list[str]:
    """``n`` plays spread evenly over the corpus's sorted file list, each at most ``max_kb``; with
    ``held_out``, ``n`` plays spread over the files that the default run (``held_out`` a corpus)
    does not take: plays the parser's rules were not tuned on."""
    files = [p for p, size in corpus.files() if not max_kb or size <= max_kb * 1024]
    if held_out:
        tuned = set(spread(files, held_out))
        files = [p for p in files if p not in tuned]
    return spread(files, n)


def run_play(job: tuple[str, str, bytes, list[str], str | None]) -> dict:
    """Render one play in every layout, parse each back, and score it."""
    corpus, path, data, layouts, keep, examples = job
    started, cpu = time.perf_counter(), time.process_time()
    play = read_play(corpus, path, data)
    truth = truth_of(play)
    result = {"corpus": corpus, "play": path, "language": play.language, "truth": len(truth),
              "tei_s": time.perf_counter() - started, "layouts": {}}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(keep) / corpus if keep else Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        for layout in layouts:
            suffix = LAYOUTS[layout][0]
            text, _cues = render(play, layout)
            file = folder / f"{Path(path).stem}.{layout}.{suffix}"
            file.write_text(text, encoding="utf-8")
            t0 = time.perf_counter()
            parsed, error = parse_back(file)
            took = time.perf_counter() - t0
            s = score(truth, parsed, examples=examples)
            if error:
                s.examples.insert(0, {"kind": "error", "truth": "", "parsed": error, "at": file.name})
            result["layouts"][layout] = {**{k: getattr(s, k) for k in (
                "truth", "parsed", "matched", "wrong_speaker", "lost", "invented")},
                "examples": s.examples, "parse_s": took, "bytes": len(text.encode())}
    result["cpu_s"] = time.process_time() - cpu
    return result


def _pct(s: Score) -> str:
    return f"{100 * s.right:6.2f}%"


def table(results: list[dict], layouts: list[str]) -> str:
    by_lang: dict[str, Score] = defaultdict(Score)
    by_layout: dict[str, Score] = defaultdict(Score)
    cell: dict[tuple[str, str], Score] = defaultdict(Score)
    plays_by_lang: dict[str, int] = defaultdict(int)
    speeches_by_lang: dict[str, int] = defaultdict(int)
    total = Score()
    for r in results:
        plays_by_lang[r["language"]] += 1
        speeches_by_lang[r["language"]] += r["truth"]
        for layout, d in r["layouts"].items():
            s = Score(**{k: d[k] for k in ("truth", "parsed", "matched", "wrong_speaker", "lost", "invented")})
            by_lang[r["language"]].add(s)
            by_layout[layout].add(s)
            cell[(r["language"], layout)].add(s)
            total.add(s)
    langs = sorted(by_lang, key=lambda k: -plays_by_lang[k])
    out = ["By language (speeches: in the TEI; right, wrong speaker, lost, invented: summed over the layouts):", "",
           "| language | plays | speeches | right | wrong speaker | lost | invented |",
           "|---|---:|---:|---:|---:|---:|---:|"]
    for lang in langs:
        s = by_lang[lang]
        out.append(f"| {lang} | {plays_by_lang[lang]} | {speeches_by_lang[lang]} | {_pct(s)} | {s.wrong_speaker} "
                   f"| {s.lost} | {s.invented} |")
    out += ["", "By layout (all languages):", "",
            "| layout | speeches | right | wrong speaker | lost | invented |",
            "|---|---:|---:|---:|---:|---:|"]
    for layout in layouts:
        s = by_layout[layout]
        out.append(f"| {layout} | {s.truth} | {_pct(s)} | {s.wrong_speaker} | {s.lost} | {s.invented} |")
    out += ["", "Right % by language and layout:", "",
            "| language | " + " | ".join(layouts) + " |", "|---|" + "---:|" * len(layouts)]
    for lang in langs:
        out.append(f"| {lang} | " + " | ".join(_pct(cell[(lang, lay)]).strip() for lay in layouts) + " |")
    out += ["", f"Overall: {_pct(total).strip()} of {total.truth} speeches ({sum(speeches_by_lang.values())} in the TEI "
            f"x {len(layouts)} layouts) right over {len(results)} plays, "
            f"{len(langs)} languages, {len(layouts)} layouts (wrong speaker {total.wrong_speaker}, "
            f"lost {total.lost}, invented {total.invented})."]
    return "\n".join(out)


def worst(results: list[dict], n: int) -> str:
    rows = []
    for r in results:
        for layout, d in r["layouts"].items():
            s = Score(**{k: d[k] for k in ("truth", "parsed", "matched", "wrong_speaker", "lost", "invented")})
            rows.append((s.right, r, layout, d))
    rows.sort(key=lambda x: x[0])
    out = [f"Worst {n} (play, layout):"]
    for right, r, layout, d in rows[:n]:
        out.append(f"  {100 * right:5.1f}%  {r['corpus']}/{Path(r['play']).stem} [{layout}]  truth {d['truth']}, "
                   f"parsed {d['parsed']}, matched {d['matched']}")
        for ex in d["examples"][:3]:
            out.append(f"      {ex['kind']} at {ex['at']}:")
            out.append(f"        truth:  {ex['truth']}")
            out.append(f"        parsed: {ex['parsed']}")
            if ex.get("diff"):
                out.append(f"        words:  {ex['diff']}")
    return "\n".join(out)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--mirror", type=Path, default=MIRROR)
    ap.add_argument("--corpora", default=",".join(DEFAULT_CORPORA),
                    help=f"comma-separated (default: the nine but dutchdracor; known: {', '.join(CORPORA)})")
    ap.add_argument("--layouts", default=",".join(LAYOUTS), help="comma-separated (default: all eight)")
    ap.add_argument("--per-corpus", type=int, default=PER_CORPUS,
                    help=f"plays taken from each corpus (default {PER_CORPUS})")
    ap.add_argument("--held-out", action="store_true",
                    help=f"take --per-corpus plays from those the default run ({PER_CORPUS} a corpus) leaves out")
    ap.add_argument("--limit", type=int, default=0, help="at most this many plays in all (0: no limit)")
    ap.add_argument("--max-kb", type=int, default=0, help="skip TEI files larger than this (default: none)")
    ap.add_argument("--jobs", type=int, default=1, help="worker processes (default 1)")
    ap.add_argument("--keep", type=Path, help="write the rendered plays here (default: a temporary folder)")
    ap.add_argument("--json", type=Path, help="write every play's scores and failure examples here")
    ap.add_argument("--worst", type=int, default=12, help="show the worst N (play, layout) pairs")
    ap.add_argument("--examples", type=int, default=6, help="failures kept per play and layout (for --json)")
    ap.add_argument("--from-json", type=Path, nargs="+", metavar="JSON",
                    help="print the tables of earlier --json runs instead of running (a later file's plays replace "
                         "an earlier one's)")
    args = ap.parse_args()
    layouts = [x for x in args.layouts.split(",") if x]
    if args.from_json:
        merged: dict[tuple[str, str], dict] = {}
        for file in args.from_json:
            for r in json.loads(file.read_text(encoding="utf-8")):
                merged[(r["corpus"], r["play"])] = r
        results = sorted(merged.values(), key=lambda r: (r["corpus"], r["play"]))
        layouts = [x for x in layouts if any(x in r["layouts"] for r in results)]
        print(table(results, layouts))
        print()
        print(worst(results, args.worst))
        return
    for layout in layouts:
        if layout not in LAYOUTS:
            sys.exit(f"unknown layout {layout!r} (known: {', '.join(LAYOUTS)})")
    jobs: list[tuple] = []
    used: list[tuple[str, str, int]] = []
    for name in [x for x in args.corpora.split(",") if x]:
        if name not in CORPORA:
            sys.exit(f"unknown corpus {name!r} (known: {', '.join(CORPORA)})")
        try:
            corpus = Corpus(name, args.mirror)
        except FileNotFoundError as exc:
            print(exc, file=sys.stderr)
            continue
        paths = select(corpus, args.per_corpus, args.max_kb, held_out=PER_CORPUS if args.held_out else 0)
        data = corpus.read(paths)
        used.append((name, corpus.commit(), len(paths)))
        jobs += [(name, p, data[p], layouts, str(args.keep) if args.keep else None, args.examples) for p in paths]
    if args.limit:
        step = max(1, len(jobs) / args.limit)
        jobs = [jobs[int(i * step)] for i in range(min(args.limit, len(jobs)))]
    if not jobs:
        sys.exit("no plays to read: fetch the corpora first (see above)")
    started = time.perf_counter()
    results: list[dict] = []
    if args.jobs > 1:
        with get_context("spawn").Pool(args.jobs) as pool:
            for i, r in enumerate(pool.imap_unordered(run_play, jobs, chunksize=1)):
                results.append(r)
                print(f"\r{i + 1}/{len(jobs)} plays", end="", file=sys.stderr, flush=True)
    else:
        for i, job in enumerate(jobs):
            results.append(run_play(job))
            print(f"\r{i + 1}/{len(jobs)} plays", end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)
    wall = time.perf_counter() - started
    results.sort(key=lambda r: (r["corpus"], r["play"]))
    parse_s = sum(d["parse_s"] for r in results for d in r["layouts"].values())
    mb = sum(d["bytes"] for r in results for d in r["layouts"].values()) / 1e6
    tei_s = sum(r["tei_s"] for r in results)
    cpu_s = sum(r["cpu_s"] for r in results)
    print("Corpora: " + "; ".join(f"{n} @ {c[:10]} ({k} plays; {CORPORA[n][0]}; {CORPORA[n][1]})" for n, c, k in used))
    print()
    print(table(results, layouts))
    print()
    print(f"Time: {wall:.0f} s wall on {args.jobs} process(es), {cpu_s:.0f} s CPU in the workers "
          f"(one core would take about that); parsing {parse_s:.0f} s wall for {mb:.1f} MB of rendered scripts, "
          f"reading TEI {tei_s:.0f} s, rendering and scoring the rest.")
    print()
    print(worst(results, args.worst))
    if args.json:
        args.json.write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    main()
