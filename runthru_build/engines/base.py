"""The engine contract.

An engine has a ``name``, an ``identity()`` string that goes into every cache
key (model revision, file hashes), a list of ``voices()``, and renders a batch
of ``TakeRequest`` to mono float audio plus a sample rate.  Engines are found
by name through entry points (see ``engines/__init__.py``); models load once
per worker process, in ``load()``.

This module imports only the standard library and numpy, so an engine's
worker can run under the engine's own interpreter.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import time
from abc import ABC, abstractmethod
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

from ..fsutil import write_atomic


@dataclass(frozen=True)
class TakeRequest:
    """One voice saying one line: everything an engine needs, as plain data."""

    key: str
    text: str
    voice: dict[str, Any]
    """Voice settings (``cast.Voice.settings()``), voice file paths absolute."""
    emotion: str = "neutral"
    intensity: float = 0.0
    direction: str = ""
    source: str = ""
    """``path:line`` of the line, for error messages."""
    role: str = ""

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> TakeRequest:
        return cls(**data)


@dataclass
class Take:
    """The engine's answer for one request: audio, or the error that stopped it."""

    key: str
    audio: np.ndarray | None
    sample_rate: int
    error: str | None = None
    compute_seconds: float = 0.0
    words: list[list[float]] | None = None
    """[start, end] seconds of each spoken word in ``audio``, from the engine's alignment;
    None when it has none (they are estimated from the text)."""


class EngineError(Exception):
    """An engine cannot run at all (missing model files, bad options)."""


def take_seed(key: str) -> int:
    """A seed derived from a take's key: the same key renders the same audio."""
    return int(key[:8], 16) if len(key) >= 8 and all(c in "0123456789abcdef" for c in key[:8]) \
        else int.from_bytes(hashlib.sha256(key.encode()).digest()[:4], "big")


def seed_everything(seed: int) -> None:
    """Seed every generator an engine may sample from (random, numpy, torch if present)."""
    import random

    random.seed(seed)
    np.random.seed(seed % 2**32)
    try:
        import torch
    except ImportError:
        return
    torch.manual_seed(seed)
    if torch.cuda.is_available():
        torch.cuda.manual_seed_all(seed)


class Engine(ABC):
    name: ClassVar[str]
    reads_direction_text: ClassVar[bool] = False
    """True when the raw direction text changes the sound (and so the cache key)."""
    out_of_process: ClassVar[bool] = False
    """Always rendered by a worker subprocess (GPU engines, whose stacks live in their own environments)."""
    max_workers: ClassVar[int | None] = None
    """At most this many workers (a GPU engine: one)."""
    option_names: ClassVar[tuple[str, ...]] = ()
    """What ``[engines.NAME]`` in runthru.toml may set, besides ``python``."""
    seconds_per_word: ClassVar[float | None] = None
    """One worker's engine seconds per word of text (a take: its words + 0.5) on a CPU core,
    for the first estimate of a build's time; a build measures and remembers the real rate."""

    def __init__(self, options: dict[str, Any] | None = None, state_dir: Path | None = None) -> None:
        self.options = dict(options or {})
        self.state_dir = state_dir

    @abstractmethod
    def identity(self) -> str:
        """Engine + model identity for cache keys; cheap (never loads the model)."""

    @abstractmethod
    def voices(self) -> list[str]:
        """Voice ids this engine offers without a voice file."""

    def voice_identity(self, voice: dict[str, Any]) -> str:
        """What identifies the voice's sound: a voice file's content hash, else its id."""
        name = voice.get("voice")
        if name and os.path.isfile(name):
            return "sha256:" + file_digest(Path(name), self.state_dir)
        return str(name or "default")

    @classmethod  # noqa: B027 - optional hook: most engines take any voice
    def check_voice(cls, voice: dict[str, Any]) -> None:
        """Raise ``EngineError`` if this engine cannot speak with ``voice`` (a cast's
        voice settings); cheap, never loads a model: ``check`` calls it for every role."""

    def downloads(self) -> list[Any]:
        """What ``runthru-build voices download --engine NAME`` fetches and where it goes:
        ``voices.download.WeightSource`` items (imported here, when asked: engines read
        the voices package, never the reverse).  Empty: nothing to download."""
        return []

    def device_name(self) -> str:
        """Where the model runs, for reports (``cpu``, ``cuda:0 (NVIDIA H100)``)."""
        return "cpu"

    def gpu_memory_mb(self) -> float | None:
        """Peak GPU memory so far, when the engine uses a GPU."""
        return None

    def load(self) -> None:  # noqa: B027 - optional hook: engines without a model skip it
        """Load models; called once per worker process before the first render."""

    @abstractmethod
    def synthesize(self, request: TakeRequest) -> tuple[np.ndarray, int]:
        """Render one request to (mono float32 audio, sample rate)."""

    def synthesize_timed(self, request: TakeRequest) -> tuple[np.ndarray, int, list[list[float]] | None]:
        """``synthesize``, with each word's [start, end] seconds where the engine knows them."""
        audio, rate = self.synthesize(request)
        return audio, rate, None

    def word_timing_source(self) -> str:
        """Where this engine's word timings come from, for the build report (after ``load``)."""
        return "estimated from the text"

    def render(self, batch: list[TakeRequest]) -> Iterator[Take]:
        """Render a batch; one failing request does not stop the others.

        Engines that can do better on a whole batch (GPU batching, shared
        post-processing) override this.
        """
        return self.render_unshaped(batch)

    def render_unshaped(self, batch: list[TakeRequest]) -> Iterator[Take]:
        """``synthesize`` each request in turn, turning a failure into that take's error."""
        for request in batch:
            started = time.perf_counter()
            try:
                audio, rate, words = self.synthesize_timed(request)
            except Exception as exc:  # an engine's failure on one line is that line's error
                yield Take(request.key, None, 0, error=f"{type(exc).__name__}: {exc}",
                           compute_seconds=time.perf_counter() - started)
                continue
            yield Take(request.key, np.asarray(audio, dtype=np.float32).reshape(-1), rate,
                       compute_seconds=time.perf_counter() - started, words=words)

    def batch_group(self, request: TakeRequest) -> str:
        """Requests with the same group are sent together (same voice: reuse conditioning)."""
        return json.dumps(request.voice.get("voice"), sort_keys=True)


