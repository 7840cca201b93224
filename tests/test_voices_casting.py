"""Casting with downloaded voices: by name in a cast, automatically (installed voices
and speakers before pitch variants, hints), in ``cast init``, credited and warned about."""

from __future__ import annotations

import tomllib

import pytest
from conftest import run_cli
from fixtures.multispeaker import SPEAKERS
from fixtures.piper_catalogue import MULTI, VOICES, env_with, environment, running_hub

from runthru_build.engines.base import TakeRequest
from runthru_build.engines.piper import PiperEngine
from runthru_build.project import load_project

SIX = ("# Six\n\n## One\n\nALICE: One.\nBORIS: Two.\nCLARA: Three.\nDMITRI: Four.\nELENA: Five.\nFYODOR: Six.\n"
       "ALICE: Seven.\n")
ALBA, NORTHERN, AMY = "en_GB-alba-medium", "en_GB-northern_english_male-medium", "en_US-amy-medium"



@pytest.fixture(scope="module")
def hub(tmp_path_factory):
    yield from running_hub(tmp_path_factory.mktemp("hub"))


def install(hub, folder, names) -> dict[str, str]:
    """Download voices into the user data folder of an environment under ``folder``."""
    env = environment(folder, hub.url)
    proc = run_cli("voices", "download", *names, env=env_with(env), cwd=folder)
    assert proc.returncode == 0, proc.stderr
    return env


@pytest.fixture(scope="module")
def three_voices(hub, tmp_path_factory):
    return install(hub, tmp_path_factory.mktemp("three"), list(VOICES))


@pytest.fixture(scope="module")
def four_speakers(hub, tmp_path_factory):
    return install(hub, tmp_path_factory.mktemp("multi"), [MULTI])


def use(monkeypatch, env: dict[str, str]) -> None:
    for key, value in env.items():
        monkeypatch.setenv(key, value)


def voice_name(voice) -> str:
    return voice.voice.rsplit("/", 1)[-1].removesuffix(".onnx") if voice.voice else "joe"


def test_auto_casting_uses_every_installed_voice_before_any_pitch_variant(make_project, monkeypatch, three_voices):
    use(monkeypatch, three_voices)
    (production,) = load_project(make_project({"scripts/six.md": SIX})).productions
    voices = [production.cast.roles[name].voice for name in production.characters]
    first, rest = voices[:4], voices[4:]
    assert {voice_name(v) for v in first} == {"joe", ALBA, NORTHERN, AMY}
    assert all((v.pitch, v.speed) == (0.0, 1.0) for v in first)
    assert all((v.pitch, v.speed) != (0.0, 1.0) for v in rest)  # only now a voice is reused, pitched
    assert len({(voice_name(v), v.pitch, v.speed) for v in voices}) == 6


def test_without_installed_voices_auto_casting_pitches_the_built_in_voice(make_project, monkeypatch, tmp_path):
    use(monkeypatch, environment(tmp_path, "http://127.0.0.1:9"))
    (production,) = load_project(make_project({"scripts/six.md": SIX})).productions
    voices = production.cast.roles.values()
    assert {v.voice.voice for v in voices} == {None} and len({(v.voice.pitch, v.voice.speed) for v in voices}) == 6


def test_hints_choose_matching_voices(make_project, monkeypatch, three_voices):
    use(monkeypatch, three_voices)
    cast = ('script = "../scripts/six.md"\n[roles.BORIS]\nhint = "male, northern"\nactor = "Sam"\nspeed = 1.1\n'
            '[roles.CLARA]\nhint = "female, scottish, older"\n')
    project = load_project(make_project({"scripts/six.md": SIX, "casts/six.toml": cast}))
    assert not project.errors, project.errors
    roles = project.productions[0].cast.roles
    assert voice_name(roles["BORIS"].voice) == NORTHERN and roles["BORIS"].actor == "Sam"
    assert voice_name(roles["CLARA"].voice) == ALBA
    assert roles["BORIS"].voice.pitch == 0.0 and roles["CLARA"].voice.pitch == 0.0
    assert roles["BORIS"].voice.speed == 1.1  # the role's own settings still apply


