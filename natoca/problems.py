"""Problems found in the data, each located at a file, line and column."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Problem:
    path: str  # relative to the project root, with forward slashes
    line: int  # 1-based
    column: int  # 1-based
    message: str

    def __str__(self) -> str:
        message = self.message.replace("\r", "\\r").replace("\n", "\\n")  # one problem, one line
        return f"{self.path}:{self.line}:{self.column}: {message}"

    def github(self) -> str:
        """The same problem as a GitHub Actions workflow command, shown on the line it names.

        As GitHub's toolkit escapes them: %, CR and LF in the message; also : and , in a property.
        """
        return f"::error file={_property(self.path)},line={self.line},col={self.column}::{_data(self.message)}"


def _data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _property(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")


class DataError(Exception):
    """The data has problems; str() lists them all, one per line, sorted."""

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(set(problems))
        super().__init__("\n".join(str(p) for p in self.problems))
