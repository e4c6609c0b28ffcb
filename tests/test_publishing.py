"""What leaves the build: the same site from the same data, and never a half-written one.

- Determinism: two builds of the same data, in different folders, with different hash
  seeds and the data files written in a different order, give byte-identical sites and
  exports; the sitemap carries no build date unless SOURCE_DATE_EPOCH pins one.
- A failed build (bad data, a template error that exits mid-build, a strict-mode
  warning counted after the last page) leaves the site folder exactly as it was, or
  absent, and no staging folder behind; a good build replaces the whole site.
- `mkdocs serve`: saving a bad file prints the error list and the server keeps running;
  fixing the file brings the updated site back.
"""
from __future__ import annotations

import gzip
import html
import os
import re
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

from conftest import MINIMAL, MKDOCS, ROOT, make_project


def build(project: Path, **env: str) -> subprocess.CompletedProcess:
    """`mkdocs build --strict` of a project, with extra environment variables (a value of "" unsets one)."""
    environment = dict(os.environ, NO_MKDOCS_2_WARNING="1", PYTHONPATH=str(ROOT))
    environment.pop("SOURCE_DATE_EPOCH", None)
    for key, value in env.items():
        if value:
            environment[key] = value
        else:
            environment.pop(key, None)
    return subprocess.run(
        MKDOCS + ["build", "--strict", "-f", str(project / "mkdocs.yml"), "-d", str(project / "site")],  # no -q: see conftest.run_build
        capture_output=True, text=True, env=environment, cwd=project, timeout=900,
    )


def tree(folder: Path) -> dict[str, bytes]:
    return {path.relative_to(folder).as_posix(): path.read_bytes() for path in sorted(folder.rglob("*")) if path.is_file()}


def assert_same_tree(first: Path, second: Path) -> None:
    a, b = tree(first), tree(second)
    assert sorted(a) == sorted(b), set(a) ^ set(b)
    different = [name for name in a if a[name] != b[name]]
    assert different == [], f"{len(different)} file(s) differ: {different[:20]}"


def staging_leftovers(project: Path) -> list[str]:
    return [path.name for path in project.iterdir() if path.name.startswith((".site.", ".site-"))]


def project_with_data_in_reverse_order(target: Path, data: Path) -> Path:
    """The same project, its data files created in the reverse order (directory order may follow it)."""
    project = make_project(target, data=data)
    shutil.rmtree(project / "data")
    for path in sorted(data.rglob("*"), reverse=True):
        if path.is_file():
            destination = project / "data" / path.relative_to(data)
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(path, destination)
    return project


# --- determinism ----------------------------------------------------------------------------------

def test_two_builds_are_byte_identical(tmp_path):
    first = make_project(tmp_path / "a" / "project")
    second = project_with_data_in_reverse_order(tmp_path / "b" / "elsewhere" / "project", MINIMAL / "data")
    for project, seed in ((first, "1"), (second, "2")):
        result = build(project, PYTHONHASHSEED=seed)
        assert result.returncode == 0, result.stderr
    assert_same_tree(first / "site", second / "site")
    site = first / "site"
    assert "<lastmod>" not in (site / "sitemap.xml").read_text(encoding="utf-8")
    packed = (site / "sitemap.xml.gz").read_bytes()
    assert packed[4:8] == b"\0\0\0\0", "the gzip header carries a timestamp"
    assert gzip.decompress(packed) == (site / "sitemap.xml").read_bytes()


def test_source_date_epoch_pins_the_build_date(tmp_path):
    first, second = make_project(tmp_path / "a"), make_project(tmp_path / "b")
    for project in (first, second):
        result = build(project, SOURCE_DATE_EPOCH="1700000000")
        assert result.returncode == 0, result.stderr
    assert_same_tree(first / "site", second / "site")
    assert "<lastmod>2023-11-14</lastmod>" in (first / "site" / "sitemap.xml").read_text(encoding="utf-8")


@pytest.mark.slow
def test_real_site_builds_twice_byte_identical(real_site, tmp_path):
    """The real data, built a second time elsewhere with another hash seed: the same bytes."""
    project = project_with_data_in_reverse_order(tmp_path / "again" / "project", ROOT / "data")
    result = build(project, PYTHONHASHSEED="12345")
    assert result.returncode == 0, result.stderr[-5000:]
    assert_same_tree(real_site, project / "site")


# --- a failed build publishes nothing -------------------------------------------------------------

@pytest.fixture
def built(tmp_path) -> tuple[Path, dict[str, bytes]]:
    """A project built once, and its site as it stands."""
    project = make_project(tmp_path / "project")
    result = build(project)
    assert result.returncode == 0, result.stderr
    return project, tree(project / "site")


def break_data(project: Path) -> None:
    place = project / "data/places/tashkent.yaml"
    place.write_text(place.read_text(encoding="utf-8").replace("name: Tashkent", "name: [Tashkent"), encoding="utf-8")


