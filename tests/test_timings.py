"""Word timings: real Piper takes, measured on the encoded audio as a decoder plays it."""

from __future__ import annotations

import json

import pytest
from audio_measures import onset_after_pause

from runthru_build import timings
from runthru_build.audio import PostSettings, decode
from runthru_build.commands.build import build
from runthru_build.engines.base import TakeRequest
from runthru_build.engines.piper import PiperEngine
from runthru_build.render import finish_take

# Each pause (comma, full stop) is followed by a word starting with a plosive or a
# vowel, so its onset is sharp: the word after the pause is where it is measured.
TEXT = "Gregory, on my word. Tomorrow, we carry coals, and Peter, begone."
AFTER_PAUSE = ["on", "Tomorrow,", "we", "and", "begone."]
TOLERANCE_S = 0.040

# Piper samples its sounds' lengths and noise on every take (noise_w, noise_scale): off here, so a
# case measures the same take every run. Sampled, the worst word's error was 8-29 ms in 12 takes a
# case, and 40.04 ms once in a CI-like run, over the 40 ms a case allows.
STILL = {"engine": "piper", "noise_scale": 0.0, "noise_w": 0.0}
SETTINGS = {
    "plain": (STILL, "neutral", 0.0),
    "pitch up, faster": ({**STILL, "pitch": 3.0, "speed": 1.25}, "neutral", 0.0),
    "pitch down, sad tempo": ({**STILL, "pitch": -2.5}, "sad", 1.0),
    "timbre (formant pass)": ({**STILL, "timbre": 2.0, "pitch": 1.0}, "angry", 1.0),
}


@pytest.fixture(scope="module")
def engine(tmp_path_factory):
    engine = PiperEngine({"threads": 1}, tmp_path_factory.mktemp("state"))
    engine.load()
    return engine


@pytest.mark.slow
@pytest.mark.parametrize("audio_format", ["mp3", "opus"])
@pytest.mark.parametrize("name", list(SETTINGS))
def test_word_onsets_after_pauses_match_the_played_audio(engine, name, audio_format):
    voice, emotion, intensity = SETTINGS[name]
    post = PostSettings(format=audio_format)
    request = TakeRequest(key=f"{abs(hash(name)):064x}"[:64], text=TEXT, voice=voice, emotion=emotion,
                          intensity=intensity)
    (take,) = engine.render([request])
    assert take.words is not None  # aligned by Piper, not estimated
    result = finish_take(take, request, post)
    assert result["words_estimated"] is False
    audio, rate = decode(result["data"])  # the decoder plays the MP3's priming, as Chromium does
    words = timings.spoken_words(TEXT)
    assert len(result["words"]) == len(words)
    errors = []
    for word in AFTER_PAUSE:
        start = result["words"][words.index(word)][0]
        errors.append(abs(onset_after_pause(audio, rate, start) - start))
    assert max(errors) <= TOLERANCE_S, (name, audio_format, [round(e * 1000) for e in errors])


def test_estimated_times_follow_syllables_and_stay_in_the_clip():
    times = timings.estimate("Oh, extraordinary day", 3.0, 0.12)
    assert len(times) == 3
    assert times[0][0] == pytest.approx(0.12) and times[-1][1] == pytest.approx(2.88)
    # "extraordinary" (5 syllables) lasts longer than "Oh," (1 syllable + a pause)
    assert times[1][1] - times[1][0] > 3 * (times[0][1] - times[0][0])
    assert times[1][0] > times[0][1]  # the comma's pause lies between them


