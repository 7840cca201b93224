"""Measures of rendered audio, shared by the tests and the benchmarks."""

from __future__ import annotations

import numpy as np


def f0_track(audio: np.ndarray, rate: int, hop_s: float = 0.01) -> np.ndarray:
    """Fundamental frequency of voiced 40 ms frames, by autocorrelation, every ``hop_s``."""
    frame, hop, lo, hi = int(0.04 * rate), int(hop_s * rate), int(rate / 400), int(rate / 60)
    floor = 0.3 * np.sqrt(np.mean(audio.astype(np.float64) ** 2))
    found = []
    for start in range(0, audio.size - frame, hop):
        x = audio[start:start + frame].astype(np.float64)
        if np.sqrt(np.mean(x**2)) < floor:
            continue
        x = x - x.mean()
        ac = np.correlate(x, x, mode="full")[frame - 1:]
        lag = lo + int(np.argmax(ac[lo:hi]))
        if ac[lag] > 0.5 * ac[0]:
            found.append(rate / lag)
    return np.array(found)


def onset_after_pause(audio: np.ndarray, rate: int, around: float) -> float:
    """The first loud 5 ms frame after the quietest stretch within 250 ms before ``around``."""
    onset, _ = _onset_and_quiet(audio, rate, around)
    assert onset is not None, "no onset after the pause"
    return onset


def onset_after_silence(audio: np.ndarray, rate: int, around: float, silence_db: float = -40.0) -> float | None:
    """``onset_after_pause`` where the quietest stretch is silence (below ``silence_db`` of the
    peak); None where the voice ran on (an engine that does not always pause at a comma)."""
    onset, quiet_db = _onset_and_quiet(audio, rate, around)
    return onset if quiet_db <= silence_db else None  # no onset after it: None too


def _onset_and_quiet(audio: np.ndarray, rate: int, around: float) -> tuple[float | None, float]:
    frame = rate // 200
    rms = np.sqrt(np.convolve(audio.astype(np.float64) ** 2, np.ones(frame) / frame, mode="same"))
    db = 20 * np.log10(rms / rms.max() + 1e-9)
    lo, hi = int((around - 0.25) * rate), int((around + 0.15) * rate)
    window = db[lo:hi]
    quiet = lo + int(np.argmin(window))
    loud = np.nonzero(db[quiet:hi] > -28)[0]
    return ((quiet + loud[0]) / rate if loud.size else None), float(db[quiet])
