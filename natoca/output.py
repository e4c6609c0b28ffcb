"""The built site on disk: published whole or not at all, and free of build dates.

`mkdocs build` writes into a hidden sibling of the site folder (`.site.building-*`), and
only a build that succeeded replaces the site folder with it, in one rename. A build that
fails at any point, including a strict-mode warning counted after the last page was
written, leaves the site folder exactly as it was (or absent), never half-written.

Without SOURCE_DATE_EPOCH the site carries no build date, so two builds of the same inputs
are byte-identical: the sitemap loses its <lastmod> lines and sitemap.xml.gz its
timestamp. With SOURCE_DATE_EPOCH set, MkDocs uses that date and we leave it alone.
"""
from __future__ import annotations

import gzip
import logging
import os
import re
import shutil
import tempfile
from pathlib import Path

from mkdocs.utils import CountHandler

_LASTMOD = re.compile(r"\s*<lastmod>[^<]*</lastmod>")
STAGING_PREFIX = ".{name}.building-"


class Staging:
    """Where one `mkdocs build` writes, and where the result goes once the build succeeds."""

    def __init__(self, config):
        self.target = Path(config.site_dir).resolve()
        self.target.parent.mkdir(parents=True, exist_ok=True)
        self.path = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX.format(name=self.target.name), dir=self.target.parent))
        config.site_dir = str(self.path)

    def remove(self) -> None:
        shutil.rmtree(self.path, ignore_errors=True)

    def discard(self, config) -> None:
        """The build failed: drop what it wrote; the site folder stays as it was."""
        self.remove()
        config.site_dir = str(self.target)

    def publish(self, config) -> None:
        """The build succeeded: the new site replaces the old one whole."""
        old = None
        if self.target.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{self.target.name}.old-", dir=self.target.parent))
            os.replace(self.target, old / "site")
            old_site = old / "site"
            # like `mkdocs build --clean`, keep hidden entries (a gh-pages checkout's .git, for instance)
            for entry in old_site.iterdir():
                if entry.name.startswith(".") and not (self.path / entry.name).exists():
                    os.replace(entry, self.path / entry.name)
        os.replace(self.path, self.target)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
        config.site_dir = str(self.target)


def strict_failure_pending(config) -> bool:
    """True when strict mode counted a warning: MkDocs aborts right after on_post_build."""
    if not config.strict:
        return False
    return any(isinstance(handler, CountHandler) and handler.get_counts() for handler in logging.getLogger("mkdocs").handlers)


def strip_build_dates(site_dir: str) -> None:
    """Unless SOURCE_DATE_EPOCH pins it, take the build date out of the sitemap and its gzip header."""
    if os.environ.get("SOURCE_DATE_EPOCH"):
        return
    sitemap = Path(site_dir) / "sitemap.xml"
    if not sitemap.is_file():
        return
    text = _LASTMOD.sub("", sitemap.read_text(encoding="utf-8"))
    sitemap.write_bytes(text.encode("utf-8"))
    with open(f"{sitemap}.gz", "wb") as raw, gzip.GzipFile(filename="sitemap.xml", fileobj=raw, mode="wb", mtime=0) as packed:
        packed.write(text.encode("utf-8"))
