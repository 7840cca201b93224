"""The tunnel, driven against a stand-in cloudflared that prints the real banner format."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest
from conftest import FIXTURES, run_cli

from runthru_build.errors import RunThruError
from runthru_build.fsutil import pid_alive
from runthru_build.tunnel import INSTALL_HELP, QUICK_URL, Tunnel, qr_text


@pytest.fixture
def fake_cloudflared(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", f"{FIXTURES / 'bin'}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("FAKE_CLOUDFLARED_DIR", str(tmp_path))
    return tmp_path


def wait_until(predicate, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def test_quick_tunnel_url_is_parsed_and_stopped_with_the_server(fake_cloudflared):
    urls = []
    tunnel = Tunnel(8123, on_url=urls.append)
    tunnel.start()
    try:
        assert tunnel.connected.wait(10)
        assert urls == ["https://sample-words-run-1.trycloudflare.com"]
        args = json.loads((fake_cloudflared / "args-1.json").read_text())
        assert args == ["tunnel", "--no-autoupdate", "--url", "http://127.0.0.1:8123"]
    finally:
        tunnel.stop()
    pid = int((fake_cloudflared / "pid-1").read_text())
    assert wait_until(lambda: not pid_alive(pid))


def test_a_dead_cloudflared_is_restarted(fake_cloudflared, monkeypatch):
    monkeypatch.setenv("FAKE_CLOUDFLARED_MODE", "die-once")
    urls = []
    tunnel = Tunnel(8124, on_url=urls.append)
    tunnel.start()
    try:
        assert wait_until(lambda: tunnel.restarts == 1 and tunnel.connected.is_set(), timeout=15)
        assert urls == ["https://sample-words-run-1.trycloudflare.com", "https://sample-words-run-2.trycloudflare.com"]
    finally:
        tunnel.stop()
    assert wait_until(lambda: not pid_alive(int((fake_cloudflared / "pid-2").read_text())))


def test_named_tunnel_gets_its_token_through_the_environment_not_argv(fake_cloudflared):
    tunnel = Tunnel(8125, token="eyJ-secret-token")
    tunnel.start()
    try:
        assert wait_until(lambda: (fake_cloudflared / "env-1.json").exists())
        pid = int((fake_cloudflared / "pid-1").read_text())
        assert b"eyJ-secret-token" not in Path(f"/proc/{pid}/cmdline").read_bytes()  # what ps shows
        args = json.loads((fake_cloudflared / "args-1.json").read_text())
        assert args == ["tunnel", "--no-autoupdate", "run", "--url", "http://127.0.0.1:8125"]  # the private port
        assert json.loads((fake_cloudflared / "env-1.json").read_text())["TUNNEL_TOKEN"] == "eyJ-secret-token"
    finally:
        tunnel.stop()


def test_a_quick_tunnel_never_inherits_a_token(fake_cloudflared, monkeypatch):
    monkeypatch.setenv("TUNNEL_TOKEN", "eyJ-someone-elses")
    tunnel = Tunnel(8127)
    tunnel.start()
    try:
        assert wait_until(lambda: (fake_cloudflared / "env-1.json").exists())
        assert json.loads((fake_cloudflared / "env-1.json").read_text())["TUNNEL_TOKEN"] is None
    finally:
        tunnel.stop()


def test_a_tunnel_refuses_a_short_pin_unless_told(toy_project, fake_cloudflared):
    import subprocess
    import sys

    refused = run_cli("serve", str(toy_project), "--port", "0", "--pin", "4321", "--tunnel", timeout=60)
    assert refused.returncode == 1 and "at least 6" in refused.stderr and "--short-pin-ok" in refused.stderr
    assert not (fake_cloudflared / "args-1.json").exists()
    proc = subprocess.Popen([sys.executable, "-m", "runthru_build", "serve", str(toy_project), "--port", "0",
                             "--pin", "4321", "--tunnel", "--short-pin-ok"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        assert wait_until(lambda: (fake_cloudflared / "args-1.json").exists(), timeout=60)
    finally:
        proc.terminate()
        proc.communicate(timeout=30)


def test_missing_cloudflared_says_how_to_install_it(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(RunThruError, match="cloudflared is not installed"):
        Tunnel(8126).start()
    assert "brew install cloudflared" in INSTALL_HELP


def test_qr_code_encodes_the_url():
    text = qr_text("https://sample-words-run-1.trycloudflare.com")
    lines = text.strip("\n").split("\n")
    assert len(lines) > 10 and all(len(line) == len(lines[0]) for line in lines)
    assert set("".join(lines)) <= set("█▀▄ ")
    assert QUICK_URL.fullmatch("https://sample-words-run-1.trycloudflare.com")


def test_serve_with_tunnel_prints_the_public_url(toy_project, fake_cloudflared):
    import subprocess
    import sys

    proc = subprocess.Popen([sys.executable, "-m", "runthru_build", "serve", str(toy_project), "--port", "0",
                             "--pin", "482913", "--tunnel"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert wait_until(lambda: (fake_cloudflared / "args-1.json").exists(), timeout=60)
        time.sleep(1.0)
    finally:
        proc.terminate()
        out, _err = proc.communicate(timeout=30)
    assert "Shared at https://sample-words-run-1.trycloudflare.com" in out
    args = json.loads((fake_cloudflared / "args-1.json").read_text())
    assert args[:3] == ["tunnel", "--no-autoupdate", "--url"] and args[3].startswith("http://127.0.0.1:")
    assert wait_until(lambda: not pid_alive(int((fake_cloudflared / "pid-1").read_text())))
    refused = run_cli("serve", str(toy_project), "--port", "0", "--tunnel", env={**os.environ, "RUNTHRU_PIN": ""})
    assert refused.returncode == 1 and "without a PIN" in refused.stderr
