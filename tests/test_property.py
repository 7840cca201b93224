"""Parsing never raises, and never speaks a word the author did not write."""

from __future__ import annotations

import os
import re

from hypothesis import given, settings
from hypothesis import strategies as st

from runthru_build.script.play import parse_markdown

_WORD = re.compile(r"[^\W_]+")
_MARKUP = re.compile(r"[*_`\\]")

script_like = st.lists(
    st.one_of(
        st.text(max_size=60),
        st.sampled_from(["# Title", "## Scene", "### Sub", "---", "", "(aside)", "*(softly)*", "_thunder_",
                         "<!-- c -->", "ALL: go", "BOTH: yes", "A & B: hi", "**X:**", "NAME", "\\*", "[x]"]),
        st.builds(lambda n, t: f"{n}: {t}", st.sampled_from(["ROMEO", "JULIET", "MRS. O'BRIEN", "RENÉ"]), st.text(max_size=40)),
        st.builds(lambda n, t: f"**{n}:** {t}", st.text(min_size=1, max_size=12), st.text(max_size=40)),
    ),
    max_size=30,
)


@settings(max_examples=int(os.environ.get("RUNTHRU_HYPOTHESIS_EXAMPLES", 300)), deadline=None)
@given(script_like)
def test_parsing_never_raises_and_speaks_only_source_words(lines):
    source = "\n".join(lines)
    script = parse_markdown(source, "p.md")
    # markup characters are not word boundaries in markdown (`*wo*rd` reads "word"), so a
    # source word is one split at them or one with them removed
    lowered = source.lower()
    source_words = set(_WORD.findall(lowered)) | set(_WORD.findall(_MARKUP.sub("", lowered)))
    for line in script.lines():
        assert line.speakers
        for word in _WORD.findall(line.spoken.lower()):
            assert word in source_words, (word, line.spoken)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=400))
def test_arbitrary_text_never_raises(text):
    parse_markdown(text, "p.md")
