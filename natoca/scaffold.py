"""`natoca new <collection> <id>`: write a skeleton record for a contributor to fill in.

The skeleton is made from the collection's JSON Schema, so it always holds every required
field. Each value still to be written is a placeholder starting with TODO; the check
reports every one of them, at its line, until it is replaced (see validate.is_placeholder).
"""
from __future__ import annotations

import json
import re
import unicodedata
from pathlib import Path

from .records import COLLECTIONS
from .validate import PLACEHOLDER, _valid_date

# The same rule as common.schema.json#/$defs/id (a test keeps them equal).
ID_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"
ID_MAX_LENGTH = 80
_ID = re.compile(ID_PATTERN)
_EVENT_DATE = re.compile(r"^([0-9]{4}(?:-[0-9]{2}(?:-[0-9]{2})?)?)-[a-z]")
_SINGULAR = {"partners": "partner country", "programmes": "programme", "organisations": "organisation",
             "people": "person", "events": "event", "places": "place", "phases": "phase", "sources": "source"}


class ScaffoldError(Exception):
    """The record cannot be created; the message says why and what to do instead."""


def suggest_id(text: str) -> str:
    """A valid id made from any text: 'Manas Airport' -> 'manas-airport'."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return "-".join(re.findall(r"[a-z0-9]+", ascii_text.lower()))[:ID_MAX_LENGTH].strip("-")


def check_id(root: Path, collection: str, record_id: str) -> Path:
    """The path the new record goes to; ScaffoldError if the id is malformed or taken."""
    if collection not in COLLECTIONS:
        raise ScaffoldError(f"unknown collection '{collection}': choose one of {', '.join(COLLECTIONS)}")
    well_formed = _ID.fullmatch(record_id) is not None
    if not well_formed or len(record_id) > ID_MAX_LENGTH:
        suggestion = suggest_id(record_id)
        hint = f" (try '{suggestion}')" if suggestion and suggestion != record_id else ""
        reason = f"longer than {ID_MAX_LENGTH} characters" if well_formed else "not a valid id: use lowercase letters, digits and single hyphens"
        raise ScaffoldError(f"'{record_id}' is {reason}{hint}")
    data = root / "data"
    if not data.is_dir():
        raise ScaffoldError(f"no data/ folder in {root}: run from the project folder or pass --root")
    for suffix in (".yaml", ".yml"):
        existing = data / collection / f"{record_id}{suffix}"
        if existing.exists():
            raise ScaffoldError(f"{_SINGULAR[collection]} '{record_id}' already exists: "
                                f"edit data/{collection}/{existing.name} instead, or choose another id")
    return data / collection / f"{record_id}.yaml"


class _Schemas:
    """The collection schemas, with `$ref`s resolved the way the validator reads them."""

    def __init__(self, folder: Path):
        self.documents = {path.name: json.loads(path.read_text(encoding="utf-8")) for path in folder.glob("*.schema.json")}

    def resolve(self, schema: dict, base: str) -> tuple[dict, str]:
        """The schema with its `$ref` target merged in (the referring schema's own words win)."""
        while "$ref" in schema:
            reference = schema["$ref"]
            document, _, pointer = reference.partition("#")
            document = document or base
            target = self.documents[document]
            for part in pointer.strip("/").split("/") if pointer.strip("/") else []:
                target = target[part]
            merged = {**target, **{k: v for k, v in schema.items() if k != "$ref"}}
            if "$ref" not in target:
                merged.pop("$ref", None)
            schema, base = merged, document
        return schema, base


def _scalar(text: str) -> str:
    """A YAML double-quoted scalar (JSON's escapes are YAML's)."""
    return json.dumps(text, ensure_ascii=False)


def _plain_or_quoted(text: str) -> str:
    """An id as YAML text: unquoted, as the records write ids, unless YAML would read it otherwise."""
    return _scalar(text) if _NOT_TEXT.match(text) or text in _KEYWORDS else text


# Ids (lowercase letters, digits, hyphens) that plain YAML reads as a number or a date.
_NOT_TEXT = re.compile(r"^[0-9]+(?:e-?[0-9]+)?$|^0o[0-7]+$|^0x[0-9a-f]+$|^[0-9]{4}-[0-9]{1,2}(?:-[0-9]{1,2})?$")
_KEYWORDS = {"true", "false", "null", "yes", "no", "on", "off", "y", "n"}


class _Writer:
    def __init__(self, schemas: _Schemas, collection: str, record_id: str, source_ids: list[str]):
        self.schemas = schemas
        self.collection = collection
        self.record_id = record_id
        self.source_ids = source_ids

    def record(self) -> list[str]:
        name = f"{self.collection}.schema.json"
        return self.mapping(self.schemas.documents[name], name, indent=0, top=True)

    def mapping(self, schema: dict, base: str, indent: int, top: bool = False) -> list[str]:
        lines: list[str] = []
        for key, sub in schema.get("properties", {}).items():
            if key in schema.get("required", []):
                resolved, sub_base = self.schemas.resolve(sub, base)
                lines += self.field(key, resolved, sub_base, indent, top)
        return lines

    def field(self, key: str, schema: dict, base: str, indent: int, top: bool) -> list[str]:
        pad = " " * indent
        description = " ".join(schema.get("description", schema.get("title", key)).split())
        if top and key == "id":
            return [f"{pad}id: {_plain_or_quoted(self.record_id)}"]
        if top and key == "date" and self.collection == "events":
            found = _EVENT_DATE.match(self.record_id)
            if found and _valid_date(found.group(1)):
                return [f'{pad}date: "{found.group(1)}"  # taken from the id: check it']
        if schema.get("type") == "object":
            return [f"{pad}{key}:"] + self.mapping(schema, base, indent + 2)
        if schema.get("type") == "array":
            items, items_base = self.schemas.resolve(schema.get("items", {}), base)
            if items.get("type") == "object":
                item = self.mapping(items, items_base, indent + 4)
                item[0] = f"{pad}  - " + item[0][indent + 4:]
                return [f"{pad}{key}:"] + item
            if "enum" in items:
                return [f"{pad}{key}: [{PLACEHOLDER}]  # one or more of: {', '.join(map(str, items['enum']))}"]
            return [f"{pad}{key}: [{PLACEHOLDER}]  # {description}"]
        if "enum" in schema:
            return [f"{pad}{key}: {PLACEHOLDER}  # one of: {', '.join(map(str, schema['enum']))}"]
        if schema.get("pattern") == ID_PATTERN:  # a reference to another record
            if key == "source" and self.source_ids:
                return [f"{pad}{key}: {PLACEHOLDER}  # id of a source: {', '.join(self.source_ids)}"]
            return [f"{pad}{key}: {PLACEHOLDER}  # {description}"]
        if schema.get("type") in ("integer", "number"):
            return [f"{pad}{key}: {PLACEHOLDER}  # a number, unquoted: {description}"]
        if "[0-9]{4}" in schema.get("pattern", ""):
            return [f"{pad}{key}: {_scalar(PLACEHOLDER + ': YYYY, YYYY-MM or YYYY-MM-DD')}  # {description}"]
        return [f"{pad}{key}: {_scalar(f'{PLACEHOLDER}: {description}')}"]


def skeleton(collection: str, record_id: str, schemas_folder: Path, source_ids: list[str] = ()) -> str:
    """The text of a new record: every required field, each value to write a TODO placeholder."""
    schemas = _Schemas(schemas_folder)
    schema = schemas.documents[f"{collection}.schema.json"]
    optional = [key for key in schema["properties"] if key not in schema.get("required", [])]
    lines = [
        f"# yaml-language-server: $schema=../../schemas/{collection}.schema.json",
        f"# A new {_SINGULAR[collection]}. Replace every {PLACEHOLDER}: `natoca check` lists each one, at its line, until it is filled in.",
        "# Statements are in our own words; each quote is copied verbatim from its source (at most 25 words).",
    ]
    if optional:
        lines.append(f"# Optional fields: {', '.join(optional)}. Field help: CONTRIBUTING.md, or hover in an editor with YAML support.")
    lines += _Writer(schemas, collection, record_id, list(source_ids)).record()
    return "\n".join(lines) + "\n"


def create(root: Path, collection: str, record_id: str, contract: Path | None = None) -> Path:
    """Write data/<collection>/<record_id>.yaml under root and return its path.

    The schemas come from `contract` (this project by default), as for the check.
    """
    from .pipeline import ROOT  # late: the pipeline imports the whole model

    path = check_id(root, collection, record_id)
    contract = contract or ROOT
    sources = sorted(p.stem for p in (root / "data" / "sources").glob("*.yaml"))
    text = skeleton(collection, record_id, contract / "schemas", sources)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        with open(path, "x", encoding="utf-8", newline="\n") as file:
            file.write(text)
    except FileExistsError:  # created meanwhile
        raise ScaffoldError(f"data/{collection}/{path.name} already exists: edit it instead, or choose another id") from None
    return path


def display(path: Path) -> str:
    """A path relative to the current folder when it is below it, else absolute."""
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return str(path)
