"""``runthru-build changes``: the lines changed, added and removed per role since a revision."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..errors import RunThruError
from ..project import load_project
from ..revisions import Change, Revision, diff, load_history, record, since


@dataclass
class ProductionChanges:
    title: str
    base: Revision | None
    """What the script is compared with (None: no revision that early, every line is new)."""
    current: Revision
    by_role: dict[str, list[Change]] = field(default_factory=dict)


def changes(root: Path, since_spec: str | None = None, role: str | None = None) -> list[ProductionChanges]:
    """The scripts as they are now against ``--since`` (default: the revision before: the
    latest build's when the scripts changed after it, else the one before that)."""
    project = load_project(root)
    if project.errors:
        raise project.errors[0]
    out = []
    for production in project.productions:
        history = load_history(project.config.state_dir, production)
        current = record(history, production)  # in memory only: nothing is saved
        base = since(history, since_spec)
        found = ProductionChanges(production.title or production.name, base, current)
        for change in diff(base.lines if base else [], current.lines):
            for speaker in change.line.speakers:
                found.by_role.setdefault(speaker, []).append(change)
        if role is not None:
            wanted = {r for r in production.characters if r.casefold() == role.casefold()}
            found.by_role = {r: c for r, c in found.by_role.items() if r in wanted}
        out.append(found)
    if role is not None and not any(role.casefold() == r.casefold() for p in project.productions
                                    for r in p.characters):
        raise RunThruError(f"--role {role}: no such role in any production")
    return out
