"""The site stage: plans + cached takes -> a static rehearsal website.

```
build/index.html                      productions
build/assets/                         player.js, style.css (the theme's static files)
build/sw.js                           service worker (offline when served over http)
build/<production>/index.html         role chooser
build/<production>/data.js            the script as the player reads it
build/<production>/listen.html        the whole play, every line spoken
build/<production>/tableread.html     the table read (works only behind serve: tableread.py)
build/<production>/<role>/index.html  rehearsal page of one role
build/<production>/audio/<key>.mp3    every take once, shared by the roles
build/<production>/<role>.zip         offline bundle of one role (bundle.py)
build/<production>.zip                the whole production offline
```

Everything is written into a temporary folder beside ``build/`` and swapped
in only when complete, so a failed build never leaves a half-written site.
A production's data ships as a classic script (``data.js``, JSON with ``<``,
``>`` and ``&`` escaped) rather than fetched JSON, so pages work from
``file://``; pages carry no inline script, so their Content-Security-Policy of
``'self'`` (a ``<meta>``, so it holds from ``file://`` too) costs nothing; and
the player builds text nodes, never HTML, from script text.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import hashlib
import json
import math
import os
import posixpath
import re
import secrets
import shutil
import sys
import tempfile
import time
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import IO, Any

import jinja2
from markdown_it import MarkdownIt

from . import timings
from .cache import TakeCache, TakeInfo
from .config import Config
from .errors import RunThruError
from .fsutil import copy_file
from .plan import LineAudio, Plan
from .revisions import History, Revision
from .script import Direction, Line
from .voices.store import cast_voice_credits

SITE_MARKER = ".runthru-site"
"""Written into every site RunThru builds: only a folder that holds it is ever replaced.  It lists
the files RunThru wrote; a site holding any other file (the user's own) is not replaced either."""
_MARKER_TEXT = "Built by runthru-build, which replaces this folder on every build.\n"
_FILES_HEADER = "Files it wrote (while this folder holds any other, it is not replaced):\n"
SYSTEM_LITTER = frozenset({".DS_Store", "Thumbs.db", "desktop.ini"})
"""Files a file manager leaves in any folder it shows: not the user's work, removed with the old site."""
BUNDLE_MANIFEST = ".bundles.json"
"""Beside the site: a digest of each bundle's contents (bundle.py); also marks a site
built before ``SITE_MARKER`` existed."""

PAGE_CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; media-src 'self' blob:; "
            "connect-src 'self'; worker-src 'self'; manifest-src 'self'; base-uri 'none'; form-action 'self'")
"""The Content-Security-Policy every page carries in a ``<meta>``, so that it holds from ``file://``
(an unzipped bundle) and on any host, not only behind ``serve`` (which also sends it as a header).
``media-src blob:``: the actor's own recordings play from IndexedDB through blob: URLs."""

RESERVED_SLUGS = frozenset({"audio", "assets", "index", "listen", "sw", "tableread"})
WORDS_PER_SECOND = 2.6  # speaking rate used to time a line that has no audio

_INLINE = MarkdownIt("commonmark", {"html": False})
_SLUG_CHARS = re.compile(r"[^a-z0-9]+")


def slugify(name: str) -> str:
    """An ASCII, URL- and file-safe form of a name (empty when nothing is left)."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return _SLUG_CHARS.sub("-", ascii_name.lower()).strip("-")[:48]


def unique_slugs(names: list[str]) -> dict[str, str]:
    """Stable, distinct slugs: a name whose plain slug is empty, reserved or shared
    with another name gets a short hash of the name itself appended."""
    base = {n: slugify(n) for n in names}
    counts: dict[str, int] = {}
    for s in base.values():
        counts[s] = counts.get(s, 0) + 1
    out = {}
    for name, slug in base.items():
        if not slug or slug in RESERVED_SLUGS or counts[slug] > 1:
            digest = hashlib.sha256(name.encode("utf-8")).hexdigest()[:6]
            slug = f"{slug}-{digest}" if slug else f"role-{digest}"
        out[name] = slug
    return out


def runs(markdown: str) -> list[list[str]]:
    """Markdown inline -> [[style, text], ...]; the player builds text nodes from
    these, never HTML, so script text cannot become markup."""
    out: list[list[str]] = []
    styles: list[str] = []
    for token in _INLINE.parseInline(markdown):
        for child in token.children or []:
            if child.type in ("em_open", "strong_open"):
                styles.append(child.tag)
            elif child.type in ("em_close", "strong_close"):
                if child.tag in styles:
                    styles.remove(child.tag)
            elif child.type in ("softbreak", "hardbreak"):
                out.append([" ".join(styles), "\n"])  # verse keeps its lines
            elif child.content:
                out.append([" ".join(styles), child.content])
    return out


def script_json(data: Any) -> str:
    """JSON that is safe inside an HTML ``<script>`` element."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    for raw, escaped in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"),
                         ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(raw, escaped)
    return text


