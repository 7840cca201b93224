"""``runthru-build`` (build): load -> plan -> render -> site -> bundles."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from ..bundle import write_bundles
from ..cache import TakeCache
from ..config import STATE_DIR, Config, load_config
from ..engines import EngineSet
from ..engines.base import TakeRequest
from ..errors import RunThruError
from ..fsutil import write_atomic
from ..plan import Plan, plan_production
from ..project import Project, load_project
from ..render import Backend, RenderReport, missing_takes, render_plans
from ..revisions import History, Revision, load_history, record
from ..site import check_build_dir, discard, disk_full_error, finish_site, is_disk_full, stage_site

__all__ = ["STATE_DIR", "BuildResult", "build", "dry_run", "plan_build", "publish_site"]


@dataclass
class BuildResult:
    project: Project
    plans: list[Plan]
    render: RenderReport
    errors: list[str] = field(default_factory=list)
    published: bool = False
    bundle_sizes: dict[str, int] = field(default_factory=dict)

    @property
    def exit_code(self) -> int:
        if self.render.interrupted:
            return 128 + (self.render.interrupt_signal or 2)
        if self.project.errors:
            return max(e.exit_code for e in self.project.errors)
        return 1 if self.errors or self.render.failed else 0


def engines_for(config: Config) -> EngineSet:
    return EngineSet(config.engines, state_dir=config.state_dir)


def plan_project(project: Project, engines: EngineSet) -> tuple[list[Plan], list[str]]:
    plans, errors = [], []
    for production in project.productions:
        try:
            plans.append(plan_production(production, project.config, engines))
        except RunThruError as exc:
            errors.append(str(exc))
        except Exception as exc:  # an engine that cannot even name its voices
            errors.append(f"{production.cast.path or production.script.path}: {exc}")
    return plans, errors


def require_project(config: Config) -> None:
    """A folder that is not a project yet: one message saying what to do, before anything is written."""
    if not config.scripts_dir.is_dir() and not config.casts_dir.is_dir():
        raise RunThruError(f"nothing to build here: no {config.scripts}/ folder. Start one with "
                           f"`runthru-build new NAME`, or put a play (.md or .fountain) in {config.scripts}/",
                           path=str(config.root))


@dataclass
class PlannedBuild:
    project: Project
    engines: EngineSet
    plans: list[Plan]
    errors: list[str]
    cache: TakeCache


def plan_build(root: Path) -> PlannedBuild:
    config = load_config(root)
    require_project(config)
    project = load_project(root, config)
    engines = engines_for(config)
    plans, errors = plan_project(project, engines)
    return PlannedBuild(project, engines, plans, errors, TakeCache(config.cache_dir, config.shown(config.cache_dir)))


def dry_run(root: Path) -> tuple[PlannedBuild, list[TakeRequest], int]:
    """What a build would render, without rendering it."""
    planned = plan_build(root)
    requests, cached = missing_takes(planned.plans, planned.cache)
    return planned, requests, cached


def build(root: Path, *, on_take=None, on_start=None, report_path: Path | None = None,
          ray_address: str | None = None) -> BuildResult:
    """``ray_address`` (``--ray``): render on Ray there ("" starts a local instance),
    whatever runthru.toml says."""
    planned = plan_build(root)
    project, config = planned.project, planned.project.config
    if not planned.plans and not project.errors and not planned.errors:
        raise RunThruError("nothing to build: no scripts found", path=config.shown(config.scripts_dir))
    check_build_dir(config)  # before rendering: a refusal should not cost a render first
    with render_backend(config, ray_address) as backend:
        report = render_plans(planned.plans, planned.cache, planned.engines, workers=config.render.workers,
                              on_take=on_take, on_start=on_start, backend=backend)
    result = BuildResult(project=project, plans=planned.plans, render=report, errors=planned.errors)
    if not report.interrupted and not project.errors and not planned.errors:
        revisions = {}
        for plan in planned.plans:
            history = load_history(config.state_dir, plan.production)
            revisions[plan.production.name] = (history, record(history, plan.production))
        publish_site(result, planned.cache, revisions)
        if result.published:
            for history, _ in revisions.values():
                history.save()
    if report_path is not None:
        write_atomic(report_path, json.dumps(report.as_json(), indent=2).encode(), shared=True)
    return result


@contextlib.contextmanager
def render_backend(config: Config, ray_address: str | None = None) -> Iterator[Backend | None]:
    """The Ray backend when asked for (it connects only once a take needs rendering), else the local pool."""
    settings = config.render
    if ray_address is None and settings.backend != "ray":
        yield None
        return
    from ..render_ray import RayBackend

    address = settings.ray_address if ray_address is None else ray_address
    with RayBackend(address, connect_timeout=settings.ray_connect_timeout_s, num_cpus=settings.workers or None,
                    named_by="runthru.toml" if ray_address is None else "--ray") as backend:
        yield backend


def publish_site(result: BuildResult, cache: TakeCache,
                 revisions: dict[str, tuple[History, Revision]] | None = None) -> None:
    """Stage the site and its bundles in a temporary folder, then swap it in.

    Not called while a production fails to load: the last good site, with that
    production in it, stays in place.  Nor published when an engine could not
    start: every line it voices would be silent.
    """
    if result.render.engine_failures:
        return
    staged = stage_site(result.plans, cache, result.project.config, revisions)
    try:
        result.bundle_sizes = write_bundles(staged, previous_site=result.project.config.build_dir)
        finish_site(staged, result.bundle_sizes)
    except BaseException as exc:
        discard(staged)
        if is_disk_full(exc):
            raise disk_full_error(staged.config, staged.productions, cache) from None
        raise
    result.published = True
