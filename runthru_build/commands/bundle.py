"""``runthru-build bundle``: the offline zips, on their own."""

from __future__ import annotations

import difflib
from pathlib import Path

from ..bundle import is_bundle
from ..errors import RunThruError
from ..fsutil import write_atomic
from ..site import unique_slugs
from .build import BuildResult, build


def _pick(wanted: str, options: dict[str, str], what: str) -> str:
    """Match a name or slug, case-insensitively; an unknown one is an error with a suggestion."""
    for name, slug in options.items():
        if wanted.lower() in (name.lower(), slug):
            return slug
    close = difflib.get_close_matches(wanted.upper(), [n.upper() for n in options], n=1)
    hint = f" (did you mean {close[0]}?)" if close else f" (known: {', '.join(options)})"
    raise RunThruError(f"no {what} {wanted!r}{hint}")


def export_bundles(root: Path, production: str | None, roles: list[str], out: Path | None,
                   **build_options) -> tuple[BuildResult, list[Path]]:
    """Build (reusing every cached take), then list or copy the requested bundles."""
    result = build(root, **build_options)
    if not result.published:
        return result, []
    build_dir = result.project.config.build_dir
    productions = unique_slugs([p.production.name for p in result.plans])
    chosen = [_pick(production, productions, "production")] if production else list(productions.values())
    paths: list[Path] = []
    for plan in result.plans:
        slug = productions[plan.production.name]
        if slug not in chosen:
            continue
        if not roles:
            paths.append(build_dir / f"{slug}.zip")
            continue
        role_slugs = unique_slugs(plan.production.characters)
        paths += [build_dir / slug / f"{_pick(r, role_slugs, 'role')}.zip" for r in roles]
    if out is None:
        return result, paths
    out.mkdir(parents=True, exist_ok=True)
    copied = []
    for path in paths:
        name = path.name if path.parent == build_dir else f"{path.parent.name}-{path.name}"
        target = out / name
        if target.exists() and not is_bundle(target):
            raise RunThruError(f"{target}: exists and is not a bundle RunThru made: not overwritten "
                               "(move it, or choose another -o folder)")
        write_atomic(target, path.read_bytes(), shared=True)
        copied.append(target)
    return result, copied
