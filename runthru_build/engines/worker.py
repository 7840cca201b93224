"""``python -m runthru_build.engines.worker ENGINE``: one engine, loaded once,
rendering batches sent over stdin (see ``protocol.py``).

It runs under the engine's own interpreter (``[engines.NAME] python = …``),
so it imports only the standard library, numpy and the engine's packages.
Whatever the engine prints goes to stderr: stdout carries frames only.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import sys
import time
from pathlib import Path

from ..fsutil import die_with
from .base import EngineError, TakeRequest
from .protocol import read_message, write_message


def _load_class(spec: str):
    module, _, name = spec.partition(":")
    return getattr(importlib.import_module(module), name)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="runthru_build.engines.worker")
    parser.add_argument("engine")
    parser.add_argument("--class", dest="spec", help="module:Class of the engine (default: its entry point)")
    parser.add_argument("--options", default="{}", help="the engine's options as JSON")
    parser.add_argument("--state-dir")
    parser.add_argument("--parent-pid", type=int, help="end when this process ends (the build)")
    args = parser.parse_args(argv)
    if args.parent_pid:
        die_with(args.parent_pid)

    frames = os.fdopen(os.dup(1), "wb")  # the protocol keeps the real stdout
    os.dup2(2, 1)  # prints from the engine, Python or C, go to stderr
    sys.stdout = sys.stderr
    requests_in = sys.stdin.buffer

    try:
        if args.spec:
            engine_cls = _load_class(args.spec)
        else:
            from . import engine_class

            engine_cls = engine_class(args.engine)
        engine = engine_cls(json.loads(args.options), Path(args.state_dir) if args.state_dir else None)
        started = time.perf_counter()
        engine.load()
        word_timings = engine.word_timing_source()
        load_seconds = time.perf_counter() - started
    except Exception as exc:  # reported to the parent, which fails this engine's takes with it
        message = str(exc) if isinstance(exc, EngineError) else f"{type(exc).__name__}: {exc}"
        write_message(frames, {"type": "failed", "message": message})
        return 1
    write_message(frames, {"type": "ready", "engine": args.engine, "identity": engine.identity(),
                           "device": engine.device_name(), "gpu_memory_mb": engine.gpu_memory_mb(),
                           "load_seconds": round(load_seconds, 3), "word_timings": word_timings})
    while True:
        message = read_message(requests_in)
        if message is None:
            return 0
        if message.get("type") != "render":
            continue
        batch_started = time.perf_counter()
        batch = [TakeRequest.from_json(r) for r in message["requests"]]
        for take in engine.render(batch):
            header = {"type": "take", "key": take.key, "sample_rate": take.sample_rate,
                      "samples": 0 if take.audio is None else int(take.audio.size),
                      "seconds": round(take.compute_seconds, 4), "error": take.error, "words": take.words}
            write_message(frames, header, take.audio if take.error is None else None)
        write_message(frames, {"type": "batch", "gpu_memory_mb": engine.gpu_memory_mb(),
                               "seconds": round(time.perf_counter() - batch_started, 4)})


if __name__ == "__main__":
    sys.exit(main())
