"""Revision history: which lines changed in which build.

Each build that publishes a site records every production's lines (a
fingerprint of who says what, with the text) in
``.runthru/revisions/<production>.json``, as a new revision when anything
differs from the last one.  Lines are matched in order (difflib on the
fingerprints): an edited line is *changed*, a new one *added*, a deleted one
*removed*.  Every current line carries the revision it last changed in, which
the site uses for its margin marks and the player for "changed since you last
rehearsed".
"""

from __future__ import annotations

import contextlib
import difflib
import hashlib
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from .errors import RunThruError
from .fsutil import write_atomic
from .plan import normalize_text
from .project import Production
from .script import Line

KEEP_REVISIONS = 100


def fingerprint(line: Line) -> str:
    """Who says what, as shown (an inline direction counts): 16 hex digits."""
    shown = " ".join(normalize_text(p.markdown) for p in line.parts)
    return hashlib.sha256(json.dumps([list(line.speakers), shown]).encode("utf-8")).hexdigest()[:16]


@dataclass
class LineRecord:
    fingerprint: str
    speakers: list[str]
    text: str
    source: str
    changed: int
    """The revision this line last changed (or was added) in."""

    def as_json(self) -> list[Any]:
        return [self.fingerprint, self.speakers, self.text, self.source, self.changed]

    @classmethod
    def from_json(cls, data: list[Any]) -> LineRecord:
        return cls(*data)


@dataclass
class Revision:
    id: int
    time: str
    """When the build that made it ran: ISO 8601, UTC."""
    lines: list[LineRecord] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {"id": self.id, "time": self.time, "lines": [r.as_json() for r in self.lines]}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Revision:
        return cls(int(data["id"]), str(data["time"]), [LineRecord.from_json(r) for r in data["lines"]])


@dataclass
class Change:
    kind: str
    """``changed``, ``added`` or ``removed``."""
    line: LineRecord
    """The line as it is now (as it was, for a removed one)."""
    before: LineRecord | None = None


@dataclass
class History:
    path: Path
    revisions: list[Revision] = field(default_factory=list)

    @property
    def latest(self) -> Revision | None:
        return self.revisions[-1] if self.revisions else None

    def revision(self, number: int) -> Revision | None:
        return next((r for r in self.revisions if r.id == number), None)

    def dates(self) -> dict[int, str]:
        return {r.id: r.time for r in self.revisions}

    def save(self) -> None:
        data = {"revisions": [r.as_json() for r in self.revisions[-KEEP_REVISIONS:]]}
        with contextlib.suppress(OSError):  # only history: a read-only project still builds
            write_atomic(self.path, json.dumps(data, ensure_ascii=False).encode("utf-8"))


def history_path(state_dir: Path, production: Production) -> Path:
    name = hashlib.sha256(production.name.encode("utf-8")).hexdigest()[:8]
    return state_dir / "revisions" / f"{_safe(production.name)}-{name}.json"


def _safe(name: str) -> str:
    return "".join(c if c.isalnum() or c in "-_" else "-" for c in name)[:40]


def load_history(state_dir: Path, production: Production) -> History:
    path = history_path(state_dir, production)
    history = History(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        history.revisions = [Revision.from_json(r) for r in data["revisions"]]
    except FileNotFoundError:
        pass
    except (OSError, ValueError, KeyError, TypeError, IndexError) as exc:
        raise RunThruError(f"revision history unreadable ({exc}): move it away to start a new one",
                           path=str(path)) from None
    return history


def diff(before: list[LineRecord], after: list[LineRecord]) -> list[Change]:
    """What changed from ``before`` to ``after``, in the order of ``after``."""
    matcher = difflib.SequenceMatcher(a=[r.fingerprint for r in before], b=[r.fingerprint for r in after],
                                      autojunk=False)
    changes: list[Change] = []
    for op, a0, a1, b0, b1 in matcher.get_opcodes():
        if op == "equal":
            continue
        old = before[a0:a1]
        used = 0  # a line edited in place keeps its speakers: paired in order with the next such old line
        for line in after[b0:b1]:
            match = next((k for k in range(used, len(old)) if old[k].speakers == line.speakers), None)
            if match is None:
                changes.append(Change("added", line))
                continue
            changes += [Change("removed", r) for r in old[used:match]]
            changes.append(Change("changed", line, old[match]))
            used = match + 1
        changes += [Change("removed", r) for r in old[used:]]
    return changes


def record(history: History, production: Production, now: datetime | None = None) -> Revision:
    """The production's lines as a revision: the latest one if nothing differs, else a new
    one (not saved: ``History.save`` once the site is published)."""
    lines = [LineRecord(fingerprint(line), list(line.speakers), line.spoken, str(line.source), 0)
             for line in production.script.lines()]
    latest = history.latest
    if latest is not None and [r.fingerprint for r in latest.lines] == [r.fingerprint for r in lines]:
        for old, new in zip(latest.lines, lines, strict=True):
            old.source = new.source  # moved by a blank line: same revision, new line numbers
        return latest
    number = latest.id + 1 if latest else 1
    if latest is not None:
        touched = {id(c.line) for c in diff(latest.lines, lines) if c.kind != "removed"}
        inherited = iter(r.changed for r in _unchanged(latest.lines, lines))
        for r in lines:
            r.changed = number if id(r) in touched else next(inherited)
    else:
        for r in lines:
            r.changed = number
    stamp = (now or datetime.now(UTC)).isoformat(timespec="seconds")
    revision = Revision(number, stamp, lines)
    history.revisions.append(revision)
    return revision


def _unchanged(before: list[LineRecord], after: list[LineRecord]) -> list[LineRecord]:
    """The lines of ``before`` that ``after`` keeps as they were, in order."""
    matcher = difflib.SequenceMatcher(a=[r.fingerprint for r in before], b=[r.fingerprint for r in after],
                                      autojunk=False)
    return [r for op, a0, a1, _, _ in matcher.get_opcodes() if op == "equal" for r in before[a0:a1]]


def since(history: History, spec: str | None) -> Revision | None:
    """The revision ``--since`` names: a number, or a date/time (the last revision made
    by then); by default the one before the latest.  None: nothing that early."""
    if not history.revisions:
        return None
    if spec is None:
        return history.revisions[-2] if len(history.revisions) > 1 else None
    if spec.isdigit():
        found = history.revision(int(spec))
        if found is None:
            known = ", ".join(str(r.id) for r in history.revisions)
            raise RunThruError(f"--since {spec}: no such revision (known: {known})")
        return found
    try:
        when = datetime.fromisoformat(spec)
    except ValueError:
        raise RunThruError(f"--since {spec!r}: expected a revision number or a date (2026-11-20, "
                           "2026-11-20T18:30)") from None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    if len(spec) == 10:  # a whole day: everything up to its end
        when = when.replace(hour=23, minute=59, second=59)
    earlier = [r for r in history.revisions if datetime.fromisoformat(r.time) <= when]
    return earlier[-1] if earlier else None
