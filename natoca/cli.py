"""Command line: `natoca check` validates the data; `natoca new` scaffolds a record."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .pipeline import ROOT, load_model
from .problems import DataError
from .records import COLLECTIONS


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


def new(root: Path, collection: str, record_id: str) -> int:
    from .scaffold import ScaffoldError, create, display

    try:
        path = create(root, collection, record_id)
    except ScaffoldError as error:
        print(f"natoca new: {error}", file=sys.stderr)
        return 2
    print(display(path))
    print("Fill in every TODO, then run `natoca check`: it lists each one still to do.", file=sys.stderr)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="natoca", description=__doc__)
    root_help = "project folder holding data/, schemas/ and fingerprints/ (default: this project)"
    parser.add_argument("--root", type=Path, default=ROOT, help=root_help)
    commands = parser.add_subparsers(dest="command", required=True)
    check_parser = commands.add_parser("check", help="validate every record and list every problem as path:line:column: message")
    check_parser.add_argument("--github", action="store_true", help="print problems as GitHub Actions annotations")
    new_parser = commands.add_parser(
        "new", help="write a skeleton record, data/<collection>/<id>.yaml, with every required field to fill in",
        description="Write data/<collection>/<id>.yaml with every required field as a TODO placeholder. "
                    "`natoca check` reports each placeholder until it is filled in.",
    )
    new_parser.add_argument("collection", choices=COLLECTIONS, help="the folder under data/ the record goes in")
    new_parser.add_argument("id", help="the new record's id and file name: lowercase letters, digits and hyphens, e.g. 2005-05-andijan")
    for sub in (check_parser, new_parser):  # --root may also follow the command
        sub.add_argument("--root", type=Path, default=argparse.SUPPRESS, help=root_help)
    arguments = parser.parse_args(argv)
    if arguments.command == "check":
        return check(arguments.root.resolve(), arguments.github)
    if arguments.command == "new":
        return new(arguments.root.resolve(), arguments.collection, arguments.id)
    return 2


if __name__ == "__main__":
    raise SystemExit(main())
