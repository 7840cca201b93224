"""Every script we know reads exactly as its golden file says (tests/golden/).

After a deliberate change: ``python tests/golden.py --update``, then read the diff.
"""

from __future__ import annotations

import difflib

import pytest
from golden import GOLDEN, cases, corpus_dir, corpus_golden_files, reading

CASES = cases()
_PINNED = {g for _grp, _p, _s, g in CASES}
# without ../shared/corpus, each corpus golden file shows as skipped rather than vanishing
PARAMS = [pytest.param(p, s, g, id=f"{grp}/{p.name}") for grp, p, s, g in CASES] + [
    pytest.param(None, None, g, id=f"corpus/{g.name.removesuffix('.golden')}",
                 marks=pytest.mark.skip(reason="../shared/corpus is not here (RUNTHRU_CORPUS=DIR points elsewhere)"))
    for g in corpus_golden_files() if g not in _PINNED]


@pytest.mark.parametrize(("path", "shown", "golden"), PARAMS)
def test_reading_matches_golden_file(path, shown, golden):
    assert golden.exists(), f"no golden file for {shown}: run python tests/golden.py --update {path.name}"
    expected = golden.read_text(encoding="utf-8")
    actual = reading(path, shown)
    if actual != expected:
        diff = "".join(difflib.unified_diff(expected.splitlines(True), actual.splitlines(True),
                                            str(golden.relative_to(GOLDEN.parent.parent)), "today's reading", n=2))
        pytest.fail(f"{shown} no longer reads as its golden file says "
                    f"(if the change is deliberate: python tests/golden.py --update {path.name}):\n{diff}",
                    pytrace=False)


@pytest.mark.skipif(corpus_dir() is None, reason="../shared/corpus is not here")
def test_every_corpus_golden_file_has_its_script():
    """A golden file whose script left the corpus would otherwise never be compared."""
    names = {p.name for _grp, p, _s, _g in CASES}
    orphans = [g.name for g in corpus_golden_files() if g.name.removesuffix(".golden") not in names]
    assert not orphans


def test_every_sample_and_fixture_is_pinned():
    pinned = {g for grp, _p, _s, g in CASES if grp != "corpus"}
    stale = [g.name for grp in ("sample", "fixtures") for g in sorted((GOLDEN / grp).glob("*.golden")) if g not in pinned]
    assert not stale, f"golden files for scripts that are gone: {stale}"
