"""The README's table of runtime dependency licences stays current."""

from __future__ import annotations

import re

from conftest import REPO, run_cli

from runthru_build.commands.licences import markdown_table, runtime_dependencies


def test_readme_licence_table_matches_what_pyproject_installs():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    table = re.search(r"<!-- licences:start -->\n(.*?)<!-- licences:end -->", readme, re.S).group(1)
    assert table == markdown_table(), "README licence table is stale: paste `runthru-build licences --markdown`"


def test_gpl_dependencies_are_named_in_the_readme():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    gpl = [name for name, licence in runtime_dependencies().items() if "GPL" in licence.upper()]
    assert "piper-tts" in gpl
    section = readme[readme.index("## Licences"):]
    assert all(f"`{name}`" in section for name in gpl)
    assert "Docker image" in section


def test_licences_command_lists_every_runtime_dependency():
    proc = run_cli("licences")
    assert proc.returncode == 0
    assert re.search(r"^piper-tts\s+GPL-3\.0", proc.stdout, re.M)
    assert re.search(r"^huggingface-hub\s+\S", proc.stdout, re.M)
