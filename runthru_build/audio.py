"""Audio post-processing shared by every engine: voice shaping, trimming,
loudness, encoding.

Voice shaping (pitch and timbre) follows DESIGN.md: pitch moves by resampling
(the voice sounds like a smaller or larger speaker, almost free); timbre
moves the formants alone with Rubber Band (pedalboard), which costs about 15%
of synthesis time and so only runs when a role asks for it.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache
from math import gcd

import numpy as np

from .timings import WordTimes, shift

SILENCE_DB = -42.0
PEAK_CEILING = 0.89  # -1 dBFS
SHORT_CLIP_S = 0.4  # below this BS.1770 gating has too little to measure


@dataclass(frozen=True)
class PostSettings:
    """Everything post-processing does to a take; part of every cache key."""

    format: str = "mp3"
    bitrate_kbps: int = 48
    opus_sample_rate: int = 24000
    loudness_lufs: float = -18.0
    trim_pad_ms: int = 120

    @property
    def suffix(self) -> str:
        return ".opus" if self.format == "opus" else ".mp3"


def semitones_to_ratio(semitones: float) -> float:
    return float(2.0 ** (semitones / 12.0))


def resample_ratio(audio: np.ndarray, ratio: float) -> np.ndarray:
    """Resample to ``ratio`` times as many samples (polyphase, anti-aliased)."""
    if abs(ratio - 1.0) < 1e-4 or audio.size == 0:
        return audio
    frac = Fraction(ratio).limit_denominator(24)  # < 0.05 semitone off, 2x faster
    return resample_poly(audio, frac.numerator, frac.denominator)


# Resampling and the loudness filters are done in numpy, not scipy: importing
# scipy.signal (which pyloudnorm does too) added 76 MB to every render worker.

def resample_poly(audio: np.ndarray, up: int, down: int) -> np.ndarray:
    """``scipy.signal.resample_poly(audio, up, down)`` (its Kaiser-windowed low-pass, its
    alignment and length), computed in float64, returned in float32."""
    divisor = gcd(up, down)
    up, down = up // divisor, down // divisor
    out = np.empty(-(-audio.size * up // down), dtype=np.float32)
    if out.size == 0:
        return out
    half = 10 * max(up, down)
    lowpass = np.sinc(np.arange(-half, half + 1) / max(up, down)) * np.kaiser(2 * half + 1, 5.0)
    lead = down - half % down  # zeros before the filter put output samples where scipy puts them
    skip = (half + lead) // down
    taps = -(-(lead + lowpass.size) // up)
    fir = np.zeros(taps * up)
    fir[lead: lead + lowpass.size] = lowpass * (up / lowpass.sum())
    padded = np.concatenate([np.zeros(taps + 1), audio, np.zeros(taps + down + 2)])
    for phase_of_output in range(min(up, out.size)):
        at = (phase_of_output + skip) * down
        phase, base = at % up, at // up
        count = len(range(phase_of_output, out.size, up))
        # every output of this phase is one dot product of ``taps`` input samples, ``down`` apart per output
        windows = np.lib.stride_tricks.as_strided(padded[base + 2:], shape=(count, taps),
                                                  strides=(down * padded.itemsize, padded.itemsize),
                                                  writeable=False)
        out[phase_of_output::up] = windows @ fir[phase::up][::-1]
    return out


def shift_pitch_by_resampling(audio: np.ndarray, semitones: float) -> np.ndarray:
    """Raise pitch and formants together by playing fewer samples at the same rate.

    The clip gets shorter by the same ratio; the engine compensates by
    speaking slower (``tempo_compensation``), so the speed setting holds.
    """
    return resample_ratio(audio, 1.0 / semitones_to_ratio(semitones))


def tempo_compensation(semitones: float) -> float:
    """Length factor an engine must apply so resampling keeps the tempo."""
    return semitones_to_ratio(semitones)


JOIN_GAP_S = 0.25


def shift_formants_joined(clips: list[np.ndarray], sample_rate: int, semitones: float) -> list[np.ndarray]:
    """``shift_formants`` over several clips in one pass, split again in the silences between them."""
    return [audio for audio, _, _ in shift_formants_joined_placed(clips, sample_rate, semitones)]


def shift_formants_joined_placed(clips: list[np.ndarray], sample_rate: int,
                                 semitones: float) -> list[tuple[np.ndarray, int, float]]:
    """``shift_formants_joined``, each clip with where its sound now lies, for its word
    timings: (audio, samples of silence added before it, time scale)."""
    if len(clips) == 1:
        shifted = shift_formants(clips[0], sample_rate, semitones)
        return [(shifted, 0, shifted.size / clips[0].size if clips[0].size else 1.0)]
    gap = np.zeros(int(sample_rate * JOIN_GAP_S), dtype=np.float32)
    pieces, bounds, position = [], [], 0
    for clip in clips:
        pieces += [clip, gap]
        bounds.append((position, position + clip.size))
        position += clip.size + gap.size
    joined = shift_formants(np.concatenate(pieces), sample_rate, semitones)
    scale = joined.size / position
    half_gap = gap.size // 2
    placed = []
    for start, end in bounds:
        lead_in = min(half_gap, round(start * scale))
        placed.append((joined[round(start * scale) - lead_in: round(end * scale) + half_gap], lead_in, scale))
    return placed


def shift_formants(audio: np.ndarray, sample_rate: int, semitones: float) -> np.ndarray:
    """Move formants by ``semitones`` and keep the pitch: a different timbre, no chipmunk.

    Resampling moves pitch and formants; Rubber Band then moves the pitch back
    while preserving the (shifted) formants.
    """
    if abs(semitones) < 1e-3 or audio.size == 0:
        return audio
    from pedalboard import time_stretch

    moved = resample_ratio(audio, 1.0 / semitones_to_ratio(semitones))
    stretched = time_stretch(
        moved[np.newaxis, :].astype(np.float32), sample_rate,
        stretch_factor=moved.size / audio.size,
        pitch_shift_in_semitones=-semitones, preserve_formants=True, high_quality=False,
    )
    return stretched[0].astype(np.float32)


def trim_silence(audio: np.ndarray, sample_rate: int, pad_ms: int) -> np.ndarray:
    """Cut leading and trailing silence, keeping ``pad_ms`` on each side."""
    start, end = trim_bounds(audio, sample_rate, pad_ms)
    return audio[start:end]


def trim_bounds(audio: np.ndarray, sample_rate: int, pad_ms: int) -> tuple[int, int]:
    """Where ``trim_silence`` cuts: (first sample kept, end)."""
    if audio.size == 0:
        return 0, 0
    frame = max(1, sample_rate // 100)  # 10 ms
    usable = audio[: audio.size - audio.size % frame] if audio.size >= frame else audio
    if usable.size < frame:
        return 0, audio.size
    rms = np.sqrt(np.mean(usable.reshape(-1, frame).astype(np.float64) ** 2, axis=1) + 1e-12)
    peak = float(rms.max())
    if peak <= 1e-6:
        return 0, frame * 2
    loud = np.nonzero(20 * np.log10(rms / peak) > SILENCE_DB)[0]
    pad = int(sample_rate * pad_ms / 1000)
    start = max(0, loud[0] * frame - pad)
    end = min(audio.size, (loud[-1] + 1) * frame + pad)
    return int(start), int(end)


def normalize_loudness(audio: np.ndarray, sample_rate: int, target_lufs: float, gain_db: float = 0.0) -> np.ndarray:
    """Bring a take to ``target_lufs`` (BS.1770 integrated loudness), then apply ``gain_db``.

    Clips too short to gate fall back to RMS; the peak never exceeds -1 dBFS.
    """
    if audio.size == 0:
        return audio
    loudness = float("-inf")
    if audio.size >= sample_rate * SHORT_CLIP_S:
        loudness = integrated_loudness(audio, sample_rate)
    if not np.isfinite(loudness):
        rms = float(np.sqrt(np.mean(np.square(audio, dtype=np.float64))))
        if rms <= 1e-9:
            return audio.astype(np.float32)
        loudness = 20 * np.log10(rms) - 0.691
    gain = 10 ** ((target_lufs + gain_db - loudness) / 20)
    peak = float(np.max(np.abs(audio))) * gain
    if peak > PEAK_CEILING:
        gain *= PEAK_CEILING / peak
    return (audio * np.float32(gain)).astype(np.float32)


GATE_BLOCK_S = 0.4
GATE_STEP_S = 0.1


def integrated_loudness(audio: np.ndarray, sample_rate: int) -> float:
    """ITU-R BS.1770-4 integrated loudness (LUFS) of mono audio: K-weighting, 400 ms blocks
    every 100 ms, absolute and relative gates; the same figure as ``pyloudnorm``."""
    weighted = audio
    for b, a in k_weighting(sample_rate):
        weighted = lfilter(b, a, weighted)
    block = GATE_BLOCK_S * sample_rate
    count = round((audio.size / sample_rate - GATE_BLOCK_S) / GATE_STEP_S) + 1
    starts = GATE_BLOCK_S * (np.arange(count) * (GATE_STEP_S / GATE_BLOCK_S)) * sample_rate
    energy = np.zeros(weighted.size + 1)
    np.cumsum(np.square(weighted, out=weighted), out=energy[1:])  # in place: a long take is 12 MB an array
    mean_square = (energy[np.minimum((starts + block).astype(np.int64), audio.size)]
                   - energy[starts.astype(np.int64)]) / block
    with np.errstate(divide="ignore"):
        loudness = -0.691 + 10 * np.log10(mean_square)
    above = mean_square[loudness >= -70.0]
    if above.size == 0:
        return float("-inf")
    relative_gate = -0.691 + 10 * np.log10(above.mean()) - 10.0
    gated = mean_square[(loudness > relative_gate) & (loudness > -70.0)]
    return float(-0.691 + 10 * np.log10(gated.mean())) if gated.size else float("-inf")


@lru_cache(maxsize=4)
def k_weighting(sample_rate: int) -> tuple[tuple[tuple[float, ...], tuple[float, ...]], ...]:
    """BS.1770's two K-weighting stages as biquads (b, a) at ``sample_rate``: a +4 dB high shelf
    at 1.5 kHz and a high pass at 38 Hz (the Audio EQ Cookbook forms, as pyloudnorm designs them)."""
    w0 = 2 * np.pi * 1500.0 / sample_rate
    gain = 10 ** (4.0 / 40)
    alpha, cos, root = np.sin(w0) / (2 / np.sqrt(2)), np.cos(w0), 2 * np.sqrt(gain)
    shelf = ((gain * ((gain + 1) + (gain - 1) * cos + root * alpha), -2 * gain * ((gain - 1) + (gain + 1) * cos),
              gain * ((gain + 1) + (gain - 1) * cos - root * alpha)),
             ((gain + 1) - (gain - 1) * cos + root * alpha, 2 * ((gain - 1) - (gain + 1) * cos),
              (gain + 1) - (gain - 1) * cos - root * alpha))
    w0 = 2 * np.pi * 38.0 / sample_rate
    alpha, cos = np.sin(w0) / (2 * 0.5), np.cos(w0)
    high_pass = (((1 + cos) / 2, -(1 + cos), (1 + cos) / 2), (1 + alpha, -2 * cos, 1 - alpha))
    return tuple((tuple(float(v / a[0]) for v in b), tuple(float(v / a[0]) for v in a))
                 for b, a in (shelf, high_pass))


IIR_BLOCK = 64


def lfilter(b: tuple[float, ...], a: tuple[float, ...], x: np.ndarray) -> np.ndarray:
    """``scipy.signal.lfilter(b, a, x)`` from rest, for a normalised (``a[0] == 1``) filter
    with ``len(b) == len(a)``: block by block as matrix products, exact to rounding.

    Within a block the output is the input times the impulse response matrix, plus what
    the last inputs and outputs of the block before carry over; those last outputs follow
    a small linear recurrence from block to block, summed until its powers die out.
    Render workers run it with one BLAS thread (``render.one_blas_thread``)."""
    order = len(a) - 1
    within, from_inputs, from_outputs = _iir_block_matrices(b, a, IIR_BLOCK)
    blocks = np.zeros(-(-x.size // IIR_BLOCK) * IIR_BLOCK)
    blocks[: x.size] = x
    blocks = blocks.reshape(-1, IIR_BLOCK)
    out = blocks @ within.T
    last = slice(None, -order - 1, -1)  # a block's last ``order`` samples, most recent first
    out[1:] += blocks[:-1, last] @ from_inputs.T
    alone = out[:, last].copy()  # each block's last outputs as if the block before ended in silence
    carry = from_outputs[last]
    tails, power, shift = alone.copy(), carry, 1
    while shift < len(tails) and np.abs(power).max() > 1e-18:  # a scan: sums 2x as many blocks back each pass
        tails[shift:] += tails[:-shift] @ power.T
        power = power @ power
        shift *= 2
    out[1:] += tails[:-1] @ from_outputs.T
    return out.reshape(-1)[: x.size]


@lru_cache(maxsize=8)
def _iir_block_matrices(b: tuple[float, ...], a: tuple[float, ...],
                        size: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For ``lfilter``: the block's impulse response matrix (size x size), and how each of
    the last ``order`` inputs and outputs before the block reach its samples (size x order)."""
    order = len(a) - 1

    def respond(inputs: list[float], past_inputs: list[float], past_outputs: list[float]) -> list[float]:
        xs, ys, out = list(past_inputs), list(past_outputs), []  # the last ``order`` of each, most recent first
        for value in inputs:
            xs = [value, *xs[:order]]
            out.append(sum(bi * xi for bi, xi in zip(b, xs, strict=True))
                       - sum(ai * yi for ai, yi in zip(a[1:], ys, strict=True)))
            ys = [out[-1], *ys[: order - 1]]
        return out

    rest, silence = [0.0] * order, [0.0] * size
    impulse = respond([1.0, *silence[1:]], rest, rest)
    within = np.zeros((size, size))
    for i in range(size):
        within[i, : i + 1] = impulse[i::-1]
    units = np.eye(order).tolist()
    from_inputs = np.array([respond(silence, unit, rest) for unit in units]).T
    from_outputs = np.array([respond(silence, rest, unit) for unit in units]).T
    return within, from_inputs, from_outputs


