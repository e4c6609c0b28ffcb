"""Check the records: JSON Schema first, then what a schema cannot say.

Every problem in the whole data set is collected; nothing stops at the first.
"""
from __future__ import annotations

import calendar
import difflib
import json
import re
from pathlib import Path

from jsonschema import Draft202012Validator
from referencing import Registry, Resource

from .problems import Problem
from .quotes import MAX_WORDS, MIN_WORDS, Fingerprint, words
from .records import COLLECTIONS, Record

# Where each collection refers to others: a path pattern ('*' is any list item) and the target.
REFERENCES: dict[str, list[tuple[tuple, str]]] = {
    "partners": [
        (("capital",), "places"),
        (("phases", "*", "phase"), "phases"),
        (("participations", "*", "programme"), "programmes"),
        (("memberships", "*", "organisation"), "organisations"),
    ],
    "programmes": [
        (("launched_at",), "places"),
        (("parent",), "programmes"),
        (("related", "*"), "programmes"),
        (("organisations", "*"), "organisations"),
        (("places", "*"), "places"),
    ],
    "organisations": [(("parent",), "organisations"), (("headquarters",), "places")],
    "people": [
        (("roles", "*", "partner"), "partners"),
        (("roles", "*", "organisation"), "organisations"),
        (("roles", "*", "programme"), "programmes"),
    ],
    "events": [
        (("place",), "places"),
        (("partners", "*"), "partners"),
        (("programmes", "*"), "programmes"),
        (("organisations", "*"), "organisations"),
        (("people", "*"), "people"),
    ],
    "places": [(("partner",), "partners")],
    "phases": [],
    "sources": [(("authors", "*", "person"), "people")],
}
MARKDOWN_KEYS = {"summary", "text", "note"}
DATE_RANGES = [("joined", "left"), ("date", "end"), ("from", "to"), ("start", "end"), ("launched", "ended"), ("published", "updated")]
DATE_KEYS = {key for pair in DATE_RANGES for key in pair} | {"founded"}

# What `natoca new` writes where a value is still to come: a string starting with TODO.
PLACEHOLDER = "TODO"

_HTML = re.compile(r"<(?:[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?/?|/[A-Za-z][A-Za-z0-9-]*\s*|!--.*?--|![A-Za-z][^<>]*|\?[^<>]*)>", re.S)
_AUTOLINK = re.compile(r"<(?:[A-Za-z][A-Za-z0-9+.-]{1,31}:|/)[^\s<>]*>")  # any scheme: its target is checked below
_TEMPLATE = re.compile(r"\{\{|\}\}|\{%|%\}|\{#|#\}")
_LINK_TARGET = re.compile(r"\]\(\s*<?([^)\s>]*)")
_REFERENCE_TARGET = re.compile(r"^[ \t]*\[(?!\^)[^\]]*\]:[ \t]*\n?[ \t]*<?([^\s>]*)", re.M)  # [label]: target
_FOOTNOTE = re.compile(r"\[\^")
# site-relative is "/" then anything but a second slash or a backslash: "//host" and "/\host" go to another site
_SAFE_URL = re.compile(r"^(?:https?://[^\s]+|/(?![/\\])[^\s]*|#[^\s]*)$")


def load_schemas(folder: Path) -> dict[str, Draft202012Validator]:
    resources = []
    schemas = {}
    for path in sorted(folder.glob("*.schema.json")):
        schema = json.loads(path.read_text(encoding="utf-8"))
        resources.append((schema["$id"], Resource.from_contents(schema)))
        schemas[path.name.removesuffix(".schema.json")] = schema
    registry = Registry().with_resources(resources)
    return {name: Draft202012Validator(schemas[name], registry=registry) for name in COLLECTIONS if name in schemas}


def nearest(word: str, choices) -> str:
    match = difflib.get_close_matches(str(word), sorted(choices), n=1, cutoff=0.6)
    return f" (did you mean '{match[0]}'?)" if match else ""


