"""The contributor flow: schemas in the editor, GitHub annotations, `natoca new`, pre-commit and CI."""
from __future__ import annotations

import fnmatch
import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator
from referencing import Registry, Resource

from conftest import MINIMAL, ROOT, problems_of
from natoca.load import load_document
from natoca.problems import Problem
from natoca.quotes import load_fingerprints
from natoca.records import COLLECTIONS
from natoca.scaffold import ID_MAX_LENGTH, ID_PATTERN, skeleton

SCHEMAS = ROOT / "schemas"


def natoca(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "natoca", *args], capture_output=True, text=True, cwd=cwd,
                          env=dict(os.environ, PYTHONPATH=str(ROOT)), timeout=120)


def copy_of_minimal(tmp_path: Path) -> Path:
    root = tmp_path / "kb"
    shutil.copytree(MINIMAL, root)
    return root


def yaml12(path: Path):
    """A repository YAML file read with YAML 1.2 rules (so a workflow's `on:` stays a key)."""
    document, problems = load_document(path, path.name)
    assert problems == [], problems
    return document.value


# --- GitHub annotations ----------------------------------------------------------------

def unescape(text: str) -> str:
    for escaped, plain in (("%0D", "\r"), ("%0A", "\n"), ("%3A", ":"), ("%2C", ","), ("%25", "%")):
        text = text.replace(escaped, plain)
    return text


ANNOTATION = re.compile(r"^::error file=(?P<file>[^,:]+),line=(?P<line>[1-9][0-9]*),col=(?P<col>[1-9][0-9]*)::(?P<message>.+)$")


def test_annotation_format():
    problem = Problem("data/places/tashkent.yaml", 3, 7, "kind: 'capitol' is not one of: air-base, airport")
    assert problem.github() == "::error file=data/places/tashkent.yaml,line=3,col=7::kind: 'capitol' is not one of: air-base, airport"


def test_annotation_escapes_the_message():
    problem = Problem("data/x/a.yaml", 1, 2, "100% sure\r\nsecond line: a, b")
    assert problem.github() == "::error file=data/x/a.yaml,line=1,col=2::100%25 sure%0D%0Asecond line: a, b"


def test_annotation_escapes_the_file_property():
    problem = Problem("data/notes, draft: 50%.yaml", 1, 1, "file outside any collection")
    annotation = problem.github()
    assert annotation == "::error file=data/notes%2C draft%3A 50%25.yaml,line=1,col=1::file outside any collection"
    assert unescape(ANNOTATION.match(annotation)["file"]) == "data/notes, draft: 50%.yaml"


def test_every_problem_is_annotated_on_its_line(tmp_path):
    root = copy_of_minimal(tmp_path)
    place = root / "data/places/tashkent.yaml"
    place.write_text(place.read_text().replace("kind: capital", "kind: capitol").replace("name: Tashkent", "name: [Tashkent]"))
    event = root / "data/events/2005-05-andijan.yaml"
    event.write_text(event.read_text().replace('date: "2005-05"', "date: 2005-05-13").replace("progress halted", "progress stopped"))
    (root / "data/places/notes, old.txt").write_text("x\n")
    plain = natoca("--root", str(root), "check")
    github = natoca("--root", str(root), "check", "--github")
    assert plain.returncode == github.returncode == 1
    assert "Traceback" not in plain.stderr + github.stderr
    annotations = github.stdout.splitlines()
    assert len(annotations) == len(plain.stdout.splitlines()) >= 5
    for annotation, line in zip(annotations, plain.stdout.splitlines()):
        match = ANNOTATION.match(annotation)
        assert match, annotation
        assert f"{unescape(match['file'])}:{match['line']}:{match['col']}: {unescape(match['message'])}" == line


# --- `natoca new` ----------------------------------------------------------------------

def schema(collection: str) -> dict:
    return json.loads((SCHEMAS / f"{collection}.schema.json").read_text(encoding="utf-8"))


def fill_in(text: str, collection: str) -> str:
    """What a contributor does with a skeleton: replace each TODO with a real value."""
    enums = {key: spec["enum"][0] for key, spec in schema(collection)["properties"].items() if "enum" in spec}
    values = {
        "name": "Test name", "title": "Test title", "summary": "Written in our own words.", "country": "Uzbekistan",
        "container": "Test Journal", "publisher": "Test Press", "rights": "All rights reserved",
        "url": "https://example.org/article", "published": '"2009"', "start": '"1991"', "date": '"2005-05"',
        "number": "3", "themes": "[crisis]", "source": "vinnikov-2009",
        "quote": '"Co-operation was initially promising with Uzbekistan"', **enums,
    }
    filled = []
    for line in text.splitlines():
        match = re.match(r"^(\s*(?:- )?)([a-z_]+): (?:\"TODO[^\"]*\"|\[?TODO\]?)(?:\s+#.*)?$", line)
        filled.append(f"{match[1]}{match[2]}: {values[match[2]]}" if match else line)
    return "\n".join(filled) + "\n"


