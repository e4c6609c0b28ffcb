"""No bad file breaks the site: the corpus in tests/bad/cases.yaml, case by case.

Each case is the minimal data set with one fault and the exact lines `natoca check` must
print. Every case runs through both entry points a contributor meets:

- `python -m natoca --root <copy> check`, as a real subprocess: exit status 1, exactly
  the expected lines on stdout, in order, and no traceback on stderr;
- `mkdocs build --strict` of a project holding the same data: the build stops, the error
  it logs holds every expected line, and no site (nor a staging folder) is left behind.

A `mkdocs build` subprocess costs about a second, most of it importing MkDocs, Material
and the plugins, and there are over a hundred cases. So every case is built in this
process through the very path `mkdocs build` takes (load the project's mkdocs.yml, fire
on_startup('build'), run mkdocs.commands.build.build, which logs the error and raises
Abort), and a dozen representative cases, one of each kind of fault, are also built by the
real `mkdocs build` command, whose exit status and stderr are checked. The `check`
subprocesses run a few at a time, in a pool started once for the module.
"""
from __future__ import annotations

import base64
import io
import logging
import os
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import yaml
from mkdocs.commands import build as mkdocs_build
from mkdocs.config import load_config
from mkdocs.exceptions import Abort

from conftest import MINIMAL, ROOT, make_project, run_build

CASES_FILE = ROOT / "tests" / "bad" / "cases.yaml"
CASES = yaml.safe_load(CASES_FILE.read_text(encoding="utf-8"))
NAMES = [case["name"] for case in CASES]
BY_NAME = dict(zip(NAMES, CASES))
OPERATIONS = {"name", "edit", "write", "write_base64", "write_repeat", "copy", "delete", "expect"}

# Built by the real `mkdocs build` command too: one case of each kind of fault.
REPRESENTATIVE = [
    "runaway-quote-swallows-lines",  # YAML syntax
    "tab-in-indentation",
    "byte-order-mark",
    "latin-1-byte",
    "file-is-a-list",
    "huge-file",
    "alias-bomb",
    "python-object-tag",
    "unquoted-full-date",
    "february-30",
    "same-id-in-two-files",
    "unknown-event-person",
    "quote-not-in-source",
    "javascript-url",
    "jinja-statement",
    "stray-non-yaml-file",
    "lone-surrogate-in-reference",
]
WORKERS = max(2, min(8, os.cpu_count() or 2))


def apply_case(case: dict, root: Path) -> Path:
    """Put the case's fault into the data set under root (a copy of the minimal fixture)."""
    for target, source in (case.get("copy") or {}).items():
        shutil.copy(root / source, root / target)
    for edit in case.get("edit") or []:
        path = root / edit["file"]
        text = path.read_text(encoding="utf-8")
        assert edit["old"] in text, f"{case['name']}: {edit['old']!r} is not in {edit['file']}"
        path.write_text(text.replace(edit["old"], edit["new"], 1), encoding="utf-8")
    writes = {path: text.encode("utf-8") for path, text in (case.get("write") or {}).items()}
    writes.update({path: base64.b64decode(data) for path, data in (case.get("write_base64") or {}).items()})
    writes.update({path: (spec["text"] * spec["times"]).encode("utf-8") for path, spec in (case.get("write_repeat") or {}).items()})
    for relative, content in writes.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    for relative in case.get("delete") or []:
        path = root / relative
        shutil.rmtree(path) if path.is_dir() else path.unlink()
    return root


def broken_data(case: dict, folder: Path) -> Path:
    """A copy of the minimal data set with the case's fault: folder/data/..."""
    shutil.copytree(MINIMAL, folder)
    return apply_case(case, folder)


def broken_project(case: dict, folder: Path) -> Path:
    """A buildable project (the real mkdocs.yml, docs, schemas) whose data has the case's fault."""
    data = broken_data(case, folder / "data-copy") / "data"
    return make_project(folder / "project", data)


def check(root: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "natoca", "--root", str(root), "check"],
        capture_output=True, text=True, cwd=ROOT, env=dict(os.environ, PYTHONPATH=str(ROOT)), timeout=120,
    )


def selected(request, test_name: str) -> list[str]:
    """The cases of `test_name` this session runs (so `-k` does not pay for the others)."""
    return [item.callspec.params["case"] for item in request.session.items
            if getattr(item, "originalname", None) == test_name and item.module.__name__ == __name__]


