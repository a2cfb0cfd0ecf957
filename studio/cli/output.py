"""Small helpers the command modules share: JSON output, plain tables, safe text.

Prompts, file metadata and plugin messages are user-supplied: printed raw, an
escape sequence in one could recolour, retitle or rewrite the user's terminal
(issue #10). Every human print of such text goes through ``clean`` (``echo``,
``print_table`` and ``one_line`` do it); ``print_json`` escapes what JSON itself
leaves raw (DEL, C1 controls, bidirectional overrides).
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Sequence
from typing import Any, TextIO

#: ESC sequences a terminal acts on: CSI (``ESC [`` ... final byte), OSC, DCS, SOS,
#: PM and APC strings (ended by BEL or ``ESC \\``), and two-byte escapes; also the
#: one-byte C1 forms of CSI and OSC. A lone ESC is left to the escaping below.
_ESCAPE_SEQUENCE = re.compile(
    r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]"
    r"|(?:\x1b[\]PX^_]|[\x9d\x90\x98\x9e\x9f])[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)"
    r"|\x1b[ -/]*[0-~]"
)

#: C0 controls but newline and tab, DEL, C1 controls, and the Unicode bidirectional
#: overrides and isolates (they reorder what the user sees: "Trojan Source").
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")

#: What JSON leaves raw that a terminal would still act on (JSON escapes C0 itself).
_JSON_UNSAFE = re.compile(r"[\x7f-\x9f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def _visible(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def clean(text: Any, inline: bool = False) -> str:
    """``text`` safe for a terminal: escape sequences removed, other controls shown.

    ``"\\x1b[31mred\\x1b[0m\\x07"`` becomes ``red\\x07`` (a visible backslash escape).
    With ``inline`` newlines and tabs become spaces too (table cells, one-line messages).
    """
    text = _ESCAPE_SEQUENCE.sub("", str(text))
    if inline:
        text = text.replace("\r\n", " ").replace("\n", " ").replace("\t", " ")
    return _CONTROL.sub(_visible, text)


def one_line(text: Any, limit: int = 500) -> str:
    """``clean`` on one line, clipped to ``limit`` characters (error messages)."""
    text = " ".join(clean(text, inline=True).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def echo(*parts: Any, file: TextIO | None = None, sep: str = " ") -> None:
    """``print`` for human output that holds user-supplied text."""
    print(sep.join(clean(p) for p in parts), file=file or sys.stdout)


def print_json(data: Any) -> None:
    text = json.dumps(data, indent=2, ensure_ascii=False, default=str)
    # These characters only occur inside JSON strings, where \\uXXXX is their exact
    # equivalent: the output stays valid and means the same.
    sys.stdout.write(_JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text))
    sys.stdout.write("\n")


def print_table(rows: Sequence[Sequence[Any]], headers: Sequence[str]) -> None:
    cells = [[clean(c, inline=True) for c in headers]]
    cells += [[clean(c, inline=True) for c in r] for r in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    for n, row in enumerate(cells):
        print("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=False)).rstrip())
        if n == 0:
            print("  ".join("-" * w for w in widths))
