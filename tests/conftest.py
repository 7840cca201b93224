from __future__ import annotations

import os
import shutil
import subprocess
import sys
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


@pytest.fixture
def toy_engine(monkeypatch):
    """Install the toy engine plugin (tests/fixtures/engines) through its entry point."""
    from runthru_build import engines

    plugin_dir = str(FIXTURES / "engines")
    monkeypatch.syspath_prepend(plugin_dir)
    monkeypatch.setenv("PYTHONPATH", plugin_dir + os.pathsep + os.environ.get("PYTHONPATH", ""))
    engines._entry_points.cache_clear()
    yield "toy"
    engines._entry_points.cache_clear()


def run_cli(*args: str, cwd: Path | None = None, **kwargs) -> subprocess.CompletedProcess:
    """Run ``runthru-build`` as a user would, in a fresh interpreter."""
    return subprocess.run([sys.executable, "-m", "runthru_build", *args], capture_output=True, text=True,
                          cwd=cwd, **kwargs)


CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--no-first-run", "--disable-sync", "--disable-quic"]
ARTIFACTS = REPO / "test-artifacts"


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium, headless, driven by Playwright (no downloaded browser)."""
    if not Path(CHROMIUM).exists():
        pytest.fail("Chromium is missing: apt-get install chromium (.ci/run does)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def screenshot(page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path))
    return path


TOY_SCRIPT = "# Served\n\n## One\n\nAMY: Hello there, Ben.\nBEN: Hello, Amy.\nAMY: Shall we begin?\n"
TOY_CAST = 'script = "../scripts/served.md"\nengine = "toy"\n'


@pytest.fixture
def toy_project(make_project, toy_engine) -> Path:
    """A small project rendered by the toy engine (quick), not yet built."""
    return make_project({"scripts/served.md": TOY_SCRIPT, "casts/served.toml": TOY_CAST})


class Client:
    """Raw HTTP requests to a local server (http.client sends paths exactly as given)."""

    def __init__(self, port: int) -> None:
        self.port = port

    def request(self, method: str, path: str, headers: dict | None = None, body: bytes | None = None):
        import http.client

        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=70)
        try:
            conn.request(method, path, body=body, headers=headers or {})
            response = conn.getresponse()
            data = response.read()
            return response.status, {k.lower(): v for k, v in response.getheaders()}, data
        finally:
            conn.close()

    def get(self, path: str, **headers):
        return self.request("GET", path, headers)