@dataclass
class RolePage:
    name: str
    slug: str
    lines: int
    words: int
    actor: str | None
    audio: set[str] = field(default_factory=set)
    """Audio files (``<key>.mp3``) this role needs: every line it does not speak."""
    preview: list[str] = field(default_factory=list)
    """The audio of a few characteristic lines (``preview_lines``), for the cast preview on the chooser."""
    share: float = 0.0
    """The part's share of the play's lines (0..1)."""
    changed: int = 0
    """Lines of the part changed or added in the latest revision."""


@dataclass
class ProductionSite:
    slug: str
    plan: Plan
    roles: list[RolePage]
    audio: set[str]
    """Every audio file of the production."""
    duration: float
    history: History | None = None
    revision: Revision | None = None
    """This build's revision of the production (revisions.py)."""

    @property
    def title(self) -> str:
        return self.plan.production.title

    @property
    def voice_credits(self) -> list[tuple[str, str | None]]:
        return cast_voice_credits(self.plan.production.cast)


@dataclass
class StagedSite:
    """A site written into a temporary folder, waiting to be published."""

    config: Config
    root: Path
    productions: list[ProductionSite]
    env: jinja2.Environment
    static_files: list[str]
    lock: IO[str] | None = None
    """The staged marker, held locked while this build lives: a folder whose marker no one holds is a
    killed build's leftover (``remove_leftovers``), whatever PID that build had."""


def theme_dirs(config: Config) -> list[Path]:
    """The project's theme folder (if any) first, then the packaged default."""
    packaged = Path(str(resources.files("runthru_build") / "themes" / "default"))
    custom = config.root / "themes" / config.site.theme
    if custom.is_dir():
        return [custom, packaged]
    if config.site.theme != "default":
        raise RunThruError(f"theme {config.site.theme!r} not found (looked for {config.shown(custom)}/)",
                           path="runthru.toml")
    return [packaged]


def _environment(dirs: list[Path]) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader([str(d / "templates") for d in dirs]),
        autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True,
    )
    env.globals["csp"] = PAGE_CSP
    env.filters["filesize"] = lambda n: f"{n / 1e6:.1f} MB" if n >= 1e6 else f"{max(1, round(n / 1e3))} KB"
    env.filters["minutes"] = lambda s: f"{max(1, round(s / 60))} min"
    env.filters["percent"] = lambda share: f"{share:.0%}" if share >= 0.005 or not share else "<1%"
    return env


def _line_item(line: Line, audio: str | None, duration: float, scene: int) -> dict[str, Any]:
    return {
        "t": "l",
        "s": list(line.speakers),
        "c": line.cue,
        "p": [{"k": "d" if p.kind == "direction" else "s", "r": runs(p.markdown)} for p in line.parts],
        "a": audio,
        "d": round(duration, 2) if duration else round(0.6 + line.words / WORDS_PER_SECOND, 2),
        "w": line.words,
        "n": scene,
        "src": str(line.source),
        "cont": line.continued,
    }


def _word_times(info: TakeInfo, config: Config) -> dict[str, Any]:
    """``wt``: [start, end] of each spoken word in the played audio; ``we``: estimated (a take
    stored before timings were kept, or a mix of voices) rather than aligned by the engine."""
    if info.words:
        return {"wt": info.words, "we": info.words_estimated}
    pad = config.audio.trim_pad_ms / 1000
    delay = timings.encoder_delay(info.suffix.lstrip("."), info.sample_rate)
    words = timings.shift(timings.estimate(info.text, info.duration, pad), delay)
    return {"wt": timings.finish(words or [], info.duration + delay), "we": True}


