"""``runthru-build cache stats|prune|verify``."""

from __future__ import annotations

from pathlib import Path

from ..cache import CacheStats, TakeCache, VerifyReport
from ..config import load_config
from .build import plan_build


def cache_stats(root: Path) -> tuple[CacheStats, int, list[str]]:
    """(everything stored, how many takes the productions use, errors)."""
    planned = plan_build(root)
    used = set().union(*(p.keys() for p in planned.plans)) if planned.plans else set()
    stored = planned.cache.stats()
    in_use = sum(1 for info in planned.cache.infos() if info.key in used)
    return stored, in_use, [str(e) for e in planned.project.errors] + planned.errors


def prune(root: Path) -> tuple[CacheStats, list[str]]:
    """Drop takes no production references.  Refuses while a production fails to
    load: its takes would look unreferenced and be lost."""
    planned = plan_build(root)
    errors = [str(e) for e in planned.project.errors] + planned.errors
    if errors:
        return CacheStats(0, 0, 0.0), errors
    keys = set().union(*(p.keys() for p in planned.plans)) if planned.plans else set()
    return planned.cache.prune(keys), []


def verify(root: Path) -> VerifyReport:
    """Re-hash every stored take and remove the corrupt ones (the next build renders them again)."""
    config = load_config(root)
    return TakeCache(config.cache_dir, config.shown(config.cache_dir)).verify()
