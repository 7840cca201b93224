"""Kokoro-82M, the second CPU engine: the real int8 model (the ``kokoro`` extra) and the
real voices (npm's kokoro-js), fetched through the stand-in hub, cast, rendered, timed
against the audio and played in Chromium.  One model load for the module: a take
costs about 0.6 s per second of speech on one core."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import numpy as np
import pytest
from audio_measures import onset_after_silence
from conftest import run_cli, unzip_bundle
from fixtures import kokoro as real
from fixtures.hub import Hub, serve
from fixtures.piper_catalogue import env_with, environment
from test_drills import SCRIPT, short_cues_play_only_tails

from runthru_build import timings
from runthru_build.audio import PostSettings, decode
from runthru_build.engines.base import EngineError, TakeRequest
from runthru_build.engines.kokoro import KokoroEngine, read_style, voice_path
from runthru_build.render import finish_take
from runthru_build.voices import kokoro

# Each comma and full stop is followed by a word starting with a plosive or a vowel, so its
# onset is sharp.  Kokoro does not pause at every comma: only words after real silence (50 dB
# below the peak; a voice running on through a comma dips to -35..-47 dB) are measured.
TEXT = ("Gregory, on my word. Tomorrow, I carry coals, and Peter, begone. Come, Kate, take the book. "
        "Perhaps, by noon, all is done.")
TOLERANCE_S = 0.040



@pytest.fixture(scope="module")
def voices(tmp_path_factory) -> Path:
    return real.install_voices(tmp_path_factory.mktemp("kokoro-data"))


@pytest.fixture(scope="module")
def engine(tmp_path_factory):
    real.model()
    engine = KokoroEngine({}, tmp_path_factory.mktemp("state"))
    engine.load()
    return engine


def take(engine, voices: Path, voice: dict, text: str = TEXT, emotion: str = "neutral", intensity: float = 0.0):
    voice = {**voice, "voice": str(voices / f"{voice['voice']}.bin")}
    request = TakeRequest(key=f"{abs(hash((json.dumps(voice, sort_keys=True), text, emotion))):064x}"[:64],
                          text=text, voice=voice, emotion=emotion, intensity=intensity)
    (done,) = engine.render([request])
    assert done.error is None, done.error
    return done, request


@pytest.mark.slow
@pytest.mark.parametrize("voice", [{"voice": "af_heart"}, {"voice": "bm_george", "pitch": 2.5, "speed": 1.2}],
                         ids=["american", "british pitched up, faster"])
def test_word_onsets_after_pauses_match_the_played_audio(engine, voices, voice):
    done, request = take(engine, voices, voice)
    assert engine.word_timing_source() == "from Kokoro's phoneme durations"
    result = finish_take(done, request, PostSettings(format="mp3"))
    assert result["words_estimated"] is False
    audio, rate = decode(result["data"])  # as Chromium plays it: the MP3's priming included
    words = timings.spoken_words(TEXT)
    assert len(result["words"]) == len(words)
    starts = [start for (start, _), before in zip(result["words"][1:], words, strict=False) if before[-1] in ",."]
    onsets = [(onset, start) for start in starts if (onset := onset_after_silence(audio, rate, start, -50.0)) is not None]
    assert len(onsets) >= 5, f"only {len(onsets)} of {len(starts)} marks were pauses"
    errors = [round((onset - start) * 1000) for onset, start in onsets]
    assert max(map(abs, errors)) <= TOLERANCE_S * 1000, errors


@pytest.mark.slow
def test_speed_and_a_sad_direction_slow_the_voice_and_pitch_moves_it(engine, voices):
    from audio_measures import f0_track

    plain, _ = take(engine, voices, {"voice": "am_michael"}, "I never said that to anyone.")
    sad, _ = take(engine, voices, {"voice": "am_michael"}, "I never said that to anyone.", "sad", 1.0)
    quick, _ = take(engine, voices, {"voice": "am_michael", "speed": 1.4}, "I never said that to anyone.")
    high, _ = take(engine, voices, {"voice": "am_michael", "pitch": 4.0}, "I never said that to anyone.")
    length = {name: t.audio.size for name, t in (("plain", plain), ("sad", sad), ("quick", quick), ("high", high))}
    assert length["sad"] > 1.08 * length["plain"] and length["quick"] < 0.85 * length["plain"]
    assert abs(length["high"] / length["plain"] - 1) < 0.1  # pitch holds the tempo
    rise = np.median(f0_track(high.audio, high.sample_rate)) / np.median(f0_track(plain.audio, plain.sample_rate))
    assert 1.15 < rise < 1.45  # four semitones: 1.26


def test_a_voice_is_checked_by_name_before_any_model_loads(tmp_path, monkeypatch, voices):
    monkeypatch.setenv("XDG_DATA_HOME", str(voices.parent.parent.parent))
    KokoroEngine.check_voice({"voice": "bf_emma"})
    with pytest.raises(EngineError, match=r"^'af_hart' is not a Kokoro voice \(did you mean af_heart\?\)"):
        KokoroEngine.check_voice({"voice": "af_hart"})
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    with pytest.raises(EngineError, match=r"^no Kokoro voices are installed \(run: runthru-build voices download --engine kokoro"):
        KokoroEngine.check_voice({})
    real.install_voices(tmp_path, ["af_heart"])
    with pytest.raises(EngineError, match=r"^Kokoro voice 'bf_emma' is not installed \(run: runthru-build voices download"):
        KokoroEngine.check_voice({"voice": "bf_emma"})
    short = tmp_path / "short.bin"
    short.write_bytes(b"\0" * 1024)
    with pytest.raises(EngineError, match="1024 bytes, not a voice"):
        read_style(voice_path(str(short)))


@pytest.fixture(scope="module")
def hub():
    hub = Hub(repos={kokoro.HUB_REPO: real.hub_files()})
    server = serve(hub)
    yield hub
    server.shutdown()


def test_download_fetches_every_voice_through_the_hub_checked_and_lists_them(hub, tmp_path):
    real.model()  # the packaged model is there, so only the voices are fetched
    env = env_with(environment(tmp_path, hub.url))
    hub.corrupt.add((kokoro.HUB_REPO, "voices/bm_lewis.bin"))
    refused = run_cli("voices", "download", "--engine", "kokoro", env=env, cwd=tmp_path)
    folder = tmp_path / "data" / "runthru" / "kokoro"
    assert refused.returncode == 1 and "voices/bm_lewis.bin" in refused.stderr and "checksum" in refused.stderr
    assert not folder.exists()  # staged: nothing half-installed
    hub.corrupt.clear()
    proc = run_cli("voices", "download", "--engine", "kokoro", env=env, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    installed = {p.stem: p.read_bytes() for p in (folder / "voices").iterdir()}
    assert installed == real.npm_voices() and len(installed) == 28
    assert not any(path.endswith(".onnx") for _, path, _ in hub.requests)
    listed = run_cli("voices", str(tmp_path), "--engine", "kokoro", env=env)
    assert "af_heart  (american female, grade A)  licence: Apache-2.0" in listed.stdout
    assert "bm_george  (british male, grade C)  licence: Apache-2.0" in listed.stdout


def test_the_model_comes_from_the_hub_when_no_package_has_it(hub, tmp_path, monkeypatch):
    served = real.hub_files(with_model=True)
    hub.repos[kokoro.HUB_REPO] = served
    for key, value in environment(tmp_path, hub.url).items():
        monkeypatch.setenv(key, value)
    monkeypatch.setattr(kokoro, "packaged_model", lambda: None)
    engine = KokoroEngine({}, tmp_path / "state")
    assert engine.missing() and "pip install 'runthru-build[kokoro]'" in engine.missing()[0]
    from runthru_build.commands.voices import download_engine_weights

    placed = download_engine_weights("kokoro", tmp_path)
    assert kokoro.downloaded_model() in placed and len(placed) == 29
    assert kokoro.downloaded_model().read_bytes() == served[kokoro.HUB_MODEL]
    assert not engine.missing() and engine.model_path() == kokoro.downloaded_model()


PLAY = ("CHARACTERS\n\nSTEPAN CHUBUKOV, a landowner\nNATALYA STEPANOVNA, his daughter\n"
        "MRS. HALE\nTOMMY, a boy of twelve\nLOMOV, a neighbour\n\n[CHUBUKOV alone.]\n\n"
        "CHUBUKOV. Good morning, my friend, and welcome to the house.\n\nNATALYA. Thank you, father.\n\n"
        "MRS. HALE. Come in, come in.\n\nTOMMY. The garden is lovely in the spring, when the roses bloom.\n\n"
        "LOMOV. I have heard as much, and more.\n\nNATALYA. Then come, and I will show you.\n\n"
        "TOMMY. Lead the way.\n")


def test_cast_init_gives_each_role_its_own_voice_from_the_scripts_hints(tmp_path):
    data = tmp_path / "data"
    real.install_voices(data)
    (tmp_path / "scripts").mkdir()
    (tmp_path / "scripts" / "play.txt").write_text(PLAY)
    (tmp_path / "runthru.toml").write_text('language = "en-GB"\n')
    env = env_with({"XDG_DATA_HOME": str(data)})
    proc = run_cli("cast", "init", "--engine", "kokoro", "scripts/play.txt", env=env, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    cast = tomllib.loads((tmp_path / "casts" / "play.toml").read_text())
    assert cast["engine"] == "kokoro"
    voices = {name: role["voice"] for name, role in cast["roles"].items()}
    assert len(set(voices.values())) == len(voices) == 5
    assert all(role["pitch"] == 0.0 for role in cast["roles"].values())  # 28 voices: no pitch variant needed
    gender = {name: kokoro.VOICES[v].gender for name, v in voices.items()}
    assert gender == {"CHUBUKOV": gender["CHUBUKOV"], "NATALYA": "female", "MRS. HALE": "female",
                      "TOMMY": "male", "LOMOV": gender["LOMOV"]}
    assert all(kokoro.VOICES[v].accent == "british" for v in voices.values())  # language = "en-GB"
    text = (tmp_path / "casts" / "play.toml").read_text()
    assert "licence Apache-2.0" in text and "# cast as female, from the script" in text
    checked = run_cli("check", str(tmp_path), env=env)
    assert checked.returncode == 0, checked.stderr + checked.stdout


@pytest.mark.slow
@pytest.mark.browser
def test_a_kokoro_build_times_its_words_and_short_cues_play_in_an_unzipped_bundle(browser, tmp_path, monkeypatch):
    real.model()
    data = tmp_path / "data"
    real.install_voices(data)
    monkeypatch.setenv("XDG_DATA_HOME", str(data))
    (tmp_path / "scripts").mkdir()
    (tmp_path / "scripts" / "drills.md").write_text(SCRIPT)
    (tmp_path / "casts").mkdir()
    (tmp_path / "casts" / "drills.toml").write_text('script = "../scripts/drills.md"\nengine = "kokoro"\n')
    (tmp_path / "runthru.toml").write_text("[render]\nworkers = 1\n")
    from runthru_build.commands.audition import audition
    from runthru_build.commands.build import build

    dry = run_cli("build", "--dry-run", str(tmp_path), env=env_with({"XDG_DATA_HOME": str(data)}))
    assert "7 takes to render" in dry.stdout
    assert "rendering them from cold: about" in dry.stdout and "kokoro: 0.230 s a word per worker, its own figure; " \
        "1 worker)" in dry.stdout, dry.stdout + dry.stderr
    heard = audition(tmp_path, [])  # the director hears each role's voice first: the build reuses those takes
    assert heard.render.rendered >= 2 and heard.render.failed == 0 and heard.published
    result = build(tmp_path)
    assert result.exit_code == 0 and result.published, result.render.failures
    assert result.render.rendered == 7 - heard.render.rendered
    cast = result.plans[0].production.cast
    assert {r.voice.engine for r in cast.roles.values()} == {"kokoro"}
    assert len({r.voice.voice for r in cast.roles.values()}) == 2  # AMY and BEN: two Kokoro voices
    text = (tmp_path / "build" / "drills" / "data.js").read_text()
    items = json.loads(text[text.index("{"):text.rindex("}") + 1])["items"]
    assert not any(it["we"] for it in items)  # every take timed by the model
    chooser = (tmp_path / "build" / "drills" / "index.html").read_text()
    assert all(f"Kokoro {Path(r.voice.voice).stem} (Apache-2.0)" in chooser for r in cast.roles.values())
    bundle = unzip_bundle(tmp_path / "build" / "drills" / "ben.zip", tmp_path / "unzipped")
    short_cues_play_only_tails(browser, (bundle / "drills" / "ben" / "index.html").as_uri(), items, 15000)
