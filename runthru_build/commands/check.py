"""``runthru-build check``: parse every production and summarise it."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from typing import Any

from ..project import Production, Project
from ..script import Direction, Line


@dataclass
class CharacterStats:
    name: str
    lines: int = 0
    words: int = 0
    actor: str | None = None


@dataclass
class ProductionReport:
    production: Production
    characters: list[CharacterStats]
    directions: int
    warnings: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        p = self.production
        return {
            "name": p.name,
            "script": p.script.path,
            "cast": p.cast.path,
            "title": p.title,
            "subtitle": p.script.subtitle,
            "author": p.script.author,
            "characters": [
                {"name": c.name, "lines": c.lines, "words": c.words, "actor": c.actor} for c in self.characters
            ],
            "scenes": [
                {"title": s.full_title, "source": str(s.source), "lines": len(s.lines)} for s in p.script.scenes
            ],
            "lines": [_line_json(line) for line in p.script.lines()],
            "directions": self.directions,
        }


def _line_json(line: Line) -> dict[str, Any]:
    return {
        "speakers": list(line.speakers),
        "text": line.spoken,
        "direction": line.delivery.direction,
        "emotion": line.delivery.emotion,
        "intensity": line.delivery.intensity,
        "source": str(line.source),
    }


def character_stats(production: Production) -> list[CharacterStats]:
    stats = {
        name: CharacterStats(name, actor=production.cast.roles[name].actor if name in production.cast.roles else None)
        for name in production.characters
    }
    for line in production.script.lines():
        for speaker in line.speakers:
            stats[speaker].lines += 1
            stats[speaker].words += line.words
    return list(stats.values())


def near_duplicates(names: list[str]) -> list[tuple[str, str]]:
    """Pairs such as JIMY/JIMMY that are probably one character misspelt."""
    pairs = []
    for i, a in enumerate(names):
        for b in names[i + 1:]:
            if difflib.SequenceMatcher(None, a, b).ratio() >= 0.8:
                pairs.append((a, b))
    return pairs


def report_production(production: Production) -> ProductionReport:
    characters = character_stats(production)
    script = production.script
    warnings = list(script.warnings)
    first_line = {}
    for line in script.lines():
        for s in line.speakers:
            first_line.setdefault(s, line.source)
    for a, b in near_duplicates([c.name for c in characters]):
        warnings.append(f"{first_line[b]}: {b} looks like a misspelling of {a} (first at {first_line[a]})")
    for c in characters:
        if c.lines == 1:
            warnings.append(f"{first_line[c.name]}: {c.name} speaks only once")
    directions = sum(1 for s in script.scenes for e in s.elements if isinstance(e, Direction))
    directions += sum(len(line.directions) for line in script.lines())
    return ProductionReport(production, characters, directions, warnings)


def check_project(project: Project) -> tuple[list[ProductionReport], list[str], list[str]]:
    """Reports per production, then every error and warning as ``path:line: message``."""
    reports = [report_production(p) for p in project.productions]
    errors = [str(e) for e in project.errors]
    warnings = project.warnings + [w for r in reports for w in r.warnings]
    return reports, errors, warnings


def check_json(project: Project) -> dict[str, Any]:
    reports, errors, warnings = check_project(project)
    return {"productions": [r.as_json() for r in reports], "errors": errors, "warnings": warnings}