def walk(value, pattern: tuple, path: tuple = ()):
    """Yield (path, value) for every place in `value` that matches the pattern."""
    if not pattern:
        yield path, value
        return
    step, rest = pattern[0], pattern[1:]
    if step == "*":
        if isinstance(value, list):
            for index, item in enumerate(value):
                yield from walk(item, rest, path + (index,))
    elif isinstance(value, dict) and step in value:
        yield from walk(value[step], rest, path + (step,))


def everything(value, path: tuple = ()):
    """Yield (path, value) for every value inside a record, the record first."""
    yield path, value
    if isinstance(value, dict):
        for key, item in value.items():
            yield from everything(item, path + (key,))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from everything(item, path + (index,))


def is_placeholder(value) -> bool:
    """True for a value `natoca new` left to be filled in (a string starting with TODO)."""
    return isinstance(value, str) and value.lstrip().startswith(PLACEHOLDER)


def shown(value, limit: int = 60) -> str:
    """A value as a one-line message shows it: line breaks spelled out, long text cut."""
    text = str(value).replace("\r", "\\r").replace("\n", "\\n")
    return text if len(text) <= limit else text[: limit - 1] + "…"


def describe(value) -> str:
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, (int, float)):
        return f"the unquoted number {value}"
    if value is None:
        return "nothing (an empty value)"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return f"the text '{shown(value)}'"


def schema_problem(record: Record, error) -> Problem:
    """One jsonschema error as a located problem with a message a contributor can act on."""
    path = tuple(error.absolute_path)
    line, column = record.at(path)
    where = ".".join(str(p) for p in path) or "record"
    kind = error.validator
    if kind == "required":
        missing = error.message.split("'")[1]
        message = f"missing required field '{missing}'" + ("" if not path else f" in {where}")
    elif kind == "additionalProperties":
        allowed = set(error.schema.get("properties", {}))
        extras = [key for key in error.instance if key not in allowed]
        key = extras[0] if extras else "?"
        line, column = record.document.key_position(path + (key,))
        message = f"unknown field '{shown(key)}'{nearest(key, allowed)}"
    elif kind == "type":
        expected = error.validator_value
        expected = " or ".join(expected) if isinstance(expected, list) else expected
        names = {"string": "text", "array": "a list", "object": "a mapping", "integer": "a whole number", "number": "a number"}
        wanted = names.get(expected, expected)
        message = f"{where}: expected {wanted}, got {describe(error.instance)}"
        if expected == "string" and isinstance(error.instance, (int, float)) and not isinstance(error.instance, bool):
            message += f': put it in quotes, "{error.instance}"'
    elif kind == "enum":
        options = ", ".join(str(v) for v in error.validator_value)
        message = f"{where}: '{shown(error.instance)}' is not one of: {options}{nearest(error.instance, [str(v) for v in error.validator_value])}"
    elif kind == "pattern":
        field = str(path[-1]) if path else ""
        pattern = error.validator_value
        if "[0-9]{4}" in pattern:
            message = f"{where}: '{shown(error.instance)}' is not a date: write YYYY, YYYY-MM or YYYY-MM-DD"
        elif pattern.startswith("^[a-z0-9]+"):
            message = f"{where}: '{shown(error.instance)}' is not a valid id: use lowercase letters, digits and single hyphens"
        elif "https?" in pattern:
            message = f"{where}: '{shown(error.instance)}' is not an allowed URL: use http(s):// or a site-relative /path"
        elif pattern == "^[^\\n]*$":
            message = f"{where}: must be one line"
        else:
            message = f"{where}: '{shown(error.instance)}' does not match {pattern} ({field})"
    elif kind == "minItems":
        message = f"{where}: needs at least {error.validator_value} item(s)"
    elif kind == "uniqueItems":
        message = f"{where}: has repeated items"
    elif kind in ("maxLength", "minLength"):
        message = f"{where}: text is too {'long' if kind == 'maxLength' else 'short'} (limit {error.validator_value} characters)"
    else:
        message = f"{where}: {shown(error.message, 200)}"
    return Problem(record.path, line, column, message)