def page_data(site: ProductionSite, cache: TakeCache, config: Config) -> dict[str, Any]:
    """Everything the player needs about a production (the same for every role)."""
    plan = site.plan
    script = plan.production.script
    by_line = {id(la.line): la for la in plan.lines}
    records = dict(zip((id(line) for line in script.lines()), site.revision.lines, strict=True)) \
        if site.revision else {}
    items: list[dict[str, Any]] = []
    scenes = []
    for number, scene in enumerate(script.scenes):
        scenes.append({"title": scene.title, "act": scene.act, "src": str(scene.source)})
        for element in scene.elements:
            if isinstance(element, Direction):
                items.append({"t": "d", "r": runs(element.text), "n": number, "src": str(element.source)})
                continue
            la = by_line[id(element)]
            info = cache.get(la.key)
            items.append(_line_item(element, f"{la.key}{info.suffix}" if info else None,
                                    info.duration if info else 0.0, number))
            if info is not None:
                items[-1].update(_word_times(info, config))
            if id(element) in records:
                items[-1].update({"h": records[id(element)].fingerprint, "cr": records[id(element)].changed})
    return {
        "production": {"slug": site.slug, "title": script.title, "subtitle": script.subtitle,
                       "author": script.author},
        "characters": [{"name": r.name, "slug": r.slug, "lines": r.lines} for r in site.roles],
        "scenes": scenes,
        "items": items,
        "gapMs": config.site.gap_ms,
        "revision": _revision_data(site),
    }


def _revision_data(site: ProductionSite) -> dict[str, Any] | None:
    """This build's revision, the first one kept, and the date of each revision a line names."""
    if site.revision is None or site.history is None:
        return None
    dates = site.history.dates()
    named = {r.changed for r in site.revision.lines} | {site.revision.id}
    return {"id": site.revision.id, "time": site.revision.time, "first": site.history.revisions[0].id,
            "dates": {str(n): dates[n] for n in sorted(named) if n in dates}}


PREVIEW_SECONDS = (9.5, 14.0)
"""Estimated seconds a role's preview fills, so that spoken it lasts 8-15 s."""
PREVIEW_WORDS_PER_SECOND = 3.3  # Piper's measured median; WORDS_PER_SECOND errs long, for timing gaps
_WORD = re.compile(r"[^\W\d_]{4,}")


def _estimated_seconds(la: LineAudio) -> float:
    return 0.3 + la.line.words / PREVIEW_WORDS_PER_SECOND


def preview_lines(plan: Plan, role: str) -> list[LineAudio]:
    """The lines that introduce a role's voice on the chooser, in play order: about 8-15 s of
    its most characteristic lines (said alone where it can be, dense in the words it uses
    more than the others, not one-word exclamations)."""
    alone = [la for la in plan.lines if la.line.speakers == (role,)]
    candidates = list({la.line.spoken: la for la in reversed(alone or [la for la in plan.lines
                                                                        if role in la.line.speakers])}.values())
    theirs = Counter(w for la in candidates for w in _WORD.findall(la.line.spoken.lower()))
    others = Counter(w for la in plan.lines if role not in la.line.speakers
                     for w in _WORD.findall(la.line.spoken.lower()))

    def characteristic(la: LineAudio) -> float:
        words = _WORD.findall(la.line.spoken.lower())
        if not words:
            return 0.0
        per_word = sum(math.log((theirs[w] + 1) / (others[w] + 1)) + 1 for w in words) / len(words)
        return per_word * min(1.0, _estimated_seconds(la) / 3.0)

    order = {id(la): i for i, la in enumerate(plan.lines)}
    shortest, longest = PREVIEW_SECONDS
    chosen: list[LineAudio] = []
    total = 0.0
    for la in sorted(candidates, key=lambda la: (-characteristic(la), order[id(la)])):
        seconds = _estimated_seconds(la)
        if total + seconds <= longest:
            chosen.append(la)
            total += seconds
        if total >= shortest:
            break
    if not chosen and candidates:  # every line is longer than a preview: the shortest one
        chosen = [min(candidates, key=_estimated_seconds)]
    return sorted(chosen, key=lambda la: order[id(la)])


