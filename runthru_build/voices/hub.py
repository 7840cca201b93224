"""Files from a Hugging Face hub, or any mirror of it (``HF_ENDPOINT``), through
huggingface_hub: it resumes a transfer cut mid-file, shows a progress bar and
writes each file whole.  After the transfer every file is checked against the
checksums the hub lists (sha256 for large files, the git blob hash for small
ones); a file that does not match is deleted and the download fails.

Every failure becomes one ``RunThruError`` line; nothing here prints a traceback.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ..errors import RunThruError


def endpoint() -> str | None:
    """The hub to talk to, read when a download starts (not when the library was imported)."""
    value = os.environ.get("HF_ENDPOINT")
    return value.rstrip("/") if value else None


def shown_endpoint() -> str:
    return endpoint() or "https://huggingface.co"


@contextmanager
def hub_errors(what: str) -> Iterator[None]:
    """Turn the hub library's exceptions (and the network's) into one line about ``what``."""
    import httpx2
    from huggingface_hub.errors import (
        EntryNotFoundError,
        HfHubHTTPError,
        LocalEntryNotFoundError,
        OfflineModeIsEnabled,
        RepositoryNotFoundError,
        RevisionNotFoundError,
    )

    try:
        yield
    except RunThruError:
        raise
    except (LocalEntryNotFoundError, OfflineModeIsEnabled, httpx2.ConnectError, httpx2.TimeoutException,
            httpx2.RemoteProtocolError, ConnectionError) as exc:
        raise RunThruError(f"{what}: cannot reach {shown_endpoint()} (offline?): "
                           f"{_first_line(exc).removeprefix('Got: ')}; nothing was changed") from None
    except (RepositoryNotFoundError, RevisionNotFoundError, EntryNotFoundError) as exc:
        raise RunThruError(f"{what}: not on {shown_endpoint()}: {_first_line(exc)}") from None
    except (HfHubHTTPError, OSError, ValueError) as exc:
        raise RunThruError(f"{what}: {_first_line(exc)}") from None


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0]


def fetch(repo: str, patterns: list[str] | None, *, revision: str = "main", local_dir: Path | None = None,
          hub_cache_dir: Path | None = None, what: str) -> Path:
    """Download the files of ``repo`` matching ``patterns`` into ``local_dir`` (its
    layout) or the hub cache layout under ``hub_cache_dir``; verify them; return the folder."""
    from huggingface_hub import HfApi, snapshot_download

    with hub_errors(what):
        folder = Path(snapshot_download(repo, revision=revision, allow_patterns=patterns, local_dir=local_dir,
                                        cache_dir=hub_cache_dir, endpoint=endpoint()))
        result = HfApi(endpoint=endpoint()).verify_repo_checksums(
            repo, revision=revision, local_dir=local_dir,
            cache_dir=None if local_dir is not None else hub_cache_dir)
    if result.mismatches:
        bad = result.mismatches[0]
        for mismatch in result.mismatches:
            broken = folder / mismatch["path"]
            if broken.is_symlink():
                broken.resolve().unlink(missing_ok=True)
            broken.unlink(missing_ok=True)
        raise RunThruError(f"{what}: {bad['path']} from {shown_endpoint()} does not match its {bad['algorithm']} "
                           f"checksum (expected {bad['expected'][:12]}…, got {bad['actual'][:12]}…): refused")
    return folder
