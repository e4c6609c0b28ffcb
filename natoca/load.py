"""Load YAML records without letting YAML change a value behind our back.

PyYAML's loaders resolve YAML 1.1 types: `2006-01-15` becomes a date, `NO` becomes
False, and aliases can expand into huge documents. Here we read PyYAML's event
stream ourselves and build plain values with YAML 1.2 core rules: `yes`, `no`,
`on` and `off` stay strings, an unquoted date is refused, anchors, aliases and
tags are refused, and every value keeps its line and column.

Positions are read when first asked for: loading skips them (most records never need
one), and a document keeps its text to read them from when a problem must be located.
"""
from __future__ import annotations

import math
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
# Characters a YAML escape ("\0", "\ud800") can put in a string but no page or export can hold:
# C0 controls but tab and newline, DEL, C1 controls, lone surrogates, non-characters.
_FORBIDDEN = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")

# Line breaks: those editors show, and those only YAML counts (NEL, LINE and PARAGRAPH SEPARATOR).
_LINE_BREAK = re.compile("\r\n|\r|\n")
_ODD_BREAK = re.compile("[\x85\u2028\u2029]")

Path_ = tuple  # a path into a record: keys and list indexes


@dataclass
class Document:
    """One loaded YAML file: its value and where each part of it stands."""

    path: str
    value: object = None
    # position of each value, and of each mapping key, by path (1-based line, column)
    positions: dict[Path_, tuple[int, int]] = field(default_factory=dict)
    key_positions: dict[Path_, tuple[int, int]] = field(default_factory=dict)
    # the file's text (or bytes), kept until positions are first asked for
    unlocated: str | bytes | None = None

    def _locate(self) -> None:
        if self.unlocated is None:
            return
        text, self.unlocated = self.unlocated, None
        located = Document(self.path)
        try:
            _parse(located, [], text.decode("utf-8") if isinstance(text, bytes) else text, locate=True)
        except Exception:  # noqa: BLE001 - the text loaded before, so this does not happen; (1, 1) if it did
            return
        self.positions, self.key_positions = located.positions, located.key_positions

    def position(self, at: Path_) -> tuple[int, int]:
        """The position of the value at `at`, or of its nearest located parent."""
        self._locate()
        at = tuple(at)
        while at not in self.positions and at:
            at = at[:-1]
        return self.positions.get(at, (1, 1))

    def key_position(self, at: Path_) -> tuple[int, int]:
        self._locate()
        at = tuple(at)
        return self.key_positions.get(at) or self.position(at)


class _Builder:
    """Turns PyYAML events into plain values, recording problems as it goes."""

    def __init__(self, document: Document, problems: list[Problem], locate: bool):
        self.document = document
        self.problems = problems
        self.locate = locate  # record each value's position (else only problems are located)

    def problem(self, mark, message: str) -> None:
        self.problems.append(Problem(self.document.path, mark.line + 1, mark.column + 1, message))

    def scalar(self, event: yaml.ScalarEvent):
        text = event.value
        bad = _FORBIDDEN.search(text)
        if bad:
            self.problem(event.start_mark, f"unprintable character U+{ord(bad.group()):04X} in text: remove it")
        if event.style is not None or not event.implicit[0]:
            return text  # quoted or block scalar: always a string
        if _NULL.match(text):
            return None
        if text in _BOOL:
            return _BOOL[text]
        if _INT.match(text):
            try:
                return int(text, 0) if text[:2] in ("0o", "0x") else int(text)
            except ValueError:  # more digits than Python converts: no real number has them
                return text
        if _FLOAT.match(text):
            # .nan, .inf and overflowing numbers stay text: no field takes them, and JSON cannot hold them
            if text.lower().lstrip("+-") in (".inf", ".nan"):
                return text
            number = float(text)
            return number if math.isfinite(number) else text
        if _DATE_LIKE.match(text):
            self.problem(event.start_mark, f'unquoted date {text}: write it as a quoted string, "{text}"')
        return text

    def build(self, events) -> None:
        # stack of (container, path, pending key) for open mappings and sequences
        stack: list[list] = []
        documents = 0
        reported_aliases: set[tuple[str, int]] = set()
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
                # once per alias and line: `[*a, *a, *a]` (an alias bomb, say) is one problem to fix, not three
                if (event.anchor, event.start_mark.line) not in reported_aliases:
                    reported_aliases.add((event.anchor, event.start_mark.line))
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
            if self.locate:
                self.document.positions[item_path] = (mark.line + 1, mark.column + 1)
            return item_path
        if top[2] is _NO_KEY:  # this value is a key
            if is_container:
                self.problem(mark, "a mapping key must be plain text, not a list or mapping")
                raise _Abandon
            key = value if isinstance(value, str) else "null" if value is None else str(value).lower() if isinstance(value, bool) else str(value)
            if key in container:
                if not self.locate:
                    raise _Relocate  # the message names the first key's line: read again with positions
                first = self.document.key_positions.get(path + (key,), (0, 0))
                self.problem(mark, f"duplicate key '{key}' (first at line {first[0]})")
                key = _Duplicate(key)
            top[2] = key
            if self.locate:
                self.document.key_positions.setdefault(path + (key,), (mark.line + 1, mark.column + 1))
            return None
        key = top[2]
        top[2] = _NO_KEY
        if isinstance(key, _Duplicate):
            return path + ("<duplicate>",)  # the first value stays; the duplicate was reported
        container[key] = value
        if self.locate:
            self.document.positions[path + (key,)] = (mark.line + 1, mark.column + 1)
        return path + (key,)