def _production_site(slug: str, plan: Plan, cache: TakeCache) -> ProductionSite:
    production = plan.production
    names = production.characters
    slugs = unique_slugs(names)
    counts = {n: [0, 0] for n in names}
    audio_of: dict[str, str] = {}
    duration = 0.0
    for la in plan.lines:
        info = cache.get(la.key)
        if info is not None:
            audio_of[la.key] = f"{la.key}{info.suffix}"
            duration += info.duration
        for speaker in la.line.speakers:
            counts[speaker][0] += 1
            counts[speaker][1] += la.line.words
    roles = []
    for name in names:
        role = RolePage(name=name, slug=slugs[name], lines=counts[name][0], words=counts[name][1],
                        actor=production.cast.roles[name].actor)
        role.audio = {audio_of[la.key] for la in plan.lines if name not in la.line.speakers and la.key in audio_of}
        role.preview = [audio_of[la.key] for la in preview_lines(plan, name) if la.key in audio_of]
        roles.append(role)
    return ProductionSite(slug=slug, plan=plan, roles=_leads_first(roles, len(plan.lines)),
                          audio=set(audio_of.values()), duration=duration)


def _count_changes(site: ProductionSite) -> None:
    """Each part's lines changed in the latest revision (none on the first)."""
    revision = site.revision
    if revision is None or site.history is None or revision.id == site.history.revisions[0].id:
        return
    by_name = {role.name: role for role in site.roles}
    for record in revision.lines:
        if record.changed == revision.id:
            for speaker in record.speakers:
                if speaker in by_name:
                    by_name[speaker].changed += 1


def _leads_first(roles: list[RolePage], total_lines: int) -> list[RolePage]:
    """The role chooser's order: most lines first, then by name; each with its share of the play."""
    for role in roles:
        role.share = role.lines / total_lines if total_lines else 0.0
    return sorted(roles, key=lambda r: (-r.lines, r.name))


def stage_site(plans: list[Plan], cache: TakeCache, config: Config,
               revisions: dict[str, tuple[History, Revision]] | None = None) -> StagedSite:
    """Write assets, audio and rehearsal pages into a temporary folder."""
    dirs = theme_dirs(config)
    env = _environment(dirs)
    build_dir = config.build_dir
    check_build_dir(config)
    try:
        build_dir.parent.mkdir(parents=True, exist_ok=True)
        remove_leftovers(build_dir)
        root = Path(tempfile.mkdtemp(prefix=f".{build_dir.name}.tmp-{os.getpid()}-", dir=build_dir.parent))
    except OSError as exc:
        raise RunThruError(f"cannot write the new site beside it, in {config.shown(build_dir.parent)}/: "
                           f"{exc.strerror}", path=config.shown(build_dir)) from None
    lock, sites = None, []
    try:
        root.chmod(0o777 & ~_umask())  # mkdtemp makes it private; the site is for serving
        lock = _locked(root / SITE_MARKER, create=True)
        lock.write(_MARKER_TEXT)
        lock.flush()
        slugs = unique_slugs([p.production.name for p in plans])
        sites = [_production_site(slugs[p.production.name], p, cache) for p in plans]
        for site in sites:
            site.history, site.revision = (revisions or {}).get(site.plan.production.name, (None, None))
            _count_changes(site)
        static_files = _copy_static(dirs, root)
        staged = StagedSite(config=config, root=root, productions=sites, env=env, static_files=static_files, lock=lock)
        for site in sites:
            _write_production_pages(staged, site, cache)
        return staged
    except BaseException as exc:
        shutil.rmtree(root, ignore_errors=True)
        if lock is not None:
            lock.close()
        if is_disk_full(exc):
            raise disk_full_error(config, sites, cache) from None
        raise


def is_disk_full(exc: BaseException) -> bool:
    return isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT)


def _megabytes(size: float) -> str:
    return f"{size / 1e6:.1f} MB"