def test_a_voice_not_installed_is_one_line_naming_the_download(make_project, monkeypatch, three_voices):
    use(monkeypatch, three_voices)
    cast = 'script = "../scripts/six.md"\n\n[roles.ALICE]\nvoice = "en_GB-cori-high"\n'
    project = load_project(make_project({"scripts/six.md": SIX, "casts/six.toml": cast}))
    assert [str(e) for e in project.errors] == [
        "casts/six.toml:4: roles.ALICE.voice: Piper voice 'en_GB-cori-high' is not installed "
        "(run: runthru-build voices download en_GB-cori-high)"]


@pytest.mark.parametrize(("voice", "hint"), [
    # one letter off an installed voice: that voice, not the download of the typo
    ("en_GB-alba-medum", "did you mean en_GB-alba-medium?)"),
    # a catalogue voice, misspelt, not installed: the right name, and how to fetch it
    ("en_US-quartet-medum", "did you mean en_US-quartet-medium? run: runthru-build voices download "
                            "en_US-quartet-medium)"),
    ("alba", "did you mean en_GB-alba-medium?)"),  # the voice's own name alone
    ("albatross", "not a voice of the catalogue: runthru-build voices --available lists them "
                  "(like en_GB-alba-medium))"),
])
def test_a_misspelt_voice_name_suggests_the_nearest_name(make_project, monkeypatch, three_voices, voice, hint):
    use(monkeypatch, three_voices)
    cast = f'script = "../scripts/six.md"\n\n[roles.ALICE]\nvoice = "{voice}"\n'
    project = load_project(make_project({"scripts/six.md": SIX, "casts/six.toml": cast}))
    (error,) = [str(e) for e in project.errors]
    assert error.startswith(f"casts/six.toml:4: roles.ALICE.voice: Piper voice {voice!r} is not installed (")
    assert error.endswith(hint) and f"download {voice}" not in error


def test_a_misspelt_quality_is_caught_with_no_catalogue_fetched(make_project, monkeypatch, tmp_path):
    use(monkeypatch, environment(tmp_path, "http://127.0.0.1:9"))  # nothing installed, no catalogue, offline
    cast = 'script = "../scripts/six.md"\n[roles.ALICE]\nvoice = "en_GB-alba-medum"\n[roles.BORIS]\n' \
           'voice = "en_GB-alba-medium"\n'
    errors = [str(e) for e in load_project(make_project({"scripts/six.md": SIX, "casts/six.toml": cast})).errors]
    assert errors == ["casts/six.toml:3: roles.ALICE.voice: Piper voice 'en_GB-alba-medum' is not installed "
                      "(did you mean en_GB-alba-medium? run: runthru-build voices download en_GB-alba-medium)",
                      "casts/six.toml:5: roles.BORIS.voice: Piper voice 'en_GB-alba-medium' is not installed "
                      "(run: runthru-build voices download en_GB-alba-medium)"]


@pytest.mark.slow
def test_a_cast_naming_downloaded_voices_builds_credits_them_and_warns_of_non_commercial(make_project, three_voices):
    script = "# Tiny\n\n## One\n\nALICE: Good morning.\nBORIS: Is it?\nALICE: It is now.\n"
    cast = (f'script = "../scripts/tiny.md"\n[roles.ALICE]\nvoice = "{ALBA}"\n'
            f'[roles.BORIS]\nvoice = "{AMY}"\nspeed = 1.1\n')
    root = make_project({"scripts/tiny.md": script, "casts/tiny.toml": cast})
    proc = run_cli("build", str(root), env=env_with(three_voices))
    assert proc.returncode == 0, proc.stderr
    assert f"warning: casts/tiny.toml: voice {AMY} is licensed CC BY-NC-SA 4.0: non-commercial use only" \
        in proc.stderr
    assert ALBA not in proc.stderr
    page = (root / "build" / "tiny" / "index.html").read_text()
    assert f"{ALBA} (CC BY 4.0), {AMY} (CC BY-NC-SA 4.0)" in page
    assert len(list((root / "build" / "tiny" / "audio").iterdir())) == 3


