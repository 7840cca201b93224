"""``runthru-build licences``: the licence of every package RunThru runs with,
from the installed packages' own metadata (``importlib.metadata``).

The README's "Licences" table is this command's ``--markdown`` output; a test
keeps the two the same.
"""

from __future__ import annotations

import re
import tomllib
from importlib.metadata import PackageNotFoundError, distribution
from pathlib import Path

from packaging.requirements import Requirement

ROOT = "runthru-build"
_CLASSIFIER = re.compile(r"^License :: (?:OSI Approved :: )?(.+)$")


def _name(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def licence_of(dist) -> str:
    meta = dist.metadata
    expression = meta.get("License-Expression")
    if expression:
        return expression.strip()
    classifiers = [m.group(1) for c in meta.get_all("Classifier") or [] if (m := _CLASSIFIER.match(c))]
    if classifiers:
        return " / ".join(classifiers)
    text = (meta.get("License") or "").strip()
    return text if text and len(text) <= 60 and "\n" not in text else "see the package"


def declared_requirements() -> list[str]:
    """RunThru's runtime requirements: from pyproject.toml in a source checkout (what the
    next install will have), else from the installed package's metadata."""
    pyproject = Path(__file__).resolve().parents[2] / "pyproject.toml"
    if pyproject.is_file():
        return list(tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]["dependencies"])
    return list(distribution(ROOT).requires or [])


def runtime_dependencies(requirements: list[str] | None = None) -> dict[str, str]:
    """{package: licence} of the requirements and theirs, recursively (no extras)."""
    found: dict[str, str] = {}
    pending = [_wanted(spec) for spec in (declared_requirements() if requirements is None else requirements)]
    pending = [name for name in pending if name]
    while pending:
        name = pending.pop()
        try:
            dist = distribution(name)
        except PackageNotFoundError:
            continue
        key = _name(dist.metadata["Name"])
        if key in found:
            continue
        found[key] = licence_of(dist)
        pending += [name for spec in dist.requires or [] if (name := _wanted(spec))]
    return dict(sorted(found.items()))


def _wanted(spec: str) -> str | None:
    """The package a requirement names, if this platform needs it outside any extra."""
    requirement = Requirement(spec)
    if requirement.marker is None or requirement.marker.evaluate({"extra": ""}):
        return requirement.name
    return None


def markdown_table() -> str:
    rows = ["| package | licence |", "| --- | --- |"]
    rows += [f"| {name} | {licence} |" for name, licence in runtime_dependencies().items()]
    return "\n".join(rows) + "\n"
