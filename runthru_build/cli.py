"""The command line: a thin layer over the functions in ``commands/``."""

from __future__ import annotations

import json
import signal
import sys
from collections.abc import Callable
from dataclasses import replace
from functools import wraps
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.table import Table

from .errors import RunThruError, Terminated
from .project import load_project

err = Console(stderr=True, highlight=False, soft_wrap=True)
out = Console(highlight=False, soft_wrap=True)

project_dir = click.argument(
    "project_dir", required=False, default=".", type=click.Path(file_okay=False, path_type=Path)
)


def counted(n: int, word: str, plural: str | None = None) -> str:
    """``1 line``, ``2 lines``: a count with its noun in the right number."""
    return f"{n} {word if n == 1 else plural or word + 's'}"


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


RAY_OPTION = click.option(
    "--ray", "ray_address", is_flag=False, flag_value="", default=None, metavar="[ADDRESS]",
    help="Render on Ray: 'auto' joins the running cluster, host:port another; "
         "no ADDRESS starts one here (needs pip install 'runthru-build[ray]').")


@click.group(invoke_without_command=True)
@click.version_option(package_name="runthru-build")
@RAY_OPTION
@click.pass_context
def main(ctx: click.Context, ray_address: str | None) -> None:
    """Build rehearsal websites from play scripts: every cue line spoken aloud."""
    if ctx.invoked_subcommand is None:
        ctx.invoke(build, ray_address=ray_address)


@main.command()
@project_dir
@click.option("--json", "as_json", is_flag=True, help="Print the full report as JSON.")
@reports_errors
def check(project_dir: Path, as_json: bool) -> None:
    """Parse every production and print what was found."""
    from .commands.check import check_json, check_project, least_sure

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
            out.print(f"  {counted(len(p.script.scenes), 'scene')}, {counted(sum(1 for _ in p.script.lines()), 'line')}, "
                      f"{r.directions} stage directions")
            out.print(f"  conventions: {r.conventions_summary()}", markup=False)
            table = Table("character", "lines", "words", "actor", box=None, padding=(0, 2))
            for c in r.characters:
                table.add_row(c.name, str(c.lines), str(c.words), c.actor or "")
            out.print(table)
            for scene in p.script.scenes:
                out.print(f"  [dim]{scene.source}[/dim]  {scene.full_title} ({counted(len(scene.lines), 'line')})")
        for w in warnings:
            click.echo(f"warning: {w}", err=True)
        for e in errors:
            click.echo(f"error: {e}", err=True)
        unsure = [u for r in reports for u in least_sure(r.production.script)]
        if unsure:
            click.echo("least sure of (read these lines in the script):", err=True)
            for u in unsure:
                click.echo(f"  {u}", err=True)
    if project.errors:
        sys.exit(max(e.exit_code for e in project.errors))


@main.command()
@project_dir
@click.option("--dry-run", is_flag=True, help="List the lines that would be rendered, render nothing.")
@click.option("--report", "report_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Write a JSON report of the render to FILE.")
@RAY_OPTION
@reports_errors
def build(project_dir: Path, dry_run: bool, report_path: Path | None, ray_address: str | None) -> None:
    """Render every line and build the rehearsal site (the default command)."""
    from .commands import build as commands

    if dry_run:
        planned, requests, cached = commands.dry_run(project_dir)
        _print_load_errors(planned.project.errors, planned.errors)
        for r in requests:
            out.print(f"{r.source}  {r.role}: {r.text[:70]}", markup=False)
        out.print(f"{counted(len(requests), 'take')} to render, {counted(cached, 'line')} cached", markup=False)
        if requests:
            from .render import estimate_render

            estimate = estimate_render(requests, planned.engines, planned.project.config.render.workers).text()
            if estimate:
                out.print(f"rendering them from cold: {estimate}", markup=False)
        sys.exit(1 if planned.project.errors or planned.errors else 0)

    result = _with_progress(commands.build, project_dir, report_path=report_path, ray_address=ray_address)
    _report_build(result)
    config = result.project.config
    if result.published:
        err.print(f"site written to {config.shown(config.build_dir)}/ "
                  f"({counted(len(result.bundle_sizes), 'offline bundle')})", markup=False)
    elif not result.render.interrupted:
        click.echo(f"error: site not updated: fix the errors above ({config.shown(config.build_dir)}/ "
                   "keeps the last good build)", err=True)
    sys.exit(result.exit_code)


