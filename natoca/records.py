"""Find the record files under data/ and load each one."""
from __future__ import annotations

import contextlib
import gc
import os
from dataclasses import dataclass
from pathlib import Path

from .cache import Entry, RecordCache
from .load import Document, load_bytes
from .problems import Problem

# Order matters only for display; every collection is a folder under data/.
COLLECTIONS = ("partners", "programmes", "organisations", "people", "events", "places", "phases", "sources")


@dataclass
class Record:
    collection: str
    id: str  # from the file name
    data: dict
    document: Document
    # what the file gave and its own checks found, kept in the cache (natoca/cache.py)
    entry: Entry | None = None

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
    found = []
    for folder, _, names in os.walk(data):  # os.walk: pathlib's rglob costs a tenth of a second per 10,000 files
        inside = Path(folder).relative_to(data).parts
        found.extend((*inside, name) for name in names if os.path.isfile(os.path.join(folder, name)))
    for parts in sorted(found):
        path = data.joinpath(*parts)
        relative = "/".join(("data",) + parts)
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


def load_records(root: Path, cache: RecordCache | None = None) -> tuple[dict[str, dict[str, Record]], list[Problem]]:
    """Every readable record by collection and id, with every problem met on the way.

    With a cache, a file whose bytes it holds is not parsed again (see natoca/cache.py).
    """
    cache = cache or RecordCache(None)
    files, problems = find_files(root)
    records: dict[str, dict[str, Record]] = {name: Collection() for name in COLLECTIONS}
    with no_cycle_collection():
        for collection, paths in files.items():
            for path in paths:
                display = f"data/{collection}/{path.name}"  # where find_files found it
                raw = path.read_bytes()
                digest = cache.digest(raw)
                entry = cache.get(display, digest)
                if entry is not None:  # positions, if ever needed, are read from the bytes
                    document = Document(display, entry.value, unlocated=raw if entry.value is not None else None)
                else:
                    document, found = load_bytes(raw, display)
                    entry = Entry(digest, document.value, found)
                    cache.put(display, entry)
                problems.extend(entry.load_problems)
                if document.value is not None:
                    records[collection][path.stem] = Record(collection, path.stem, document.value, document, entry)
                else:
                    records[collection].unreadable.add(path.stem)
    return records, problems


@contextlib.contextmanager
def no_cycle_collection():
    """Loading makes a great many objects and no reference cycles: the cyclic garbage collector
    would only walk them again and again (a fifth of the loading time), so it pauses meanwhile."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()
