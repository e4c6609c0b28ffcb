"""Command line: `natoca check` validates the data; `natoca new` scaffolds a record."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .pipeline import ROOT, load_model
from .problems import DataError


def check(root: Path, github: bool) -> int:
    try:
        model = load_model(root)
    except DataError as error:
        for problem in error.problems:
            print(problem.github() if github else str(problem))
        print(f"{len(error.problems)} problem(s) found", file=sys.stderr)
        return 1
    counts = ", ".join(f"{len(records)} {name}" for name, records in model.records.items())
    print(f"data OK: {counts}", file=sys.stderr)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="natoca", description=__doc__)
    parser.add_argument("--root", type=Path, default=ROOT, help="project folder holding data/, schemas/ and fingerprints/")
    commands = parser.add_subparsers(dest="command", required=True)
    check_parser = commands.add_parser("check", help="validate every record and list every problem as path:line:column: message")
    check_parser.add_argument("--github", action="store_true", help="print problems as GitHub Actions annotations")
    arguments = parser.parse_args(argv)
    if arguments.command == "check":
        return check(arguments.root.resolve(), arguments.github)
    return 2


if __name__ == "__main__":
    raise SystemExit(main())