def _with_progress(run: Callable[..., Any], project_dir: Path, *args: Any, **kwargs: Any) -> Any:
    """Run a rendering command with the progress bar on the terminal (its estimate at the speed
    remembered in the project's state folder)."""
    from .config import STATE_DIR
    from .progress import RenderProgress

    progress = RenderProgress(err, state_dir=project_dir / STATE_DIR)
    previous = signal.signal(signal.SIGTERM, _terminate)  # stop as after Ctrl-C: takes kept, workers ended
    try:
        return run(project_dir, *args, on_take=progress.advance, on_start=progress.start, **kwargs)
    except KeyboardInterrupt as exc:  # outside the render (loading, writing the site): nothing half-written
        progress.stop()
        click.echo("interrupted", err=True)
        sys.exit(128 + getattr(exc, "signum", signal.SIGINT))
    finally:
        progress.stop()
        signal.signal(signal.SIGTERM, previous)


def _terminate(signum: int, frame: Any) -> None:
    raise Terminated


def _report_build(result: Any) -> None:
    """Load errors, failed lines, then the render summary: one line each."""
    from .voices.store import licence_warnings

    _print_load_errors(result.project.errors, result.errors)
    for warning in licence_warnings(result.project.productions):
        click.echo(f"warning: {warning}", err=True)
    for failure in [*result.render.engine_failures, *result.render.failures]:
        click.echo(f"error: {failure}", err=True)
    err.print(result.render.summary(), markup=False)


def _print_load_errors(load_errors: list[RunThruError], other: list[str]) -> None:
    for e in load_errors:
        click.echo(f"error: {e}", err=True)
    for e in other:
        click.echo(f"error: {e}", err=True)


@main.command("import")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--out", "-o", "out_dir", default="scripts", show_default=True,
              type=click.Path(file_okay=False, path_type=Path), help="Folder for the editable scripts.")
@click.option("--force", is_flag=True, help="Overwrite scripts that already exist.")
@click.option("--ocr", is_flag=True, help="Read scanned PDFs with Tesseract.")
@click.option("--max-pages", type=click.IntRange(min=1), default=1000, show_default=True,
              help="Refuse longer PDFs (a guard against PDF bombs).")
def import_(files: tuple[Path, ...], out_dir: Path, force: bool, ocr: bool, max_pages: int) -> None:
    """Turn PDF, Word (.docx, or .odt/.rtf/.doc with LibreOffice), Final Draft (.fdx) or text
    files into editable scripts."""
    from .commands.import_script import ImportFailed, convert, write
    from .importers import DEFAULT_LIMITS

    try:
        results = convert(list(files), out_dir, force=force, ocr=ocr,
                          limits=replace(DEFAULT_LIMITS, pages=max_pages))
    except ImportFailed as failed:
        for e in failed.errors:
            click.echo(f"error: {e}", err=True)
        click.echo(f"error: nothing written to {out_dir}/", err=True)
        sys.exit(failed.exit_code)
    write(results)
    for r in results:
        doc = r.converted.document
        kind = "screenplay" if doc.screenplay else "play"
        out.print(f"[bold]{r.source}[/bold] -> {r.target}  ({doc.source_kind}, {kind}: "
                  f"{counted(len(r.script.scenes), 'scene')}, {counted(sum(1 for _ in r.script.lines()), 'speech', 'speeches')})")
        out.print(f"  conventions: {r.conventions}", markup=False)
        for note in doc.notes:
            out.print(f"  {note}", markup=False)
        table = Table("character", "lines", box=None, padding=(0, 2))
        for name, count in r.line_counts:
            table.add_row(name, str(count))
        out.print(table)
        if r.unplaced:
            click.echo(f"  {counted(len(r.unplaced), 'paragraph')} could not be placed (kept as stage directions; "
                       "check them):")
            for line in r.unplaced:
                click.echo(f"    {line}")
        if r.left_out:
            click.echo(f"  {counted(len(r.left_out), 'line')} of the file are not in the script (end marks and the "
                       "like; check them):")
            for line in r.left_out:
                click.echo(f"    {line}")
        for w in r.script.warnings:
            click.echo(f"warning: {w}", err=True)


@main.group()
def cast() -> None:
    """Cast files: who plays whom, with which voice."""


@main.group()
def cache() -> None:
    """Inspect or tidy the store of rendered takes."""


@cache.command("stats")
@project_dir
@reports_errors
def cache_stats(project_dir: Path) -> None:
    """How many takes are stored, their size, and how many the productions use."""
    from .commands.cache import cache_stats as stats_of

    stored, in_use, errors = stats_of(project_dir)
    out.print(f"{counted(stored.takes, 'take')}, {stored.bytes / 1e6:.1f} MB, {stored.audio_seconds / 60:.1f} audio minutes; "
              f"{in_use} used by the productions, {stored.takes - in_use} unreferenced")
    _print_load_errors([], errors)