def site_bytes(sites: list[ProductionSite], cache: TakeCache, static: int) -> int:
    """About how much a site of these productions takes on disk: its audio, once in the site and
    again in each bundle that holds it (bundles store audio as it is), plus the pages and the
    theme's ``static`` bytes of assets in the site and in each bundle."""

    def size(name: str) -> int:
        info = cache.get(name.split(".", 1)[0])
        if info is None:
            return 0
        with contextlib.suppress(OSError):
            return info.size or cache.audio_path(info.key, info.suffix).stat().st_size
        return 0

    total = 0
    for site in sites:
        audio = {name: size(name) for name in site.audio}
        total += 2 * sum(audio.values())  # the site's audio folder, and the whole production's zip
        total += sum(audio.get(name, 0) for role in site.roles for name in role.audio)
        total += (len(site.roles) + 2) * (len(site.plan.lines) * 400 + static)  # pages and data.js, the assets
    return total


def disk_full_error(config: Config, sites: list[ProductionSite], cache: TakeCache) -> RunThruError:
    """One line for a full disk while staging or zipping: what the new site needs and what is free.
    The staged folder is gone by now, so what is free is what a retry will have."""
    folder = config.build_dir.parent
    try:
        free = _megabytes(shutil.disk_usage(folder).free)
    except OSError:
        free = "unknown"
    static = 0
    with contextlib.suppress(OSError, RunThruError):
        static = sum(p.stat().st_size for theme in theme_dirs(config) for p in (theme / "static").rglob("*") if p.is_file())
    needed = site_bytes(sites, cache, static)
    need = f"about {_megabytes(needed)}" if needed else "more space"
    return RunThruError(f"the disk is full: the new site needs {need} in {config.shown(folder)}/ beside the old one, "
                        f"and {free} is free; the old site and the cache are as they were",
                        path=config.shown(config.build_dir))


def _locked(marker: Path, *, create: bool = False, wait: bool = True) -> IO[str] | None:
    """``marker`` open and locked (flock: released when this process ends, however it ends);
    None when ``wait`` is false and another process holds it."""
    handle = marker.open("w" if create else "r", encoding="utf-8")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
    except BlockingIOError:
        handle.close()
        return None
    except BaseException:
        handle.close()
        raise
    return handle


LEFTOVER_AGE_S = 10.0
"""A leftover folder younger than this is left alone: its build may be about to lock its marker."""


def remove_leftovers(build_dir: Path) -> list[Path]:
    """Remove what killed builds left beside ``build/``: staged sites (``.build.tmp-…``) and old
    sites being removed (``.build.old-…``).  Only folders of those names that carry RunThru's
    marker, unlocked (the build that made them is gone: a PID alone cannot tell, since a container
    runs every build as PID 1), or that are empty; nothing else is touched."""
    pattern = re.compile(rf"\.{re.escape(build_dir.name)}\.(tmp|old)-.+")
    removed = []
    try:
        entries = [e for e in os.scandir(build_dir.parent) if pattern.fullmatch(e.name)]
    except OSError:
        return removed
    for entry in entries:
        folder = Path(entry.path)
        try:
            if not entry.is_dir(follow_symlinks=False) or time.time() - entry.stat().st_mtime < LEFTOVER_AGE_S:
                continue
            marker = next((folder / name for name in (SITE_MARKER, BUNDLE_MANIFEST) if (folder / name).is_file()), None)
            if marker is None:
                with contextlib.suppress(OSError):
                    folder.rmdir()  # only if empty: killed before its marker was written
                    removed.append(folder)
                continue
            lock = _locked(marker, wait=False)
        except OSError:
            continue
        if lock is None:
            continue  # a build that still runs
        with lock:
            _remove_old_site(folder)
        removed.append(folder)
    return removed


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _copy_static(dirs: list[Path], root: Path) -> list[str]:
    """The theme's static files (a project theme overrides the default file by file)."""
    written: dict[str, Path] = {}
    for theme in reversed(dirs):
        static = theme / "static"
        if static.is_dir():
            for path in static.rglob("*"):
                if path.is_file():
                    written[path.relative_to(static).as_posix()] = path
    for rel, source in written.items():
        target = root / "assets" / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
    sw = root / "assets" / "sw.js"
    if sw.exists():
        sw.rename(root / "sw.js")  # a service worker controls only its own folder and below
    return sorted(f"assets/{rel}" for rel in written if rel != "sw.js")


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def _write_production_pages(staged: StagedSite, site: ProductionSite, cache: TakeCache) -> None:
    folder = staged.root / site.slug
    audio_dir = folder / "audio"
    audio_dir.mkdir(parents=True)
    previous = staged.config.build_dir / site.slug / "audio"
    for la in site.plan.lines:
        info = cache.get(la.key)
        target = audio_dir / f"{la.key}{info.suffix}" if info else None
        if info is not None and not target.exists():
            _place_take(cache.audio_path(la.key, info.suffix), previous / target.name, target, info)
    data = page_data(site, cache, staged.config)
    _write(folder / "data.js", f"window.RUNTHRU = {script_json(data)};\n")
    template = staged.env.get_template("role.html")
    title = _site_title(staged)
    for role in site.roles:
        _write(folder / role.slug / "index.html", template.render(
            production=site, role=role, roles=json.dumps([role.name]), up="../", root="../../", site_title=title))
    _write(folder / "listen.html", template.render(
        production=site, role=None, roles="[]", up="", root="../", site_title=title))
    _write(folder / "tableread.html", staged.env.get_template("tableread.html").render(
        production=site, root="../", site_title=title))


