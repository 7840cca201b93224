"""Golden readings: how the parser reads every script we know, pinned as plain text.

    python tests/golden.py --update            # rewrite every golden file from today's parser
    python tests/golden.py --update NAME ...   # only these (file names, e.g. shakespeare_macbeth.txt)
    python tests/golden.py --show PATH         # print the reading of any script, compared with nothing

A golden file is line-oriented so that ``git diff`` shows a reviewer exactly which speech
moved: the chosen conventions, the title, every scene, each element in order with its source
line (speakers, the cue as written, spoken text, what is shown when it differs, the delivery),
structure, front and back matter, and every warning ``check`` gives for the script alone.
``tests/test_golden.py`` compares each script with its file.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

TESTS = Path(__file__).resolve().parent
REPO = TESTS.parent
GOLDEN = TESTS / "golden"
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from runthru_build.commands.check import least_sure, script_warnings  # noqa: E402
from runthru_build.errors import RunThruError  # noqa: E402
from runthru_build.script import SCRIPT_SUFFIXES, Direction, Script, load_script  # noqa: E402


def corpus_dir() -> Path | None:
    """``../shared/corpus`` beside the checkout (as CI has it), or ``$RUNTHRU_CORPUS``."""
    for candidate in (os.environ.get("RUNTHRU_CORPUS"), REPO.parent / "shared" / "corpus"):
        if candidate and Path(candidate).is_dir():
            return Path(candidate)
    return None


def cases() -> list[tuple[str, Path, str, Path]]:
    """(group, source, the name messages show, golden file) for every script we know."""
    found: list[tuple[str, Path, str]] = []
    found += [("sample", p, f"scripts/{p.name}") for p in sorted((REPO / "scripts").iterdir()) if p.is_file()]
    found += [("fixtures", p, f"tests/fixtures/scripts/{p.name}")
              for p in sorted((TESTS / "fixtures" / "scripts").iterdir()) if p.is_file()]
    corpus = corpus_dir()
    if corpus is not None:
        found += [("corpus", p, f"corpus/{p.name}") for p in sorted(corpus.iterdir())
                  if p.is_file() and p.name != "README.md"]
    return [(group, path, shown, GOLDEN / group / f"{path.name}.golden") for group, path, shown in found]


def corpus_golden_files() -> list[Path]:
    return sorted((GOLDEN / "corpus").glob("*.golden"))


def load(path: Path, shown: str) -> Script:
    """The script as the app reads it: a PDF, Word or Final Draft file through its importer."""
    if path.suffix.lower() in SCRIPT_SUFFIXES:
        return load_script(path, shown)
    from runthru_build.importers import load_document

    return load_document(path, shown)


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _clip(text: str, width: int = 100) -> str:
    text = _one_line(text)
    return text if len(text) <= width else text[: width - 1] + "…"


def reading(path: Path, shown: str) -> str:
    """The golden text for one script."""
    out = [f"# golden reading of {shown} (regenerate: python tests/golden.py --update {path.name})"]
    try:
        script = load(path, shown)
    except RunThruError as exc:
        out.append(f"error: {exc}")
        return "\n".join(out) + "\n"
    conv = script.conventions
    out.append(f"conventions: {conv.summary() if conv is not None else 'Fountain screenplay'}")
    out.append(f"title: {script.title}")
    if script.subtitle:
        out.append(f"subtitle: {script.subtitle}")
    if script.author:
        out.append(f"author: {script.author}")
    for key, name in sorted(script.aliases.items()):
        out.append(f"alias: {key} -> {name}")
    if script.front_matter:
        out.append(f"front matter ({len(script.front_matter)}):")
        out += [f"  | {_clip(text)}" for text in script.front_matter]
    for scene in script.scenes:
        out.append(f"scene {scene.source.line}: {_one_line(scene.full_title)}")
        for element in scene.elements:
            at = f"{element.source.line:>6}"
            if isinstance(element, Direction):
                out.append(f"{at} [direction] {_one_line(element.text)}")
                continue
            speakers = " & ".join(element.speakers)
            cue = "" if _one_line(element.cue) == speakers else f" (cue: {_one_line(element.cue)})"
            more = " (continued)" if element.continued else ""
            out.append(f"{at} {speakers}{cue}{more}: {element.spoken}")
            shown_text = " ".join(p.markdown if p.kind == "speech" else f"({p.markdown})" for p in element.parts)
            if _one_line(shown_text) != element.spoken:
                out.append(f"{'':>6}   shows: {_one_line(shown_text)}")
            d = element.delivery
            if d.emotion != "neutral" or d.intensity:
                out.append(f"{'':>6}   delivery: {d.emotion} {d.intensity:g}")
    if script.structure:
        out.append(f"structure ({len(script.structure)}):")
        out += [f"  - {_one_line(text)}" for text in script.structure]
    if script.back_matter:
        out.append(f"back matter ({len(script.back_matter)}):")
        out += [f"  | {_clip(text)}" for text in script.back_matter]
    warnings = script_warnings(script)
    out.append(f"warnings ({len(warnings)}):")
    out += [f"  ! {_one_line(w)}" for w in warnings]
    unsure = least_sure(script)
    if unsure:
        out.append("least sure:")
        out += [f"  ? {_one_line(w)}" for w in unsure]
    return "\n".join(out) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--update", action="store_true", help="rewrite the golden files")
    parser.add_argument("--show", metavar="PATH", help="print the reading of one script")
    parser.add_argument("names", nargs="*", help="only these scripts (file names)")
    args = parser.parse_args()
    if args.show:
        sys.stdout.write(reading(Path(args.show), args.show))
        return
    if corpus_dir() is None:
        print("note: ../shared/corpus is not here (set RUNTHRU_CORPUS): corpus golden files left as they are")
    changed = 0
    for _group, path, shown, golden in cases():
        if args.names and path.name not in args.names:
            continue
        text = reading(path, shown)
        old = golden.read_text(encoding="utf-8") if golden.exists() else None
        if old == text:
            continue
        changed += 1
        if args.update:
            golden.parent.mkdir(parents=True, exist_ok=True)
            golden.write_text(text, encoding="utf-8")
            print(f"{'wrote' if old is None else 'updated'} {golden.relative_to(REPO)}")
        else:
            print(f"differs: {golden.relative_to(REPO)}")
    if not changed:
        print("every golden file matches")
    elif not args.update:
        print("(run with --update to rewrite them, then read the diff)")


if __name__ == "__main__":
    main()