@pytest.mark.slow
def test_multi_speaker_voice_speaks_with_real_speaker_ids(make_project, monkeypatch, four_speakers):
    use(monkeypatch, four_speakers)
    # Piper samples each sound's length (noise_w): off, so each length is the speaker's alone
    cast = (f'script = "../scripts/six.md"\n[defaults]\nvoice = "{MULTI}"\nnoise_scale = 0.0\nnoise_w = 0.0\n'
            '[roles.ALICE]\nspeaker = "ann"\n[roles.BORIS]\nspeaker = "bob"\n[roles.CLARA]\nspeaker = 3\n')
    project = load_project(make_project({"scripts/six.md": SIX, "casts/six.toml": cast}))
    assert not project.errors, project.errors
    roles = project.productions[0].cast.roles
    engine = PiperEngine({"threads": 1})
    text = "Whatever you say, I will not be moved from this spot tonight."
    seconds = {}
    for name in ("ALICE", "BORIS", "CLARA"):
        voice = roles[name].voice.settings()
        audio, rate = engine.synthesize(TakeRequest(key=name, text=text, voice=voice))
        seconds[name] = len(audio) / rate
    # the stand-in model stretches speaker k by 1 + 0.25 k: ids 0, 1 and 3 reach the graph
    assert seconds["ALICE"] * 1.1 < seconds["BORIS"] < seconds["CLARA"] / 1.2
    assert roles["CLARA"].voice.speaker == "3"

    bad = f'script = "../scripts/six.md"\n[roles.ALICE]\nvoice = "{MULTI}"\nspeaker = "zed"\n'
    project = load_project(make_project({"casts/six.toml": bad}))
    assert [str(e) for e in project.errors] == [
        f"casts/six.toml:4: roles.ALICE.speaker: {MULTI} has no speaker 'zed' (names: ann, bob, cy, dee; ids 0 to 3)"]


def test_auto_casting_spreads_roles_over_the_speakers_of_a_multi_speaker_voice(make_project, monkeypatch,
                                                                               four_speakers):
    use(monkeypatch, four_speakers)
    (production,) = load_project(make_project({"scripts/six.md": SIX})).productions
    voices = [production.cast.roles[name].voice for name in production.characters]
    natural = [(voice_name(v), v.speaker) for v in voices if (v.pitch, v.speed) == (0.0, 1.0)]
    assert sorted(natural, key=str) == sorted([("joe", None), *((MULTI, s) for s in SPEAKERS)], key=str)


def test_cast_init_writes_the_chosen_voices_with_a_comment_per_role(make_project, monkeypatch, three_voices):
    use(monkeypatch, three_voices)
    root = make_project({"scripts/six.md": SIX})
    proc = run_cli("cast", "init", str(root / "scripts" / "six.md"), env=env_with(three_voices))
    assert proc.returncode == 0, proc.stderr
    text = (root / "casts" / "six.toml").read_text()
    cast = tomllib.loads(text)
    assert {cast["roles"][r].get("voice") for r in ("ALICE", "BORIS", "CLARA", "DMITRI")} >= {ALBA, NORTHERN, AMY}
    assert f"# {ALBA}; en_GB medium; adult british female scottish; licence CC BY 4.0" in text
    assert f"# {AMY}; en_US medium; adult american female; licence CC BY-NC-SA 4.0" in text
    assert text.count("\n# ") >= 6 + 1
    project = load_project(root)
    assert not project.errors
    chosen = {n: (voice_name(r.voice), r.voice.pitch, r.voice.speed) for n, r in project.productions[0].cast.roles.items()}
    assert len(set(chosen.values())) == 6


def test_spread_alternates_around_the_voices_own_pitch_and_skips_what_hints_took():
    from runthru_build.voices.casting import spread

    names = [f"P{i}" for i in range(9)]
    assert list(spread(names, 0.0, 1.0).values()) == [
        (0.0, 1.0), (2.0, 1.0), (-2.0, 1.0), (4.0, 1.0), (-4.0, 1.0), (6.0, 1.0), (-6.0, 1.0),
        (0.0, 1.08), (2.0, 1.08)]  # past six semitones: the same pitches, a little quicker
    # from a cast's own default pitch and speed; a hinted part's (pitch, speed) is not given twice
    assert list(spread(names[:3], -1.0, 1.1, taken=[(1.0, 1.1)]).values()) == [(-1.0, 1.1), (-3.0, 1.1),
                                                                              (3.0, 1.1)]
