from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import threading
import zipfile
from collections.abc import Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from fixtures.engine_models import write_indextts_models

from runthru_build.script import Line, Script, load_script

FIXTURES = Path(__file__).parent / "fixtures"
REPO = Path(__file__).parent.parent
# the real-script corpus: ../shared/corpus beside the checkout (as CI has it), or $RUNTHRU_CORPUS
CORPUS = Path(os.environ.get("RUNTHRU_CORPUS") or REPO.resolve().parent / "shared" / "corpus")


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


def install_toy_engine(mp: pytest.MonkeyPatch) -> None:
    """Put the toy engine plugin (tests/fixtures/engines, found through its entry point) on this
    process's path and on its children's, until ``mp`` is undone."""
    plugin_dir = str(FIXTURES / "engines")
    mp.syspath_prepend(plugin_dir)
    mp.setenv("PYTHONPATH", plugin_dir + os.pathsep + os.environ.get("PYTHONPATH", ""))


@pytest.fixture
def toy_engine(monkeypatch):
    """Install the toy engine plugin through its entry point."""
    from runthru_build import engines

    install_toy_engine(monkeypatch)
    engines._entry_points.cache_clear()
    yield "toy"
    engines._entry_points.cache_clear()


def run_cli(*args: str, cwd: Path | None = None, **kwargs) -> subprocess.CompletedProcess:
    """Run ``runthru-build`` as a user would, in a fresh interpreter."""
    return subprocess.run([sys.executable, "-m", "runthru_build", *args], capture_output=True, text=True,
                          cwd=cwd, **kwargs)


# Chromium's headless shell (Debian's chromium-headless-shell): the headless Chromium that Playwright
# itself runs by default, without the full browser's window machinery that a headless test never
# shows. The same engine at half the CPU of /usr/bin/chromium run headless (bench/RESULTS.md).
CHROMIUM = "/usr/bin/chromium-headless-shell"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--no-first-run", "--disable-sync", "--disable-quic"]
ARTIFACTS = REPO / "test-artifacts"


