"""Property-based fuzzing: valid records, mutated at random, never yield a traceback.

Each example copies the minimal data set and applies one to four random mutations: to a
file's text (insert YAML punctuation or any text, delete, duplicate, swap or re-indent
lines, insert raw bytes), to a record's data (replace any value with any other, drop or
add a field or a list item, then write it back as YAML), or to the files themselves
(delete one, copy one under another name, add a stray file). Then the pipeline runs, and
either
- the data is refused with located problems: each one a single printable line
  `path:line:column: message` that names a file that exists, at a line inside it; or
- the data is accepted, and every page, block and export renders without an exception.

Profiles (HYPOTHESIS_PROFILE): `ci`, the default, runs a quick 150 examples per test;
`long` runs 10,000:

    HYPOTHESIS_PROFILE=long .venv/bin/python -m pytest tests/test_fuzz.py
"""
from __future__ import annotations

import copy
import os
import re
import shutil
import tempfile
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jinja2 import BytecodeCache

from conftest import MINIMAL, ROOT
from datagen import dump, field_names, set_at, text_leaves
from natoca import exports
from natoca.mkdocs_hooks import navigation
from natoca.pipeline import load_model
from natoca.problems import DataError, Problem
from natoca.records import COLLECTIONS
from natoca.render import Renderer