@cache.command("prune")
@project_dir
@reports_errors
def cache_prune(project_dir: Path) -> None:
    """Delete takes that no production references."""
    from .commands.cache import prune

    removed, errors = prune(project_dir)
    if errors:
        _print_load_errors([], errors)
        click.echo("error: not pruning while a production fails to load (its takes would be lost)", err=True)
        sys.exit(1)
    out.print(f"removed {counted(removed.takes, 'take')}, {removed.bytes / 1e6:.1f} MB")


@cache.command("verify")
@project_dir
@reports_errors
def cache_verify(project_dir: Path) -> None:
    """Re-hash every take; remove corrupt ones so the next build renders them again."""
    from .commands.cache import verify

    report = verify(project_dir)
    for problem in report.removed:
        click.echo(f"corrupt take removed: {problem}", err=True)
    out.print(f"{counted(report.checked, 'take')} checked, {len(report.removed)} corrupt (removed)"
              + (f", {counted(report.recorded, 'older take')} given checksums" if report.recorded else ""))
    sys.exit(1 if report.removed else 0)


@main.command()
@project_dir
@click.option("--production", "-p", help="Only this production (name or slug).")
@click.option("--role", "-r", "roles", multiple=True, help="One role's bundle (repeatable); default: the whole production.")
@click.option("--out", "-o", type=click.Path(file_okay=False, path_type=Path), help="Copy the zips into this folder.")
@reports_errors
def bundle(project_dir: Path, production: str | None, roles: tuple[str, ...], out: Path | None) -> None:
    """Offline zips: a role's page with only the audio it needs, or a whole production."""
    from .commands.bundle import export_bundles

    result, paths = _with_progress(export_bundles, project_dir, production, list(roles), out)
    _report_build(result)
    for path in paths:
        click.echo(f"{path}  ({path.stat().st_size / 1e6:.1f} MB)")
    if not result.published:
        click.echo("error: no bundles: fix the errors above", err=True)
    sys.exit(result.exit_code)


def _serve_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    options = [
        click.option("--host", help="Address to listen on (default 127.0.0.1; others need a PIN)."),
        click.option("--port", type=click.IntRange(0, 65535), help="Port to listen on (default 8000)."),
        click.option("--pin", help="PIN that guards every page and file (or set RUNTHRU_PIN)."),
        click.option("--no-pin", is_flag=True, help="Allow a non-loopback --host without a PIN."),
        click.option("--tunnel", is_flag=True, help="Share through a Cloudflare Tunnel (needs a PIN)."),
        click.option("--tunnel-token", help="Named tunnel token; better CF_TUNNEL_TOKEN, which ps does not show. "
                                            "Default: a quick tunnel."),
        click.option("--short-pin-ok", is_flag=True, help="Allow --tunnel with a PIN under 6 digits."),
        click.option("--new-key", is_flag=True, help="A new cookie-signing key: signs everyone out."),
        click.option("--verbose", "-v", is_flag=True, help="Log every request."),
    ]
    for option in reversed(options):
        fn = option(fn)
    return fn


@main.command()
@project_dir
@_serve_options
@click.option("--watch", "-w", is_flag=True, help="Rebuild on every change and reload open pages.")
@reports_errors
def serve(project_dir: Path, watch: bool, **kwargs: Any) -> None:
    """Build, then serve the site locally (live reload with --watch)."""
    _serve(project_dir, watch=watch, **kwargs)


@main.command()
@project_dir
@_serve_options
@reports_errors
def watch(project_dir: Path, **kwargs: Any) -> None:
    """Serve with live reload: the same as serve --watch."""
    _serve(project_dir, watch=True, **kwargs)


