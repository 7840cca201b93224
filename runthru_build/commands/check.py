"""``runthru-build check``: parse every production and summarise it."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from ..errors import RunThruError
from ..project import Production, Project
from ..script import Direction, Line, Script, Source
from ..script.cues import name_key
from ..script.names import name_variants, near_duplicates

_LABEL_LIKE = re.compile(
    r"\b(?:notes?|prompts?|questions?|warm-?up|debrief|discussion|summary|instructions?|setup|set-up|"
    r"objectives?|materials?|activity|exercise|vocabulary|reflection|homework|answers?|key)\b",
    re.IGNORECASE,
)


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
            "conventions": self.conventions_json(),
        }

    def conventions_summary(self) -> str:
        conv = self.production.script.conventions
        return conv.summary() if conv is not None else "Fountain screenplay"

    def conventions_json(self) -> dict[str, Any]:
        conv = self.production.script.conventions
        return conv.as_json() if conv is not None else {"summary": "Fountain screenplay"}


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


def _first_cued(script: Script) -> dict[str, Source]:
    """Where each character is first cued by name: not a line of ``ALL`` that takes
    in everyone on stage."""
    anywhere: dict[str, Source] = {}
    cued: dict[str, Source] = {}
    for line in script.lines():
        for s in line.speakers:
            anywhere.setdefault(s, line.source)
            if s not in cued and name_key(s) in name_key(line.cue):  # once found, never asked again
                cued[s] = line.source
    return {**anywhere, **cued}


def script_warnings(script: Script) -> list[str]:
    """Everything ``check`` says about one script by itself: the parser's warnings, then names
    that look misspelt or doubled and characters heard only once."""
    warnings = list(script.warnings)
    lines: dict[str, int] = {}
    for line in script.lines():
        for speaker in line.speakers:
            lines[speaker] = lines.get(speaker, 0) + 1
    names = list(lines)
    first_line = _first_cued(script)
    near = near_duplicates(names, lines)
    for a, b in near:
        warnings.append(f"{first_line[b]}: {b} looks like a misspelling of {a} (first at {first_line[a]})")
    for a, b in name_variants(names):
        if (a, b) not in near and (b, a) not in near:
            warnings.append(f"{first_line[b]}: {b} may be the same character as {a} (first at {first_line[a]})")
    for name, count in lines.items():
        if count == 1 and _LABEL_LIKE.search(name):
            warnings.append(f"{first_line[name]}: {name} speaks only once and looks like a label, not a character")
        elif count == 1:
            warnings.append(f"{first_line[name]}: {name} speaks only once")
    return warnings


def least_sure(script: Script, limit: int = 5) -> list[str]:
    """The few readings ``check`` is least sure of, each as ``path:line: why``: the parse's
    guesses, most doubtful first, then in script order."""
    placed = [e.source.line for scene in script.scenes for e in scene.elements]
    if not placed:
        return []
    first, last = min(placed), max(placed)  # not guesses about what became front or back matter
    worst: dict[Source, tuple[float, Source, str]] = {}
    for doubt in sorted(script.doubts, key=lambda d: (-d[0], d[1])):
        if not first <= doubt[1].line <= last:
            continue
        worst.setdefault(doubt[1], doubt)  # one reason per line: the gravest
    chosen = sorted(worst.values(), key=lambda d: (-d[0], d[1]))[:limit]
    return [f"{source}: {reason}" for _weight, source, reason in sorted(chosen, key=lambda d: d[1])]


def report_production(production: Production) -> ProductionReport:
    characters = character_stats(production)
    script = production.script
    warnings = script_warnings(script)
    directions = sum(1 for s in script.scenes for e in s.elements if isinstance(e, Direction))
    directions += sum(len(line.directions) for line in script.lines())
    return ProductionReport(production, characters, directions, warnings)


def check_project(project: Project) -> tuple[list[ProductionReport], list[str], list[str]]:
    """Reports per production, then every error and warning as ``path:line: message``."""
    if not project.productions and not project.errors:  # as build says: an empty project is no success
        config = project.config
        project.errors.append(RunThruError(
            f"no scripts found: put a play in {config.scripts}/ (markdown, text, Fountain, PDF, Word or "
            "Final Draft), or runthru-build import FILE", path=config.shown(config.scripts_dir)))
    reports = [report_production(p) for p in project.productions]
    errors = [str(e) for e in project.errors]
    warnings = project.warnings + [w for r in reports for w in r.warnings]
    return reports, errors, warnings


def check_json(project: Project) -> dict[str, Any]:
    reports, errors, warnings = check_project(project)
    return {"productions": [r.as_json() for r in reports], "errors": errors, "warnings": warnings}
