"""Play scripts: the model and the parsers that fill it."""

from __future__ import annotations

from pathlib import Path

from ..errors import RunThruError, read_text
from .fountain import parse_fountain
from .model import Direction, Element, Line, Part, Scene, Script, Source
from .play import parse_markdown, parse_text

PARSERS = {
    ".md": parse_markdown, ".markdown": parse_markdown, ".txt": parse_text, ".text": parse_text,
    ".fountain": parse_fountain, ".spmd": parse_fountain,
}
SCRIPT_SUFFIXES = tuple(PARSERS)


def load_script(path: Path, shown: str) -> Script:
    """Read and parse one script file; ``shown`` is how messages name it."""
    parser = PARSERS.get(path.suffix.lower())
    if parser is None:
        raise RunThruError(f"unknown script format {path.suffix!r} (expected {', '.join(SCRIPT_SUFFIXES)})", path=shown)
    notes: list[str] = []
    text = read_text(path, shown, legacy_encoding="cp1252", warnings=notes)
    if not text.strip():
        raise RunThruError("script is empty", path=shown)
    script = parser(text, shown)
    script.warnings[:0] = notes
    if not any(True for _ in script.lines()):
        raise RunThruError("no dialogue found: expected cues such as **NAME:** text, NAME: text, or NAME alone on a line", path=shown)
    return script


__all__ = ["SCRIPT_SUFFIXES", "Direction", "Element", "Line", "Part", "Scene", "Script", "Source", "load_script"]
