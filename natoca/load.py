"""Load YAML records without letting YAML change a value behind our back.

PyYAML's loaders resolve YAML 1.1 types: `2006-01-15` becomes a date, `NO` becomes
False, and aliases can expand into huge documents. Here we read PyYAML's event
stream ourselves and build plain values with YAML 1.2 core rules: `yes`, `no`,
`on` and `off` stay strings, an unquoted date is refused, anchors, aliases and
tags are refused, and every value keeps its line and column.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .problems import Problem

MAX_BYTES = 256 * 1024
MAX_DEPTH = 12

_NULL = re.compile(r"^(?:~|null|Null|NULL|)$")
_BOOL = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}
_INT = re.compile(r"^[-+]?[0-9]+$|^0o[0-7]+$|^0x[0-9a-fA-F]+$")
_FLOAT = re.compile(r"^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$|^[-+]?\.(?:inf|Inf|INF)$|^\.(?:nan|NaN|NAN)$")
_DATE_LIKE = re.compile(r"^[0-9]{4}-[0-9]{1,2}(?:-[0-9]{1,2})?(?:[Tt ].*)?$")

Path_ = tuple  # a path into a record: keys and list indexes


@dataclass
class Document:
    """One loaded YAML file: its value and where each part of it stands."""

    path: str
    value: object = None
    # position of each value, and of each mapping key, by path (1-based line, column)
    positions: dict[Path_, tuple[int, int]] = field(default_factory=dict)
    key_positions: dict[Path_, tuple[int, int]] = field(default_factory=dict)

    def position(self, at: Path_) -> tuple[int, int]:
        """The position of the value at `at`, or of its nearest located parent."""
        at = tuple(at)
        while at not in self.positions and at:
            at = at[:-1]
        return self.positions.get(at, (1, 1))

    def key_position(self, at: Path_) -> tuple[int, int]:
        at = tuple(at)
        return self.key_positions.get(at) or self.position(at)


class _Builder:
    """Turns PyYAML events into plain values, recording problems as it goes."""

    def __init__(self, document: Document, problems: list[Problem]):
        self.document = document
        self.problems = problems

    def problem(self, mark, message: str) -> None:
        self.problems.append(Problem(self.document.path, mark.line + 1, mark.column + 1, message))

    def scalar(self, event: yaml.ScalarEvent):
        text = event.value
        if event.style is not None or not event.implicit[0]:
            return text  # quoted or block scalar: always a string
        if _NULL.match(text):
            return None
        if text in _BOOL:
            return _BOOL[text]
        if _INT.match(text):
            return int(text, 0) if text[:2] in ("0o", "0x") else int(text)
        if _FLOAT.match(text):
            lowered = text.lower()
            if lowered.endswith(".inf"):
                return float("-inf" if text.startswith("-") else "inf")
            return float("nan") if lowered.endswith(".nan") else float(text)
        if _DATE_LIKE.match(text):
            self.problem(event.start_mark, f'unquoted date {text}: write it as a quoted string, "{text}"')
        return text

    def build(self, events) -> None:
        # stack of (container, path, pending key) for open mappings and sequences
        stack: list[list] = []
        documents = 0
        for event in events:
            if isinstance(event, yaml.DocumentStartEvent):
                documents += 1
                if documents > 1:
                    self.problem(event.start_mark, "a file holds one record: remove the second document (---)")
                    return
                continue
            if isinstance(event, (yaml.StreamStartEvent, yaml.StreamEndEvent, yaml.DocumentEndEvent)):
                continue
            if isinstance(event, yaml.AliasEvent):
                self.problem(event.start_mark, f"YAML aliases (*{event.anchor}) are not allowed: write the value out")
                self._place(stack, None, event, is_container=False)
                continue
            anchor = getattr(event, "anchor", None)
            if anchor is not None:
                self.problem(event.start_mark, f"YAML anchors (&{anchor}) are not allowed: write the value out")
            tag = getattr(event, "tag", None)
            if tag not in (None, "!"):
                self.problem(event.start_mark, f"YAML tags ({tag}) are not allowed")
            if isinstance(event, yaml.ScalarEvent):
                self._place(stack, self.scalar(event), event, is_container=False)
            elif isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
                container = {} if isinstance(event, yaml.MappingStartEvent) else []
                path = self._place(stack, container, event, is_container=True)
                if len(stack) >= MAX_DEPTH:
                    self.problem(event.start_mark, f"nesting deeper than {MAX_DEPTH} levels")
                    raise _Abandon
                stack.append([container, path, _NO_KEY])
            elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
                stack.pop()

    def _place(self, stack, value, event, is_container: bool):
        """Attach a value to the open container (or make it the document)."""
        mark = event.start_mark
        if not stack:
            self.document.value = value
            self.document.positions[()] = (mark.line + 1, mark.column + 1)
            return ()
        top = stack[-1]
        container, path = top[0], top[1]
        if isinstance(container, list):
            item_path = path + (len(container),)
            container.append(value)
            self.document.positions[item_path] = (mark.line + 1, mark.column + 1)
            return item_path
        if top[2] is _NO_KEY:  # this value is a key
            if is_container:
                self.problem(mark, "a mapping key must be plain text, not a list or mapping")
                raise _Abandon
            key = value if isinstance(value, str) else str(value).lower() if isinstance(value, bool) else str(value)
            if key in container:
                first = self.document.key_positions.get(path + (key,), (0, 0))
                self.problem(mark, f"duplicate key '{key}' (first at line {first[0]})")
                key = _Duplicate(key)
            top[2] = key
            self.document.key_positions.setdefault(path + (key,), (mark.line + 1, mark.column + 1))
            return None
        key = top[2]
        top[2] = _NO_KEY
        if isinstance(key, _Duplicate):
            return path + ("<duplicate>",)  # the first value stays; the duplicate was reported
        container[key] = value
        self.document.positions[path + (key,)] = (mark.line + 1, mark.column + 1)
        return path + (key,)


class _Duplicate(str):
    pass


class _Abandon(Exception):
    """The file cannot be read further; its problem is already reported."""


_NO_KEY = object()


def _text_problems(path: str, raw: bytes, problems: list[Problem]) -> str | None:
    """Decode a file's bytes, reporting what YAML would choke on in a way we can explain."""
    if len(raw) > MAX_BYTES:
        problems.append(Problem(path, 1, 1, f"file is {len(raw)} bytes; a record may be at most {MAX_BYTES} bytes"))
        return None
    if raw.startswith(b"\xef\xbb\xbf"):
        problems.append(Problem(path, 1, 1, "file starts with a byte-order mark (BOM): save it as UTF-8 without BOM"))
        return None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        before = raw[: error.start]
        line = before.count(b"\n") + 1
        column = len(before) - (before.rfind(b"\n") + 1) + 1
        problems.append(Problem(path, line, column, f"not valid UTF-8 (byte 0x{raw[error.start]:02x}): save the file as UTF-8"))
        return None
    if not text.strip() or all(not line.strip() or line.lstrip().startswith("#") for line in text.splitlines()):
        problems.append(Problem(path, 1, 1, "file is empty: a record is a mapping of fields, starting with id:"))
        return None
    found_tab = False
    for number, line in enumerate(text.splitlines(), 1):
        indent = len(line) - len(line.lstrip(" \t"))
        if "\t" in line[:indent]:
            problems.append(Problem(path, number, line.index("\t") + 1, "tab in indentation: indent with spaces"))
            found_tab = True
    return None if found_tab else text


def load_document(file: Path, display_path: str) -> tuple[Document, list[Problem]]:
    """Load one YAML file. Returns the document (value None when unreadable) and its problems."""
    problems: list[Problem] = []
    document = Document(display_path)
    text = _text_problems(display_path, file.read_bytes(), problems)
    if text is None:
        return document, problems
    try:
        _Builder(document, problems).build(yaml.parse(text, Loader=yaml.SafeLoader))
    except _Abandon:
        document.value = None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        reason = error.problem or "syntax error"
        if error.context:
            reason = f"{error.context}, {reason}"
        problems.append(Problem(display_path, line, column, f"YAML syntax error: {reason}"))
        document.value = None
    except yaml.reader.ReaderError as error:  # a control character the reader refuses
        before = text[: error.position]
        line, column = before.count("\n") + 1, len(before) - (before.rfind("\n") + 1) + 1
        problems.append(Problem(display_path, line, column, f"character {error.character!r} is not allowed in YAML"))
        document.value = None
    if document.value is not None and not isinstance(document.value, dict):
        kind = "a list" if isinstance(document.value, list) else "a single value"
        problems.append(Problem(display_path, *document.position(()), f"a record must be a mapping of fields, not {kind}"))
        document.value = None
    return document, problems
