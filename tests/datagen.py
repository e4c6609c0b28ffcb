"""Helpers the robustness tests share: the schemas walked alongside a record, and a YAML
writer whose output the strict loader reads back unchanged."""
from __future__ import annotations

import json

import yaml

from conftest import ROOT

SCHEMAS = {path.name: json.loads(path.read_text(encoding="utf-8")) for path in (ROOT / "schemas").glob("*.schema.json")}


def field_names() -> list[str]:
    """Every field name any schema defines."""
    names = set()

    def walk(node):
        if isinstance(node, dict):
            names.update(node.get("properties", {}))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(list(SCHEMAS.values()))
    return sorted(names)


def _resolve(document: dict, node: dict) -> tuple[dict, dict, str]:
    """Follow $refs; return the document, the node, and the name of the last definition."""
    name = ""
    while "$ref" in node:
        file, _, pointer = node["$ref"].partition("#")
        document = SCHEMAS[file] if file else document
        node = document
        for part in pointer.strip("/").split("/"):
            node = node[part]
        name = pointer.rsplit("/", 1)[-1]
    return document, node, name


def typed_leaves(collection: str, record: dict) -> list[tuple[tuple, str]]:
    """(path, definition) of every string value in a record whose schema names a common
    definition: 'text' (one line of plain text), 'markdown', 'url', 'id', 'date', ...
    A string with its own type in the schema (doi, isbn, quote) gives its field name."""
    found = []

    def walk(document, node, value, path):
        document, node, name = _resolve(document, node)
        if isinstance(value, str):
            found.append((path, name or str(path[-1])))
        elif isinstance(value, dict):
            for key, item in value.items():
                if key in node.get("properties", {}):
                    walk(document, node["properties"][key], item, path + (key,))
        elif isinstance(value, list) and "items" in node:
            for index, item in enumerate(value):
                walk(document, node["items"], item, path + (index,))

    schema = SCHEMAS[f"{collection}.schema.json"]
    walk(schema, schema, record, ())
    return found


def text_leaves(collection: str, record: dict) -> list[tuple[tuple, str]]:
    """(path, 'text' or 'markdown') of every free-text value in a record."""
    return [(path, kind) for path, kind in typed_leaves(collection, record) if kind in ("text", "markdown")]


def set_at(record, path: tuple, value) -> None:
    for step in path[:-1]:
        record = record[step]
    record[path[-1]] = value


class _Dumper(yaml.SafeDumper):
    """Every string double-quoted: PyYAML would leave "2006-01" plain, which the loader refuses."""


_Dumper.add_representer(str, lambda dumper, text: dumper.represent_scalar("tag:yaml.org,2002:str", text, style='"'))


def dump(record) -> str:
    return yaml.dump(record, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100)
