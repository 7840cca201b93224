"""Names that may be one character: what ``check`` tells a director (script/names.py)."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from conftest import CORPUS

from runthru_build.cli import main
from runthru_build.script.names import looks_misspelt, name_variants, numbered_apart


def _check(make_project, text: str, name: str = "play.md") -> str:
    root = make_project({f"scripts/{name}": text})
    result = CliRunner().invoke(main, ["check", str(root)])
    assert result.exit_code == 0, result.output
    return result.output


def _speeches(*cues: str) -> str:
    return "# Play\n\n## One\n\n" + "".join(f"{cue}: Line {i}.\n" for i, cue in enumerate(cues))


def test_numbered_parts_are_distinct_characters_not_misspellings(make_project):
    output = _check(make_project, _speeches(
        "ALL", "FIRST APPARITION", "SECOND APPARITION", "THIRD APPARITION", "PATRON ONE", "PATRON TWO",
        "1. WITCH", "2. WITCH", "1ST LORD", "2ND LORD", "GUARD #1", "GUARD #2", "SOLDIER I", "SOLDIER II",
        "MAN A", "MAN B", "MACBETH", "MACBETH", "SERVANT", "SERGEANT", "SERVANT", "SERGEANT",
    ))
    assert "misspelling" not in output


def test_a_slip_of_the_keyboard_is_still_named(make_project):
    output = _check(make_project, _speeches(*["GUILDENSTERN", "HAMLET"] * 5, "GILDENSTEN", "HAMLET", "HAMLTE"))
    assert "scripts/play.md:15: GILDENSTEN looks like a misspelling of GUILDENSTERN (first at scripts/play.md:5)" in output
    assert "HAMLTE looks like a misspelling of HAMLET" in output


def test_first_at_names_the_characters_own_cue_not_an_all_before_it(make_project):
    output = _check(make_project, _speeches("ALL", "CYBER BOB", "BOB", "ALL", "BOB"))
    assert "scripts/play.md:6: CYBER BOB may be the same character as BOB (first at scripts/play.md:7)" in output


def test_a_relative_or_a_part_of_a_group_is_not_a_variant():
    assert name_variants(["SIWARD", "YOUNG SIWARD", "THE MEN", "SOME OF THE MEN", "BOB", "CYBER BOB"]) == [
        ("BOB", "CYBER BOB")]


@pytest.mark.parametrize(("a", "b", "apart"), [
    ("First Apparition", "Third Apparition", True),
    ("PATRON ONE", "PATRON TWO", True),
    ("1. Witch", "2. Witch", True),
    ("Henry IV", "Henry V", True),
    ("First Witch", "First Witch", False),
    ("First Witch", "Second Murderer", False),
])
def test_numbered_apart(a, b, apart):
    assert numbered_apart(a, b) is apart


@pytest.mark.parametrize(("a", "b", "counts", "slip"), [
    ("JIMY", "JIMMY", {}, True),                         # one letter on a name of four or more
    ("Servant", "Sergeant", {"Servant": 5, "Sergeant": 3}, False),  # two different words
    ("OTHER LADIES", "THE LADIES", {}, False),
    ("CYBER BOSS", "CYBER BOB", {"CYBER BOSS": 1, "CYBER BOB": 2}, False),
    ("Nor", "Nora", {"Nor": 1, "Nora": 500}, True),       # short, but once beside a name cued 500 times
    ("Ann", "Anna", {"Ann": 40, "Anna": 30}, False),
    ("Mrs. Hale", "Mr. Hale", {}, False),
    ("PADRE", "MADRE", {"PADRE": 2, "MADRE": 12}, False),  # Lorca's father and mother: a first letter is no slip
    ("MARIO", "MARIA", {"MARIO": 6, "MARIA": 5}, False),   # a gendered ending, both cued often
    ("MARIA", "MARIE", {"MARIA": 1, "MARIE": 20}, True),   # ...but once beside a name cued often, a slip
    ("SMA", "SAM", {"SMA": 1, "SAM": 3}, True),            # two letters swapped in a short name, heard once
    ("AMY", "MAY", {"AMY": 6, "MAY": 7}, False),           # ...but two names both heard often are two people
])
def test_looks_misspelt(a, b, counts, slip):
    assert looks_misspelt(a, b, counts) is slip


@pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus is not here")
def test_macbeth_check_warns_about_no_names(make_project):
    # before: Servant/Sergeant, First/Third Apparition, YOUNG SIWARD/SIWARD, and MACBETH LENNOX (said together)
    output = _check(make_project, (CORPUS / "shakespeare_macbeth.txt").read_text(), "macbeth.txt")
    assert [line for line in output.splitlines() if "misspelling" in line or "same character" in line] == []


def test_the_slip_is_the_name_cued_less_often_even_when_it_comes_first(make_project):
    output = _check(make_project, _speeches("PETTERSON", *["PETTERSEN", "JENSEN"] * 5))
    assert "scripts/play.md:5: PETTERSON looks like a misspelling of PETTERSEN (first at scripts/play.md:6)" in output


def test_a_short_name_with_two_letters_swapped_is_flagged(make_project):
    """``SMA:`` among ``SAM:`` cues (issue 26): not only "speaks only once"."""
    output = _check(make_project, _speeches("SAM", "ALEX", "SAM", "ALEX", "SMA", "ALEX", "SAM"))
    assert "scripts/play.md:9: SMA looks like a misspelling of SAM (first at scripts/play.md:5)" in output


def test_name_checks_find_the_same_pairs_as_comparing_every_pair():
    """The indexed search finds exactly what comparing each pair found, on 200 names alike."""
    import random

    from runthru_build.script.names import near_duplicates

    rng = random.Random(5)
    names = sorted({"".join(rng.choice("ABDEIMNORST") for _ in range(rng.randint(3, 8))) for _ in range(200)})
    names += ["CYBER " + n for n in names[:40]] + [n + " THE ELDER" for n in names[40:60]]
    counts = {n: rng.choice([1, 1, 2, 3, 6, 12]) for n in names}
    every_pair = [(b, a) if counts.get(a, 0) < counts.get(b, 0) else (a, b)
                  for i, a in enumerate(names) for b in names[i + 1:] if looks_misspelt(a, b, counts)]
    assert near_duplicates(names, counts) == every_pair and len(every_pair) > 5
    variants = [(a, b) for a in names for b in names if a != b and (b.startswith(a + " ") or b.endswith(" " + a))
                and "ELDER" not in b.split()]  # a kin word: Siward and Young Siward are two people
    assert sorted(name_variants(names)) == sorted(variants) and len(variants) == 40
