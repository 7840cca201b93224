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
