"""Each validation rule, on a copy of the minimal data set with one fault."""
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import MINIMAL, ROOT, problems_of


def broken(tmp_path: Path, file: str, old: str, new: str) -> Path:
    root = tmp_path / "kb"
    shutil.copytree(MINIMAL, root)
    path = root / file
    text = path.read_text(encoding="utf-8")
    assert old in text, f"fixture text {old!r} not in {file}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return root


def test_minimal_fixture_is_valid():
    assert problems_of(MINIMAL) == []


CASES = [
    ("wrong type", "data/places/tashkent.yaml", "name: Tashkent", "name: [Tashkent]",
     "data/places/tashkent.yaml:2:7: name: expected text, got a list"),
    ("unquoted number", "data/phases/partnership-phase.yaml", 'start: "1991"', "start: 1991",
     'data/phases/partnership-phase.yaml:4:8: start: expected text, got the unquoted number 1991: put it in quotes, "1991"'),
    ("unknown id with suggestion", "data/events/2005-05-andijan.yaml", "partners: [uzbekistan]", "partners: [uzbekistn]",
     "data/events/2005-05-andijan.yaml:6:12: unknown partner 'uzbekistn' (did you mean 'uzbekistan'?): no file data/partners/uzbekistn.yaml"),
    ("impossible month", "data/events/2005-05-andijan.yaml", 'date: "2005-05"', 'date: "2005-13"',
     "data/events/2005-05-andijan.yaml:4:7: '2005-13' is not a real date: month 13 does not exist"),
    ("impossible day", "data/events/2005-05-andijan.yaml", 'date: "2005-05"', 'date: "2005-02-30"',
     "data/events/2005-05-andijan.yaml:4:7: '2005-02-30' is not a real date: February 2005 has no day 30"),
    ("badly shaped date", "data/events/2005-05-andijan.yaml", 'date: "2005-05"', 'date: "May 2005"',
     "data/events/2005-05-andijan.yaml:4:7: date: 'May 2005' is not a date: write YYYY, YYYY-MM or YYYY-MM-DD"),
    ("unquoted date", "data/events/2005-05-andijan.yaml", 'date: "2005-05"', "date: 2005-05-13",
     'data/events/2005-05-andijan.yaml:4:7: unquoted date 2005-05-13: write it as a quoted string, "2005-05-13"'),
    ("altered quote", "data/partners/uzbekistan.yaml", "talks were suspended and progress halted", "talks were stopped and progress halted",
     "data/partners/uzbekistan.yaml:28:16: quote not found in vinnikov-2009: copy it verbatim from the text"),
    ("quote too long", "data/places/tashkent.yaml", 'quote: "Co-operation was initially promising with Uzbekistan"',
     'quote: "one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen twenty twenty-one twenty-two twenty-three twenty-four twenty-five twenty-six"',
     "data/places/tashkent.yaml:10:12: quote has 26 words; at most 25 are allowed"),
    ("unknown source", "data/places/tashkent.yaml", "- source: vinnikov-2009", "- source: vinikov-2009",
     "data/places/tashkent.yaml:9:13: unknown source 'vinikov-2009' (did you mean 'vinnikov-2009'?): no file data/sources/vinikov-2009.yaml"),
    ("id differs from file name", "data/places/tashkent.yaml", "id: tashkent", "id: toshkent",
     "data/places/tashkent.yaml:1:5: id 'toshkent' does not match the file name: the file must be toshkent.yaml or the id 'tashkent'"),
    ("missing field", "data/places/tashkent.yaml", "kind: capital\n", "",
     "data/places/tashkent.yaml:1:1: missing required field 'kind'"),
    ("unknown field", "data/places/tashkent.yaml", "kind: capital", "kind: capital\nkinds: city",
     "data/places/tashkent.yaml:4:1: unknown field 'kinds' (did you mean 'kind'?)"),
    ("bad enum", "data/places/tashkent.yaml", "kind: capital", "kind: capitol",
     "data/places/tashkent.yaml:3:7: kind: 'capitol' is not one of: air-base, airport, capital, city, training-centre, border-crossing, rail-route, port, region, venue, other (did you mean 'capital'?)"),
    ("javascript url", "data/sources/vinnikov-2009.yaml", "url: https://doi.org/10.1163/187502309787858084", "url: javascript:alert(1)",
     "data/sources/vinnikov-2009.yaml:13:6: url: 'javascript:alert(1)' is not an allowed URL: use http(s):// or a site-relative /path"),
    ("javascript link in markdown", "data/places/tashkent.yaml", "summary: Capital of Uzbekistan.", "summary: Capital of [Uzbekistan](javascript:alert(1)).",
     "data/places/tashkent.yaml:7:10: link 'javascript:alert(1' is not allowed: use http(s):// or a site-relative /path"),
    ("raw html", "data/places/tashkent.yaml", "summary: Capital of Uzbekistan.", "summary: Capital of <b>Uzbekistan</b>.",
     "data/places/tashkent.yaml:7:10: raw HTML is not allowed in Markdown: <b>"),
    ("jinja in text", "data/places/tashkent.yaml", "summary: Capital of Uzbekistan.", "summary: Capital of {{ config }}.",
     "data/places/tashkent.yaml:7:10: template syntax '{{' is not allowed in text"),
    ("left before joined", "data/partners/uzbekistan.yaml", "    status: participant", '    status: former\n    joined: "2002"\n    left: "1999"',
     "data/partners/uzbekistan.yaml:10:11: left '1999' is before joined '2002'"),
]


