"""config.py: TOML syntax errors in words a person can act on, still naming file and line."""

from __future__ import annotations

import pytest

from runthru_build.config import load_config
from runthru_build.errors import RunThruError
from runthru_build.project import load_project

SCRIPT = "# Play\n\n## One\n\nNARRATOR 1: Hello.\nJIMMY: Hi.\nJIMMY: Bye.\n"
HEAD = 'script = "../scripts/play.md"\n'


@pytest.mark.parametrize(("cast", "message"), [
    # tomllib says: Illegal character '\n'
    (HEAD + 'title = "Spring\n',
     'casts/c.toml:2: TOML syntax error: title = "Spring: a string is not closed: end it with a quote on the same '
     'line'),
    # tomllib says: Unterminated string (at end of document), with no line
    (HEAD + "[roles.JIMMY]\nactor = 'Kyle",
     "casts/c.toml:3: TOML syntax error: actor = 'Kyle: a string is not closed"),
    # tomllib says: Expected newline or end of document after a statement
    (HEAD + "[roles.JIMMY]\npitch = 4,5\n",
     "casts/c.toml:3: TOML syntax error: pitch = 4,5: a decimal number takes a point, not a comma (pitch = 4.5)"),
    # tomllib says: Expected ']' at the end of a table declaration
    (HEAD + '[roles."NARRATOR 1"\npitch = 4\n',
     'casts/c.toml:2: TOML syntax error: [roles."NARRATOR 1" is missing its closing ]: write [roles."NARRATOR 1"]'),
    # tomllib says: Cannot overwrite a value
    (HEAD + "[roles.JIMMY]\npitch = 4\nspeed = 1.1\npitch = 5\n",
     "casts/c.toml:5: TOML syntax error: pitch is set twice in the same table (first at line 3): keep one"),
    # tomllib says: Cannot declare ('roles', 'JIMMY') twice
    (HEAD + "[roles.JIMMY]\npitch = 4\n\n[roles.JIMMY]\nspeed = 1.1\n",
     "casts/c.toml:5: TOML syntax error: [roles.JIMMY] appears twice (first at line 2): put its settings in one "
     "table"),
    # tomllib says: Invalid value
    (HEAD + "[roles.JIMMY]\nactor = Kyle\n",
     'casts/c.toml:3: TOML syntax error: actor = Kyle: text needs quotes: actor = "Kyle"'),
], ids=["unterminated-string", "unterminated-at-end", "comma-decimal", "missing-bracket", "duplicate-key",
        "duplicate-table", "unquoted-text"])
def test_toml_mistakes_say_what_is_wrong_and_how_to_fix_it(make_project, cast, message):
    project = load_project(make_project({"scripts/play.md": SCRIPT, "casts/c.toml": cast}))
    (error,) = project.errors
    assert str(error).startswith(message)
    assert error.exit_code == 2


def test_runthru_toml_errors_are_explained_too(make_project):
    root = make_project({"runthru.toml": "[audio]\nloudness_lufs = -16,5\n"})
    with pytest.raises(RunThruError) as caught:
        load_config(root)
    assert str(caught.value) == ("runthru.toml:2: TOML syntax error: loudness_lufs = -16,5: a decimal number takes "
                                 "a point, not a comma (loudness_lufs = -16.5)")


def test_other_syntax_errors_keep_the_parsers_words_and_line(make_project):
    project = load_project(make_project({"scripts/play.md": SCRIPT, "casts/c.toml": HEAD + "pitch 4\n"}))
    assert str(project.errors[0]) == "casts/c.toml:2: TOML syntax error: Expected '=' after a key in a key/value pair"
