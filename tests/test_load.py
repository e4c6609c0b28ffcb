"""Loading never changes a value silently: each YAML pitfall is caught or kept as written."""
from pathlib import Path

import pytest

from natoca.load import load_document


def load(tmp_path: Path, text: str | bytes):
    path = tmp_path / "record.yaml"
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    document, problems = load_document(path, "data/x/record.yaml")
    return document, [str(p) for p in problems]


def test_quoted_dates_stay_strings(tmp_path):
    document, problems = load(tmp_path, 'a: "2006"\nb: "2006-01"\nc: "2009-06-24"\n')
    assert problems == []
    assert document.value == {"a": "2006", "b": "2006-01", "c": "2009-06-24"}


def test_unquoted_date_is_an_error(tmp_path):
    document, problems = load(tmp_path, "id: x\ndate: 2006-01-15\n")
    assert problems == ['data/x/record.yaml:2:7: unquoted date 2006-01-15: write it as a quoted string, "2006-01-15"']
    assert document.value["date"] == "2006-01-15"  # kept as written, never a date object


@pytest.mark.parametrize("word", ["NO", "no", "yes", "Yes", "on", "off", "y", "n"])
def test_yaml11_booleans_stay_strings(tmp_path, word):
    document, problems = load(tmp_path, f"country: {word}\n")
    assert problems == []
    assert document.value == {"country": word}


def test_unquoted_number_is_kept_as_a_number_for_the_schema_to_refuse(tmp_path):
    document, _ = load(tmp_path, "date: 2006\n")
    assert document.value == {"date": 2006}


def test_duplicate_keys(tmp_path):
    document, problems = load(tmp_path, "id: a\nname: A\nname: B\n")
    assert problems == ["data/x/record.yaml:3:1: duplicate key 'name' (first at line 2)"]
    assert document.value["name"] == "A"


def test_anchors_and_aliases_refused(tmp_path):
    _, problems = load(tmp_path, "a: &x hello\nb: *x\n")
    assert problems == [
        "data/x/record.yaml:1:4: YAML anchors (&x) are not allowed: write the value out",
        "data/x/record.yaml:2:4: YAML aliases (*x) are not allowed: write the value out",
    ]


def test_custom_tags_refused(tmp_path):
    _, problems = load(tmp_path, "a: !!python/object:os.system echo\nb: !custom 1\n")
    assert problems == [
        "data/x/record.yaml:1:4: YAML tags (tag:yaml.org,2002:python/object:os.system) are not allowed",
        "data/x/record.yaml:2:4: YAML tags (!custom) are not allowed",
    ]


def test_positions_are_recorded(tmp_path):
    document, _ = load(tmp_path, "id: x\nlist:\n  - name: a\n    when: \"2006\"\n")
    assert document.position(("list", 0, "when")) == (4, 11)
    assert document.key_position(("list", 0, "when")) == (4, 5)


@pytest.mark.parametrize(
    "content, message",
    [
        (b"", "1:1: file is empty: a record is a mapping of fields, starting with id:"),
        (b"- a\n- b\n", "1:1: a record must be a mapping of fields, not a list"),
        (b"just text\n", "1:1: a record must be a mapping of fields, not a single value"),
        (b"\xef\xbb\xbfid: x\n", "1:1: file starts with a byte-order mark (BOM): save it as UTF-8 without BOM"),
        (b"id: x\nname: \xff\n", "2:7: not valid UTF-8 (byte 0xff): save the file as UTF-8"),
        (b"id: x\n\tname: y\n", "2:1: tab in indentation: indent with spaces"),
        (b"id: [x\n", "1:5: YAML syntax error: the [ opened here is not closed: expected ',' or ']', but got '<stream end>' at line 2, column 1; add the ]"),
    ],
)
def test_unreadable_files(tmp_path, content, message):
    document, problems = load(tmp_path, content)
    assert problems == [f"data/x/record.yaml:{message}"]
    assert document.value is None
