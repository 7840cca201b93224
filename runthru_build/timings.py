"""Word timings of a take: when each spoken word starts and ends in the audio the
browser plays.

Piper reports how many samples each phoneme took (``phoneme_alignments``, from a
voice patched with piper's ``patch_voice_with_alignment``); ``from_phonemes``
groups them into words.  Kokoro reports each phoneme's duration (a model patched
to output them, see ``engines/kokoro.py``): ``from_timed_phonemes`` groups those.
Engines without alignments get ``estimate``: the
speech time shared out by syllables, marked as estimated.

Times are ``[start, end]`` seconds.  Every later step that moves audio moves
them too: pitch resampling and the formant pass (``scale``/``shift``),
trimming (``shift``), and the encoder's delay (``encoder_delay``): an MP3
decoder plays 1105 samples of priming before the first sample encoded
(LAME's 576 + the decoder's 529, measured the same in Chromium and
libsndfile); Opus declares its pre-skip, which decoders drop.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

WordTimes = list[list[float]]

_PAUSE = set(",.;:!?…—–-()\"'«»¡¿“”")
_MARKERS = {"^", "$", "_"}  # Piper's BOS, EOS and PAD
MP3_DELAY_SAMPLES = 1105
_VOWELS = re.compile(r"[aeiouyàâäéèêëîïôöûüœæ]+", re.IGNORECASE)


def spoken_words(text: str) -> list[str]:
    """The words a take's timings are counted in (the site splits the same way)."""
    return text.split()


def from_phonemes(chunks: Iterable[tuple[Sequence[Any], int]], sample_rate: int, words: list[str]) -> WordTimes | None:
    """Times of ``words`` (the text's) from Piper's alignments: ``chunks`` holds, per
    sentence Piper spoke, its ``PhonemeAlignment`` list and its audio's length in
    samples.  None when an alignment is missing."""
    timed: list[tuple[str, float, float]] = []
    offset = 0
    for alignments, samples in chunks:
        if not alignments:
            return None
        total = sum(a.num_samples for a in alignments) or 1
        scale = samples / total  # the model's lengths may differ from the audio's by a few samples
        position = 0
        for alignment in alignments:
            start = offset + position * scale
            position += alignment.num_samples
            timed.append((alignment.phoneme, start / sample_rate, (offset + position * scale) / sample_rate))
        timed.append((" ", 0.0, 0.0))  # a sentence ends its last word
        offset += samples
    return from_timed_phonemes(timed, words)


def from_timed_phonemes(timed: Iterable[tuple[str, float, float]], words: list[str]) -> WordTimes | None:
    """Times of ``words`` from (phoneme, start, end seconds) in spoken order: a space or a
    model's marker ends a word, a pause mark belongs to none.  None when nothing was spoken."""
    spans: list[list[float]] = []
    sizes: list[int] = []
    current: list[float] | None = None
    for phoneme, start, end in timed:
        if phoneme == " " or phoneme in _MARKERS:
            current = None
            continue
        if phoneme in _PAUSE:
            continue  # a pause belongs to no word: the next word starts after it
        if current is None:
            current = [start, end]
            spans.append(current)
            sizes.append(0)
        current[1] = end
        sizes[-1] += 1
    if not spans:
        return None
    return match_words(words, spans, sizes)


_MERGE_COST = 2.0


def match_words(words: list[str], spans: WordTimes, sizes: list[int]) -> WordTimes:
    """Times for the text's ``words`` from the phonemiser's word ``spans`` (``sizes``: phonemes
    in each).  They differ where espeak joins words ("we shall" is one) or spells one
    out ("1,000" is two): the cheapest monotonic pairing of groups of up to three on
    one side with one on the other, by length; text words sharing a span split it by letters."""
    n, m = len(words), len(spans)
    if n == m or not n:
        return spans if n == m else []
    letters = [max(1, sum(3 if c.isdigit() else 1 for c in w if c.isalnum())) for w in words]
    per_letter = sum(sizes) / sum(letters)
    inf = float("inf")
    cost = [[inf] * (m + 1) for _ in range(n + 1)]
    back: list[list[tuple[int, int]]] = [[(0, 0)] * (m + 1) for _ in range(n + 1)]
    cost[0][0] = 0.0
    steps = [(1, 1), (2, 1), (3, 1), (1, 2), (1, 3)]
    for i in range(n + 1):
        for j in range(m + 1):
            if cost[i][j] == inf:
                continue
            for a, b in steps:
                if i + a > n or j + b > m:
                    continue
                expect, got = per_letter * sum(letters[i:i + a]), sum(sizes[j:j + b])
                step = cost[i][j] + (expect - got) ** 2 / (expect + got) + (0 if a == b == 1 else _MERGE_COST)
                if step < cost[i + a][j + b]:
                    cost[i + a][j + b] = step
                    back[i + a][j + b] = (a, b)
    if cost[n][m] == inf:  # more than three to one somewhere: share out in order
        return [spans[min(m - 1, i * m // n)] for i in range(n)]
    out: list[list[float]] = []
    i, j = n, m
    while i or j:
        a, b = back[i][j]
        start, end = spans[j - b][0], spans[j - 1][1]
        group = letters[i - a:i]
        at = start
        parts = []
        for size in group:
            length = (end - start) * size / sum(group)
            parts.append([at, at + length])
            at += length
        out[:0] = parts
        i, j = i - a, j - b
    return out


def syllables(word: str) -> int:
    return max(1, len(_VOWELS.findall(word)))


def estimate(text: str, duration: float, lead_in: float) -> WordTimes:
    """Times shared out by syllables over the speech (``lead_in`` of silence each side);
    a comma or a full stop counts as a syllable of pause."""
    words = spoken_words(text)
    if not words:
        return []
    weights = [syllables(w) + (1 if w[-1] in _PAUSE else 0) for w in words]
    start = min(lead_in, duration / 4)
    span = max(0.0, duration - 2 * start)
    unit = span / sum(weights)
    out, at = [], start
    for word, weight in zip(words, weights, strict=True):
        pause = unit if word[-1] in _PAUSE else 0.0
        out.append([at, at + weight * unit - pause])
        at += weight * unit
    return out


def scale(times: WordTimes | None, factor: float) -> WordTimes | None:
    return None if times is None else [[s * factor, e * factor] for s, e in times]


def shift(times: WordTimes | None, seconds: float) -> WordTimes | None:
    return None if times is None else [[s + seconds, e + seconds] for s, e in times]


def encoder_delay(audio_format: str, sample_rate: int) -> float:
    """Seconds of priming a decoder plays before the first sample encoded."""
    return MP3_DELAY_SAMPLES / sample_rate if audio_format == "mp3" else 0.0


def finish(times: WordTimes, duration: float) -> WordTimes:
    """Clamped to the clip and rounded to the millisecond, for storage."""
    return [[round(float(min(max(s, 0.0), duration)), 3), round(float(min(max(e, s, 0.0), duration)), 3)]
            for s, e in times]
