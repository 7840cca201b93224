"""The bundle stage: offline zips of a staged site.

``<production>/<role>.zip`` holds one role's page, the player's assets and
only the audio that role hears (everyone else's lines); ``<production>.zip``
holds every role and all the audio.  Each unzips into one folder whose
``index.html`` opens the rehearsal page straight from ``file://``.
Zips are deterministic: the same site gives byte-identical bundles.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import zipfile
from pathlib import Path

from .site import BUNDLE_MANIFEST as MANIFEST
from .site import ProductionSite, RolePage, StagedSite

_FIXED_TIME = (1980, 1, 1, 0, 0, 0)
_STORED_SUFFIXES = (".mp3", ".opus", ".png", ".jpg", ".zip")


def _add(archive: zipfile.ZipFile, name: str, data: bytes) -> None:
    info = zipfile.ZipInfo(name, date_time=_FIXED_TIME)
    info.external_attr = 0o644 << 16
    info.compress_type = zipfile.ZIP_STORED if name.endswith(_STORED_SUFFIXES) else zipfile.ZIP_DEFLATED
    archive.writestr(info, data)


BUNDLE_COMMENT = b"RunThru offline bundle"


def is_bundle(path: Path) -> bool:
    """Did RunThru write this zip?  Only such a file may be replaced by another."""
    try:
        with zipfile.ZipFile(path) as archive:
            if archive.comment == BUNDLE_COMMENT:
                return True
            names = archive.namelist()  # one written before bundles were signed
            return any(n.endswith("/data.js") for n in names) and any(n.endswith("/player.js") for n in names)
    except (OSError, zipfile.BadZipFile):
        return False


def _write_zip(path: Path, entries: list[tuple[str, bytes | Path]]) -> int:
    with zipfile.ZipFile(path, "w") as archive:
        archive.comment = BUNDLE_COMMENT
        for name, content in sorted(entries, key=lambda e: e[0]):
            _add(archive, name, content.read_bytes() if isinstance(content, Path) else content)
    return path.stat().st_size


def _start_pages(staged: StagedSite, site: ProductionSite, roles: list[RolePage], top: str) -> list[tuple[str, bytes]]:
    """The bundle's start page, and the same list of parts where a rehearsal page's ← leads."""
    template = staged.env.get_template("bundle.html")
    pages = {f"{top}/index.html": {"up": "", "here": f"{site.slug}/"},
             f"{top}/{site.slug}/index.html": {"up": "../", "here": ""}}
    return [(name, template.render(production=site, roles=roles, **paths).encode("utf-8"))
            for name, paths in pages.items()]


def _common(staged: StagedSite, top: str) -> list[tuple[str, bytes | Path]]:
    return [(f"{top}/{rel}", staged.root / rel) for rel in staged.static_files]


def role_bundle_entries(staged: StagedSite, site: ProductionSite, role: RolePage) -> list[tuple[str, bytes | Path]]:
    top = f"{site.slug}-{role.slug}"
    base = staged.root / site.slug
    entries = _common(staged, top)
    entries += _start_pages(staged, site, [role], top)
    entries.append((f"{top}/{site.slug}/data.js", base / "data.js"))
    entries.append((f"{top}/{site.slug}/{role.slug}/index.html", base / role.slug / "index.html"))
    entries += [(f"{top}/{site.slug}/audio/{name}", base / "audio" / name) for name in sorted(role.audio)]
    return entries


def production_bundle_entries(staged: StagedSite, site: ProductionSite) -> list[tuple[str, bytes | Path]]:
    top = site.slug
    base = staged.root / site.slug
    entries = _common(staged, top)
    entries += _start_pages(staged, site, site.roles, top)
    entries.append((f"{top}/{site.slug}/data.js", base / "data.js"))
    entries.append((f"{top}/{site.slug}/listen.html", base / "listen.html"))
    entries.append((f"{top}/{site.slug}/tableread.html", base / "tableread.html"))  # says it needs serve
    entries += [(f"{top}/{site.slug}/{r.slug}/index.html", base / r.slug / "index.html") for r in site.roles]
    entries += [(f"{top}/{site.slug}/audio/{name}", base / "audio" / name) for name in sorted(site.audio)]
    return entries


def _digest(entries: list[tuple[str, bytes | Path]]) -> str:
    """What a bundle holds: names, and contents (audio by its content-addressed name)."""
    h = hashlib.sha256()
    for name, content in sorted(entries, key=lambda e: e[0]):
        h.update(name.encode() + b"\0")
        if isinstance(content, bytes):
            h.update(hashlib.sha256(content).digest())
        elif content.parent.name != "audio":
            h.update(hashlib.sha256(content.read_bytes()).digest())
    return h.hexdigest()


def _file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


def _unchanged(entry: list | None, digest: str, previous: Path) -> bool:
    """The previous bundle holds the same contents and its file is still the one written: its
    size and its sha256, as takes are verified (a bundle corrupted in place keeps its size).
    A bundle recorded before its sha256 was is written again."""
    try:
        return (entry is not None and len(entry) >= 3 and entry[0] == digest and previous.stat().st_size == entry[1]
                and _file_sha256(previous) == entry[2])
    except (OSError, TypeError):
        return False


def _reuse(previous: Path, target: Path) -> bool:
    try:
        os.link(previous, target)
    except OSError:
        try:
            shutil.copyfile(previous, target)
        except OSError:
            return False
    return True


def write_bundles(staged: StagedSite, previous_site: Path | None = None) -> dict[str, int]:
    """Write every bundle into the staged site; returns sizes by path relative to it.

    A bundle whose contents are those of the same bundle in ``previous_site``
    (the site being replaced) is linked from there instead of written again.
    """
    old: dict[str, list] = {}
    if previous_site is not None and (previous_site / MANIFEST).is_file():
        try:
            old = json.loads((previous_site / MANIFEST).read_text())
        except ValueError:
            old = {}
    manifest: dict[str, list] = {}
    sizes: dict[str, int] = {}
    for site in staged.productions:
        wanted = [(f"{site.slug}/{role.slug}.zip", role_bundle_entries(staged, site, role)) for role in site.roles]
        wanted.append((f"{site.slug}.zip", production_bundle_entries(staged, site)))
        for rel, entries in wanted:
            digest = _digest(entries)
            target = staged.root / rel
            if not (previous_site and _unchanged(old.get(rel), digest, previous_site / rel)
                    and _reuse(previous_site / rel, target)):
                _write_zip(target, entries)
            sizes[rel] = target.stat().st_size
            manifest[rel] = [digest, sizes[rel], _file_sha256(target)]
    (staged.root / MANIFEST).write_text(json.dumps(manifest, indent=1))
    return sizes
