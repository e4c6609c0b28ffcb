"""Problems found in the data, each located at a file, line and column."""
from __future__ import annotations

import re
from dataclasses import dataclass

# What a message may not carry to a terminal or a log: line breaks (a problem is one line,
# and Python's splitlines() also breaks at \x1c-\x1e, \x85, U+2028 and U+2029), other
# control characters (a terminal would act on ESC), lone surrogates (no encoder writes
# them) and bidirectional overrides (they reorder what is shown). They are spelled out.
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
_SPELLED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def printable(text: str, keep: str = "") -> str:
    """Text as one safe line: each character _UNSAFE matches, but those in `keep`, is written as an escape."""

    def spell(match: re.Match) -> str:
        char = match.group()
        if char in keep:
            return char
        return _SPELLED.get(char) or (f"\\x{ord(char):02x}" if ord(char) < 0x100 else f"\\u{ord(char):04x}")

    return _UNSAFE.sub(spell, text)


@dataclass(frozen=True, order=True)
class Problem:
    path: str  # relative to the project root, with forward slashes
    line: int  # 1-based
    column: int  # 1-based
    message: str

    def __str__(self) -> str:
        return f"{printable(self.path)}:{self.line}:{self.column}: {printable(self.message)}"  # one problem, one line

    def github(self) -> str:
        """The same problem as a GitHub Actions workflow command, shown on the line it names.

        As GitHub's toolkit escapes them: %, CR and LF in the message; also : and , in a property.
        """
        message = _data(printable(self.message, keep="\r\n"))  # %0A: GitHub shows a line break
        return f"::error file={_property(printable(self.path))},line={self.line},col={self.column}::{message}"


def _data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _property(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")


class DataError(Exception):
    """The data has problems; str() lists them all, one per line, sorted."""

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(set(problems))
        super().__init__("\n".join(str(p) for p in self.problems))