def required_paths(spec: dict, document: dict, path: tuple = ()) -> list[tuple]:
    """Every required key, at every level the skeleton writes, that is absent from the document."""
    registry = {name: json.loads((SCHEMAS / name).read_text()) for name in ("common.schema.json",)}

    def resolve(node):
        while "$ref" in node:
            file, _, pointer = node["$ref"].partition("#")
            target = registry.get(file) or registry["common.schema.json"]
            for part in pointer.strip("/").split("/"):
                target = target[part]
            node = {**target, **{k: v for k, v in node.items() if k != "$ref"}}
        return node

    spec = resolve(spec)
    missing = []
    if spec.get("type") == "object" and isinstance(document, dict):
        for key in spec.get("required", []):
            if key not in document:
                missing.append(path + (key,))
            else:
                missing += required_paths(spec["properties"][key], document[key], path + (key,))
    elif spec.get("type") == "array" and isinstance(document, list):
        for index, item in enumerate(document):
            missing += required_paths(spec["items"], item, path + (index,))
    return missing


@pytest.mark.parametrize("collection", COLLECTIONS)
def test_new_record_fails_until_filled_in_then_passes(tmp_path, collection):
    root = copy_of_minimal(tmp_path)
    result = natoca("--root", str(root), "new", collection, "test-record", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    path = root / "data" / collection / "test-record.yaml"
    assert result.stdout.strip() == f"kb/data/{collection}/test-record.yaml"  # printed relative to where it ran
    text = path.read_text(encoding="utf-8")
    assert text.splitlines()[0] == f"# yaml-language-server: $schema=../../schemas/{collection}.schema.json"
    assert (path.parent / "../../schemas" / f"{collection}.schema.json").resolve() == (root / "schemas" / f"{collection}.schema.json").resolve()

    # Valid YAML, every required field present, at every level.
    document, load_problems = load_document(path, f"data/{collection}/test-record.yaml")
    assert load_problems == []
    assert document.value["id"] == "test-record"
    assert required_paths(schema(collection), document.value) == []

    # Until it is filled in, the check fails with one located message per placeholder, all in the new file.
    problems = problems_of(root)
    placeholders = [n for n, line in enumerate(text.splitlines(), 1) if re.search(r":\s+\[?\"?TODO", line) and not line.lstrip().startswith("#")]
    assert problems and len(problems) == len(placeholders)
    for problem, line in zip(problems, placeholders):
        assert problem.startswith(f"data/{collection}/test-record.yaml:{line}:"), problem
        assert "fill in the placeholder" in problem

    # Once filled in, it passes.
    path.write_text(fill_in(text, collection), encoding="utf-8")
    assert problems_of(root) == []


def test_new_event_takes_its_date_from_the_id(tmp_path):
    root = copy_of_minimal(tmp_path)
    assert natoca("--root", str(root), "new", "events", "2009-06-24-eapc-security-forum").returncode == 0
    text = (root / "data/events/2009-06-24-eapc-security-forum.yaml").read_text()
    assert 'date: "2009-06-24"  # taken from the id: check it' in text
    assert "id: 2009-06-24-eapc-security-forum\n" in text


def test_new_quotes_an_id_yaml_would_read_as_a_number(tmp_path):
    root = copy_of_minimal(tmp_path)
    assert natoca("--root", str(root), "new", "phases", "2014").returncode == 0
    path = root / "data/phases/2014.yaml"
    assert 'id: "2014"' in path.read_text()
    path.write_text(fill_in(path.read_text(), "phases"))
    assert problems_of(root) == []


@pytest.mark.parametrize("record_id", ["2014", "2005-05", "2005-05-13", "1e5", "1e-5", "0x1f", "0o17", "true", "null", "no",
                                       "2005-05-andijan", "parp", "26-5-1-forum"])
def test_skeleton_id_reads_back_as_the_same_text(tmp_path, record_id):
    path = tmp_path / "record.yaml"
    path.write_text(skeleton("places", record_id, SCHEMAS))
    document, problems = load_document(path, "data/places/record.yaml")
    assert problems == [] and document.value["id"] == record_id


def test_new_accepts_root_after_the_command(tmp_path):
    root = copy_of_minimal(tmp_path)
    result = natoca("new", "places", "samarkand", "--root", str(root))
    assert result.returncode == 0, result.stderr
    assert (root / "data/places/samarkand.yaml").exists()


@pytest.mark.parametrize("collection, record_id", [("places", "tashkent"), ("events", "2005-05-andijan"), ("sources", "vinnikov-2009")])
def test_new_refuses_an_existing_id(tmp_path, collection, record_id):
    root = copy_of_minimal(tmp_path)
    path = root / "data" / collection / f"{record_id}.yaml"
    before = path.read_text()
    result = natoca("--root", str(root), "new", collection, record_id)
    assert result.returncode == 2
    assert result.stdout == ""
    assert "already exists" in result.stderr and f"data/{collection}/{record_id}.yaml" in result.stderr
    assert "Traceback" not in result.stderr
    assert path.read_text() == before


def test_new_refuses_an_id_taken_by_a_yml_file(tmp_path):
    root = copy_of_minimal(tmp_path)
    (root / "data/places/samarkand.yml").write_text("id: samarkand\n")
    result = natoca("--root", str(root), "new", "places", "samarkand")
    assert result.returncode == 2 and "data/places/samarkand.yml" in result.stderr


@pytest.mark.parametrize("record_id, hint", [
    ("Manas Airport", "manas-airport"), ("manas_airport", "manas-airport"), ("manas--airport", "manas-airport"),
    ("-manas", "manas"), ("manas-", "manas"), ("Ташкент", None), ("", None), ("manas.yaml", "manas-yaml"),
    ("../../etc/passwd", "etc-passwd"), ("a" * (ID_MAX_LENGTH + 1), None),
])
def test_new_refuses_a_malformed_id(tmp_path, record_id, hint):
    root = copy_of_minimal(tmp_path)
    before = sorted(p.relative_to(root) for p in root.rglob("*"))
    result = natoca("--root", str(root), "new", "places", "--", record_id)  # "--": an id may start with "-"
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "not a valid id" in result.stderr or "longer than" in result.stderr
    if hint:
        assert f"(try '{hint}')" in result.stderr
    assert sorted(p.relative_to(root) for p in root.rglob("*")) == before


def test_new_refuses_an_unknown_collection(tmp_path):
    result = natoca("--root", str(copy_of_minimal(tmp_path)), "new", "place", "samarkand")
    assert result.returncode == 2
    assert "invalid choice: 'place'" in result.stderr and "Traceback" not in result.stderr


def test_new_refuses_a_root_without_data(tmp_path):
    result = natoca("--root", str(tmp_path), "new", "places", "samarkand")
    assert result.returncode == 2 and "no data/ folder" in result.stderr


def test_scaffold_id_rule_is_the_schema_rule():
    common = json.loads((SCHEMAS / "common.schema.json").read_text())["$defs"]["id"]
    assert (ID_PATTERN, ID_MAX_LENGTH) == (common["pattern"], common["maxLength"])


# --- Editors: schema mapping and annotations ---------------------------------------------

def test_vscode_maps_every_collection_to_its_schema():
    settings = json.loads((ROOT / ".vscode/settings.json").read_text())
    mapping = settings["yaml.schemas"]
    mapped = {Path(schema_path).name: glob for schema_path, glob in mapping.items()}
    for schema_path in mapping:
        assert (ROOT / schema_path).is_file(), schema_path
    assert set(mapped) == {f"{c}.schema.json" for c in COLLECTIONS}
    assert set(mapped) == {p.name for p in SCHEMAS.glob("*.schema.json")} - {"common.schema.json"}
    for collection in COLLECTIONS:
        globs = mapped[f"{collection}.schema.json"]
        globs = [globs] if isinstance(globs, str) else globs
        records = [p.relative_to(MINIMAL).as_posix() for p in (MINIMAL / "data" / collection).glob("*.yaml")]
        assert records and all(any(fnmatch.fnmatch(r, g) for g in globs) for r in records), (collection, globs)
        others = [p.relative_to(MINIMAL).as_posix() for p in (MINIMAL / "data").glob("*/*.yaml") if p.parent.name != collection]
        assert not any(fnmatch.fnmatch(r, g) for r in others for g in globs)


def test_vscode_recommends_the_yaml_extension():
    assert "redhat.vscode-yaml" in json.loads((ROOT / ".vscode/extensions.json").read_text())["recommendations"]


def all_schemas() -> dict[str, dict]:
    return {path.name: json.loads(path.read_text(encoding="utf-8")) for path in sorted(SCHEMAS.glob("*.schema.json"))}


def fields(node, pointer: str = ""):
    """(JSON pointer, schema) of every property declared anywhere in a schema."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "properties" and isinstance(value, dict):
                for name, spec in value.items():
                    yield f"{pointer}/properties/{name}", spec
                    yield from fields(spec, f"{pointer}/properties/{name}")
            else:
                yield from fields(value, f"{pointer}/{key}")
    elif isinstance(node, list):
        for index, item in enumerate(node):
            yield from fields(item, f"{pointer}/{index}")


@pytest.mark.parametrize("name", [p.name for p in sorted(SCHEMAS.glob("*.schema.json"))])
def test_schema_is_valid_json_schema(name):
    Draft202012Validator.check_schema(all_schemas()[name])


def test_every_field_has_a_title_a_description_and_examples():
    missing = [f"{name}#{pointer}: {key}" for name, document in all_schemas().items()
               for pointer, spec in fields(document) for key in ("title", "description", "examples")
               if not spec.get(key)]
    assert missing == []


def examples_with_schemas():
    for name, document in all_schemas().items():
        for pointer, spec in [("", document), *fields(document)]:
            for example in spec.get("examples", []):
                yield name, pointer, example
        for definition, spec in document.get("$defs", {}).items():
            for example in spec.get("examples", []):
                yield name, f"/$defs/{definition}", example


def test_every_example_is_valid_for_its_field():
    registry = Registry().with_resources((d["$id"], Resource.from_contents(d)) for d in all_schemas().values())
    wrong = []
    for name, pointer, example in examples_with_schemas():
        if pointer == "":
            continue  # a whole record; the collections give none
        validator = Draft202012Validator({"$ref": f"{name}#{pointer}"}, registry=registry)
        wrong += [f"{name}#{pointer}: {error.message}" for error in validator.iter_errors(example)]
    assert wrong == []


def citations_in(value):
    if isinstance(value, dict):
        if isinstance(value.get("source"), str) and isinstance(value.get("quote"), str):
            yield value["source"], value["quote"]
        for item in value.values():
            yield from citations_in(item)
    elif isinstance(value, list):
        for item in value:
            yield from citations_in(item)


def test_every_quote_in_the_examples_is_found_in_its_source():
    fingerprints = load_fingerprints(ROOT / "fingerprints")
    quotes = {citation for _, _, example in examples_with_schemas() for citation in citations_in(example)}
    assert len(quotes) >= 10
    assert [(s, q) for s, q in sorted(quotes) if s not in fingerprints or fingerprints[s].locate(q) is None] == []


# --- pre-commit and yamllint ---------------------------------------------------------------

def hooks() -> dict[str, dict]:
    config = yaml12(ROOT / ".pre-commit-config.yaml")
    return {hook["id"]: hook for repo in config["repos"] for hook in repo["hooks"]}


def test_pre_commit_runs_the_data_check_on_data_changes():
    hook = hooks()["natoca-check"]
    assert hook["entry"] == "python -m natoca check"
    assert hook["pass_filenames"] is False  # a change to one record can break a reference in another
    files = re.compile(hook["files"])
    for changed in ("data/places/tashkent.yaml", "data/events/new.yaml", "schemas/common.schema.json", "fingerprints/weitz-2006.json"):
        assert files.search(changed), changed
    for unrelated in ("docs/index.md", "natoca/render.py", "tests/fixtures/minimal/data/places/tashkent.yaml"):
        assert not files.search(unrelated), unrelated


def test_pre_commit_check_installs_what_the_project_needs():
    """The hook's environment holds the project's own requirements for the check, as pyproject pins them."""
    dependencies = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    needed = {"pyyaml", "jsonschema", "referencing"}
    declared = hooks()["natoca-check"]["additional_dependencies"]
    assert {re.split(r"[<>=~! ]", d)[0].lower() for d in declared} == needed
    assert set(declared) <= set(dependencies)


def yamllint_problems(paths: list[Path]) -> list[str]:
    linter = pytest.importorskip("yamllint.linter")
    from yamllint.config import YamlLintConfig

    config = YamlLintConfig(file=str(ROOT / ".yamllint.yaml"))
    found = []
    for path in paths:
        for problem in linter.run(path.read_text(encoding="utf-8"), config, str(path)):
            found.append(f"{path}:{problem.line}:{problem.column}: {problem.message} ({problem.rule})")
    return found


def test_yamllint_accepts_the_fixture_data():
    assert hooks()["yamllint"]["entry"].startswith("yamllint")
    assert yamllint_problems(sorted(MINIMAL.rglob("*.yaml"))) == []


def test_yamllint_accepts_the_repository_yaml():
    files = [ROOT / "mkdocs.yml", ROOT / ".pre-commit-config.yaml", ROOT / ".yamllint.yaml", *sorted((ROOT / ".github/workflows").glob("*.yml"))]
    assert yamllint_problems(files) == []


def test_yamllint_accepts_every_skeleton(tmp_path):
    root = copy_of_minimal(tmp_path)
    for collection in COLLECTIONS:
        assert natoca("--root", str(root), "new", collection, "lint-me").returncode == 0
    assert yamllint_problems(sorted((root / "data").glob("*/lint-me.yaml"))) == []


def test_yamllint_catches_layout_mistakes(tmp_path):
    path = tmp_path / "record.yaml"
    path.write_text("id: x\nname: y   \nsummary:  z")
    found = yamllint_problems([path])
    assert any("trailing-spaces" in p for p in found) and any("new-line-at-end-of-file" in p for p in found)


# --- GitHub workflows ------------------------------------------------------------------------

def steps(workflow: dict) -> list[dict]:
    return [step for job in workflow["jobs"].values() for step in job.get("steps", [])]


def test_ci_workflow_runs_the_tests_and_the_annotated_check():
    workflow = yaml12(ROOT / ".github/workflows/ci.yml")
    assert {"pull_request", "push"} <= set(workflow["on"])
    runs = [step.get("run", "") for step in steps(workflow)]
    assert any(run.strip() == "bash scripts/test.sh" for run in runs)
    assert any(run.strip() == "natoca check --github" for run in runs)
    pythons = [step["with"]["python-version"] for step in steps(workflow) if step.get("uses", "").startswith("actions/setup-python")]
    assert pythons and set(pythons) == {"3.11"}
    assert (ROOT / "scripts/test.sh").is_file()


def test_pages_workflow_builds_and_publishes_from_main():
    workflow = yaml12(ROOT / ".github/workflows/pages.yml")
    assert workflow["on"]["push"]["branches"] == ["main"]
    assert "pull_request" not in workflow["on"]
    assert workflow["permissions"]["pages"] == "write" and workflow["permissions"]["id-token"] == "write"
    uses = [step.get("uses", "").split("@")[0] for step in steps(workflow)]
    assert "actions/upload-pages-artifact" in uses and "actions/deploy-pages" in uses
    assert uses.index("actions/upload-pages-artifact") < uses.index("actions/deploy-pages")
    assert any(step.get("run", "").strip() == "bash scripts/serve.sh build" for step in steps(workflow))
    upload = next(step for step in steps(workflow) if step.get("uses", "").startswith("actions/upload-pages-artifact"))
    assert upload["with"]["path"] == "site"  # mkdocs' default site_dir
    assert "site_dir" not in (ROOT / "mkdocs.yml").read_text()
    assert "mkdocs build --strict" in (ROOT / "scripts/serve.sh").read_text()
    deploy = workflow["jobs"]["deploy"]
    assert deploy["environment"]["name"] == "github-pages" and deploy["needs"] == "build"


# --- CONTRIBUTING.md ------------------------------------------------------------------------

def test_contributing_examples_quote_their_sources_verbatim():
    """The guide's examples are held to the quote rules they teach."""
    text = (ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8")
    fingerprints = load_fingerprints(ROOT / "fingerprints")
    pairs = re.findall(r"source: ([a-z0-9-]+)[^\n]*\n\s+quote: \"([^\"]+)\"", text)
    pairs += re.findall(r"scripts/quote\.py ([a-z0-9-]+) \"([^\"]+)\"", text)
    assert len(pairs) >= 6
    assert [(s, q) for s, q in pairs if fingerprints[s].locate(q) is None] == []


def test_contributing_covers_the_brief():
    text = (ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8")
    for heading in ("## Add a fact about a partner", "## Add an event", "## Record a dispute", "## The quote rules",
                    "## Check your work and run the site locally", "## What the errors mean"):
        assert heading in text
    assert "bash scripts/serve.sh" in text and "natoca new" in text and "natoca check --github" in text