class _Duplicate(str):
    pass


class _Abandon(Exception):
    """The file cannot be read further; its problem is already reported."""


class _Relocate(Exception):
    """A problem needs the positions a reading without them did not keep: read again with them."""


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
    lines = _LINE_BREAK.split(text)  # as YAML and editors count lines (not as str.splitlines does)
    odd = [(number, match) for number, line in enumerate(lines, 1) for match in _ODD_BREAK.finditer(line)]
    for number, match in odd:
        problems.append(Problem(path, number, match.start() + 1, f"unusual line break U+{ord(match.group()):04X} in the file: remove it, or use a plain line break"))
    if odd:  # YAML would start a new line there and every line number after it would be off
        return None
    found_tab = False
    for number, line in enumerate(lines, 1):
        indent = len(line) - len(line.lstrip(" \t"))
        if "\t" in line[:indent]:
            problems.append(Problem(path, number, line.index("\t") + 1, "tab in indentation: indent with spaces"))
            found_tab = True
    return None if found_tab else text


# What PyYAML "expected <block end>, but found X" means where a record's block ends too early.
_UNEXPECTED = {
    "'<block mapping start>'": "a key indented differently from the keys above it: check the indentation (the block starts at line {line})",
    "'-'": "a list item ('-') where a key was expected: check the indentation (the block starts at line {line})",
    "'?'": "a key where a list item ('-') was expected: check the indentation (the list starts at line {line})",
    "'<scalar>'": "more text where the value should have ended: quote the whole value, or check the indentation",
    "']'": "a ']' that closes nothing: remove it, or add the '[' it closes",
    "'}'": "a '}}' that closes nothing: remove it, or add the '{{' it closes",
}
_FLOW = {"while parsing a flow sequence": ("[", "]"), "while parsing a flow mapping": ("{", "}")}
_KEY_OR_ITEM = re.compile(r"^\s*(?:-\s|[^\s:#'\"][^:#]*:(?:\s|$))")


def _runaway_quote(text: str, mark) -> tuple[tuple[int, int], int] | None:
    """Where a quote left open swallowed the next lines, the parser fails lines later.

    Find the quoted text just before the failure that spans lines which look like keys or
    list items, and return where it opens (line, column) and the line it runs on to.
    """
    if mark is None:
        return None
    tokens = []
    try:
        for token in yaml.scan(text, Loader=yaml.SafeLoader):
            if token.start_mark.index >= mark.index:
                break
            tokens.append(token)
    except yaml.YAMLError:
        pass
    for token in tokens[-3:]:
        if isinstance(token, yaml.ScalarToken) and token.style in ("'", '"') and token.end_mark.line > token.start_mark.line:
            swallowed = text[token.start_mark.index:token.end_mark.index].splitlines()[1:]
            if any(_KEY_OR_ITEM.match(line) for line in swallowed):
                return (token.start_mark.line + 1, token.start_mark.column + 1), token.end_mark.line + 1
    return None


_LIBYAML = getattr(yaml, "CSafeLoader", None)  # PyYAML's binding to libyaml, where it was built with it
# Where libyaml and PyYAML part ways (tabs, a BOM inside the text, other controls, unusual line
# breaks): such a file is read by PyYAML alone.
_LIBYAML_DIFFERS = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\ufeff]")
_FLOW_PLAIN_DIFFERS = re.compile(r"[?:#,\[\]{}]")  # in an unquoted item of [...] or {...}
_BLOCK_HEADER = re.compile(r"[|>][-+]?[1-9]?[-+]?(?: +(?:#[^\n]*)?)?\n")


