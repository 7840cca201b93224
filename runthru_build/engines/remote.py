"""The parent's side of the worker protocol: start an engine worker under the
engine's interpreter, send batches, read takes back."""

from __future__ import annotations

import collections
import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .base import EngineError, Take, TakeRequest
from .protocol import ProtocolError, read_audio, read_message, write_message

PACKAGE_ROOT = Path(__file__).resolve().parents[2]  # the folder that holds runthru_build/


class WorkerCrashed(Exception):
    """The worker process ended in the middle of its work."""


@dataclass
class WorkerInfo:
    device: str = ""
    gpu_memory_mb: float | None = None
    load_seconds: float = 0.0
    identity: str = ""
    word_timings: str = ""


class WorkerProcess:
    def __init__(self, engine: str, spec: str, options: dict[str, Any], python: str | None = None,
                 state_dir: Path | None = None) -> None:
        self.engine = engine
        self.spec = spec
        self.options = {k: v for k, v in options.items() if k != "python"}
        self.python = python or sys.executable
        self.state_dir = state_dir
        self.info = WorkerInfo()
        self._process: subprocess.Popen[bytes] | None = None
        self._stderr: collections.deque[str] = collections.deque(maxlen=30)

    def command(self) -> list[str]:
        command = [self.python, "-m", "runthru_build.engines.worker", self.engine, "--class", self.spec,
                   "--options", json.dumps(self.options), "--parent-pid", str(os.getpid())]
        if self.state_dir is not None:
            command += ["--state-dir", str(self.state_dir)]
        return command

    def start(self) -> WorkerInfo:
        """Start the worker and wait until its model is loaded."""
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (str(PACKAGE_ROOT), env.get("PYTHONPATH", "")) if p)
        try:
            self._process = subprocess.Popen(self.command(), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                             stderr=subprocess.PIPE, env=env)
        except OSError as exc:
            raise EngineError(f"{self.engine}: cannot start its interpreter {self.python}: {exc.strerror}") from None
        threading.Thread(target=self._drain_stderr, daemon=True).start()
        message = self._read()
        if message["type"] == "failed":
            self.close()
            raise EngineError(message["message"])
        if message["type"] != "ready":
            raise WorkerCrashed(f"unexpected first message {message['type']!r}")
        self.info = WorkerInfo(device=message.get("device", ""), gpu_memory_mb=message.get("gpu_memory_mb"),
                               load_seconds=message.get("load_seconds", 0.0), identity=message.get("identity", ""),
                               word_timings=message.get("word_timings", ""))
        return self.info

    def _drain_stderr(self) -> None:
        assert self._process is not None and self._process.stderr is not None
        for line in self._process.stderr:
            self._stderr.append(line.decode("utf-8", "replace").rstrip())

    def stderr_tail(self) -> str:
        return " | ".join(list(self._stderr)[-3:])

    def _read(self) -> dict[str, Any]:
        assert self._process is not None and self._process.stdout is not None
        try:
            message = read_message(self._process.stdout)
        except ProtocolError as exc:
            message = None
            reason = str(exc)
        else:
            reason = "it exited"
        if message is None:
            code = self._process.wait()
            tail = self.stderr_tail()
            raise WorkerCrashed(f"{self.engine} worker crashed ({reason}, exit code {code})"
                                + (f": {tail}" if tail else ""))
        return message

    def render(self, batch: list[TakeRequest]) -> Iterator[Take]:
        """Send one batch; yield its takes as they arrive."""
        assert self._process is not None and self._process.stdin is not None
        try:
            write_message(self._process.stdin, {"type": "render", "requests": [r.to_json() for r in batch]})
        except (BrokenPipeError, OSError):
            self._read()  # reports how the worker died
            raise
        while True:
            message = self._read()
            if message["type"] == "batch":
                self.info.gpu_memory_mb = message.get("gpu_memory_mb")
                return
            if message["type"] != "take":
                continue
            audio = None
            if message.get("error") is None:
                assert self._process.stdout is not None
                try:
                    audio = read_audio(self._process.stdout)
                except ProtocolError as exc:
                    raise WorkerCrashed(f"{self.engine} worker crashed mid-take: {exc}") from None
            yield Take(key=message["key"], audio=audio, sample_rate=int(message.get("sample_rate") or 0),
                       error=message.get("error"), compute_seconds=float(message.get("seconds", 0.0)),
                       words=message.get("words"))

    def close(self) -> None:
        """EOF on stdin: the worker finishes and exits."""
        process, self._process = self._process, None
        if process is None:
            return
        try:
            if process.stdin:
                process.stdin.close()
            process.wait(timeout=15)
        except (OSError, subprocess.TimeoutExpired):
            process.kill()
            process.wait()