def _serve(project_dir: Path, *, watch: bool, host: str | None, port: int | None, pin: str | None, no_pin: bool,
           tunnel: bool, tunnel_token: str | None, short_pin_ok: bool, new_key: bool, verbose: bool) -> None:
    from .commands.serve import ServeOptions, build_error, start
    from .serve import wait_forever
    from .tunnel import qr_text

    def on_build(result: Any) -> None:
        if isinstance(result, Exception):
            click.echo(f"error: {result}", err=True)
            return
        _report_build(result)
        if not result.published:
            click.echo(f"error: site not updated, still serving the last good build ({build_error(result)})", err=True)

    def on_url(url: str) -> None:
        out.print(f"\nShared at [bold]{url}[/bold]  (PIN required)\n", highlight=False)
        out.print(qr_text(url), markup=False)

    def on_log(line: str) -> None:
        if verbose or " ERR " in line or "exited" in line:
            click.echo(f"cloudflared: {line}", err=True)

    options = ServeOptions(host=host, port=port, watch=watch, pin=pin, no_pin=no_pin, tunnel=tunnel,
                           tunnel_token=tunnel_token, short_pin_ok=short_pin_ok, new_key=new_key, quiet=not verbose)
    session = start(project_dir, options, on_build=on_build, on_tunnel_url=on_url, on_tunnel_log=on_log)
    signal.signal(signal.SIGTERM, _interrupt)  # a service manager's stop is a Ctrl-C: clean up
    gate = "PIN required" if session.state.gate else "no PIN"
    out.print(f"Serving {session.url} ({gate}{', watching for changes' if watch else ''}) — Ctrl-C to stop",
              highlight=False)
    try:
        wait_forever()
    except KeyboardInterrupt:
        out.print("stopping")
    finally:
        session.stop()


def _interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt


@main.command("pin-hash")
@click.option("--pin", prompt=True, hide_input=True, confirmation_prompt=True, help="The PIN to hash.")
def pin_hash(pin: str) -> None:
    """Print a hash of a PIN for runthru.toml ([serve] pin_hash = "…"), so the PIN itself is stored nowhere."""
    from .gate import hash_pin

    if len(pin.strip()) < 4:
        raise click.BadParameter("the PIN must be at least 4 characters", param_hint="--pin")
    click.echo(f'[serve]\npin_hash = "{hash_pin(pin.strip())}"')


@main.command()
@click.argument("project_dir", type=click.Path(file_okay=False, path_type=Path))
@reports_errors
def new(project_dir: Path) -> None:
    """Start a project: runthru.toml (every setting, commented), an example script and cast, a .gitignore."""
    from .commands.scaffold import new_project

    for path in new_project(project_dir):
        click.echo(f"created {path}")
    click.echo(f"\nNext: cd {project_dir} && runthru-build serve --watch   (then edit scripts/ and casts/)")