def schema_problems(record: Record, error) -> list[Problem]:
    """Like schema_problem, but one problem per unknown field: a record with three stray keys gets three lines."""
    if error.validator != "additionalProperties" or not isinstance(error.instance, dict):
        return [schema_problem(record, error)]
    allowed = set(error.schema.get("properties", {}))
    path = tuple(error.absolute_path)
    return [
        Problem(record.path, *record.document.key_position(path + (key,)), f"unknown field '{shown(key)}'{nearest(key, allowed)}")
        for key in error.instance if key not in allowed
    ]


def date_parts(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.split("-"))


def date_problem(text: str) -> str | None:
    """Why a date string that has the right shape is still impossible, or None."""
    parts = date_parts(text)
    if len(parts) >= 2 and not 1 <= parts[1] <= 12:
        return f"'{text}' is not a real date: month {parts[1]:02d} does not exist"
    if len(parts) == 3 and not 1 <= parts[2] <= calendar.monthrange(parts[0], parts[1])[1]:
        return f"'{text}' is not a real date: {calendar.month_name[parts[1]]} {parts[0]} has no day {parts[2]}"
    return None


def earlier(a: str, b: str) -> bool:
    """True when date a is before date b at the precision both give."""
    pa, pb = date_parts(a), date_parts(b)
    common = min(len(pa), len(pb))
    return pa[:common] < pb[:common]


