"""Remember what loading and checking each record file found, keyed by the file's bytes.

A file whose path and bytes are unchanged since the last run, under unchanged rules (this
package's code, the schemas, the source fingerprints, the Python version), is neither
parsed nor checked again: its value and its own problems come from
.cache/natoca/records.marshal. The checks across records (ids, references, sources) run
every time. The cache only saves time: a missing, stale or unreadable cache is rebuilt and
never changes a result; NATOCA_NO_CACHE=1 turns it off.

marshal, not pickle: it holds plain values only, and loading it runs no code.
"""
from __future__ import annotations

import hashlib
import marshal
import os
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from .problems import Problem

PACKAGE = Path(__file__).resolve().parent
FOLDER = Path(".cache") / "natoca"
FILE = "records.marshal"


def rules_digest(contract: Path) -> str:
    """What a file's cached results depend on besides its bytes: our code, schemas and fingerprints."""
    digest = hashlib.sha256(f"{sys.version}\n{marshal.version}\n".encode())
    for folder, pattern in ((PACKAGE, "*.py"), (contract / "schemas", "*.json"), (contract / "fingerprints", "*.json")):
        for path in sorted(folder.glob(pattern)):
            digest.update(f"{path.name}\n".encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def _problems(rows) -> list[Problem]:
    return [Problem(*row) for row in rows]


def _rows(problems: list[Problem]) -> list[tuple]:
    return [(p.path, p.line, p.column, p.message) for p in problems]


def folder(root: Path, name: str) -> Path | None:
    """A folder for another cache of this project (compiled templates, say), or None when caches are off."""
    return None if os.environ.get("NATOCA_NO_CACHE") else root / FOLDER / name


@dataclass
class Entry:
    """What one file gave: its value (None if unreadable), the problems of loading it, and the
    results of its own checks (None until checked)."""

    digest: bytes
    value: object
    load_problems: list[Problem]
    own: tuple | None = None  # (problems, cited source ids), see validate.own_checks
    changed: bool = True  # not as the cache holds it: the cache is written again


@dataclass
class RecordCache:
    folder: Path | None  # None: nothing is read or written
    rules: str = ""
    previous: dict[str, tuple] = field(default_factory=dict)
    current: dict[str, Entry] = field(default_factory=dict)

    @classmethod
    def open(cls, root: Path, contract: Path) -> "RecordCache":
        if os.environ.get("NATOCA_NO_CACHE"):
            return cls(None)
        cache = cls(root / FOLDER, rules_digest(contract))
        try:
            stored = marshal.loads((cache.folder / FILE).read_bytes())
            if isinstance(stored, dict) and stored.get("rules") == cache.rules:
                cache.previous = stored["files"]
        except (OSError, EOFError, ValueError, TypeError, KeyError):
            pass  # no cache yet, or one from another version: every file is read afresh
        return cache

    @staticmethod
    def digest(raw: bytes) -> bytes:
        return hashlib.blake2b(raw, digest_size=16).digest()

    def get(self, path: str, digest: bytes) -> Entry | None:
        """The entry of a file whose bytes are unchanged, or None."""
        stored = self.previous.get(path)
        if stored is None or stored[0] != digest:
            return None
        _, value, load_rows, own = stored
        # an entry not yet checked is checked now, and so changes
        entry = Entry(digest, value, _problems(load_rows), None if own is None else (_problems(own[0]), own[1]), changed=own is None)
        self.current[path] = entry
        return entry

    def put(self, path: str, entry: Entry) -> None:
        self.current[path] = entry

    def save(self) -> None:
        """Write this run's entries (only the files that exist now), if any changed."""
        if self.folder is None or self.current.keys() == self.previous.keys() and not any(e.changed for e in self.current.values()):
            return
        files = {
            path: (e.digest, e.value, _rows(e.load_problems), None if e.own is None else (_rows(e.own[0]), list(e.own[1])))
            for path, e in self.current.items()
        }
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            # a temporary file swapped in: a reader never sees half a cache
            handle, temporary = tempfile.mkstemp(dir=self.folder, prefix=".records-")
            with os.fdopen(handle, "wb") as out:
                out.write(marshal.dumps({"rules": self.rules, "files": files}))
            os.replace(temporary, self.folder / FILE)
        except (OSError, ValueError):
            pass  # a read-only checkout, say: the next run reads every file again
