from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from runthru_build.script import Line, Script, load_script

FIXTURES = Path(__file__).parent / "fixtures"
REPO = Path(__file__).parent.parent


def parse_fixture(name: str) -> Script:
    return load_script(FIXTURES / "scripts" / name, f"scripts/{name}")


def spoken(script: Script) -> list[tuple[tuple[str, ...], str]]:
    return [(line.speakers, line.spoken) for line in script.lines()]


def line_at(script: Script, number: int) -> Line:
    return next(line for line in script.lines() if line.source.line == number)


@pytest.fixture
def make_project(tmp_path: Path):
    """A project folder holding the given scripts and casts: {"scripts/x.md": text}."""

    def make(files: dict[str, str | bytes]) -> Path:
        for rel, content in files.items():
            target = tmp_path / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                target.write_bytes(content)
            else:
                target.write_text(content, encoding="utf-8")
        (tmp_path / "scripts").mkdir(exist_ok=True)
        return tmp_path

    return make


@pytest.fixture
def sample_project(tmp_path: Path) -> Path:
    """A copy of the repository's sample production."""
    for folder in ("scripts", "casts"):
        shutil.copytree(REPO / folder, tmp_path / folder)
    return tmp_path
