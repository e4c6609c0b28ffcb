"""The record cache (natoca/cache.py) saves time and never changes a result."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from conftest import MINIMAL, ROOT, problems_of
from natoca import cache, records

EVENT = "data/events/2005-05-andijan.yaml"
PLACE = "data/places/tashkent.yaml"
# One fault of each kind: found while loading, by the schema, by a record's own checks, across records.
FAULTS = [
    (EVENT, 'date: "2005-05"', "date: 2005-05-13"),
    (PLACE, "name: Tashkent", "name: [Tashkent]"),
    (EVENT, "talks were suspended and progress halted after", "talks were suspended and progress stopped after"),
    (EVENT, "partners: [uzbekistan]", "partners: [uzbekistn]"),
    (PLACE, "source: vinnikov-2009", "source: vinikov-2009"),
]


def faulty(tmp_path: Path) -> Path:
    root = tmp_path / "kb"
    shutil.copytree(MINIMAL / "data", root / "data")
    for file, old, new in FAULTS:
        path = root / file
        text = path.read_text(encoding="utf-8")
        assert old in text, (file, old)
        path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return root


@pytest.fixture
def parsed(monkeypatch) -> list[str]:
    """The files the pipeline parses (those the cache does not answer for), in order."""
    seen: list[str] = []
    original = records.load_bytes

    def counting(raw, display_path):
        seen.append(display_path)
        return original(raw, display_path)

    monkeypatch.setattr(records, "load_bytes", counting)
    return seen


def uncached(root: Path, monkeypatch) -> list[str]:
    with monkeypatch.context() as patch:
        patch.setenv("NATOCA_NO_CACHE", "1")
        return problems_of(root)


def test_a_second_run_parses_nothing_and_reports_the_same(tmp_path, parsed, monkeypatch):
    root = faulty(tmp_path)
    first = problems_of(root)
    assert len(parsed) == 9 and (root / cache.FOLDER / cache.FILE).is_file()
    assert len(first) == 5, first  # one per fault
    parsed.clear()
    assert problems_of(root) == first
    assert parsed == []
    assert uncached(root, monkeypatch) == first


def test_an_edited_file_alone_is_read_again(tmp_path, parsed):
    root = faulty(tmp_path)
    before = problems_of(root)
    path = root / EVENT
    path.write_text(path.read_text(encoding="utf-8").replace("date: 2005-05-13", 'date: "2005-05-13"'), encoding="utf-8")
    parsed.clear()
    after = problems_of(root)
    assert parsed == [EVENT]
    assert [p for p in before if "unquoted date" not in p] == after


def test_a_problem_across_records_in_an_unchanged_file_is_located(tmp_path, parsed, monkeypatch):
    """The cache keeps no positions: a problem found in a cached record reads them from its bytes."""
    root = faulty(tmp_path)
    problems_of(root)
    (root / "data/places/tashkent.yaml").unlink()  # the event refers to it
    parsed.clear()
    found = problems_of(root)
    assert parsed == []
    assert f"{EVENT}:5:8: unknown place 'tashkent': no file data/places/tashkent.yaml" in found
    assert found == uncached(root, monkeypatch)


def test_a_renamed_file_is_not_taken_for_the_old_one(tmp_path):
    root = faulty(tmp_path)
    problems_of(root)
    (root / EVENT).rename(root / "data/events/2005-05-andijon.yaml")
    assert "data/events/2005-05-andijon.yaml:1:5: id '2005-05-andijan' does not match the file name: the file must be 2005-05-andijan.yaml or the id '2005-05-andijon'" in problems_of(root)


@pytest.mark.parametrize("damage", [b"", b"not marshal data", b"\xe9" * 1000, None])
def test_a_damaged_cache_is_ignored(tmp_path, parsed, damage):
    root = faulty(tmp_path)
    expected = problems_of(root)
    stored = root / cache.FOLDER / cache.FILE
    stored.write_bytes(damage if damage is not None else stored.read_bytes()[: len(stored.read_bytes()) // 2])
    parsed.clear()
    assert problems_of(root) == expected
    assert len(parsed) == 9  # read afresh, and the cache written anew
    parsed.clear()
    assert problems_of(root) == expected and parsed == []


def test_a_cache_that_cannot_be_written_changes_nothing(tmp_path, parsed):
    root = faulty(tmp_path)
    (root / ".cache").write_text("a file where the cache folder would go", encoding="utf-8")
    expected = problems_of(root)
    parsed.clear()
    assert problems_of(root) == expected and len(parsed) == 9


def test_no_cache_when_turned_off(tmp_path, monkeypatch):
    root = faulty(tmp_path)
    uncached(root, monkeypatch)
    assert not (root / ".cache").exists()


def test_new_rules_invalidate_the_cache(tmp_path):
    """A change to a schema or a fingerprint (or to our code) changes the key every entry is stored under."""
    contract = tmp_path / "contract"
    for name in ("schemas", "fingerprints"):
        shutil.copytree(ROOT / name, contract / name)
    before = cache.rules_digest(contract)
    assert cache.rules_digest(contract) == before
    schema = contract / "schemas" / "places.schema.json"
    schema.write_text(schema.read_text(encoding="utf-8").replace('"name"', '"name" ', 1), encoding="utf-8")
    assert cache.rules_digest(contract) != before
    fingerprint = sorted((contract / "fingerprints").glob("*.json"))[0]
    changed = cache.rules_digest(contract)
    fingerprint.write_bytes(fingerprint.read_bytes() + b"\n")
    assert cache.rules_digest(contract) != changed


def test_a_cache_of_other_rules_is_not_used(tmp_path, parsed):
    root = faulty(tmp_path)
    expected = problems_of(root)
    stored = root / cache.FOLDER / cache.FILE
    import marshal

    content = marshal.loads(stored.read_bytes())
    content["rules"] = "other"
    for path, entry in content["files"].items():  # were it used, these values would show
        content["files"][path] = (entry[0], {"id": "forged"}, [], ([], []))
    stored.write_bytes(marshal.dumps(content))
    parsed.clear()
    assert problems_of(root) == expected and len(parsed) == 9
