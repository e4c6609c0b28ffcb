"""`mkdocs serve --dirty` (what scripts/serve.sh runs) rebuilds only what an edit changed,
and the site it serves is the site a full build makes (natoca/incremental.py)."""
from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

from conftest import MKDOCS, ROOT, make_project
from test_publishing import fetch, free_port, stop, wait_for

REBUILDING = re.compile(r"natoca: rebuilding (\d+) of (\d+) pages")


class Served:
    def __init__(self, project: Path, log: Path, *extra: str):
        self.project, self.log = project, log
        self.port = free_port()
        mount = urlsplit(yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))["site_url"]).path
        self.base = f"http://127.0.0.1:{self.port}{mount}"
        self.temporary = log.parent / "serve-tmp"  # where MkDocs makes the folder it serves from
        self.temporary.mkdir()
        with log.open("w") as output:
            self.process = subprocess.Popen(
                MKDOCS + ["serve", *extra, "-f", str(project / "mkdocs.yml"), "-a", f"127.0.0.1:{self.port}"],
                stdout=output, stderr=subprocess.STDOUT, cwd=project,
                env=dict(os.environ, NO_MKDOCS_2_WARNING="1", PYTHONPATH=str(ROOT), TMPDIR=str(self.temporary)),
            )

    def written(self) -> dict[str, int]:
        """Each page of the served site, by its address, with when it was last written."""
        site = next(self.temporary.glob("mkdocs_*"))
        return {path.parent.relative_to(site).as_posix() + "/": path.stat().st_mtime_ns for path in site.rglob("index.html")}

    def page(self, path: str) -> str:
        return fetch(self.base + path)[1]

    def builds(self) -> list[str]:
        """The log of each build so far."""
        return self.log.read_text(errors="replace").split("Building documentation...")[1:]

    def wait(self, condition, what: str, timeout: float = 120):
        return wait_for(condition, timeout, what, self.process, self.log)

    def build_after(self, change, shows: tuple[str, str]) -> str:
        """Make a change, wait until page `shows[0]` holds the text `shows[1]` and its build has
        finished; return the log of that build."""
        before = len(self.builds())
        change()
        page, text = shows
        self.wait(lambda: text in self.page(page), f"{text!r} on {page}")
        # (not "Documentation built in": MkDocs logs a message only once, and two builds can take as long)
        self.wait(lambda: len(self.builds()) > before and "Reloading browsers" in self.builds()[-1], "the build to finish")
        return self.builds()[-1]

    def stop(self):
        stop(self.process)


def search_locations(served: Served) -> list[str]:
    return [entry["location"] for entry in json.loads(served.page("search/search_index.json"))["docs"]]


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.mark.slow
def test_dirty_serve_rebuilds_only_changed_pages_and_keeps_the_site_whole(tmp_path):
    project = make_project(tmp_path / "project")
    served = Served(project, tmp_path / "serve.log", "--dirty")
    try:
        served.wait(lambda: len(served.builds()) == 1 and "Serving on" in served.builds()[0], "the first build")
        first = served.builds()[0]
        total = int(REBUILDING.search(first).group(2))
        assert REBUILDING.search(first).group(1) == str(total)  # the first build builds everything
        served.wait(lambda: "Tashkent" in served.page("places/tashkent/"), "the first page")
        locations = search_locations(served)
        before = served.written()
        assert "WARNING" not in first and "A 'dirty' build" not in first  # nothing for --strict to count

        # 1. A place's summary: its page and the pages that show it are rebuilt, the rest is kept.
        second = served.build_after(lambda: edit(project / "data/places/tashkent.yaml", "summary: Capital of Uzbekistan.", "summary: Capital of Uzbekistan. Zanzibarword."),
                                    ("places/tashkent/", "Zanzibarword"))
        after = served.written()
        rebuilt = {page for page in after if after[page] != before[page]}
        assert "places/tashkent/" in rebuilt
        assert "people/alexander-vinnikov/" not in rebuilt and "programmes/parp/" not in rebuilt
        assert int(REBUILDING.search(second).group(1)) == len(rebuilt) < total
        assert "Vinnikov" in served.page("people/alexander-vinnikov/")  # a page not rebuilt is still served
        # the search index still holds every page, once, and the new text
        assert sorted(search_locations(served)) == sorted(locations)
        assert "Zanzibarword" in served.page("search/search_index.json")

        # 2. A new record changes the nav: every page is rebuilt, and links to it.
        place = yaml.safe_load((project / "data/places/tashkent.yaml").read_text(encoding="utf-8"))
        place.update(id="samarkand", name="Samarkand", kind="city", summary="A city of Uzbekistan.")
        before = served.written()
        third = served.build_after(lambda: (project / "data/places/samarkand.yaml").write_text(yaml.safe_dump(place, sort_keys=False), encoding="utf-8"),
                                   ("places/samarkand/", "A city of Uzbekistan"))
        assert REBUILDING.search(third).groups() == (str(total + 1), str(total + 1))
        after = served.written()
        assert all(after[page] != before[page] for page in before)  # every page written again, with the new nav
        assert 'href="../samarkand/"' in served.page("places/tashkent/")  # in the nav beside it
        grown = search_locations(served)
        assert len(grown) > len(locations)

        # 3. An edit of the new record rebuilds only what it touches: no stale copies anywhere.
        before = served.written()
        served.build_after(lambda: edit(project / "data/places/samarkand.yaml", "A city of Uzbekistan.", "A city of Uzbekistan, on the Silk Road."),
                           ("places/samarkand/", "on the Silk Road"))
        assert served.written()["people/alexander-vinnikov/"] == before["people/alexander-vinnikov/"]
        assert 'href="../samarkand/"' in served.page("places/tashkent/")
        assert sorted(search_locations(served)) == sorted(grown)  # the page's entries replaced, not added again
        assert "on the Silk Road" in served.page("search/search_index.json")
        assert "Traceback" not in served.log.read_text()
    finally:
        served.stop()


@pytest.mark.slow
def test_a_template_error_under_serve_waits_for_the_fix(tmp_path):
    """mkdocs-macros exits on a template error (on_error_fail, which `mkdocs build` keeps):
    under serve the rebuild stops instead, the server keeps running, and the fix brings the page."""
    project = make_project(tmp_path / "project")
    served = Served(project, tmp_path / "serve.log", "--dirty")
    try:
        served.wait(lambda: len(served.builds()) == 1 and "Serving on" in served.builds()[0], "the first build")
        page = project / "docs" / "about.md"  # a page in the nav
        page.write_text('---\nrender_macros: true\n---\n\n# About\n\n{{ block("no-such-block") }}\n', encoding="utf-8")
        served.wait(lambda: "An error happened during the rebuild" in served.log.read_text(), "the error")
        assert served.process.poll() is None, "the server stopped on a template error"
        assert "no-such-block" in served.log.read_text()
        served.build_after(lambda: page.write_text('---\nrender_macros: true\n---\n\n# About\n\nFixed now.\n\n{{ block("figures") }}\n', encoding="utf-8"),
                           ("about/", "Fixed now"))
        assert served.process.poll() is None
    finally:
        served.stop()
