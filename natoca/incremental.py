"""Rebuild only the pages an edit changed, under `mkdocs serve --dirty` (what scripts/serve.sh runs).

MkDocs' dirty builds skip each page whose File says it is not modified: a file in docs/ by
its modification time, a generated file never. That alone would leave every generated
page rebuilt, and the pages that read the data stale. So, in a dirty build:

- every generated page's Markdown is rendered up front (a small part of a build) and
  compared with what the build before rendered: a page whose Markdown is the same is marked
  unmodified, and MkDocs neither converts nor writes it;
- the hand-written pages are always rebuilt: their blocks read the data, and their titles
  go into the nav of every page rebuilt;
- a change to the nav (a record added, removed or renamed), to mkdocs.yml, to the theme's
  overrides or to this package's code rebuilds every page;
- Material's search index keeps the entries of the pages not rebuilt (Material's own
  carry-over assumes one changed page).

Nothing here runs for `mkdocs build` or a plain `mkdocs serve`: those rebuild everything.
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
from dataclasses import dataclass, field
from pathlib import Path

from mkdocs.structure.files import Files

# What the last dirty build made. Module state lives as long as the `mkdocs serve` process:
# MkDocs reloads the hooks module for each rebuild, but not this package.


@dataclass
class _Previous:
    nav: str | None = None
    pages: dict[str, str] = field(default_factory=dict)  # generated page -> its Markdown


_previous = _Previous()


def forget() -> None:
    """The next dirty build rebuilds every page (after a build that showed the data's problems)."""
    _previous.nav = None
    _previous.pages.clear()


def _unmodified() -> bool:
    return False


def _modified() -> bool:
    return True


def _frame(config) -> str:
    """What every page depends on besides its own Markdown: the nav, the configuration, the
    theme's overrides and our code (the hooks among it). When it changes, every page is rebuilt."""
    digest = hashlib.sha256(json.dumps(config.nav, sort_keys=True, default=str).encode())
    if config.config_file_path and os.path.isfile(config.config_file_path):
        digest.update(Path(config.config_file_path).read_bytes())
    folders = [Path(__file__).resolve().parent] + [Path(folder) for folder in config.theme.dirs if Path(folder).resolve().is_relative_to(Path(config.config_file_path or ".").resolve().parent)]
    for folder in folders:
        for path in sorted(folder.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                stat = path.stat()
                digest.update(f"{path}\0{stat.st_mtime_ns}\0{stat.st_size}\n".encode())
    return digest.hexdigest()


def plan(files: Files, config, generated: dict[str, str]) -> set[str]:
    """Mark the pages this dirty build may skip; return the source paths of those it rebuilds.

    `generated`: the Markdown of every generated page, by source path.
    """
    nav = _frame(config)
    search = config.plugins.get("material/search")
    # Without Material's search state as this code knows it, skipping pages would leave
    # them out of the search index: rebuild everything then.
    can_skip = search is None or (hasattr(search, "search_index_prev") and hasattr(getattr(search, "search_index", None), "entries"))
    everything = nav != _previous.nav or not can_skip
    kept_urls: set[str] = set()
    rebuilt: set[str] = set()
    for file in files.documentation_pages():
        uri = file.src_uri
        if not everything and uri in generated and _previous.pages.get(uri) == generated[uri]:
            file.is_modified = _unmodified  # this instance only: MkDocs asks it in a dirty build
            kept_urls.add(file.url)
        else:
            file.is_modified = _modified
            rebuilt.add(uri)
    if search is not None and can_skip:
        previous_index = search.search_index_prev
        if previous_index is not None and kept_urls:
            search.search_index.entries.extend(
                entry for entry in previous_index.entries if entry.get("location", "").split("#")[0] in kept_urls
            )
        search.search_index_prev = None  # merged here: Material must not merge the old entries again
    _previous.nav, _previous.pages = nav, dict(generated)
    return rebuilt


class _DirtyWarning(logging.Filter):
    """Drops MkDocs' warning that a dirty build may leave the nav and links inaccurate: plan()
    rebuilds every page when the nav changes. Under --strict the warning would fail each build."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith("A 'dirty' build is being performed")


def quiet_dirty_warning() -> None:
    logger = logging.getLogger("mkdocs.commands.build")
    if not any(isinstance(f, _DirtyWarning) for f in logger.filters):
        logger.addFilter(_DirtyWarning())
