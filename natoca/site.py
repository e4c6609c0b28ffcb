"""The renderer of the build in progress, shared by the MkDocs hooks and the macros.

The hooks set it in on_config of every build (and of every rebuild under
`mkdocs serve`), so no state survives from one build to the next.
"""
from __future__ import annotations

from pathlib import Path

from .render import Renderer

current: Renderer | None = None
root: Path | None = None
# The mkdocs command this process runs ("build", "serve", ...), from the hooks' on_startup. Kept
# here because MkDocs loads the hooks module afresh for each rebuild under `mkdocs serve`.
command: str | None = None
dirty = False  # `mkdocs serve --dirty`: rebuild only what changed (natoca/incremental.py)


def renderer() -> Renderer:
    if current is None:
        raise RuntimeError("natoca: the data was not loaded; is natoca/mkdocs_hooks.py listed under hooks: in mkdocs.yml?")
    return current
