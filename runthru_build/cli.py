"""The command line: a thin layer over the functions in ``commands/``."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.table import Table

from .errors import RunThruError
from .project import load_project

err = Console(stderr=True, highlight=False)
out = Console(highlight=False)

project_dir = click.argument(
    "project_dir", required=False, default=".", type=click.Path(file_okay=False, path_type=Path)
)


def reports_errors(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Turn a ``RunThruError`` into its one-line message and exit code, never a traceback."""

    @wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except RunThruError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(exc.exit_code)

    return wrapper


@click.group(invoke_without_command=True)
@click.version_option(package_name="runthru-build")
@click.pass_context
def main(ctx: click.Context) -> None:
    """Build rehearsal websites from play scripts: every cue line spoken aloud."""
    if ctx.invoked_subcommand is None:
        ctx.invoke(build)


@main.command()
@project_dir
@click.option("--json", "as_json", is_flag=True, help="Print the full report as JSON.")
@reports_errors
def check(project_dir: Path, as_json: bool) -> None:
    """Parse every production and print what was found."""
    from .commands.check import check_json, check_project

    project = load_project(project_dir)
    if as_json:
        report = check_json(project)
        click.echo(json.dumps(report, indent=2, ensure_ascii=False))
        errors = report["errors"]
    else:
        reports, errors, warnings = check_project(project)
        for r in reports:
            p = r.production
            out.print(f"[bold]{p.title}[/bold]  ({p.name}: {p.script.path}"
                      f"{' + ' + p.cast.path if p.cast.path else ', automatic cast'})")
            out.print(f"  {len(p.script.scenes)} scenes, {sum(1 for _ in p.script.lines())} lines, "
                      f"{r.directions} stage directions")
            table = Table("character", "lines", "words", "actor", box=None, padding=(0, 2))
            for c in r.characters:
                table.add_row(c.name, str(c.lines), str(c.words), c.actor or "")
            out.print(table)
            for scene in p.script.scenes:
                out.print(f"  [dim]{scene.source}[/dim]  {scene.full_title} ({len(scene.lines)} lines)")
        for w in warnings:
            click.echo(f"warning: {w}", err=True)
        for e in errors:
            click.echo(f"error: {e}", err=True)
    if project.errors:
        sys.exit(max(e.exit_code for e in project.errors))
