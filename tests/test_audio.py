from __future__ import annotations

import numpy as np
import pytest

from runthru_build.audio import (
    PostSettings,
    decode,
    encode,
    integrated_loudness,
    normalize_loudness,
    resample_poly,
    shift_formants,
    shift_formants_joined,
    shift_pitch_by_resampling,
    trim_silence,
)

RATE = 22050


def tone(seconds: float, freq: float = 200.0, amp: float = 0.3) -> np.ndarray:
    t = np.arange(int(RATE * seconds)) / RATE
    # a buzz with harmonics, so formant processing has something to move
    return (amp * sum(np.sin(2 * np.pi * freq * k * t) / k for k in range(1, 8))).astype(np.float32)


def dominant(audio: np.ndarray, rate: int = RATE) -> float:
    spectrum = np.abs(np.fft.rfft(audio * np.hanning(audio.size)))
    return float(np.fft.rfftfreq(audio.size, 1 / rate)[np.argmax(spectrum)])


def test_trim_keeps_a_short_pad():
    silence = np.zeros(RATE, dtype=np.float32)
    clip = np.concatenate([silence, tone(1.0), silence])
    trimmed = trim_silence(clip, RATE, pad_ms=100)
    assert 1.15 <= trimmed.size / RATE <= 1.25


def test_loudness_is_normalised_and_peak_limited():
    import pyloudnorm

    meter = pyloudnorm.Meter(RATE)
    for amp in (0.01, 0.3):
        out = normalize_loudness(tone(2.0, amp=amp), RATE, -20.0)
        assert abs(meter.integrated_loudness(out.astype(np.float64)) - -20.0) < 0.5
    loud = normalize_loudness(tone(2.0), RATE, -6.0, gain_db=6.0)
    assert np.max(np.abs(loud)) <= 0.8913


def speech_like(seconds: float, rate: int, seed: int = 0) -> np.ndarray:
    """Voiced bursts and pauses over a little noise and hum: what the loudness gates see in a take."""
    t = np.arange(int(rate * seconds)) / rate
    bursts = (np.sin(2 * np.pi * 0.7 * t) > -0.2) * np.abs(np.sin(2 * np.pi * 3 * t))
    noise = np.random.default_rng(seed).standard_normal(t.size)
    return (bursts * (0.3 * np.sin(2 * np.pi * 140 * t) + 0.05 * noise) + 0.02 * np.sin(2 * np.pi * 20 * t)).astype(
        np.float32)


@pytest.mark.parametrize("rate", [16000, 22050, 48000])
def test_loudness_is_the_bs1770_figure_pyloudnorm_gives(rate):
    """The build measures loudness without scipy (76 MB per worker): the same figure as the reference."""
    import pyloudnorm

    for seconds in (0.4, 0.45, 1.3, 7.7, 40.0):
        audio = speech_like(seconds, rate)
        expected = pyloudnorm.Meter(rate).integrated_loudness(audio.astype(np.float64))
        assert integrated_loudness(audio, rate) == pytest.approx(expected, abs=1e-6)
    assert integrated_loudness(np.zeros(rate, dtype=np.float32), rate) == float("-inf")


@pytest.mark.parametrize("semitones", [-7, -2, -0.5, 0.5, 3, 12])
def test_pitch_resampling_is_scipys_polyphase_filter(semitones):
    """Voices keep their sound without scipy in the worker: same samples, same length, as resample_poly."""
    from fractions import Fraction

    from scipy.signal import resample_poly as reference

    ratio = Fraction(2 ** (-semitones / 12)).limit_denominator(24)
    audio = speech_like(3.0, RATE)
    for size in (audio.size, 1001, 37, 1, 0):
        expected = reference(audio[:size], ratio.numerator, ratio.denominator)
        got = resample_poly(audio[:size], ratio.numerator, ratio.denominator)
        assert got.shape == expected.shape
        np.testing.assert_allclose(got, expected, atol=1e-5)


def test_mp3_encodes_near_the_asked_bit_rate_and_decodes():
    audio = tone(4.0) * 0.5
    data, rate = encode(audio, RATE, PostSettings(bitrate_kbps=48))
    assert rate == RATE
    assert 40 <= len(data) * 8 / 4.0 / 1000 <= 60
    back, back_rate = decode(data)
    assert back_rate == RATE and abs(back.size / back_rate - 4.0) < 0.1


@pytest.mark.parametrize("opus_rate", [24000, 48000])
def test_opus_is_resampled_to_an_opus_rate(opus_rate):
    data, rate = encode(tone(2.0), RATE, PostSettings(format="opus", opus_sample_rate=opus_rate))
    assert rate == opus_rate and data[:4] == b"OggS"
    back, back_rate = decode(data)
    assert back_rate == opus_rate and abs(back.size / back_rate - 2.0) < 0.1


def test_pitch_by_resampling_moves_pitch_and_shortens():
    shifted = shift_pitch_by_resampling(tone(1.0), 12.0)
    assert abs(shifted.size / RATE - 0.5) < 0.01
    assert abs(dominant(shifted) - 400.0) < 5


def test_formant_shift_keeps_pitch_and_length_and_moves_the_spectrum():
    source = tone(2.0)
    shifted = shift_formants(source, RATE, 4.0)
    assert abs(shifted.size - source.size) < RATE * 0.02
    assert abs(dominant(shifted) - 200.0) < 5  # same fundamental

    def centroid(a):
        spectrum = np.abs(np.fft.rfft(a))
        freqs = np.fft.rfftfreq(a.size, 1 / RATE)
        return float((spectrum * freqs).sum() / spectrum.sum())

    assert centroid(shifted) > centroid(source) * 1.1  # brighter: formants moved up


def test_joined_formant_shift_splits_back_into_each_clip():
    clips = [tone(0.5), tone(1.5, 250.0), tone(1.0, 300.0)]
    out = shift_formants_joined(clips, RATE, 3.0)
    assert len(out) == 3
    for clip, shaped, freq in zip(clips, out, (200.0, 250.0, 300.0), strict=True):
        # Rubber Band rings on a little; a neighbour leaking in would add 0.25 s or more
        assert abs(trim_silence(shaped, RATE, 0).size - clip.size) < RATE * 0.1
        harmonic = dominant(shaped) / freq  # formants moved, so a higher harmonic may lead
        assert round(harmonic) >= 1 and abs(harmonic - round(harmonic)) < 0.03
