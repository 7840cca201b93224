from __future__ import annotations

import html
import json
import os
import re
import time

import pytest
from conftest import run_cli

from runthru_build.commands.build import build
from runthru_build.site import RESERVED_SLUGS, script_json, slugify, unique_slugs

SCRIPT = "# The Test Play\n\n## One\n\n(Night.)\n\nRENÉ: Bonjour.\nMRS. O'BRIEN: Hello, *dear*.\nRENÉ & MRS. O'BRIEN: Together.\n"
TOY_CAST = 'script = "../scripts/play.md"\nengine = "toy"\n[roles.\"RENÉ\"]\nactor = "Zoë"\n'


@pytest.fixture
def project(make_project, toy_engine):
    return make_project({"scripts/play.md": SCRIPT, "casts/play.toml": TOY_CAST})


def test_slugs_are_safe_distinct_and_stable():
    names = ["RENÉ", "MRS. O'BRIEN", "AUDIO", "A/B", "日本", "NARRATOR 1", "NARRATOR-1", "../ETC"]
    slugs = unique_slugs(names)
    assert slugs == unique_slugs(list(reversed(names)))  # order does not matter
    assert len(set(slugs.values())) == len(names)
    for slug in slugs.values():
        assert re.fullmatch(r"[a-z0-9][a-z0-9-]*", slug) and slug not in RESERVED_SLUGS
    assert slugs["RENÉ"] == "rene" and slugs["MRS. O'BRIEN"] == "mrs-o-brien"
    assert slugify("../ETC") == "etc"


def test_script_json_cannot_close_a_script_element():
    text = script_json({"t": "</script><!-- & \u2028"})
    assert "<" not in text and ">" not in text and "&" not in text and "\u2028" not in text
    assert json.loads(text) == {"t": "</script><!-- & \u2028"}


LEADS = "# Who Leads\n\n## One\n\nANNA: One.\nZED: Two.\nBOB: Three.\nZED: Four.\nBOB: Five.\nCAROL: Six.\nBOB: Seven.\nZED: Eight.\n"


def test_chooser_lists_leads_first_with_their_share_and_the_title_is_the_plays(make_project, toy_engine):
    root = make_project({"scripts/leads.md": LEADS,
                         "casts/leads.toml": 'script = "../scripts/leads.md"\nengine = "toy"\n'})
    assert build(root).exit_code == 0
    chooser = (root / "build" / "leads" / "index.html").read_text()
    names = re.findall(r'class="role-name">([^<]+)<', chooser)
    assert names == ["BOB", "ZED", "ANNA", "CAROL"]  # by lines, then by name
    metas = re.findall(r'class="role-meta">([^<]+)<', chooser)
    assert metas[0].startswith("3 lines · 38% of the play") and metas[2].startswith("1 line · 12% of the play")
    index = (root / "build" / "index.html").read_text()
    assert "<title>Who Leads</title>" in index and "<h1>Who Leads</h1>" in index
    assert root.name not in index and root.name.title() not in index
    (root / "runthru.toml").write_text('[site]\ntitle = "Spring Season"\n')
    assert build(root).exit_code == 0
    assert "<h1>Spring Season</h1>" in (root / "build" / "index.html").read_text()


def test_site_layout_and_shared_audio(project):
    result = build(project)
    assert result.exit_code == 0 and result.published
    site = project / "build"
    for rel in ("index.html", "sw.js", "assets/player.js", "assets/style.css", "play/index.html", "play/data.js",
                "play/listen.html", "play/rene/index.html", "play/mrs-o-brien/index.html", "play/rene.zip", "play.zip"):
        assert (site / rel).is_file(), rel
    audio = sorted(p.name for p in (site / "play" / "audio").iterdir())
    assert audio == sorted(f"{la.key}.mp3" for la in result.plans[0].lines)  # one file per line, shared
    chooser = (site / "play" / "index.html").read_text()
    assert "Zoë" in chooser and "2 lines" in chooser and "listen.html" in chooser and "rene.zip" in chooser
    page = (site / "play" / "rene" / "index.html").read_text()
    roles = re.search(r'data-roles="([^"]*)"', page).group(1)
    assert json.loads(html.unescape(roles)) == ["RENÉ"]
    assert "<script>" not in page  # data comes from data.js; no inline script
    data = json.loads((site / "play" / "data.js").read_text().removeprefix("window.RUNTHRU = ").rstrip(";\n"))
    lines = [i for i in data["items"] if i["t"] == "l"]
    assert [line["s"] for line in lines] == [["RENÉ"], ["MRS. O'BRIEN"], ["RENÉ", "MRS. O'BRIEN"]]
    assert lines[1]["p"][0]["r"] == [["", "Hello, "], ["em", "dear"], ["", "."]]
    assert all(line["a"] and line["d"] > 0 for line in lines)