@pytest.fixture(scope="session")
def browser():
    """Debian's headless Chromium, driven by Playwright (no downloaded browser)."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install chromium-headless-shell (.ci/run does)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def session_dir(tmp_path_factory) -> Path:
    """A folder of this test session shared by its xdist workers (each has a base folder of
    its own inside the session's); without xdist, the session's base folder."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


def build_site(tmp_path_factory, script_file: str, text: str) -> Path:
    """A project holding one script, built with the real Piper voice: its root.  Built once per
    test session, whichever xdist worker asks first (the others wait for it, then read it):
    tests only read it, or copy it to change it."""
    import fcntl
    import hashlib

    from runthru_build.commands.build import build

    digest = hashlib.sha256(f"{script_file}\0{text}".encode()).hexdigest()[:12]
    shared = session_dir(tmp_path_factory) / "sites"
    shared.mkdir(exist_ok=True)
    root = shared / f"{Path(script_file).stem}-{digest}"
    with open(shared / f"{root.name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes, even if the build fails
        if not (root / "build").is_dir():
            shutil.rmtree(root, ignore_errors=True)  # a build that failed part-way in an earlier test
            (root / "scripts").mkdir(parents=True)
            (root / "scripts" / script_file).write_text(text)
            result = build(root)
            assert result.exit_code == 0 and result.published, result.render.failures
    return root


class _QuietFiles(SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


@contextlib.contextmanager
def static_server(folder: Path) -> Iterator[str]:
    """A plain file server on 127.0.0.1 for a built site: its base URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_QuietFiles, directory=str(folder)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()


def unzip_bundle(bundle: Path, into: Path) -> Path:
    """An offline bundle unzipped as an actor would: the folder it holds."""
    with zipfile.ZipFile(bundle) as archive:
        archive.extractall(into)
    (top,) = into.iterdir()
    return top


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


@pytest.fixture(scope="session")
def _toy_project_build(tmp_path_factory) -> Path:
    """toy_project built once per worker: the tests that serve it (a build for each of ~60 tests
    was most of their time, a pool of render processes started and stopped each time)."""
    from runthru_build import engines
    from runthru_build.commands.build import build

    root = tmp_path_factory.mktemp("toy-built")
    for rel, text in (("scripts/served.md", TOY_SCRIPT), ("casts/served.toml", TOY_CAST)):
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    with pytest.MonkeyPatch.context() as mp:
        install_toy_engine(mp)
        engines._entry_points.cache_clear()
        try:
            assert build(root).published
        finally:
            engines._entry_points.cache_clear()
    return root


@pytest.fixture
def built_toy_project(toy_project, _toy_project_build) -> Path:
    """toy_project after `build`: a copy of the session's one build (the site, the take cache and
    the build state), as a build in this folder leaves them."""
    for folder in ("build", ".runthru"):
        shutil.copytree(_toy_project_build / folder, toy_project / folder, symlinks=True)
    return toy_project


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


STANDINS = FIXTURES / "standins"


@pytest.fixture
def standins(monkeypatch, tmp_path):
    """The stand-in indextts and chatterbox packages on the path (here and for worker
    subprocesses); returns a function that reads the calls they logged."""
    import json as _json

    monkeypatch.syspath_prepend(str(STANDINS))
    monkeypatch.setenv("PYTHONPATH", str(STANDINS) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    log = tmp_path / "standin-calls.jsonl"
    monkeypatch.setenv("STANDIN_LOG", str(log))
    for name in [m for m in sys.modules if m.split(".")[0] in ("indextts", "chatterbox", "standin_log")]:
        monkeypatch.delitem(sys.modules, name)

    def calls(kind: str | None = None) -> list[dict]:
        if not log.exists():
            return []
        entries = [_json.loads(line) for line in log.read_text().splitlines()]
        return [e for e in entries if kind is None or e["call"] == kind]

    return calls


def write_wav(path: Path, seconds: float = 6.0, freq: float = 150.0) -> Path:
    import numpy as np
    import soundfile

    path.parent.mkdir(parents=True, exist_ok=True)
    t = np.arange(int(16000 * seconds)) / 16000
    soundfile.write(path, 0.3 * np.sin(2 * np.pi * freq * t), 16000)
    return path


@pytest.fixture
def indextts_models(tmp_path) -> Path:
    """A model folder laid out as IndexTTS-2's release is (contents are placeholders)."""
    return write_indextts_models(tmp_path / "IndexTTS-2")


@pytest.fixture
def chatterbox_models(tmp_path) -> Path:
    root = tmp_path / "chatterbox"
    root.mkdir()
    for name in ("ve.safetensors", "t3_cfg.safetensors", "s3gen.safetensors", "tokenizer.json", "conds.pt",
                 "t3_turbo_v1.safetensors", "s3gen_meanflow.safetensors"):
        (root / name).write_bytes(name.encode())
    return root


@pytest.fixture(autouse=True)
def _restore_environment():
    """Engines loaded in-process here set process-wide state meant for their own worker
    process (IndexTTS2 turns the hub offline and changes folder): undo it after each test."""
    keys = ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "HF_HUB_CACHE")
    saved, cwd = {k: os.environ.get(k) for k in keys}, os.getcwd()
    yield
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value
    os.chdir(cwd)


# -- xdist: one worker more than the cores, the longest files first -----------------------------
@pytest.hookimpl(optionalhook=True)
def pytest_xdist_auto_num_workers(config) -> int:
    """``-n auto``: one worker more than this process may use cores.  Much of the suite waits on
    real time, not on a core: Chromium plays audio at its own speed, a microphone test listens for
    seconds, servers wait out their timeouts.  On two cores a third worker fills those waits
    (README's command: 4:23 and 4:32 with three workers, 5:29 with two, bench/RESULTS.md)."""
    return len(os.sched_getaffinity(0)) + 1


# `--dist loadfile` gives each file to one worker whole, and xdist hands the files out in order
# of their number of tests, so a long file with few tests (Kokoro: 8 tests) could start last and
# keep one worker busy while the others sit idle.  Handing out the longest file first whenever a
# worker asks (longest-processing-time scheduling) lets the workers finish together.  The seconds
# each file took (setup + call + teardown, from --junitxml of two runs of README's command with
# three workers on a shared 2-core machine, bench/RESULTS.md "The test suite"); only their order
# matters.  A file not listed counts 0: it comes after these, in xdist's own order.
FILE_SECONDS = {
    "test_render_ray.py": 103, "test_voice_mode.py": 80, "test_kokoro.py": 71, "test_render.py": 51,
    "test_tableread.py": 44, "test_player.py": 40, "test_serve.py": 38, "test_voices.py": 34, "test_cache.py": 33,
    "test_drills.py": 30, "test_voices_casting.py": 27, "test_gate.py": 25, "test_importers.py": 23,
    "test_piper.py": 21, "test_site.py": 19, "test_bundle.py": 16, "test_timings.py": 15, "test_watch.py": 13,
    "test_property.py": 13, "test_scaffold.py": 12, "test_audition.py": 11, "test_tunnel.py": 11, "test_worker.py": 9,
    "test_revisions.py": 8,
}


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    if config.getvalue("dist") != "loadfile":
        return None
    from xdist.scheduler import LoadFileScheduling

    class LongestFileFirst(LoadFileScheduling):
        def _assign_work_unit(self, node) -> None:
            longest = max(self.workqueue, key=lambda scope: FILE_SECONDS.get(Path(scope).name, 0))
            self.workqueue.move_to_end(longest, last=False)  # the base class hands out the first
            super()._assign_work_unit(node)

    return LongestFileFirst(config, log)
