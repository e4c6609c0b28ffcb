"""Find the record files under data/ and load each one."""
from __future__ import annotations

import gc
from dataclasses import dataclass
from pathlib import Path

from .load import Document, load_document
from .problems import Problem

# Order matters only for display; every collection is a folder under data/.
COLLECTIONS = ("partners", "programmes", "organisations", "people", "events", "places", "phases", "sources")


@dataclass
class Record:
    collection: str
    id: str  # from the file name
    data: dict
    document: Document

    @property
    def path(self) -> str:
        return self.document.path

    def at(self, path) -> tuple[int, int]:
        return self.document.position(path)


class Collection(dict):
    """The readable records of one collection by id, and the ids of its files that could not be read.

    A reference to an unreadable file is not reported as unknown: the file exists, and its own
    problems are listed; once they are fixed the reference is checked again.
    """

    def __init__(self):
        super().__init__()
        self.unreadable: set[str] = set()


def find_files(root: Path) -> tuple[dict[str, list[Path]], list[Problem]]:
    """Record files per collection, and problems with files that are not records."""
    data = root / "data"
    files: dict[str, list[Path]] = {name: [] for name in COLLECTIONS}
    problems: list[Problem] = []
    if not data.is_dir():
        return files, [Problem("data", 1, 1, "no data/ folder")]
    for path in sorted(p for p in data.rglob("*") if p.is_file()):
        relative = path.relative_to(root).as_posix()
        parts = path.relative_to(data).parts
        if len(parts) != 2 or parts[0] not in COLLECTIONS:
            where = ", ".join(COLLECTIONS)
            problems.append(Problem(relative, 1, 1, f"file outside any collection: records go in data/<collection>/<id>.yaml, where collection is one of {where}"))
        elif path.suffix == ".yml":
            problems.append(Problem(relative, 1, 1, "use the extension .yaml, not .yml"))
        elif path.suffix != ".yaml":
            problems.append(Problem(relative, 1, 1, "not a YAML record: only <id>.yaml files belong in a collection folder"))
        else:
            files[parts[0]].append(path)
    return files, problems


def load_records(root: Path) -> tuple[dict[str, dict[str, Record]], list[Problem]]:
    """Every readable record by collection and id, with every problem met on the way."""
    files, problems = find_files(root)
    records: dict[str, dict[str, Record]] = {name: Collection() for name in COLLECTIONS}
    # Loading makes a great many objects and no reference cycles: the cyclic garbage collector
    # would only walk them again and again (a fifth of the loading time), so it pauses meanwhile.
    collecting = gc.isenabled()
    gc.disable()
    try:
        for collection, paths in files.items():
            for path in paths:
                document, found = load_document(path, path.relative_to(root).as_posix())
                problems.extend(found)
                if document.value is not None:
                    records[collection][path.stem] = Record(collection, path.stem, document.value, document)
                else:
                    records[collection].unreadable.add(path.stem)
    finally:
        if collecting:
            gc.enable()
    return records, problems