def _place_take(cached: Path, previous: Path, target: Path, info: TakeInfo) -> None:
    """A take into the staged site, never linked to the cache (an edit in build/ would
    reach it).  The previous site's file is linked when it still hashes to the take
    (that site is removed once this one is published): far cheaper than a copy."""
    with contextlib.suppress(OSError):
        found = previous.stat()
        if info.sha256 and found.st_size == info.size and found.st_nlink == 1 \
                and hashlib.sha256(previous.read_bytes()).hexdigest() == info.sha256:
            os.link(previous, target)  # one link only: not a file an older RunThru linked to the cache
            return
    copy_file(cached, target)


def _site_title(staged: StagedSite) -> str:
    """``[site] title``, else the productions' own titles (never the folder's name)."""
    if staged.config.site.title:
        return staged.config.site.title
    titles = list(dict.fromkeys(site.title for site in staged.productions if site.title))
    if len(titles) > 3:
        return f"{', '.join(titles[:2])} and {len(titles) - 2} more"
    return " · ".join(titles) or "RunThru"


def finish_site(staged: StagedSite, bundle_sizes: dict[str, int]) -> None:
    """Write the index and role-chooser pages (with bundle sizes) and publish."""
    env = staged.env
    title = _site_title(staged)
    for site in staged.productions:
        _write(staged.root / site.slug / "index.html", env.get_template("production.html").render(
            production=site, bundle_sizes=bundle_sizes, assets="../assets/", root="../", site_title=title))
    _write(staged.root / "index.html", env.get_template("index.html").render(
        productions=staged.productions, bundle_sizes=bundle_sizes, assets="assets/", root="", site_title=title))
    try:
        publish(staged.root, staged.config)
    finally:
        if staged.lock is not None:
            staged.lock.close()


def check_build_dir(config: Config) -> None:
    """Refuse to replace anything but a site RunThru built (or an empty folder)."""
    build_dir = config.build_dir
    shown = config.shown(build_dir)
    if build_dir.is_symlink():
        raise RunThruError("the build folder is a symbolic link: set build = … to the folder it points to",
                           path=shown)
    if not build_dir.exists():
        return
    if not build_dir.is_dir():
        raise RunThruError("build = … names an existing file: RunThru replaces the build folder on every "
                           "build, so it will not replace this file", path=shown)
    if (build_dir / SITE_MARKER).is_file() or (build_dir / BUNDLE_MANIFEST).is_file():
        foreign = _foreign_files(build_dir)
        if foreign:
            what = f"{len(foreign)} files, this one first," if len(foreign) > 1 else "a file"
            raise RunThruError(f"{what} in the built site not made by RunThru: it replaces {shown}/ on every "
                               f"build, so move {'them' if len(foreign) > 1 else 'it'} out first; nothing was deleted",
                               path=f"{shown}/{foreign[0]}")
        return
    if any(build_dir.iterdir()):
        raise RunThruError(f"this folder was not built by RunThru (no {SITE_MARKER} in it), so it will not be "
                           "replaced: move it away, or set build = … to another folder", path=shown)


