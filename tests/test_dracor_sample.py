"""The DraCor golden sample: small plays scholars encoded in TEI, rendered into eight script
layouts (tests/fixtures/dracor/), each read by the real parser and scored speech by speech
against the TEI truth stored beside them. The score is pinned: a parser change that loses a
speech, gives it to someone else or invents one fails here, and so does one that gains (re-pin
with ``python bench/dracor_sample.py --pin`` and read the diff of pinned.json)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
sys.path.append(str(REPO / "bench"))  # after site-packages: bench/ray.py must not shadow ray
from dracor_sample import FIXTURES, SAMPLE, file_name, load_truth, measure  # noqa: E402

PINNED = json.loads((FIXTURES / "pinned.json").read_text(encoding="utf-8"))
TRUTH = load_truth()
CASES = [(Path(path).stem, file_name(path, layout)) for _corpus, path, layouts in SAMPLE for layout in layouts]


def test_the_sample_covers_every_layout_twice() -> None:
    from dracor_layouts import LAYOUTS

    used = [name.split(".")[1] for _stem, name in CASES]
    assert [layout for layout in LAYOUTS if used.count(layout) < 2] == []
    assert sorted(PINNED) == sorted(name for _stem, name in CASES)


@pytest.mark.parametrize(("stem", "name"), CASES, ids=[name for _stem, name in CASES])
def test_score_against_the_tei_truth_stays_pinned(stem: str, name: str) -> None:
    got = measure(FIXTURES / name, TRUTH[stem])
    want = PINNED[name]
    assert got["truth"] == want["truth"], "the truth changed: re-render with bench/dracor_sample.py --render"
    if got != want:
        worse = got["matched"] < want["matched"] or got["invented"] > want["invented"]
        pytest.fail(f"{name}: {'WORSE' if worse else 'changed'}: right {got['matched']}/{got['truth']} "
                    f"(pinned {want['matched']}), wrong speaker {got['wrong_speaker']} (pinned {want['wrong_speaker']}), "
                    f"lost {got['lost']} (pinned {want['lost']}), invented {got['invented']} (pinned {want['invented']})"
                    + ("" if worse else "; if better on purpose, re-pin: python bench/dracor_sample.py --pin"))


def test_a_perfect_reading_scores_every_speech_and_a_wrong_one_does_not() -> None:
    """The scorer itself: the truth read back as parsed is all right; swapping two speakers,
    dropping a speech or inventing one each costs exactly that speech."""
    from dracor_score import Parsed, score

    truth = TRUTH["gogol-lakeiskaja"]
    perfect = [Parsed((t.label,), t.words, t.words, "x") for t in truth]
    assert score(truth, perfect).matched == len(truth)
    swapped = list(perfect)
    swapped[3] = Parsed((truth[4].label if truth[4].label != truth[3].label else "NOBODY",), truth[3].words, "", "x")
    assert score(truth, swapped).matched == len(truth) - 1
    assert score(truth, perfect[:10] + perfect[11:]).lost == 1
    invented = [*perfect[:10], Parsed(("NOBODY",), "words no one said", "", "x"), *perfect[10:]]
    s = score(truth, invented)
    assert (s.matched, s.invented, s.right) == (len(truth), 1, len(truth) / (len(truth) + 1))


def test_the_book_layout_prints_a_small_capitals_label_in_capitals() -> None:
    """Five ItaDraCor plays set their speaker labels in small capitals (``<emph rend="sc">lepido</emph>``):
    the page shows LEPIDO, and the book layout printed ``lepido:``, a cue no edition prints."""
    from dracor_layouts import Book
    from dracor_tei import Speech

    assert Book.cue(None, Speech(who="#lepido", label="lepido")) == "LEPIDO"  # type: ignore[arg-type]
    assert Book.cue(None, Speech(who="#conte", label="Il conte")) == "Il conte"  # type: ignore[arg-type]