class Checker:
    """The schema, and the checks a schema cannot express, over the whole data set.

    A record's own checks (its schema, placeholders, dates, Markdown, quotes) depend on
    nothing but the record and the rules, so their result is kept with the record's cache
    entry and reused while its file is unchanged; the checks across records run every time.
    """

    def __init__(self, records: dict[str, dict[str, Record]], validators: dict[str, Draft202012Validator], fingerprints: dict[str, Fingerprint]):
        self.records = records
        self.validators = validators
        self.fingerprints = fingerprints
        self.problems: list[Problem] = []  # where add() puts a problem: the run's, or one record's own
        self.cited: set[str] = set()  # the sources the record being checked cites
        self._valid: dict[str, object] = {}

    def add(self, record: Record, path: tuple, message: str) -> None:
        self.problems.append(Problem(record.path, *record.at(path), message))

    def run(self) -> list[Problem]:
        for collection in COLLECTIONS:
            for record in self.records[collection].values():
                entry = record.entry
                own = entry.own if entry is not None else None
                if own is None:
                    own = self.own_checks(record)
                    if entry is not None:
                        entry.own = own
                problems, cited = own
                self.problems.extend(problems)
                self.check_id(record)
                self.check_references(record)
                self.check_sources(record, cited)
        return self.problems

    def own_checks(self, record: Record) -> tuple[list[Problem], list[str]]:
        """A record's own problems, and the source ids it cites (checked across records)."""
        run_problems, self.problems, self.cited = self.problems, [], set()
        try:
            self.check_schema(record)
            for path, value in everything(record.data):
                self.check_value(record, path, value)
            return self.problems, sorted(self.cited)
        finally:
            self.problems = run_problems

    def check_schema(self, record: Record) -> None:
        validator = self.validators[record.collection]
        if record.collection not in self._valid:
            self._valid[record.collection] = _valid_check(validator)
        valid = self._valid[record.collection]
        if valid is not None and valid(record.data):
            return  # certainly no schema error
        for error in validator.iter_errors(record.data):
            if not is_placeholder(error.instance):  # a placeholder is reported once, by check_value
                self.problems.extend(schema_problems(record, error))

    def check_sources(self, record: Record, cited: list[str]) -> None:
        """Each source a record quotes must exist, and have a fingerprint to find its quotes in."""
        for source in cited:
            known = _knows(self.records["sources"], source)
            if known and source in self.fingerprints:
                continue
            for path, value in everything(record.data):
                if _is_citation(value) and value["source"] == source:
                    if not known:
                        self.add(record, path + ("source",), f"unknown source '{shown(source)}'{nearest(source, self.records['sources'])}: no file data/sources/{shown(source)}.yaml")
                    else:
                        self.add(record, path + ("source",), f"no fingerprint for source '{source}': run scripts/fingerprint_sources.py")

    def check_id(self, record: Record) -> None:
        written = record.data.get("id")
        if isinstance(written, str) and written != record.id:
            self.add(record, ("id",), f"id '{written}' does not match the file name: the file must be {written}.yaml or the id '{record.id}'")
            other = self.records[record.collection].get(written)
            if other is not None:
                self.add(record, ("id",), f"id '{written}' is also used by {other.path}")

    def check_references(self, record: Record) -> None:
        for pattern, target in REFERENCES[record.collection]:
            for path, value in walk(record.data, pattern):
                if isinstance(value, str) and not is_placeholder(value) and not _knows(self.records[target], value):
                    self.add(record, path, f"unknown {target[:-1] if target != 'people' else 'person'} '{shown(value)}'{nearest(value, self.records[target])}: no file data/{target}/{shown(value)}.yaml")

    def check_value(self, record: Record, path: tuple, value) -> None:
        key = path[-1] if path else None
        if is_placeholder(value):
            where = ".".join(str(p) for p in path)
            self.add(record, path, f'{where}: fill in the placeholder "{shown(value)}"')
            return
        if isinstance(value, dict):
            if _is_citation(value):
                self.check_citation(record, path, value)
            for start, end in DATE_RANGES:
                a, b = value.get(start), value.get(end)
                if isinstance(a, str) and isinstance(b, str) and _valid_date(a) and _valid_date(b) and earlier(b, a):
                    self.add(record, path + (end,), f"{end} '{b}' is before {start} '{a}'")
        elif isinstance(value, str):
            if key in DATE_KEYS and _DATE_SHAPE.match(value):
                reason = date_problem(value)
                if reason:
                    self.add(record, path, reason)
            if key in MARKDOWN_KEYS:
                self.check_markdown(record, path, value)

    def check_markdown(self, record: Record, path: tuple, text: str) -> None:
        stripped = _AUTOLINK.sub("", text)
        html = _HTML.search(stripped)
        if html:
            self.add(record, path, f"raw HTML is not allowed in Markdown: {shown(html.group(0), 40)}")
        template = _TEMPLATE.search(text)
        if template:
            self.add(record, path, f"template syntax '{template.group(0)}' is not allowed in text")
        if _FOOTNOTE.search(text):
            self.add(record, path, "footnotes ([^...]) are not allowed in text: the page numbers its citations itself")
        for target in _LINK_TARGET.findall(text) + _REFERENCE_TARGET.findall(text) + [m.group(0)[1:-1] for m in _AUTOLINK.finditer(text)]:
            if not _SAFE_URL.match(target):
                self.add(record, path, f"link '{shown(target)}' is not allowed: use http(s):// or a site-relative /path")

    def check_citation(self, record: Record, path: tuple, citation: dict) -> None:
        source, quote = citation["source"], citation["quote"]
        if is_placeholder(source) or is_placeholder(quote):
            return  # reported as a placeholder
        self.cited.add(source)  # that it exists is checked across records, by check_sources
        if not isinstance(quote, str):
            return  # the schema reports it
        count = len(quote.split())
        if count > MAX_WORDS:
            self.add(record, path + ("quote",), f"quote has {count} words; at most {MAX_WORDS} are allowed")
            return
        found = words(quote)
        if len(found) < MIN_WORDS:
            self.add(record, path + ("quote",), f"quote is too short to find: give at least {MIN_WORDS} words")
            return
        fingerprint = self.fingerprints.get(source)
        if fingerprint is not None and fingerprint.locate_words(found) is None:  # without one, check_sources reports it
            self.add(record, path + ("quote",), f"quote not found in {source}: copy it verbatim from the text")


_DATE_SHAPE = re.compile(r"^[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?$")


def _is_citation(value) -> bool:
    return isinstance(value, dict) and isinstance(value.get("source"), str) and "quote" in value


def _knows(records: dict, id: str) -> bool:
    """Whether a record with this id exists (a file that could not be read counts: its problems are listed)."""
    return id in records or id in getattr(records, "unreadable", ())


def _valid_date(text: str) -> bool:
    return bool(_DATE_SHAPE.match(text)) and date_problem(text) is None


