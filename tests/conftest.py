"""Shared fixtures: throwaway copies of the project to build and break."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
MINIMAL = ROOT / "tests" / "fixtures" / "minimal"
MKDOCS = [sys.executable, "-m", "mkdocs"]


def make_project(target: Path, data: Path = MINIMAL / "data") -> Path:
    """A buildable project in `target`: the real site configuration with the given data."""
    target.mkdir(parents=True, exist_ok=True)
    for name in ("mkdocs.yml", "macros.py"):
        shutil.copy(ROOT / name, target / name)
    for name in ("docs", "schemas", "fingerprints"):
        shutil.copytree(ROOT / name, target / name)
    (target / "natoca").symlink_to(ROOT / "natoca")
    shutil.copytree(data, target / "data")
    return target


def run_build(project: Path, *extra: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1", PYTHONPATH=str(ROOT))
    return subprocess.run(
        # no -q: it silences warnings before --strict can count them, and the build would pass
        MKDOCS + ["build", "--strict", "-f", str(project / "mkdocs.yml"), "-d", str(project / "site"), *extra],
        capture_output=True, text=True, env=env, cwd=project, timeout=600,
    )


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return make_project(tmp_path / "project")


@pytest.fixture(scope="session")
def real_site(tmp_path_factory) -> Path:
    """The site built once per test session from the real data under data/ (about 20 s).

    NATOCA_TEST_SITE=<folder> reuses a site built beforehand (for working on the tests).
    """
    if os.environ.get("NATOCA_TEST_SITE"):
        site = Path(os.environ["NATOCA_TEST_SITE"]).resolve()
        assert (site / "index.html").exists(), f"NATOCA_TEST_SITE={site} holds no built site"
        return site
    project = make_project(tmp_path_factory.mktemp("real") / "project", data=ROOT / "data")
    result = run_build(project)
    assert result.returncode == 0, result.stderr[-5000:]
    assert "WARNING" not in result.stderr, result.stderr[-5000:]
    return project / "site"


@pytest.fixture(scope="session")
def served_site(real_site):
    """The built site on http://127.0.0.1:<port>/natoca-kb/, as GitHub Pages serves it."""
    from natoca.preview import SiteServer, site_url

    with SiteServer(real_site, site_url(ROOT / "mkdocs.yml")) as server:
        yield server


def problems_of(root: Path) -> list[str]:
    """Every problem the pipeline finds in the data under root, as printed lines."""
    from natoca.pipeline import load_model
    from natoca.problems import DataError

    try:
        load_model(root)
    except DataError as error:
        return [str(p) for p in error.problems]
    return []