def test_the_corpus_is_well_formed():
    assert len(CASES) >= 60
    assert len(set(NAMES)) == len(NAMES), "case names must be unique"
    for case in CASES:
        assert set(case) <= OPERATIONS, f"{case['name']}: unknown keys {set(case) - OPERATIONS}"
        assert case.get("expect"), f"{case['name']}: no expected lines"
        assert any(case.get(op) for op in OPERATIONS - {"name", "expect"}), f"{case['name']}: no fault"
    assert set(REPRESENTATIVE) <= set(NAMES)


def test_the_fixture_itself_is_valid():
    """Each case's lines are due to its fault alone."""
    result = check(MINIMAL)
    assert result.returncode == 0, result.stdout + result.stderr


# --- `python -m natoca check` ---------------------------------------------------------------

@pytest.fixture(scope="module")
def checks(request, tmp_path_factory):
    """`natoca check` of every selected case, a few at a time: name -> CompletedProcess."""
    base = tmp_path_factory.mktemp("bad-checks")

    def run(name):
        return check(broken_data(BY_NAME[name], base / name))

    names = selected(request, "test_check_command")
    with ThreadPoolExecutor(WORKERS) as pool:
        return dict(zip(names, pool.map(run, names)))


@pytest.mark.parametrize("case", NAMES)
def test_check_command(case, checks):
    result = checks[case]
    expected = BY_NAME[case]["expect"]
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode == 1, result.stderr
    assert result.stdout.splitlines() == expected
    assert result.stderr.splitlines()[-1] == f"{len(expected)} problem(s) found"


# --- `mkdocs build` ---------------------------------------------------------------------------

def build_in_process(project: Path) -> tuple[BaseException | None, str]:
    """Build as `mkdocs build --strict` does, in this process; return the exception and the log."""
    log = io.StringIO()
    handler = logging.StreamHandler(log)
    handler.setLevel(logging.WARNING)
    logger = logging.getLogger("mkdocs")
    logger.addHandler(handler)
    raised = None
    config = load_config(config_file=str(project / "mkdocs.yml"), site_dir=str(project / "site"), strict=True)
    try:
        config.plugins.on_startup(command="build", dirty=False)
        mkdocs_build.build(config, dirty=False)
    except BaseException as error:  # noqa: B036 - SystemExit included: what escapes is the question
        raised = error
    finally:
        config.plugins.on_shutdown()
        logger.removeHandler(handler)
    return raised, log.getvalue()


def assert_nothing_published(project: Path) -> None:
    assert not (project / "site").exists(), "a failed build wrote a site"
    leftovers = [p.name for p in project.iterdir() if p.name.startswith(".site.")]
    assert not leftovers, f"a failed build left {leftovers}"


@pytest.mark.parametrize("case", NAMES)
def test_mkdocs_build(case, tmp_path):
    project = broken_project(BY_NAME[case], tmp_path)
    raised, log = build_in_process(project)
    assert isinstance(raised, Abort), f"expected the build to abort, got {raised!r}\n{log}"
    expected = BY_NAME[case]["expect"]
    assert f"The data has {len(expected)} problem(s):" in log
    lines = log.splitlines()
    for line in expected:
        assert line in lines, f"{line!r} not in the build's log:\n{log}"
    assert_nothing_published(project)


@pytest.fixture(scope="module")
def command_builds(request, tmp_path_factory):
    base = tmp_path_factory.mktemp("bad-builds")

    def run(name):
        project = broken_project(BY_NAME[name], base / name)
        return project, run_build(project)

    names = selected(request, "test_mkdocs_build_command")
    with ThreadPoolExecutor(WORKERS) as pool:
        return dict(zip(names, pool.map(run, names)))


@pytest.mark.parametrize("case", REPRESENTATIVE)
def test_mkdocs_build_command(case, command_builds):
    project, result = command_builds[case]
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode == 1, result.stderr
    expected = BY_NAME[case]["expect"]
    errors = result.stderr.splitlines()
    for line in expected:
        assert line in errors, f"{line!r} not in the build's output:\n{result.stderr}"
    assert f"The data has {len(expected)} problem(s):" in result.stderr
    assert_nothing_published(project)