@pytest.mark.parametrize("name, file, old, new, expected", CASES, ids=[c[0] for c in CASES])
def test_rule(tmp_path, name, file, old, new, expected):
    assert problems_of(broken(tmp_path, file, old, new)) == [expected]


def test_every_problem_at_once_from_the_command_line(tmp_path):
    root = broken(tmp_path, "data/events/2005-05-andijan.yaml", 'date: "2005-05"', "date: 2005-05-13")
    path = root / "data/places/tashkent.yaml"
    path.write_text(path.read_text().replace("name: Tashkent", "name: [Tashkent]").replace("partner: uzbekistan", "partner: uzbekstan"))
    result = subprocess.run([sys.executable, "-m", "natoca", "--root", str(root), "check"], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        'data/events/2005-05-andijan.yaml:4:7: unquoted date 2005-05-13: write it as a quoted string, "2005-05-13"',
        "data/places/tashkent.yaml:2:7: name: expected text, got a list",
        "data/places/tashkent.yaml:5:10: unknown partner 'uzbekstan' (did you mean 'uzbekistan'?): no file data/partners/uzbekstan.yaml",
    ]
    assert "Traceback" not in result.stderr


def test_github_annotations(tmp_path):
    root = broken(tmp_path, "data/places/tashkent.yaml", "name: Tashkent", "name: [Tashkent]")
    result = subprocess.run([sys.executable, "-m", "natoca", "--root", str(root), "check", "--github"], capture_output=True, text=True, cwd=ROOT)
    assert result.stdout.splitlines() == ["::error file=data/places/tashkent.yaml,line=2,col=7::name: expected text, got a list"]


def test_stray_files(tmp_path):
    root = tmp_path / "kb"
    shutil.copytree(MINIMAL, root)
    (root / "data/notes.yaml").write_text("id: x\n")
    (root / "data/places/readme.txt").write_text("hello\n")
    (root / "data/places/tashkent.yml").write_text("id: tashkent\n")
    assert problems_of(root) == [
        "data/notes.yaml:1:1: file outside any collection: records go in data/<collection>/<id>.yaml, where collection is one of partners, programmes, organisations, people, events, places, phases, sources",
        "data/places/readme.txt:1:1: not a YAML record: only <id>.yaml files belong in a collection folder",
        "data/places/tashkent.yml:1:1: use the extension .yaml, not .yml",
    ]