MP3_QUALITY = 5
"""LAME's algorithm quality (0 best and slowest .. 9): 5 is LAME's own default, and
at speech bit rates indistinguishable from 2.  libsndfile's MP3 encoder took 6% of
Piper's synthesis time on a whole play; LAME called directly at 5 takes under 1%."""


def encode(audio: np.ndarray, sample_rate: int, post: PostSettings) -> tuple[bytes, int]:
    """Encode mono float audio; returns (file bytes, sample rate written)."""
    if post.format == "opus":
        import soundfile

        buffer = io.BytesIO()
        rate = post.opus_sample_rate
        audio = resample_ratio(audio, rate / sample_rate)
        soundfile.write(buffer, audio, rate, format="OGG", subtype="OPUS",
                        compression_level=min(0.99, max(0.0, 1 - post.bitrate_kbps / 256)))
        return buffer.getvalue(), rate
    import lameenc

    encoder = lameenc.Encoder()
    encoder.set_bit_rate(post.bitrate_kbps)
    encoder.set_in_sample_rate(sample_rate)
    encoder.set_channels(1)
    encoder.set_quality(MP3_QUALITY)
    pcm = (np.clip(np.asarray(audio, dtype=np.float32), -1.0, 1.0) * 32767).astype(np.int16)
    return bytes(encoder.encode(pcm.tobytes()) + encoder.flush()), sample_rate


