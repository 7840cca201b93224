from __future__ import annotations

from pathlib import Path

import pytest

from runthru_build.config import load_config
from runthru_build.engines import EngineSet
from runthru_build.engines.piper import PiperEngine
from runthru_build.plan import plan_production
from runthru_build.project import load_project

SCRIPT = """# Keys

## Scene 1

(A room.)

ROMEO: *(angrily)* Get out of my house!
JULIET: I will not.
ROMEO & JULIET: Together now.
"""


class PinnedPiper(PiperEngine):
    """Piper with its identity pinned, so golden keys do not move with the installed version."""

    def identity(self) -> str:
        return "piper-tts pinned"

    def voice_identity(self, voice) -> str:
        return "joe-pinned"


def keys(root: Path) -> list[str]:
    config = load_config(root)
    project = load_project(root, config)
    assert not project.errors, project.errors
    engines = EngineSet()
    engines._engines["piper"] = PinnedPiper()
    plan = plan_production(project.productions[0], config, engines)
    return [la.key for la in plan.lines]


@pytest.fixture
def project(make_project):
    return make_project({"scripts/keys.md": SCRIPT})


def edit(root: Path, old: str, new: str) -> None:
    path = root / "scripts" / "keys.md"
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))


def test_golden_keys_are_stable(project):
    assert keys(project) == [
        GOLDEN_ROMEO,
        GOLDEN_JULIET,
        GOLDEN_GROUP,
    ]


def test_presentation_changes_keep_every_key(project):
    before = keys(project)
    edit(project, "(angrily)", "(angrily, pacing the room)")
    edit(project, "## Scene 1", "## The Big Quarrel")
    edit(project, "I will not.", "I *will* not.")
    edit(project, "(A room.)", "(A small, dusty room.)")
    assert keys(project) == before


def test_reworded_direction_with_same_delivery_keeps_the_key(project):
    before = keys(project)
    edit(project, "(angrily)", "(angry)")
    assert keys(project) == before


def test_one_changed_word_changes_exactly_that_line(project):
    before = keys(project)
    edit(project, "I will not.", "I shall not.")
    after = keys(project)
    assert after[0] == before[0]
    assert after[1] != before[1]
    assert after[2] == before[2]


def test_voice_and_audio_settings_are_in_the_key(project):
    before = keys(project)
    (project / "casts").mkdir()
    (project / "casts" / "keys.toml").write_text('script = "../scripts/keys.md"\n[roles.JULIET]\npitch = 3.0\n')
    after = keys(project)
    assert after[0] == before[0] and after[1] != before[1]
    (project / "runthru.toml").write_text("[audio]\nbitrate_kbps = 64\n")
    assert not set(keys(project)) & set(after)


def test_group_line_is_a_mix_of_each_speakers_take(project):
    config = load_config(project)
    production = load_project(project, config).productions[0]
    engines = EngineSet()
    engines._engines["piper"] = PinnedPiper()
    plan = plan_production(production, config, engines)
    group = plan.lines[2]
    assert group.is_mix and len(group.parts) == 2
    assert {plan.takes[k].role for k in group.parts} == {"ROMEO", "JULIET"}
    assert plan.keys() == set(plan.takes) | {group.key}


GOLDEN_ROMEO = "4ea2e58cfa6218bd895f5f0222f430273e4e44758346a7943f1f78b776afb81a"
GOLDEN_JULIET = "e36e58554c64344fbed3d19398e8e5603e57fda7eaabbf5a14c7ab0eca0f526e"
GOLDEN_GROUP = "9cae21ca9d08bf18c9cf8319007e465bb936c1d6be8921d87426551714ee5679"