def _site_files(folder: Path) -> set[str]:
    """Every file and link under ``folder``, as POSIX paths relative to it."""
    found = set()
    for parent, folders, files in os.walk(folder):
        here = Path(parent).relative_to(folder)
        found.update((here / name).as_posix() for name in files)
        found.update((here / name).as_posix() for name in folders if (Path(parent) / name).is_symlink())
    return found


def _foreign_files(build_dir: Path) -> list[str]:
    """Files in a RunThru site that RunThru did not write (none known for a site older than the list)."""
    try:
        _, listed, names = (build_dir / SITE_MARKER).read_text(encoding="utf-8").partition(_FILES_HEADER)
    except (OSError, UnicodeDecodeError):
        return []
    if not listed:
        return []
    known = set(names.splitlines()) | {SITE_MARKER}
    return sorted(f for f in _site_files(build_dir) - known if posixpath.basename(f) not in SYSTEM_LITTER)


_RENAME_EXCHANGE = 2  # linux/fs.h


def _exchange(a: Path, b: Path) -> bool:
    """Swap two folders in one step (Linux renameat2): no moment without a site to serve.
    False where the system or file system cannot."""
    if not sys.platform.startswith("linux"):
        return False
    import ctypes

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd = -100
    if renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):
        return False
    raise OSError(err, os.strerror(err), str(a), None, str(b))


def publish(staged_root: Path, config: Config) -> None:
    """Swap the staged folder in for ``build/``: one exchange where the system offers it (a server
    keeps serving the old site until the new one is in place), else two renames; the old site is
    removed after, under its marker's lock, so no other build takes it for a leftover."""
    build_dir = config.build_dir
    files = sorted(_site_files(staged_root) - {SITE_MARKER})
    (staged_root / SITE_MARKER).write_text(_MARKER_TEXT + _FILES_HEADER + "".join(f"{f}\n" for f in files))
    check_build_dir(config)  # again: the folder may have changed while the takes rendered
    with contextlib.ExitStack() as stack:
        old = None
        if build_dir.exists():
            marker = next((build_dir / n for n in (SITE_MARKER, BUNDLE_MANIFEST) if (build_dir / n).is_file()), None)
            with contextlib.suppress(OSError):
                if marker is not None:
                    stack.enter_context(_locked(marker))
        step = f"swap {config.shown(staged_root)}/ in for it"
        try:
            if build_dir.exists() and _exchange(staged_root, build_dir):
                old = staged_root
            else:
                if build_dir.exists():
                    old = build_dir.with_name(f".{build_dir.name}.old-{os.getpid()}-{secrets.token_hex(4)}")
                    step = f"move it aside to {config.shown(old)}/"
                    os.replace(build_dir, old)
                step = f"move {config.shown(staged_root)}/ in"
                os.replace(staged_root, build_dir)
        except OSError as exc:
            if old is not None and old != staged_root and not build_dir.exists():
                os.replace(old, build_dir)
            raise RunThruError(f"cannot replace the build folder: could not {step}: {exc.strerror}",
                               path=config.shown(build_dir)) from None
        if old is not None:
            _remove_old_site(old)


def _remove_old_site(old: Path) -> None:
    """The old site is RunThru's own (marker checked): a folder in it made read-only is
    made writable again to remove it; nothing outside it is touched."""

    def writable_then_retry(function: Any, path: str, exc_info: Any) -> None:
        folder = Path(path).parent
        if folder == old or old in folder.parents:
            with contextlib.suppress(OSError):
                folder.chmod(0o700)
                function(path)

    shutil.rmtree(old, onerror=writable_then_retry)


def discard(staged: StagedSite) -> None:
    with contextlib.suppress(OSError):
        shutil.rmtree(staged.root)
    if staged.lock is not None:
        staged.lock.close()

