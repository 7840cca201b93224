"""The load stage: a project folder -> its productions (script + cast each).

Every cast file in ``casts/`` is a production; a script in ``scripts/`` that
no cast names is a production too, with an automatic cast.  A production that
fails to load is reported and the others still load.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path

from .cast import Cast, automatic_cast, load_cast, read_cast_header
from .config import Config, find_line, load_config
from .errors import RunThruError, UnreadableInput
from .importers import DOCUMENT_SUFFIXES, load_document
from .script import SCRIPT_SUFFIXES, Script, load_script


@dataclass
class Production:
    name: str
    script: Script
    cast: Cast

    @property
    def title(self) -> str:
        return self.script.title

    @property
    def characters(self) -> list[str]:
        return self.script.characters


@dataclass
class Project:
    config: Config
    productions: list[Production] = field(default_factory=list)
    errors: list[RunThruError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def root(self) -> Path:
        return self.config.root


def load_project(root: Path, config: Config | None = None) -> Project:
    """Load every production under ``root``; bad ones land in ``errors``."""
    config = config or load_config(root)
    project = Project(config=config)
    if not config.scripts_dir.is_dir() and not config.casts_dir.is_dir():
        what = "no such folder" if not root.exists() else f"no {config.scripts}/ or {config.casts}/ folder here"
        project.errors.append(RunThruError(
            f"{what}: not a RunThru project (give the folder that holds {config.scripts}/; "
            "runthru-build new DIR makes one)", path=str(root)))
        return project

    scripts: dict[Path, Script] = {}
    used: set[Path] = set()
    cast_files = sorted(config.casts_dir.glob("*.toml")) if config.casts_dir.is_dir() else []
    unreadable_casts: set[str] = set()
    for cast_file in cast_files:
        shown = config.shown(cast_file)
        try:
            try:
                table, text, script_path = read_cast_header(cast_file, shown)
            except RunThruError:
                unreadable_casts.add(cast_file.stem)
                raise
            if not script_path.is_relative_to(config.root):  # resolved: a link out of the project counts
                project.warnings.append(f"{shown}: script = {table['script']!r} resolves to {script_path}, "
                                        "outside the project")
            used.add(script_path)
            script = scripts.get(script_path) or _script(config, script_path, referenced_by=(shown, text))
            scripts[script_path] = script
            cast = load_cast(cast_file, shown, script, table, text, script_path)
        except RunThruError as exc:
            project.errors.extend(exc.each())
            continue
        project.productions.append(Production(name=cast_file.stem, script=script, cast=cast))

    names = {p.name for p in project.productions}
    script_files = _script_files(config.scripts_dir)
    for script_file in script_files:
        if script_file.resolve() in used:
            continue
        try:
            script = _script(config, script_file)
        except RunThruError as exc:
            project.errors.append(exc)
            continue
        if script_file.stem in unreadable_casts:
            # its cast of the same name could not be read: no automatic stand-in that check
            # would show as if all were well
            continue
        name = script_file.stem
        while name in names:
            name += "-script"
        names.add(name)
        project.productions.append(Production(name=name, script=script, cast=automatic_cast(script, script_file.resolve())))
    return project


def _script_files(scripts_dir: Path) -> list[Path]:
    """Scripts, and PDF/Word/Final Draft documents that have no editable copy (same name) beside them."""
    if not scripts_dir.is_dir():
        return []
    files = sorted(p for p in scripts_dir.iterdir() if p.suffix.lower() in SCRIPT_SUFFIXES + DOCUMENT_SUFFIXES)
    editable = {p.stem for p in files if p.suffix.lower() in SCRIPT_SUFFIXES}
    return [p for p in files if p.suffix.lower() in SCRIPT_SUFFIXES or p.stem not in editable]


def _script(config: Config, path: Path, referenced_by: tuple[str, str] | None = None) -> Script:
    """``referenced_by``: the cast file (as shown, and its text) whose ``script =`` names it."""
    shown = config.shown(path) if path.exists() else f"{config.shown(path.parent)}/{path.name}"
    if referenced_by and not path.exists():
        cast_shown, text = referenced_by
        nearby = [p.name for p in _script_files(path.parent)]
        close = difflib.get_close_matches(path.name, nearby, n=1)
        hint = f" (did you mean {config.shown(path.parent / close[0])}?)" if close else ""
        raise UnreadableInput(f"script {shown} named by script = … does not exist{hint}", path=cast_shown,
                              line=find_line(text, "script"))
    if path.suffix.lower() in DOCUMENT_SUFFIXES:
        return load_document(path, shown)
    return load_script(path, shown, max_mb=config.max_script_mb)