def test_failed_build_keeps_the_last_good_site(project):
    assert build(project).published
    before = (project / "build" / "play" / "index.html").read_text()
    (project / "casts" / "play.toml").write_text(TOY_CAST + "[roles.NOBODY]\n")
    proc = run_cli("build", str(project))
    assert proc.returncode == 1
    assert "casts/play.toml" in proc.stderr and "site not updated" in proc.stderr
    assert (project / "build" / "play" / "index.html").read_text() == before
    assert not [p for p in project.iterdir() if p.name.startswith(".build")]  # no staging left behind


def test_project_theme_overrides_the_default(project):
    theme = project / "themes" / "stage"
    (theme / "static").mkdir(parents=True)
    (theme / "static" / "style.css").write_text("body { background: black; }")
    (theme / "templates").mkdir()
    (theme / "templates" / "index.html").write_text("<p>My theatre: {{ productions|length }} plays</p>")
    (project / "runthru.toml").write_text('[site]\ntheme = "stage"\n')
    assert build(project).published
    site = project / "build"
    assert (site / "assets" / "style.css").read_text() == "body { background: black; }"
    assert (site / "assets" / "player.js").exists()  # the rest comes from the default theme
    assert (site / "index.html").read_text() == "<p>My theatre: 1 plays</p>"


def test_unknown_theme_is_an_error(project):
    (project / "runthru.toml").write_text('[site]\ntheme = "nope"\n')
    proc = run_cli("build", str(project))
    assert proc.returncode == 1 and "runthru.toml: theme 'nope' not found" in proc.stderr


def _tree(folder):
    return sorted((p.relative_to(folder).as_posix(), p.read_bytes() if p.is_file() else b"")
                  for p in folder.rglob("*"))


@pytest.mark.parametrize("build_value, what", [
    (".", "the project folder"), ("scripts", "scripts/"), ("casts", "casts/"), (".runthru", ".runthru/"),
    ("..", "the project folder"), ("themes", "themes/"), ("voices", "voices/"),
])
def test_build_naming_the_project_or_its_sources_is_refused_and_nothing_is_lost(project, build_value, what):
    assert build(project).published  # a cache and a site to lose
    (project / "voices").mkdir()
    (project / "voices" / "kyle.wav").write_bytes(b"RIFF")
    (project / "runthru.toml").write_text(f'# output\nbuild = "{build_value}"\n')
    before = _tree(project)
    proc = run_cli("build", str(project))
    assert proc.returncode == 1
    errors = [line for line in proc.stderr.splitlines() if line.startswith("error:")]
    assert errors == [line for line in proc.stderr.splitlines() if line.strip()]  # one line, no traceback
    assert f"runthru.toml:2: build = '{build_value}'" in errors[0] and what in errors[0]
    assert _tree(project) == before


def test_cache_holding_the_project_sources_is_refused(project):
    (project / "runthru.toml").write_text('cache = "."\n')
    proc = run_cli("cache", "prune", str(project))
    assert proc.returncode == 1 and "runthru.toml:1: cache = '.' is the project folder" in proc.stderr
    assert (project / "scripts" / "play.md").exists()


def test_folder_not_built_by_runthru_is_never_replaced(project, tmp_path_factory):
    outside = tmp_path_factory.mktemp("mine")
    (outside / "thesis.tex").write_text("years of work")
    (project / "runthru.toml").write_text(f'build = "{outside}"\n')
    proc = run_cli("build", str(project))
    assert proc.returncode == 1 and "was not built by RunThru" in proc.stderr and "Traceback" not in proc.stderr
    assert (outside / "thesis.tex").read_text() == "years of work"
    assert sorted(p.name for p in outside.iterdir()) == ["thesis.tex"]  # nothing staged beside or inside it

    (outside / "thesis.tex").unlink()  # an empty folder holds nothing to lose: RunThru may build there
    assert build(project).published and (outside / "play" / "index.html").exists()
    assert build(project).published  # and replace it again: it carries the marker now


def test_existing_file_named_as_build_is_refused(project):
    (project / "notes.txt").write_text("keep me")
    (project / "runthru.toml").write_text('build = "notes.txt"\n')
    proc = run_cli("build", str(project))
    assert proc.returncode == 1 and "notes.txt: build = … names an existing file" in proc.stderr
    assert (project / "notes.txt").read_text() == "keep me"


