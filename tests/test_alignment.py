"""MMS forced alignment for GPU engines' takes (engines/alignment.py).

Without torchaudio (CI): the worker says why its timings are estimated, and its takes
carry none.  With torchaudio (the GPU machine; ``pytest --noconftest`` there, so
these tests use only pytest's own fixtures): the real ``forced_align`` on emissions
whose answer is known, and the real ``MMS_FA.get_model`` loading stand-in weights
(the architecture, randomly initialised: the real weights cannot be fetched here)
inside the real worker, on CUDA when there is one.
"""

from __future__ import annotations

import importlib.util
import math
import os
import struct
import sys
import wave
from pathlib import Path

import numpy as np
import pytest
from fixtures.engine_models import write_indextts_models

from runthru_build.engines.base import TakeRequest
from runthru_build.engines.remote import WorkerProcess

FIXTURES = Path(__file__).parent / "fixtures"
INDEXTTS = "runthru_build.engines.indextts:IndexTTSEngine"  # literal: the GPU machine has no installed entry points
HAS_TORCHAUDIO = importlib.util.find_spec("torchaudio") is not None
needs_torchaudio = pytest.mark.skipif(not HAS_TORCHAUDIO, reason="torchaudio is not installed (the GPU machine has it)")


def _device() -> str:
    import torch

    return "cuda:0" if torch.cuda.is_available() else "cpu"


def _voice(path: Path, seconds: float = 2.0) -> str:
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(16000)
        out.writeframes(b"".join(struct.pack("<h", int(8000 * math.sin(i / 10))) for i in range(int(16000 * seconds))))
    return str(path)


def _standin_worker(monkeypatch, tmp_path: Path, options: dict) -> WorkerProcess:
    standins = str(FIXTURES / "standins")
    monkeypatch.setenv("PYTHONPATH", standins + os.pathsep + os.environ.get("PYTHONPATH", ""))
    monkeypatch.setenv("STANDIN_LOG", str(tmp_path / "calls.jsonl"))
    models = write_indextts_models(tmp_path / "IndexTTS-2")
    return WorkerProcess("indextts", INDEXTTS, {"model_dir": str(models), **options}, sys.executable)


def _lines(tmp_path: Path) -> list[TakeRequest]:
    voice = _voice(tmp_path / "v.wav")
    texts = ["Good night, good night!", "Parting is such sweet sorrow — 1,000 times.", "Ἀντιγόνη, come."]
    return [TakeRequest(key=f"{i:064x}", text=text, voice={"voice": voice, "engine": "indextts"}, role="AMY")
            for i, text in enumerate(texts)]


def test_without_the_aligner_the_worker_says_why_and_its_takes_carry_no_timings(monkeypatch, tmp_path):
    missing = tmp_path / "nowhere" / "model.pt"
    worker = _standin_worker(monkeypatch, tmp_path, {"device": "cpu", "alignment_model": str(missing)})
    try:
        info = worker.start()
        takes = list(worker.render(_lines(tmp_path)))
    finally:
        worker.close()
    assert info.word_timings.startswith("estimated from the text: ")
    reason = "not importable" if not HAS_TORCHAUDIO else str(missing)
    assert reason in info.word_timings
    assert all(t.error is None and t.words is None for t in takes)


@needs_torchaudio
@pytest.mark.parametrize("device", ["cpu", "cuda"])
def test_word_times_from_a_known_emission(device):
    """Letters placed at known frames come back as those words' times; a dash takes no time
    (at the end of the word before), digits are the wildcard token."""
    import torch

    if device == "cuda" and not torch.cuda.is_available():
        pytest.skip("no CUDA device")
    from torchaudio.pipelines import MMS_FA

    from runthru_build.engines.alignment import ForcedAligner, word_times

    dictionary = MMS_FA.get_dict()
    aligner = ForcedAligner(None, device, dictionary, 16000)
    words = ["Good", "night,", "—", "1,000", "times."]
    tokens = aligner.tokens(words)
    assert tokens == ["good", "night", "", "*", "times"]
    frames = 200
    placed = {0: (10, 30), 1: (50, 80), 3: (110, 140), 4: (150, 190)}  # word -> first and last frame
    logits = torch.full((frames, len(dictionary)), -20.0)
    logits[:, 0] = 0.0  # blank everywhere else
    for index, (first, last) in placed.items():
        letters = [dictionary[c] for c in tokens[index]]
        bounds = np.linspace(first, last + 1, len(letters) + 1).round().astype(int)
        for label, start, end in zip(letters, bounds[:-1], bounds[1:], strict=True):
            logits[start:end, label] = 5.0
    emission = torch.log_softmax(logits, dim=-1).to(device)
    per_frame = 0.02
    times = word_times(emission, [[dictionary[c] for c in t] for t in tokens], per_frame)
    assert len(times) == len(words)
    for index, (first, last) in placed.items():
        assert times[index][0] == pytest.approx(first * per_frame, abs=per_frame)
        assert times[index][1] == pytest.approx((last + 1) * per_frame, abs=per_frame)
    assert times[2] == [times[1][1], times[1][1]]


@needs_torchaudio
def test_more_letters_than_frames_is_no_alignment():
    import torch
    from torchaudio.pipelines import MMS_FA

    from runthru_build.engines.alignment import word_times

    dictionary = MMS_FA.get_dict()
    emission = torch.log_softmax(torch.zeros(3, len(dictionary)), dim=-1)
    assert word_times(emission, [[dictionary[c] for c in "night"]], 0.02) is None


@pytest.fixture(scope="module")
def standin_weights(tmp_path_factory) -> Path:
    from fixtures.mms_weights import write_standin_mms_weights

    return write_standin_mms_weights(tmp_path_factory.mktemp("mms") / "model.pt")


@needs_torchaudio
def test_worker_aligns_its_takes_with_the_mms_model_on_its_device(monkeypatch, tmp_path, standin_weights):
    device = _device()
    worker = _standin_worker(monkeypatch, tmp_path, {"device": device, "alignment_model": str(standin_weights)})
    lines = _lines(tmp_path)
    try:
        info = worker.start()
        takes = list(worker.render(lines))
    finally:
        worker.close()
    assert info.word_timings == f"from MMS forced alignment on {device}"
    for take, line in zip(takes, lines, strict=True):
        duration = take.audio.size / take.sample_rate
        assert take.error is None and len(take.words) == len(line.text.split())
        starts = [s for s, _ in take.words]
        assert starts == sorted(starts) and all(0 <= s <= e <= duration + 0.05 for s, e in take.words)


@needs_torchaudio
def test_weights_that_are_not_mms_fa_are_reported_not_loaded(tmp_path):
    import torch

    from runthru_build.engines.alignment import ForcedAligner

    other = tmp_path / "model.pt"
    torch.save({"linear.weight": torch.zeros(2, 2)}, other)
    aligner, why = ForcedAligner.load(other, "cpu")
    assert aligner is None and f"{other} is not the MMS_FA model" in why


def test_a_gpu_engine_on_the_cpu_aligns_only_when_asked(monkeypatch, tmp_path):
    worker = _standin_worker(monkeypatch, tmp_path, {"device": "cpu"})
    try:
        info = worker.start()
    finally:
        worker.close()
    assert info.word_timings.startswith("estimated from the text: on a CPU")