# Keywords that assert nothing (jsonschema checks no "format" unless given a format checker).
_ANNOTATIONS = {"$schema", "$id", "$defs", "$comment", "title", "description", "examples", "default", "deprecated", "readOnly", "writeOnly", "format"}
_TYPES = {
    "string": lambda v: isinstance(v, str),
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
    "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool) or isinstance(v, float) and v.is_integer(),
}


class _Unsupported(Exception):
    pass


def _valid_check(validator: Draft202012Validator):
    """A fast test that a value certainly meets the validator's schema, or None.

    jsonschema spends a millisecond per record; most records are valid. For the keywords
    our schemas use, this compiles the schema into plain Python tests. It answers True only
    where jsonschema finds no error (enum and uniqueItems are judged strictly); anything
    else, jsonschema itself checks, so the problems reported are exactly jsonschema's.
    """
    compiled: dict[int, list] = {}

    def compile_(schema, resolver):
        if schema is True:
            return lambda value: True
        if not isinstance(schema, dict):
            raise _Unsupported
        if id(schema) in compiled:  # a $ref met again (or a cycle): call through the cell
            cell = compiled[id(schema)]
            return lambda value: cell[0](value)
        cell = [None]
        compiled[id(schema)] = cell
        tests = []
        for key, rule in schema.items():
            if key in _ANNOTATIONS:
                continue
            if key == "$ref":
                resolved = resolver.lookup(rule)
                tests.append(compile_(resolved.contents, resolved.resolver))
            elif key == "type":
                kinds = [_TYPES[kind] for kind in ([rule] if isinstance(rule, str) else rule)]
                tests.append(lambda value, kinds=kinds: any(kind(value) for kind in kinds))
            elif key == "properties":
                checks = {name: compile_(sub, resolver) for name, sub in rule.items()}
                tests.append(lambda value, checks=checks: not isinstance(value, dict) or all(check(value[name]) for name, check in checks.items() if name in value))
            elif key == "required":
                tests.append(lambda value, names=tuple(rule): not isinstance(value, dict) or all(name in value for name in names))
            elif key == "additionalProperties" and rule is False:
                allowed = frozenset(schema.get("properties", {}))
                if "patternProperties" in schema:
                    raise _Unsupported
                tests.append(lambda value, allowed=allowed: not isinstance(value, dict) or allowed.issuperset(value))
            elif key == "items" and "prefixItems" not in schema:
                check = compile_(rule, resolver)
                tests.append(lambda value, check=check: not isinstance(value, list) or all(check(item) for item in value))
            elif key == "enum":
                options = tuple(rule)
                tests.append(lambda value, options=options: any(type(option) is type(value) and option == value for option in options))
            elif key == "pattern":
                pattern = re.compile(rule)
                tests.append(lambda value, pattern=pattern: not isinstance(value, str) or pattern.search(value) is not None)
            elif key in ("minLength", "maxLength", "minItems", "maxItems"):
                kind = str if key.endswith("Length") else list
                low = key.startswith("min")
                tests.append(lambda value, kind=kind, low=low, limit=rule: not isinstance(value, kind) or (len(value) >= limit if low else len(value) <= limit))
            elif key in ("minimum", "maximum"):
                low = key == "minimum"
                tests.append(lambda value, low=low, limit=rule: isinstance(value, bool) or not isinstance(value, (int, float)) or (value >= limit if low else value <= limit))
            elif key == "uniqueItems" and rule is True:
                # strings only: every other list goes to jsonschema, whose equality is subtler
                tests.append(lambda value: not isinstance(value, list) or all(isinstance(item, str) for item in value) and len(set(value)) == len(value))
            elif key == "uniqueItems" and rule is False:
                continue
            else:
                raise _Unsupported
        cell[0] = lambda value, tests=tuple(tests): all(test(value) for test in tests)
        return cell[0]

    try:
        return compile_(validator.schema, validator._resolver)
    except Exception:  # noqa: BLE001 - no fast test (an unknown keyword, say): jsonschema checks every record
        return None


def validate(records: dict[str, dict[str, Record]], validators: dict[str, Draft202012Validator], fingerprints: dict[str, Fingerprint]) -> list[Problem]:
    return Checker(records, validators, fingerprints).run()