class CloningEngine(Engine):
    """A GPU engine that clones reference recordings (IndexTTS2, Chatterbox): run out of
    process, one worker, its model folder from ``model_dir``, takes grouped by voice
    so each reference is prepared once."""

    out_of_process: ClassVar[bool] = True
    max_workers: ClassVar[int | None] = 1
    default_device: ClassVar[str | None] = "cuda"
    option_names: ClassVar[tuple[str, ...]] = ("model_dir", "device", "alignment_model")

    def __init__(self, options: dict[str, Any] | None = None, state_dir: Path | None = None) -> None:
        super().__init__(options, state_dir)
        model_dir = self.options.get("model_dir")
        self.model_dir = Path(model_dir).expanduser() if model_dir else None
        self.device: str | None = self.options.get("device", self.default_device)
        self.model: Any = None
        alignment_model = self.options.get("alignment_model")
        self.alignment_model = Path(alignment_model).expanduser().absolute() if alignment_model else None
        self._aligner: Any = None
        self._timing_source = ""

    def word_timing_source(self) -> str:
        """Loads the MMS aligner once (on the model's device) where torchaudio and its
        weights are there; else says why the timings are estimated."""
        if not self._timing_source:
            from .alignment import ForcedAligner

            device = str(self.device or "cpu")
            if device == "cpu" and self.alignment_model is None:
                source = "on a CPU, alignment (about 0.7 s per audio second) runs only when alignment_model is set"
            else:
                self._aligner, source = ForcedAligner.load(self.alignment_model, device)
            self._timing_source = source if self._aligner else f"estimated from the text: {source}"
        return self._timing_source

    def synthesize_timed(self, request: TakeRequest) -> tuple[np.ndarray, int, list[list[float]] | None]:
        audio, rate = self.synthesize(request)
        self.word_timing_source()
        if self._aligner is None:
            return audio, rate, None
        return audio, rate, self._aligner.align(np.asarray(audio, dtype=np.float32).reshape(-1), rate, request.text)

    def batch_group(self, request: TakeRequest) -> str:
        return str(request.voice.get("voice"))

    def weights_folder(self) -> Path:
        """``model_dir``, which downloads go into; an ``EngineError`` saying how to set it when unset."""
        if self.model_dir is None:
            raise EngineError(f"set [engines.{self.name}] model_dir in runthru.toml (or "
                              f"RUNTHRU_{self.name.upper()}_MODEL_DIR): the folder the weights go into")
        return self.model_dir

    def missing_folder(self) -> list[str]:
        """The model folder itself when it is unset or absent: one entry, not every file it should hold."""
        setting = f"[engines.{self.name}] model_dir in runthru.toml (or RUNTHRU_{self.name.upper()}_MODEL_DIR)"
        if self.model_dir is None:
            return [f"{setting}: the folder of its model files"]
        if not self.model_dir.is_dir():
            return [f"the model folder {self.model_dir} itself: create it, or point {setting} at the right folder"]
        return []

    def render(self, batch: list[TakeRequest]) -> Iterator[Take]:
        order: dict[str, int] = {}
        for request in batch:
            order.setdefault(self.batch_group(request), len(order))
        return self.render_unshaped(sorted(batch, key=lambda r: order[self.batch_group(r)]))

    def _on_cuda(self) -> bool:
        return self.model is not None and str(self.device).startswith("cuda")

    def device_name(self) -> str:
        if not self._on_cuda():
            return str(self.device or "cuda")
        import torch

        return f"{self.device} ({torch.cuda.get_device_name(torch.device(str(self.device)))})"

    def gpu_memory_mb(self) -> float | None:
        if not self._on_cuda():
            return None
        import torch

        return round(torch.cuda.max_memory_allocated() / 2**20, 1)


@dataclass
class _DigestMemo:
    path: Path | None
    entries: dict[str, dict[str, Any]] = field(default_factory=dict)


_memos: dict[Path | None, _DigestMemo] = {}


def file_digest(path: Path, state_dir: Path | None = None) -> str:
    """sha256 of a file, remembered by path + size + mtime in ``state_dir``."""
    path = path.resolve()
    stat = path.stat()
    memo = _memos.get(state_dir)
    if memo is None:
        memo_path = state_dir / "digests.json" if state_dir else None
        entries = {}
        if memo_path and memo_path.exists():
            try:
                entries = json.loads(memo_path.read_text())
            except (OSError, ValueError):
                entries = {}
        memo = _memos[state_dir] = _DigestMemo(memo_path, entries)
    entry = memo.entries.get(str(path))
    if entry and entry["size"] == stat.st_size and entry["mtime_ns"] == stat.st_mtime_ns:
        return entry["sha256"]
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    digest = h.hexdigest()
    memo.entries[str(path)] = {"size": stat.st_size, "mtime_ns": stat.st_mtime_ns, "sha256": digest}
    if memo.path is not None:
        with contextlib.suppress(OSError):  # only a memo: a read-only project still builds
            write_atomic(memo.path, json.dumps(memo.entries, indent=1).encode())
    return digest