def test_bad_data_leaves_the_old_site(built):
    project, before = built
    break_data(project)
    result = build(project)
    assert result.returncode == 1
    assert "data/places/tashkent.yaml:2:7:" in result.stderr and "Traceback" not in result.stderr
    assert tree(project / "site") == before
    assert staging_leftovers(project) == []


def test_a_template_error_mid_build_leaves_the_old_site(built):
    """mkdocs-macros ends the build with SystemExit at the first page whose macro fails,
    after other pages were written: they were written to the staging folder, never to site/."""
    project, before = built
    (project / "docs/zz-broken.md").write_text('---\nrender_macros: true\n---\n\n{{ block("no-such-block") }}\n', encoding="utf-8")
    result = build(project)
    assert result.returncode != 0
    assert tree(project / "site") == before
    assert staging_leftovers(project) == []


def test_a_strict_warning_after_the_last_page_leaves_the_old_site(built):
    """--strict counts warnings and aborts after on_post_build, when every page is written."""
    project, before = built
    (project / "docs/about.md").write_text("# About\n\nA [broken link](no-such-page.md).\n", encoding="utf-8")
    result = build(project)
    assert result.returncode == 1
    assert "no-such-page.md" in result.stderr
    assert tree(project / "site") == before
    assert staging_leftovers(project) == []


def test_a_first_build_that_fails_leaves_no_site(tmp_path):
    project = make_project(tmp_path / "project")
    break_data(project)
    assert build(project).returncode == 1
    assert not (project / "site").exists()
    assert staging_leftovers(project) == []


def test_a_good_build_replaces_the_whole_site(built):
    project, before = built
    site = project / "site"
    (site / "stale.html").write_text("from an old build", encoding="utf-8")
    (site / ".git").mkdir()  # a gh-pages checkout, say: hidden entries are kept, as `mkdocs build --clean` keeps them
    (site / ".git" / "HEAD").write_text("ref: refs/heads/gh-pages\n", encoding="utf-8")
    result = build(project)
    assert result.returncode == 0, result.stderr
    assert not (site / "stale.html").exists()
    assert (site / ".git" / "HEAD").exists()
    after = tree(site)
    after.pop(".git/HEAD")
    assert after == before
    assert staging_leftovers(project) == []


# --- mkdocs serve ------------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def fetch(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as error:
        return error.code, ""
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return 0, ""


def text_of(page: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", page))


def wait_for(condition, timeout: float, what: str, process: subprocess.Popen, log: Path):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        assert process.poll() is None, f"mkdocs serve stopped (exit {process.returncode}) waiting for {what}:\n{log.read_text()[-5000:]}"
        time.sleep(0.5)
    raise AssertionError(f"timed out waiting for {what}:\n{log.read_text()[-5000:]}")


def stop(process: subprocess.Popen) -> None:
    """Stop a server: politely, then for sure."""
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=20)


@pytest.mark.slow
@pytest.mark.parametrize("mode", [[], ["--dirty"]], ids=["full rebuilds", "dirty, as serve.sh runs it"])
def test_serve_lists_problems_keeps_running_and_recovers(tmp_path, mode):
    project = make_project(tmp_path / "project")
    port = free_port()
    mount = urlsplit(yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))["site_url"]).path
    page = f"http://127.0.0.1:{port}{mount}places/tashkent/"
    log = tmp_path / "serve.log"
    place = project / "data/places/tashkent.yaml"
    good = place.read_text(encoding="utf-8")
    expected = "data/places/tashkent.yaml:2:7: YAML syntax error: the [ opened here is not closed: expected ',' or ']', but got ':' at line 3, column 5; add the ]"
    with log.open("w") as output:
        process = subprocess.Popen(
            MKDOCS + ["serve", *mode, "-f", str(project / "mkdocs.yml"), "-a", f"127.0.0.1:{port}"],
            stdout=output, stderr=subprocess.STDOUT, cwd=project,
            env=dict(os.environ, NO_MKDOCS_2_WARNING="1", PYTHONPATH=str(ROOT)),
        )
    try:
        wait_for(lambda: fetch(page)[0] == 200, 300, "the first build", process, log)
        assert "Tashkent" in fetch(page)[1]

        place.write_text(good.replace("name: Tashkent", "name: [Tashkent"), encoding="utf-8")
        wait_for(lambda: expected in log.read_text(), 120, "the error list in the terminal", process, log)
        # the page the reader had open now lists the problems (and so does every other page)
        wait_for(lambda: expected in text_of(fetch(page)[1]), 120, "the error list on the page", process, log)
        assert expected in text_of(fetch(f"http://127.0.0.1:{port}{mount}")[1])
        assert process.poll() is None, "the server stopped on bad data"
        assert "The data has 1 problem(s):" in log.read_text()
        assert "Traceback" not in log.read_text()

        place.write_text(good.replace("name: Tashkent", "name: Tashkent Fixed"), encoding="utf-8")
        wait_for(lambda: "Tashkent Fixed" in fetch(page)[1], 120, "the fixed page", process, log)
        assert process.poll() is None
        assert "Traceback" not in log.read_text()
    finally:
        stop(process)