def test_words_espeak_joins_or_spells_out_are_matched_by_length():
    # espeak says "we shall" as one word: the pair shares its span, split by letters
    words = ["Where", "we", "shall", "rehearse", "today."]
    spans = [[0.0, 0.3], [0.4, 1.1], [1.2, 1.7], [1.8, 2.2]]
    times = timings.match_words(words, spans, [4, 7, 6, 5])
    assert times[0] == [0.0, 0.3] and times[3:] == [[1.2, 1.7], [1.8, 2.2]]
    assert times[1][0] == 0.4 and times[2][1] == 1.1 and times[1][1] == pytest.approx(0.4 + 0.7 * 2 / 7)
    # "1,000" is spoken as two words: one span from the first to the second
    times = timings.match_words(["About", "1,000", "men."], [[0, 1], [1, 2], [2, 3], [3, 4]], [5, 3, 6, 4])
    assert times == [[0, 1], [1, 3], [3, 4]]


@pytest.mark.slow
def test_a_joined_word_does_not_shift_the_others(engine):
    text = "Good morning, Ben, and welcome to the house where we shall rehearse today."
    _, _, times = engine.synthesize_timed(TakeRequest(key="j" * 64, text=text, voice={"engine": "piper"}))
    words = text.split()
    starts = [start for start, _ in times]
    assert len(times) == len(words) and starts == sorted(starts) and len(set(starts)) == len(starts)
    assert times[words.index("Ben,")][0] > times[words.index("morning,")][1]


@pytest.mark.slow
def test_timings_are_cached_and_a_warm_build_reads_them_with_no_engine_call(make_project):
    root = make_project({"scripts/play.md": "# T\n\n## One\n\nAMY: Hello there, Ben.\nBEN: Goodbye, Amy, my friend.\n"})
    cold = build(root)
    assert cold.render.rendered == 2 and cold.published
    data = (root / "build" / "play" / "data.js").read_text()
    items = json.loads(data[data.index("{"):data.rindex("}") + 1])["items"]
    cold_times = [it["wt"] for it in items if it["t"] == "l"]
    assert [len(t) for t in cold_times] == [3, 4]
    assert not any(it.get("we") for it in items if it["t"] == "l")  # aligned, not estimated
    stored = [json.loads(p.read_text()) for p in (root / ".runthru" / "cache").rglob("*.json")]
    assert sorted(len(info["words"]) for info in stored) == [3, 4]
    warm = build(root)
    assert warm.render.engine_calls == 0 and warm.render.rendered == 0
    data = (root / "build" / "play" / "data.js").read_text()
    items = json.loads(data[data.index("{"):data.rindex("}") + 1])["items"]
    assert [it["wt"] for it in items if it["t"] == "l"] == cold_times
    # the voice was patched into the state folder, never beside the voice
    assert list((root / ".runthru" / "piper-aligned").glob("*.onnx"))
    # a take cached before timings were kept: estimated from its text, still no engine call
    old = next(p for p in (root / ".runthru" / "cache").rglob("*.json") if len(json.loads(p.read_text())["words"]) == 4)
    info = json.loads(old.read_text())
    del info["words"], info["words_estimated"]
    old.write_text(json.dumps(info))
    again = build(root)
    assert again.render.engine_calls == 0
    data = (root / "build" / "play" / "data.js").read_text()
    ben = json.loads(data[data.index("{"):data.rindex("}") + 1])["items"][1]
    assert ben["we"] is True and len(ben["wt"]) == 4
    assert 0 < ben["wt"][0][0] < ben["wt"][-1][1] <= ben["d"] + 0.06


def test_engines_without_alignments_get_estimated_times(make_project, toy_engine):
    root = make_project({"scripts/play.md": "# T\n\n## One\n\nAMY: One, two three four.\n",
                         "casts/play.toml": 'script = "../scripts/play.md"\nengine = "toy"\n'})
    assert build(root).published
    data = (root / "build" / "play" / "data.js").read_text()
    (line,) = json.loads(data[data.index("{"):data.rindex("}") + 1])["items"]
    assert line["we"] is True and len(line["wt"]) == 4
    starts = [start for start, _ in line["wt"]]
    assert starts == sorted(starts) and line["wt"][-1][1] <= line["d"] + 0.06
