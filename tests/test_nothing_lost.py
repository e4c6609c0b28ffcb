"""Nothing lost: every record under data/ is on the real site and in its exports, whole.

These tests build the real site once (the session's `real_site` fixture) and compare it
with the YAML files as the strict loader reads them:
- each record has its page, which shows its name or title;
- each record is linked from its collection's index;
- each record is in `api/<collection>.json`, `api/all.json` and `api/<collection>/<id>.json`
  with every field equal,
  and in `api/<collection>.csv` with every field in its column (lists of ids joined by
  `; `, nested values as JSON);
- every participation and membership is a row of its relation table;
- exports list records in id order, so two builds list them alike.
"""
from __future__ import annotations

import csv
import html
import io
import json
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest

from conftest import ROOT
from natoca.load import load_document
from natoca.model import TITLE_FIELD
from natoca.records import COLLECTIONS


@pytest.fixture(scope="module")
def records() -> dict[str, dict[str, dict]]:
    """Every record of the real data, as the loader reads it: collection -> id -> fields."""
    found: dict[str, dict[str, dict]] = {name: {} for name in COLLECTIONS}
    for name in COLLECTIONS:
        for path in sorted((ROOT / "data" / name).glob("*.yaml")):
            document, problems = load_document(path, path.relative_to(ROOT).as_posix())
            assert problems == [], problems
            found[name][path.stem] = document.value
    assert sum(len(group) for group in found.values()) > 300
    return found


def _text(page: Path) -> str:
    return html.unescape(re.sub(r"<[^>]+>", " ", page.read_text(encoding="utf-8")))


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self.hrefs.extend(value for name, value in attrs if name == "href" and value)


def test_real_site_every_record_has_its_page(real_site, records):
    missing, unnamed = [], []
    for name, group in records.items():
        for id, record in group.items():
            page = real_site / name / id / "index.html"
            if not page.exists():
                missing.append(f"{name}/{id}")
                continue
            title = record.get(TITLE_FIELD.get(name, "name")) or id
            if " ".join(title.split()) not in " ".join(_text(page).split()):
                unnamed.append(f"{name}/{id}: {title!r}")
    assert missing == [], f"records without a page: {missing}"
    assert unnamed == [], f"pages that do not show their record's name: {unnamed}"


def test_real_site_every_record_is_in_its_collection_index(real_site, records):
    missing = []
    for name, group in records.items():
        index = real_site / name / "index.html"
        parser = _Links()
        parser.feed(index.read_text(encoding="utf-8"))
        base = f"https://example.org/site/{name}/"
        linked = {urlsplit(urljoin(base, href)).path for href in parser.hrefs}
        for id in group:
            if f"/site/{name}/{id}/" not in linked:
                missing.append(f"{name}/{id}")
    assert missing == [], f"records missing from their collection index: {missing}"


def test_real_site_every_record_is_in_the_json_exports_whole(real_site, records):
    everything = json.loads((real_site / "api" / "all.json").read_text(encoding="utf-8"))
    for name, group in records.items():
        export = json.loads((real_site / "api" / f"{name}.json").read_text(encoding="utf-8"))
        assert export["collection"] == name and export["count"] == len(group) == len(export["records"])
        exported = {record["id"]: record for record in export["records"]}
        assert [record["id"] for record in export["records"]] == sorted(group), f"{name}.json: not in id order"
        for id, record in group.items():
            assert exported[id] == dict(record, page=f"/{name}/{id}/"), f"{name}/{id} differs in {name}.json"
        assert {record["id"]: record for record in everything[name]} == group, f"all.json differs in {name}"
        for id, record in group.items():  # and each record in a file of its own, linked from its page
            own = json.loads((real_site / "api" / name / f"{id}.json").read_text(encoding="utf-8"))
            assert own == {"collection": name, "record": dict(record, page=f"/{name}/{id}/")}, f"api/{name}/{id}.json differs"
            assert f'href="../../api/{name}/{id}.json"' in (real_site / name / id / "index.html").read_text(encoding="utf-8")
        assert sorted(path.stem for path in (real_site / "api" / name).glob("*.json")) == sorted(group)


def _cell(value) -> str:
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return "; ".join(value)
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return "" if value is None else str(value)


def test_real_site_every_record_is_in_the_csv_exports_whole(real_site, records):
    for name, group in records.items():
        rows = list(csv.DictReader(io.StringIO((real_site / "api" / f"{name}.csv").read_text(encoding="utf-8"))))
        assert [row["id"] for row in rows] == sorted(group), f"{name}.csv: not one row per record in id order"
        columns = set(rows[0])
        assert {key for record in group.values() for key in record} <= columns, f"{name}.csv lacks a column"
        for row in rows:
            record = group[row["id"]]
            for key in columns:
                expected = _cell(record.get(key))
                if isinstance(record.get(key), list) and record[key] and not all(isinstance(i, str) for i in record[key]):
                    assert json.loads(row[key]) == record[key], f"{name}/{row['id']}.{key}"
                else:
                    assert row[key] == expected, f"{name}/{row['id']}.{key}"


@pytest.mark.parametrize("kind, key", [("participations", "programme"), ("memberships", "organisation")])
def test_real_site_every_relation_is_a_row(real_site, records, kind, key):
    rows = list(csv.DictReader(io.StringIO((real_site / "api" / f"{kind}.csv").read_text(encoding="utf-8"))))
    exported = [(row["partner"], row[key], row["status"], row["joined"], row["left"]) for row in rows]
    expected = [(partner_id, item[key], item["status"], item.get("joined", ""), item.get("left", ""))
                for partner_id, partner in sorted(records["partners"].items()) for item in partner.get(kind, [])]
    assert exported == expected