def decode(data: bytes) -> tuple[np.ndarray, int]:
    import soundfile

    audio, rate = soundfile.read(io.BytesIO(data), dtype="float32", always_2d=False)
    if audio.ndim > 1:
        audio = audio.mean(axis=1)
    return audio, rate


def mix(clips: list[tuple[np.ndarray, int]]) -> tuple[np.ndarray, int]:
    """Several voices saying one line together: summed from a common start."""
    rate = clips[0][1]
    same_rate = [resample_ratio(a, rate / r) if r != rate else a for a, r in clips]
    out = np.zeros(max(a.size for a in same_rate), dtype=np.float64)
    for a in same_rate:
        out[: a.size] += a
    return (out / np.sqrt(len(clips))).astype(np.float32), rate


def postprocess(audio: np.ndarray, sample_rate: int, post: PostSettings, gain_db: float = 0.0) -> np.ndarray:
    return postprocess_timed(audio, sample_rate, post, gain_db)[0]


def postprocess_timed(audio: np.ndarray, sample_rate: int, post: PostSettings, gain_db: float = 0.0,
                      words: WordTimes | None = None) -> tuple[np.ndarray, WordTimes | None]:
    """``postprocess``, moving the word timings by what trimming cut."""
    audio = np.asarray(audio, dtype=np.float32).reshape(-1)
    start, end = trim_bounds(audio, sample_rate, post.trim_pad_ms)
    return (normalize_loudness(audio[start:end], sample_rate, post.loudness_lufs, gain_db),
            shift(words, -start / sample_rate))
