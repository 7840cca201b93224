"""Play scripts: the model and the parsers that fill it."""

from __future__ import annotations

from pathlib import Path

from ..config import Config
from ..errors import RunThruError, UnreadableInput, read_text
from .fountain import parse_fountain
from .model import Direction, Element, Line, Part, Scene, Script, Source
from .play import parse_markdown, parse_text

PARSERS = {
    ".md": parse_markdown, ".markdown": parse_markdown, ".txt": parse_text, ".text": parse_text,
    ".fountain": parse_fountain, ".spmd": parse_fountain,
}
SCRIPT_SUFFIXES = tuple(PARSERS)


MAX_SCRIPT_MB: float = Config.__dataclass_fields__["max_script_mb"].default
"""``max_script_mb``'s default (runthru.toml): parse time grows with the text, so a file far beyond
any play (a 20 MB paste, a log named .txt) is refused rather than read for minutes."""


def load_script(path: Path, shown: str, *, max_mb: float = MAX_SCRIPT_MB) -> Script:
    """Read and parse one script file; ``shown`` is how messages name it."""
    parser = PARSERS.get(path.suffix.lower())
    if parser is None:
        raise RunThruError(f"unknown script format {path.suffix!r} (expected {', '.join(SCRIPT_SUFFIXES)})", path=shown)
    try:
        size = path.stat().st_size
    except OSError:
        size = 0  # read_text says what is wrong with it
    if size > max_mb * 1e6:
        raise UnreadableInput(f"is {size / 1e6:.1f} MB, over the {max_mb:g} MB limit for a script (a long play is "
                              "0.3 MB): raise max_script_mb in runthru.toml to read it", path=shown)
    notes: list[str] = []
    text = read_text(path, shown, legacy_encoding="cp1252", warnings=notes)
    if not text.strip():
        raise RunThruError("script is empty", path=shown)
    script = parser(text, shown)
    script.warnings[:0] = notes
    if not any(True for _ in script.lines()):
        raise RunThruError("no dialogue found: expected cues such as **NAME:** text, NAME: text, or NAME alone on a line", path=shown)
    return script


__all__ = ["MAX_SCRIPT_MB", "SCRIPT_SUFFIXES", "Direction", "Element", "Line", "Part", "Scene", "Script", "Source", "load_script"]