def _build_fast(document: Document, problems: list[Problem], text: str, locate: bool) -> bool:
    """Build the document from libyaml's events, some twenty times faster than PyYAML's own parser.

    libyaml gives the same events (a plain scalar's style aside, '' for None). Only a file free
    of the characters the two treat differently, that libyaml reads to the end without an
    error, is taken from it; for any other the caller parses again with PyYAML, so every
    problem is reported exactly as PyYAML's parser finds it.
    """
    if _LIBYAML is None or _LIBYAML_DIFFERS.search(text):
        return False
    ended = []

    def events():
        flow = 0  # depth of [...] and {...}
        for event in yaml.parse(text, Loader=_LIBYAML):
            kind = event.__class__
            if getattr(event, "tag", None) is not None or getattr(event, "anchor", None) is not None or kind is yaml.AliasEvent:
                raise _Abandon  # refused anyway, and libyaml reads some (`a: !`) otherwise: PyYAML decides
            if kind is yaml.ScalarEvent and not event.style:
                event.style = None
                if not event.value or flow and _FLOW_PLAIN_DIFFERS.search(event.value):
                    raise _Abandon  # an empty value (placed elsewhere by libyaml), or `[a?b]` (refused by PyYAML)
            elif kind is yaml.ScalarEvent and event.style in "|>" and not _BLOCK_HEADER.match(text, event.start_mark.index):
                raise _Abandon  # libyaml takes `|-#` as a header, PyYAML wants a space before the comment
            elif kind is yaml.SequenceStartEvent or kind is yaml.MappingStartEvent:
                flow += bool(flow or event.flow_style)
            elif (kind is yaml.SequenceEndEvent or kind is yaml.MappingEndEvent) and flow:
                flow -= 1
            elif kind is yaml.StreamEndEvent:
                ended.append(event)
            yield event

    trial, found = Document(document.path), []
    try:
        _Builder(trial, found, locate).build(events())
    except _Relocate:
        raise
    except Exception:  # noqa: BLE001 - any failure: PyYAML reads the file again and says why
        return False
    if not ended:  # stopped early (a second document): PyYAML reads it again
        return False
    document.value, document.positions, document.key_positions = trial.value, trial.positions, trial.key_positions
    problems.extend(found)
    return True


def _parse(document: Document, problems: list[Problem], text: str, locate: bool) -> None:
    if not _build_fast(document, problems, text, locate):
        _Builder(document, problems, locate).build(yaml.parse(text, Loader=yaml.SafeLoader))


def load_document(file: Path, display_path: str) -> tuple[Document, list[Problem]]:
    """Load one YAML file. Returns the document (value None when unreadable) and its problems."""
    return load_bytes(file.read_bytes(), display_path)


def load_bytes(raw: bytes, display_path: str) -> tuple[Document, list[Problem]]:
    """load_document() for a file's bytes, already read."""
    problems: list[Problem] = []
    document = Document(display_path)
    text = _text_problems(display_path, raw, problems)
    if text is None:
        return document, problems
    try:
        try:
            _parse(document, problems, text, locate=False)
            document.unlocated = text
        except _Relocate:
            document, problems[:] = Document(display_path), []
            _text_problems(display_path, raw, problems)
            _parse(document, problems, text, locate=True)
    except _Abandon:
        document.value = None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        reason = error.problem or "syntax error"
        runaway = _runaway_quote(text, mark)
        if runaway:
            (line, column), end = runaway
            reason = f"the quote opened here is not closed on its line (it runs on to line {end}): add the closing quote"
        elif error.context == "while scanning a quoted scalar" and error.context_mark:
            line, column = error.context_mark.line + 1, error.context_mark.column + 1
            reason = "the quote opened here is never closed: add the closing quote"
        elif error.context in _FLOW and error.context_mark and mark.line > error.context_mark.line:
            opener, closer = _FLOW[error.context]
            line, column = error.context_mark.line + 1, error.context_mark.column + 1
            reason = f"the {opener} opened here is not closed: {reason} at line {mark.line + 1}, column {mark.column + 1}; add the {closer}"
        elif reason.startswith("expected <block end>, but found ") and error.context_mark:
            found = reason.removeprefix("expected <block end>, but found ")
            reason = _UNEXPECTED.get(found, f"{found} is out of place: check the indentation (the block starts at line {{line}})").format(line=error.context_mark.line + 1)
        elif reason == "mapping values are not allowed here":
            reason += ": put a value holding ': ' in quotes, or check the indentation"
        elif "'\\t'" in reason:
            reason = "a tab where YAML allows only spaces: use spaces"
        elif error.context:
            reason = f"{error.context}, {reason}"
        problems.append(Problem(display_path, line, column, f"YAML syntax error: {reason}"))
        document.value = None
    except yaml.reader.ReaderError as error:  # a control character the reader refuses
        before = text[: error.position]
        line, column = before.count("\n") + 1, len(before) - (before.rfind("\n") + 1) + 1
        code = error.character if isinstance(error.character, int) else ord(str(error.character)[:1] or "\0")
        problems.append(Problem(display_path, line, column, f"unprintable character U+{code:04X} in the file: remove it"))
        document.value = None
    if document.value is None and not problems:  # `~`, `null` or a lone `---`: nothing, not a record
        problems.append(Problem(display_path, 1, 1, "a record must be a mapping of fields, not an empty document"))
    if document.value is not None and not isinstance(document.value, dict):
        kind = "a list" if isinstance(document.value, list) else "a single value"
        problems.append(Problem(display_path, *document.position(()), f"a record must be a mapping of fields, not {kind}"))
        document.value = None
    return document, problems