def test_a_file_of_yours_put_into_the_built_site_is_never_deleted(project):
    assert build(project).published
    site = project / "build"
    (site / "notes.txt").write_text("blocking for act 2")
    (site / "play" / "photos").mkdir()
    (site / "play" / "photos" / "set.jpg").write_bytes(b"JPEG")
    (site / ".DS_Store").write_bytes(b"Finder")  # the system's litter, not the user's
    before = _tree(site)
    proc = run_cli("build", str(project))
    errors = [line for line in proc.stderr.splitlines() if line.strip()]
    assert proc.returncode == 1 and len(errors) == 1 and "build/notes.txt" in errors[0], proc.stderr
    assert "2 files" in errors[0] and "not made by RunThru" in errors[0]
    assert _tree(site) == before  # the old site and everything added to it, as they were
    (site / "notes.txt").unlink()
    (site / "play" / "photos" / "set.jpg").unlink()
    assert build(project).published and not (site / ".DS_Store").exists()
    assert build(project).published  # and again: the new site lists what it holds


def test_a_site_built_before_the_marker_existed_is_still_replaced(project):
    assert build(project).published
    (project / "build" / ".runthru-site").unlink()  # as an older RunThru left it
    assert build(project).published


def test_read_only_build_folder_or_project_gives_one_line_errors(project):
    from test_cache import _cli, _read_only

    assert build(project).published
    _read_only(project / "build")  # a site made read-only (RunThru's own: it is still replaced)
    proc = _cli("build", root=project)
    assert proc.returncode == 0, proc.stderr
    assert sorted(p.name for p in project.iterdir()) == [".runthru", "build", "casts", "scripts"]  # old site gone
    project.chmod(0o555)  # nowhere to write the new site
    try:
        proc = _cli("build", root=project)
    finally:
        project.chmod(0o755)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert "error: build: cannot write the new site beside it, in ./: Permission denied" in proc.stderr
    assert (project / "build" / "play" / "index.html").exists()


def test_build_in_the_home_folder_is_expanded_never_a_folder_named_tilde(project, monkeypatch, tmp_path_factory):
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    (project / "runthru.toml").write_text('build = "~/rehearsal-site"\n')
    assert build(project).published
    assert (home / "rehearsal-site" / "play" / "index.html").exists() and not (project / "~").exists()
    (project / "runthru.toml").write_text('build = "~"\n')  # the home folder itself: it is not RunThru's to replace
    proc = run_cli("build", str(project), env={**os.environ, "HOME": str(project.parent)})
    assert proc.returncode == 1 and "build = '~' holds the project folder" in proc.stderr, proc.stderr
    assert not (project / "~").exists()


def _leftover(folder, *, marker=True, age_s=600.0):
    folder.mkdir()
    if marker:
        (folder / ".runthru-site").write_text("Built by runthru-build, which replaces this folder on every build.\n")
        (folder / "play").mkdir()
        (folder / "play" / "data.js").write_text("window.RUNTHRU = {};\n")
    old = time.time() - age_s
    os.utime(folder, (old, old))
    return folder


def test_a_killed_builds_leftovers_are_cleaned_and_never_block_a_build(project):
    """kill -9 while staging leaves .build.tmp-<pid>-*; during the swap, .build.old-<pid>. In a container every
    build is PID 1, so the next build's own name was taken: "Directory not empty", every time."""
    import fcntl

    assert build(project).published
    staged = _leftover(project / f".build.tmp-{os.getpid()}-k1ll3d")
    swapped = _leftover(project / f".build.old-{os.getpid()}")  # the name this very process would pick
    empty = _leftover(project / ".build.tmp-1-x", marker=False)  # killed before it wrote its marker
    mine = _leftover(project / ".build.old-notes", marker=False)  # a user's folder of a lookalike name
    (mine / "notes.txt").write_text("mine")
    running = _leftover(project / ".build.tmp-2-live")  # a build that runs now holds its marker locked
    with (running / ".runthru-site").open() as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        for _ in range(2):
            assert build(project).published
        assert (running / "play" / "data.js").exists()
    assert not staged.exists() and not swapped.exists() and not empty.exists()
    assert (mine / "notes.txt").read_text() == "mine"
    assert sorted(p.name for p in project.iterdir() if p.name.startswith(".build")) == [mine.name, running.name]