@cast.command("init")
@click.argument("script", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--out", "-o", type=click.Path(dir_okay=False, path_type=Path), help="Where to write the cast file.")
@click.option("--force", is_flag=True, help="Replace an existing cast file.")
@click.option("--engine", "-e", type=click.Choice(["piper", "kokoro"]), default="piper", show_default=True,
              help="The engine of every role: kokoro gives each role its own Kokoro voice (voices download --engine kokoro).")
@reports_errors
def cast_init(script: Path, out: Path | None, force: bool, engine: str) -> None:
    """Write a starter cast file for SCRIPT: every character, its line count, a distinct voice."""
    from .commands.scaffold import init_cast

    click.echo(f"created {init_cast(script, out, force, engine)}")


@main.command(context_settings={"ignore_unknown_options": False})
@click.argument("args", nargs=-1, metavar="[PROJECT_DIR] | download NAME…")
@click.option("--engine", "-e", help="Only this engine; with download: fetch this engine's weights into its model_dir.")
@click.option("--available", is_flag=True, help="List the Piper voice catalogue (fetched once, then cached).")
@click.option("--lang", help="With --available: only this language (en, en_GB).")
@click.option("--refresh", is_flag=True, help="With --available: fetch the catalogue again.")
@click.option("--project", "into_project", is_flag=True,
              help="With download: into the project's voices/ (default: your user data folder).")
@reports_errors
def voices(args: tuple[str, ...], engine: str | None, available: bool, lang: str | None, refresh: bool,
           into_project: bool) -> None:
    """List voices (with licences), the Piper catalogue (--available), or download voices:
    voices download en_GB-alba-medium …; voices download --engine chatterbox."""
    from .engines import engine_names

    if engine and engine not in engine_names():
        raise click.BadParameter(f"no engine {engine!r} (known: {', '.join(engine_names())})", param_hint="--engine")
    if args[:1] == ("download",):
        _voices_download(list(args[1:]), engine, into_project)
    elif available:
        _voices_available(lang, refresh)
    elif len(args) > 1:
        raise click.UsageError("voices takes one PROJECT_DIR (or: voices download NAME…)")
    else:
        _voices_list(Path(args[0]) if args else Path("."), engine)


def _voices_list(project_dir: Path, engine: str | None) -> None:
    from .commands.voices import list_voices

    for entry in list_voices(project_dir, engine):
        out.print(f"{entry.name}  {entry.identity}", style="bold", markup=False)
        for voice in entry.voices:
            licence = entry.licences.get(voice)
            out.print(f"  {voice}  ({entry.described.get(voice, 'built in')}){'  licence: ' + licence if licence else ''}",
                      markup=False)
        for v in entry.installed:
            speakers = f", {v.num_speakers} speakers" if v.num_speakers > 1 else ""
            out.print(f"  {v.name}  ({v.language} {v.quality}{speakers})  licence: {v.licence or 'unknown'}  "
                      f"{v.model.parent}", markup=False)
        for path in entry.files:
            out.print(f"  {path}", markup=False)
        if not entry.voices and not entry.files and not entry.problem:
            out.print("  no voices yet: clone one with voice = \"voices/NAME.wav\" in a cast", markup=False)
        if entry.problem:
            out.print(f"  {entry.problem}", style="yellow", markup=False)


def _voices_available(lang: str | None, refresh: bool) -> None:
    from .commands.voices import available

    catalogue = available(refresh)
    rows = [("voice", "language", "quality", "speakers", "size", "licence")]
    rows += [(v.name, v.language, v.quality, str(v.num_speakers), f"{v.size_bytes / 1e6:.0f} MB",
              v.licence or "unknown") for v in catalogue.for_language(lang)]
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
    for row in rows:  # plain columns: never cut to the terminal's width
        click.echo("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=False)) + "  " + row[-1])
    err.print(f"catalogue of {catalogue.source}, list made {catalogue.made_at:%Y-%m-%d %H:%M} UTC "
              "(--refresh fetches it again); download one: runthru-build voices download NAME", markup=False)


def _voices_download(names: list[str], engine: str | None, into_project: bool) -> None:
    from .commands.voices import download_engine_weights, download_voices

    if engine:
        if names:
            raise click.UsageError("voices download takes voice names or --engine, not both")
        placed = download_engine_weights(engine, Path("."))
        click.echo(f"{engine}: {counted(len(placed), 'file')} fetched; check them with runthru-build voices --engine {engine}")
        return
    if not names:
        raise click.UsageError("name the voices to download (runthru-build voices --available lists them)")
    for done in download_voices(names, Path("."), into_project):
        state = "already installed" if done.already else "installed"
        click.echo(f"{done.name}: {state} at {done.path} (licence: {done.licence or 'unknown, see its MODEL_CARD'})")


@main.command()
@click.option("--markdown", is_flag=True, help="As the table in the README's Licences section.")
def licences(markdown: bool) -> None:
    """The licence of every package RunThru runs with (RunThru itself: MIT)."""
    from .commands.licences import markdown_table, runtime_dependencies

    if markdown:
        click.echo(markdown_table(), nl=False)
        return
    for name, licence in runtime_dependencies().items():
        click.echo(f"{name:24} {licence}")


@main.command()
@project_dir
@click.option("--since", "since_spec", metavar="DATE|REVISION",
              help="Compare with this revision (a number, or the last one built by a date); default: the one before.")
@click.option("--role", "-r", help="Only this role's lines.")
@reports_errors
def changes(project_dir: Path, since_spec: str | None, role: str | None) -> None:
    """Lines changed, added and removed per role since a revision (each build records one)."""
    from .commands.changes import changes as find_changes

    for production in find_changes(project_dir, since_spec, role):
        base = production.base
        against = f"revision {base.id} ({base.time})" if base else "the start"
        out.print(f"[bold]{production.title}[/bold]: revision {production.current.id} against {against}")
        if not production.by_role:
            out.print("  no changes")
        for name, found in sorted(production.by_role.items()):
            counts = {kind: sum(1 for c in found if c.kind == kind) for kind in ("changed", "added", "removed")}
            out.print(f"  {name}: " + ", ".join(f"{n} {kind}" for kind, n in counts.items()), markup=False)
            for change in found:
                was = f"  (was: {change.before.text})" if change.before and change.before.text != change.line.text else ""
                out.print(f"    {change.kind:8} {change.line.source}  {change.line.text}{was}", markup=False)


@main.command()
@project_dir
@click.option("--role", "-r", "roles", multiple=True, help="Only this role (repeatable); default: every role.")
@reports_errors
def audition(project_dir: Path, roles: tuple[str, ...]) -> None:
    """Render 8-15 s of each role's most characteristic lines, to hear the cast before the full build."""
    from .commands.audition import audition as run_audition

    result = _with_progress(run_audition, project_dir, list(roles))
    _report_build(result)
    if result.published:
        from .site import unique_slugs

        build_dir = result.project.config.build_dir
        for slug in unique_slugs([plan.production.name for plan in result.plans]).values():
            err.print(f"cast preview: open {build_dir / slug / 'index.html'} and press ▶ beside a role",
                      markup=False)
    sys.exit(result.exit_code)
