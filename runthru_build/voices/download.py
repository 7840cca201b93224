"""``runthru-build voices download``: Piper voices into a voices folder, and what an
engine declares it needs (``Engine.downloads()``: Kokoro's voices, the GPU engines'
weights) where it says.

Everything is fetched into a staging folder RunThru creates beside the target,
verified, then moved into place; a failed or interrupted download leaves the
target as it was.  A voice's ``.onnx`` is moved last: a voice is installed once
its model exists.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from ..errors import RunThruError
from .catalogue import PIPER_VOICES_REPO, PIPER_VOICES_REVISION, Catalogue
from .hub import fetch
from .store import MODEL_CARD_SUFFIX, describe

STAGING = ".runthru-download"


@dataclass
class Downloaded:
    name: str
    path: Path
    already: bool = False
    licence: str | None = None


@contextlib.contextmanager
def _staging(target: Path):
    """A staging folder in ``target`` (created for this download, removed after), and
    ``target`` itself removed again if it was created for nothing."""
    created = not target.exists()
    staging = target / STAGING
    try:
        yield staging
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        if created:
            with contextlib.suppress(OSError):
                target.rmdir()  # only when empty: the download failed


def installed_file_name(voice: str, repo_path: str) -> str | None:
    """What a file of a voice's repository folder is called once installed."""
    for suffix in (".onnx.json", ".onnx"):
        if repo_path.endswith(suffix):
            return voice + suffix
    return voice + MODEL_CARD_SUFFIX if repo_path.endswith("MODEL_CARD") else None


def download_voice(name: str, target: Path, catalogue: Catalogue) -> Downloaded:
    entry = catalogue.get(name)
    model = target / f"{entry.name}.onnx"
    if model.exists():
        return Downloaded(entry.name, model, already=True, licence=entry.licence)
    wanted = {path: installed_file_name(entry.name, path) for path in entry.files}
    wanted = {path: installed for path, installed in wanted.items() if installed}
    if not any(installed.endswith(".onnx") for installed in wanted.values()):
        raise RunThruError(f"voice {entry.name}: the catalogue lists no .onnx model for it")
    with _staging(target) as staging:
        folder = fetch(PIPER_VOICES_REPO, list(wanted), revision=PIPER_VOICES_REVISION, local_dir=staging,
                       what=f"voice {entry.name}")
        for path, installed in sorted(wanted.items(), key=lambda item: item[1].endswith(".onnx")):
            os.replace(folder / path, target / installed)
    described = describe(model)
    return Downloaded(entry.name, model, licence=described.licence if described else entry.licence)


# -- engine weights ----------------------------------------------------------------

@dataclass(frozen=True)
class WeightSource:
    repo: str
    patterns: list[str] | None
    """Files to take (None: the whole repository)."""
    local_dir: Path | None = None
    """Files land here in the repository's layout..."""
    hub_cache: Path | None = None
    """...or in a hub cache folder, where the engine's own loader looks."""


def download_weights(source: WeightSource) -> list[Path]:
    """Fetch one source; files already in ``local_dir`` are left as they are."""
    what = f"weights {source.repo}"
    if source.hub_cache is not None:
        folder = fetch(source.repo, source.patterns, hub_cache_dir=source.hub_cache, what=what)
        return [p for p in folder.rglob("*") if p.is_file()]
    target = source.local_dir
    placed = []
    with _staging(target) as staging:
        folder = fetch(source.repo, source.patterns, local_dir=staging, what=what)
        for path in sorted(p for p in folder.rglob("*") if p.is_file() and ".cache" not in p.relative_to(folder).parts):
            dest = target / path.relative_to(folder)
            if dest.exists():
                continue  # never replace a file RunThru did not put there
            dest.parent.mkdir(parents=True, exist_ok=True)
            os.replace(path, dest)
            placed.append(dest)
    return placed
