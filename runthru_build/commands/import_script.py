"""``runthru-build import``: PDF, Word, Final Draft and text files -> editable scripts in scripts/.

All or nothing: every file is converted and read back before anything is
written, so one bad file (or an existing script without ``--force``) leaves
scripts/ exactly as it was.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from ..errors import RunThruError, UnreadableInput
from ..fsutil import write_atomic
from ..importers import DEFAULT_LIMITS, Converted, Limits, import_document, read_back
from ..script import Script


@dataclass
class ImportedScript:
    source: str
    target: Path
    converted: Converted
    script: Script

    @property
    def conventions(self) -> str:
        conv = self.script.conventions
        return conv.summary() if conv is not None else "Fountain screenplay (cue, parenthetical and dialogue elements)"

    @property
    def line_counts(self) -> list[tuple[str, int]]:
        counts = Counter(s for line in self.script.lines() for s in line.speakers)
        return [(name, counts[name]) for name in self.script.characters]

    @property
    def unplaced(self) -> list[str]:
        return [f"{self.source} {p.where}: {p.text[:70]}" for p in self.converted.document.unplaced]

    @property
    def left_out(self) -> list[str]:
        """Lines of a text file that are in no paragraph of the script (so no word goes unreported)."""
        return [f"{self.source} {p.where}: {p.text[:70]}" for p in self.converted.document.left_out]


def convert(files: list[Path], out_dir: Path, *, force: bool = False, ocr: bool = False,
            limits: Limits = DEFAULT_LIMITS) -> list[ImportedScript]:
    """Convert and read back every file; raises the first error, having written nothing."""
    results: list[ImportedScript] = []
    errors: list[RunThruError] = []
    targets: dict[Path, str] = {}
    for path in files:
        shown = str(path)
        try:
            converted = import_document(path, shown, ocr=ocr, limits=limits)
        except RunThruError as exc:
            errors.append(exc)
            continue
        target = out_dir / f"{path.stem}{converted.suffix}"
        if target in targets:
            errors.append(RunThruError(f"{shown} and {targets[target]} would both become {target}", path=shown))
            continue
        targets[target] = shown
        if target.exists() and not force:
            errors.append(RunThruError(f"{target} already exists: pass --force to overwrite it", path=shown))
            continue
        script = read_back(converted, str(target))
        if not any(True for _ in script.lines()):
            errors.append(UnreadableInput("no speeches found after import", path=shown))
            continue
        results.append(ImportedScript(shown, target, converted, script))
    if errors:
        raise ImportFailed(errors)
    return results


class ImportFailed(RunThruError):
    """Every file's error, one line each; exit 2 if any file could not be read at all."""

    def __init__(self, errors: list[RunThruError]) -> None:
        self.errors = errors
        super().__init__("\n".join(str(e) for e in errors), exit_code=max(e.exit_code for e in errors))


def write(results: list[ImportedScript]) -> None:
    for result in results:
        result.target.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(result.target, result.converted.text.encode("utf-8"))