settings.register_profile("ci", max_examples=150, deadline=None, print_blob=True,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
settings.register_profile("long", max_examples=10_000, deadline=None, print_blob=True,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
PROFILE = settings.get_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

FILES = sorted(path.relative_to(MINIMAL).as_posix() for path in MINIMAL.rglob("*.yaml"))
TEXTS = {name: (MINIMAL / name).read_text(encoding="utf-8") for name in FILES}
RECORDS = {name: yaml.safe_load(TEXTS[name]) for name in FILES}
IDS = sorted({Path(name).stem for name in FILES})


FIELDS = field_names()

# --- what mutations insert ---------------------------------------------------------------------

YAML_BITS = [
    ":", ": ", "- ", "-", "[", "]", "{", "}", "'", '"', "#", ",", "?", "|", ">", "%", "@", "`", "\\", "~",
    "&a ", "*a", "<<: *a", "!", "!tag ", "!!str ", "!!python/object/apply:os.system ", "---\n", "...\n",
    "\t", "\n", "  ", "\r\n", "null", "yes", "NO", "on", "true", "2006-01-15", "2006-13", "1e999", ".nan",
    "0x1F", "-.inf", "12345678901234567890", "<script>window.__xss=1</script>", "{{ 7*7 }}", "{% raw %}",
    "[x](javascript:alert(1))", "\ufeff", "\x00", "\x1b[2J", "\u2028", "\u202e", "é", "TODO",
]
PLAUSIBLE_TEXT = [
    "2006", "2006-01", "2009-06-24", "2005-02-30", "participant", "member", "former", "regional", "capital",
    "crisis", "energy", "vinnikov-2009", "mukhtorova-2018", "https://example.org/a", "/partners/uzbekistan/",
    "javascript:alert(1)", "Co-operation was initially promising with Uzbekistan",
    "talks were suspended and progress halted after the 2005 events in Andijan", "*emphasis* and `code`",
    "[a link](https://example.org)", "a | pipe", "# heading", "<b>bold</b>", "{: onclick=x}", "[^1]",
] + IDS

snippets = st.one_of(st.sampled_from(YAML_BITS), st.text(max_size=12))
scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from(PLAUSIBLE_TEXT), st.text(max_size=40),
)
values = st.recursive(
    scalars,
    lambda children: st.one_of(st.lists(children, max_size=3), st.dictionaries(st.sampled_from(FIELDS) | st.text(max_size=8), children, max_size=3)),
    max_leaves=8,
)


class _MemoryBytecodeCache(BytecodeCache):
    """Templates compiled once for the whole run, instead of once per example."""

    def __init__(self):
        self.store: dict[str, bytes] = {}

    def load_bytecode(self, bucket):
        if bucket.key in self.store:
            bucket.bytecode_from_string(self.store[bucket.key])

    def dump_bytecode(self, bucket):
        self.store[bucket.key] = bucket.bytecode_to_string()


_TEMPLATE_CACHE = _MemoryBytecodeCache()
BLOCKS = sorted(path.name.removesuffix(".md.j2") for path in (ROOT / "natoca" / "templates" / "blocks").glob("*.md.j2"))

# --- mutations ------------------------------------------------------------------------------------


def mutate_text(data, text: str) -> str | bytes:
    lines = text.split("\n")
    kind = data.draw(st.sampled_from(["insert", "delete", "replace", "duplicate-line", "delete-line", "swap-lines", "indent", "truncate", "bytes"]))
    position = data.draw(st.integers(0, len(text)))
    if kind == "insert":
        return text[:position] + data.draw(snippets) + text[position:]
    if kind == "delete":
        return text[:position] + text[position + data.draw(st.integers(1, 40)):]
    if kind == "replace":
        return text[:position] + data.draw(snippets) + text[position + data.draw(st.integers(1, 20)):]
    if kind == "truncate":
        return text[:position]
    if kind == "bytes":
        raw = text.encode("utf-8")
        at = min(position, len(raw))
        return raw[:at] + data.draw(st.binary(min_size=1, max_size=4)) + raw[at:]
    i = data.draw(st.integers(0, len(lines) - 1))
    if kind == "duplicate-line":
        lines.insert(i, lines[i])
    elif kind == "delete-line":
        del lines[i]
    elif kind == "swap-lines":
        j = data.draw(st.integers(0, len(lines) - 1))
        lines[i], lines[j] = lines[j], lines[i]
    elif kind == "indent":
        shift = data.draw(st.integers(-4, 4))
        indent = len(lines[i]) - len(lines[i].lstrip(" "))
        lines[i] = " " * shift + lines[i] if shift >= 0 else lines[i][min(-shift, indent):]
    return "\n".join(lines)


def _containers(node, path=()):
    """Every dict and list in a record, with its path."""
    if isinstance(node, (dict, list)):
        yield path, node
        items = node.items() if isinstance(node, dict) else enumerate(node)
        for key, value in items:
            yield from _containers(value, path + (key,))


def mutate_record(data, record: dict) -> dict:
    record = copy.deepcopy(record)
    places = list(_containers(record))
    _, node = data.draw(st.sampled_from(places))
    kind = data.draw(st.sampled_from(["replace", "remove", "add"]))
    if isinstance(node, dict):
        if kind == "add" or not node:
            node[data.draw(st.sampled_from(FIELDS) | st.text(max_size=8))] = data.draw(values)
        else:
            key = data.draw(st.sampled_from(sorted(node, key=str)))
            if kind == "remove":
                del node[key]
            else:
                node[key] = data.draw(values)
    else:
        if kind == "add" or not node:
            node.insert(data.draw(st.integers(0, len(node))), data.draw(values))
        else:
            index = data.draw(st.integers(0, len(node) - 1))
            if kind == "remove":
                del node[index]
            else:
                node[index] = data.draw(values)
    return record


def mutated_data_set(data, folder: Path) -> Path:
    shutil.copytree(MINIMAL / "data", folder / "data")
    for _ in range(data.draw(st.integers(1, 4), label="mutations")):
        existing = sorted(p.relative_to(folder).as_posix() for p in (folder / "data").rglob("*") if p.is_file())
        if not existing:
            break
        name = data.draw(st.sampled_from(existing), label="file")
        path = folder / name
        kind = data.draw(st.sampled_from(["text", "text", "record", "record", "file"]), label="kind")
        if kind == "text":
            try:
                text = path.read_text(encoding="utf-8")
            except UnicodeDecodeError:
                continue
            result = mutate_text(data, text)
            path.write_bytes(result if isinstance(result, bytes) else result.encode("utf-8", "surrogatepass"))
        elif kind == "record":
            record = RECORDS.get(name)
            if record is None:
                continue
            mutated = mutate_record(data, record)
            path.write_text(dump(mutated), encoding="utf-8")
        else:
            action = data.draw(st.sampled_from(["delete", "copy", "stray"]))
            if action == "delete":
                path.unlink()
            elif action == "copy":
                collection = data.draw(st.sampled_from(COLLECTIONS + ("", "misc")))
                stem = data.draw(st.sampled_from(IDS) | st.from_regex(r"[a-z0-9-]{1,12}", fullmatch=True))
                target = folder / "data" / collection / f"{stem}.yaml"
                target.parent.mkdir(parents=True, exist_ok=True)
                if target != path:
                    shutil.copy(path, target)
            else:
                stray = folder / "data" / data.draw(st.sampled_from(["places/notes.txt", "places/x.yml", "x.yaml", "places/sub/x.yaml", "places/.hidden.yaml"]))
                stray.parent.mkdir(parents=True, exist_ok=True)
                stray.write_bytes(data.draw(st.binary(max_size=20)))
    return folder


# --- what must hold -------------------------------------------------------------------------------

_LINE = re.compile(r"^(?P<path>[^\n]+?):(?P<line>[0-9]+):(?P<column>[0-9]+): (?P<message>[^\n]+)$")


def assert_located(problem: Problem, root: Path) -> None:
    text = str(problem)
    assert len(text.splitlines()) == 1, repr(text)
    assert _LINE.match(text), repr(text)
    text.encode("utf-8")  # printable: no lone surrogate
    annotation = problem.github()
    assert len(annotation.splitlines()) == 1 and annotation.startswith("::error file=")
    annotation.encode("utf-8")
    assert "Traceback" not in problem.message
    assert problem.line >= 1 and problem.column >= 1, text
    if problem.path == "data":
        return
    file = root / problem.path
    assert file.is_file(), f"{text}: no such file"
    assert problem.line <= file.read_bytes().count(b"\n") + 1, f"{text}: line past the end of the file"


def render_everything(model) -> None:
    renderer = Renderer(model, edit_base="https://example.org/edit/", site_url="/")
    renderer.env.bytecode_cache = _TEMPLATE_CACHE
    for name in COLLECTIONS:
        renderer.index_page(name)
        for id in model.records[name]:
            renderer.record_page(name, id)
        exports.collection_json(model, name)
        exports.collection_csv(model, name, [])
    for block in BLOCKS:
        renderer.block(block, root="../")
    for kind in ("participations", "memberships"):
        exports.relation_csv(model, kind)
    exports.all_json(model)
    for source in model.records["sources"]:
        exports.bibtex(model, source)
        exports.csl_json(model, source)
    navigation(model, ["index.md", "@collections"])


def run_pipeline(root: Path) -> str:
    try:
        model = load_model(root)
    except DataError as error:
        assert error.problems, "refused without a problem"
        for problem in error.problems:
            assert_located(problem, root)
        return "refused"
    render_everything(model)
    return "accepted"


@settings(PROFILE)
@given(st.data())
def test_mutated_data_is_refused_with_located_problems_or_renders(data):
    with tempfile.TemporaryDirectory() as folder:
        outcome = run_pipeline(mutated_data_set(data, Path(folder)))
    data.draw(st.just(outcome), label="outcome")


MARKDOWN_BITS = ["*", "_", "`", "[", "]", "(", ")", "<", ">", "&", "&amp;", "#", "\n\n", "\n- ", "|", "{", "}", "{:", "!", "\\",
                 "[x](https://example.org)", "[x](/a/)", "<https://example.org>", "    code", "> quote", "---", "$", "%"]
one_line = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\n\r"), min_size=1, max_size=60)
new_texts = {
    "text": one_line | st.sampled_from(PLAUSIBLE_TEXT + YAML_BITS),
    "markdown": one_line | st.lists(st.sampled_from(MARKDOWN_BITS) | st.text(max_size=8), min_size=1, max_size=8).map("".join),
}


@settings(PROFILE)
@given(st.data())
def test_any_text_in_any_text_field(data):
    """Free-text values replaced with any text: most of these records are valid, so the renderer
    (and its escaping) meets them; the rest must be refused with located problems."""
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        shutil.copytree(MINIMAL / "data", root / "data")
        records = {name: copy.deepcopy(RECORDS[name]) for name in FILES}
        for _ in range(data.draw(st.integers(1, 4))):
            name = data.draw(st.sampled_from(FILES))
            leaves = text_leaves(name.split("/")[1], records[name])
            path, kind = data.draw(st.sampled_from(leaves))
            set_at(records[name], path, data.draw(new_texts[kind]))
        for name, record in records.items():
            (root / name).write_text(dump(record), encoding="utf-8")
        outcome = run_pipeline(root)
    data.draw(st.just(outcome), label="outcome")


def test_every_collection_has_text_fields_to_fuzz():
    for name in FILES:
        assert text_leaves(name.split("/")[1], RECORDS[name]), name


def test_the_unmutated_fixture_renders():
    assert run_pipeline(MINIMAL) == "accepted"


@pytest.mark.parametrize("profile", ["ci", "long"])
def test_profiles_exist(profile):
    assert settings.get_profile(profile).deadline is None
