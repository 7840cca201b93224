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
    from scipy.signal import resample_poly

    frac = Fraction(ratio).limit_denominator(24)  # < 0.05 semitone off, 2x faster
    return resample_poly(audio, frac.numerator, frac.denominator).astype(np.float32)


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
    """Bring a take to ``target_lufs`` (BS.1770 via pyloudnorm), then apply ``gain_db``.

    Clips too short to gate fall back to RMS; the peak never exceeds -1 dBFS.
    """
    if audio.size == 0:
        return audio
    x = audio.astype(np.float64)
    loudness = float("-inf")
    if x.size >= sample_rate * SHORT_CLIP_S:
        import pyloudnorm

        loudness = pyloudnorm.Meter(sample_rate).integrated_loudness(x)
    if not np.isfinite(loudness):
        rms = float(np.sqrt(np.mean(x**2)))
        if rms <= 1e-9:
            return audio.astype(np.float32)
        loudness = 20 * np.log10(rms) - 0.691
    x = x * 10 ** ((target_lufs + gain_db - loudness) / 20)
    peak = float(np.max(np.abs(x)))
    if peak > PEAK_CEILING:
        x = x * (PEAK_CEILING / peak)
    return x.astype(np.float32)


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
