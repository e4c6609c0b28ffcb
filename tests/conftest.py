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
        MKDOCS + ["build", "--strict", "-q", "-f", str(project / "mkdocs.yml"), "-d", str(project / "site"), *extra],
        capture_output=True, text=True, env=env, cwd=project, timeout=600,
    )


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return make_project(tmp_path / "project")
