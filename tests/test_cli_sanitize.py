"""User-supplied text reaches the terminal without live control characters (issue #10)."""

import json

import pytest

from studio.cli.main import main
from studio.cli.output import clean, one_line, print_json, print_table

HOSTILE = "\x1b[31mred\x1b[0m\x07 heron \x1b]0;owned\x07\x9b2J\u202eevil"
#: Bytes a terminal acts on: C0 but newline, DEL, C1, bidirectional overrides.
LIVE = {chr(c) for c in [*range(0x00, 0x0a), *range(0x0b, 0x20), *range(0x7f, 0xa0)]}
LIVE |= {"\u202e", "\u2066"}


def live_controls(text):
    return sorted({hex(ord(c)) for c in text if c in LIVE})


@pytest.fixture
def hostile_library(capsys, fake_entry_points):
    for modality, gen in (("image", "fake.image"), ("text", "fake.text")):
        for n in range(2):
            assert main(["generate", modality, "--generator", gen, "--prompt",
                         f"{HOSTILE} {n}", "--json"]) == 0
    capsys.readouterr()


@pytest.mark.parametrize("argv", [
    ["library", "list"],
    ["profile", "show", "--no-embed"],
    ["suggest", "--modality", "image", "--prompt", HOSTILE],
    ["suggest", "--modality", "text"],
    ["library", "list", "--json"],
    ["profile", "show", "--no-embed", "--json"],
    ["suggest", "--modality", "image", "--json"],
])
def test_human_and_json_output_hold_no_live_controls(hostile_library, capsys, argv):
    assert main(argv) == 0
    out, err = capsys.readouterr()
    assert "red" in out or "heron" in out, out  # the text itself is still shown
    assert live_controls(out) == []
    assert live_controls(err) == []
    if "--json" in argv:
        json.loads(out)  # still valid JSON


def test_json_keeps_the_exact_text(hostile_library, capsys):
    assert main(["library", "list", "--json"]) == 0
    prompts = {a["prompt"] for a in json.loads(capsys.readouterr().out)}
    assert f"{HOSTILE} 0" in prompts


def test_error_lines_are_cleaned(capsys):
    assert main(["settings", "set", "nonsense\x1b[2J", "1"]) == 2
    err = capsys.readouterr().err
    assert live_controls(err) == [] and err.count("\n") == 1


def test_clean_strips_sequences_and_shows_other_controls():
    assert clean("\x1b[31mred\x1b[0m\x07") == "red\\x07"
    assert clean("a\x1b]0;title\x07b") == "ab"
    assert clean("tab\tnew\nline\r") == "tab\tnew\nline\\x0d"
    assert clean("tab\tnew\nline", inline=True) == "tab new line"
    assert clean("\u202eabc") == "\\u202eabc"
    assert clean("café 漢字 🎨") == "café 漢字 🎨"
    assert one_line("a\n\nb\x00") == "a b\\x00"


def test_print_json_escapes_what_json_leaves_raw(capsys):
    print_json({"k": "\x7f\x85\x9b\u2028\u202e é"})
    out = capsys.readouterr().out
    assert live_controls(out) == []
    assert json.loads(out) == {"k": "\x7f\x85\x9b\u2028\u202e é"}


def test_print_table_cells_stay_on_one_line(capsys):
    print_table([("a\nb", "\x1b[1mx")], ("H1", "H2"))
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 3 and lines[2].split() == ["a", "b", "x"]
