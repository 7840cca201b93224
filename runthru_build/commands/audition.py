"""``runthru-build audition``: hear the cast before the full build.

Renders each role's preview (``site.preview_lines``: 8-15 s of its most
characteristic lines) and writes the site, whose role chooser then plays each
role's voice.  The takes are the real takes of those lines, so the full build
later reuses them.
"""

from __future__ import annotations

import difflib
from dataclasses import replace
from pathlib import Path

from ..errors import RunThruError
from ..render import render_plans
from ..site import preview_lines
from .build import BuildResult, plan_build, publish_site


def audition(root: Path, roles: list[str], **render_options) -> BuildResult:
    if not root.is_dir():
        raise RunThruError(f"no project folder {str(root)!r} (to audition a role: runthru-build audition "
                           f"-r {root.name})", exit_code=2)
    planned = plan_build(root)
    project = planned.project
    everyone = sorted({c for plan in planned.plans for c in plan.production.characters})
    wanted = {_match(r, everyone) for r in roles}
    reduced = []
    for plan in planned.plans:
        chosen = [c for c in plan.production.characters if not wanted or c in wanted]
        lines = []
        for role in chosen:
            lines += [la for la in preview_lines(plan, role) if la not in lines]
        takes = {k: plan.takes[k] for la in lines for k in la.parts}
        reduced.append(replace(plan, lines=lines, takes=takes))
    report = render_plans(reduced, planned.cache, planned.engines, workers=project.config.render.workers,
                          **render_options)
    result = BuildResult(project=project, plans=planned.plans, render=report, errors=planned.errors)
    if not report.interrupted and not project.errors and not planned.errors:
        publish_site(result, planned.cache)
    return result


def _match(name: str, everyone: list[str]) -> str:
    for character in everyone:
        if character.lower() == name.lower():
            return character
    close = difflib.get_close_matches(name.upper(), everyone, n=1)
    raise RunThruError(f"no role {name!r} in any production" + (f" (did you mean {close[0]}?)" if close else ""))
