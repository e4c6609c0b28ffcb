"""Text from the data is never executed: script and template payloads in every string field.

Two sites are built from the minimal data set with payloads in it.

- The *valid* site: every plain-text field of every collection (names, titles, aliases,
  countries, topics, claim values, role titles, authors, publishers, locators, ...) holds
  a payload of HTML, script, event handlers, `javascript:` links, attribute lists and Jinja
  (`{{ }}`, `{% %}`); plain text accepts any one line, so these records are valid and the
  real `mkdocs build --strict` builds them. Markdown fields (summary, text, note) refuse
  raw HTML and template syntax, so they hold the payloads that pass that check: escaped
  HTML, attribute lists, links whose target tries to break out of its attribute. The url
  and doi fields hold targets that try the same. A quote must be found in its source, so
  it cannot carry a payload at all: the *raw* site covers it.
- The *raw* site skips validation (an in-process build with `validate` patched out) and
  puts the refused payloads themselves in the Markdown fields and the quotes: raw
  `<script>`, `<img onerror>`, `javascript:` and `data:` links, reference links, Jinja.
  This proves the renderer escapes them on its own, should validation ever miss one.

Headless Chromium then loads every page of both sites from a local HTTP server and
proves that no payload ran (each would set `window.__xss`), that no element carries an
inline event handler or a `javascript:` link, and that each plain-text payload shows
literally on some page. The JSON and CSV exports carry the payloads unchanged.
"""
from __future__ import annotations

import copy
import csv
import functools
import http.server
import io
import json
import logging
import re
import shutil
import threading
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml
from mkdocs.commands import build as mkdocs_build
from mkdocs.config import load_config

from conftest import MINIMAL, make_project, run_build
from datagen import dump, set_at, typed_leaves
from natoca.load import load_document
from natoca.records import COLLECTIONS

# Each payload sets this flag if it runs.
FLAG = "__xss"
PLAIN = ("\"'><script>window.__xss=1</script><img src=x onerror=window.__xss=1><svg onload=window.__xss=1>"
         " {{ 7*7 }} {% raw %} {# c #} [l](javascript:window.__xss=1) {: onclick=window.__xss=1 }"
         " &amp; *e* a\\b </title><!--")
# What a Markdown field may hold and still pass validation.
MARKDOWN_OK = ("&lt;script&gt;window.__xss=1&lt;/script&gt; {: onclick=\"window.__xss=1\" }"
               " [q](https://example.org/\"onmouseover=\"window.__xss=1) <https://example.org/\"onclick=\"window.__xss=1>"
               " *e* a\\b")
# What validation refuses in a Markdown field; the raw site puts it there anyway.
MARKDOWN_RAW = ("<script>window.__xss=1</script><img src=x onerror=\"window.__xss=1\"> {{ 7*7 }} {% raw %}"
                " [j](javascript:window.__xss=1) [d](data:text/html,<script>window.__xss=1</script>)"
                " <a href=\"javascript:window.__xss=1\">a</a> {: onclick=\"window.__xss=1\" }"
                " <javascript:window.__xss=1> [r][bad]\n\n[bad]: javascript:window.__xss=1\n\n"
                "<details open ontoggle=\"window.__xss=1\"></details> [p](//evil.example/x) [b](/\\evil.example/x)")
QUOTE_RAW = "<script>window.__xss=1</script><img src=x onerror=window.__xss=1> {{ 7*7 }} Central Asia encompasses five countries"

# Plain-text fields no page shows, by design, and where they go instead (tested below).
NOT_SHOWN = (".given",)  # an author's given name: only in the citation files (BibTeX, CSL-JSON)

VINNIKOV = {"source": "vinnikov-2009", "quote": "Co-operation was initially promising with Uzbekistan"}
MUKHTOROVA = {"source": "mukhtorova-2018", "quote": "Central Asia encompasses five countries"}


def _citations(node):
    if isinstance(node, dict):
        if "source" in node and "quote" in node:
            yield node
        for value in node.values():
            yield from _citations(value)
    elif isinstance(node, list):
        for value in node:
            yield from _citations(value)


def _with_every_optional_text(records: dict[str, dict]) -> dict[str, dict]:
    """The minimal records plus the optional free-text fields they leave out."""
    records = copy.deepcopy(records)
    dispute = {"topic": "t", "claims": [{"value": "a", "sources": [VINNIKOV]}, {"value": "b", "sources": [MUKHTOROVA]}], "note": "n"}
    for name, record in records.items():
        collection = name.split("/")[1]
        if collection != "sources":
            record.setdefault("disputed", [copy.deepcopy(dispute)])
        if collection not in ("phases", "sources"):
            record.setdefault("aliases", ["alias"])
        record.setdefault("facts", [{"text": "f", "sources": [copy.deepcopy(VINNIKOV)]}])
        if collection == "partners":
            record["participations"][0].update(note="n", disputed=[copy.deepcopy(dispute)])
            record["memberships"][0].update(note="n")
        if collection == "sources":
            record.update(volume="1", issue="2", place="p")
            for author in record["authors"]:
                author.setdefault("affiliation", "a")
        for citation in _citations(record):
            citation["locator"] = "l"
    return records


def fixture_records() -> dict[str, dict]:
    return {path.relative_to(MINIMAL).as_posix(): yaml.safe_load(path.read_text(encoding="utf-8"))
            for path in sorted(MINIMAL.rglob("*.yaml"))}


def payload_records(raw: bool) -> tuple[dict[str, dict], dict[str, str]]:
    """Records with a numbered payload in every string field that can hold one, and the
    plain-text payloads by where they stand ('file:path')."""
    records = _with_every_optional_text(fixture_records())
    plain = {}
    number = 0
    for name, record in records.items():
        for path, kind in typed_leaves(name.split("/")[1], record):
            number += 1
            where = f"{name}:{'.'.join(map(str, path))}"
            if kind == "text":
                value = f"T{number:03d} {PLAIN}"
                plain[where] = value
            elif kind == "markdown":
                value = f"M{number:03d} {MARKDOWN_RAW if raw else MARKDOWN_OK}"
            elif kind == "url":
                value = f"https://example.org/{number}/\"'><img/src=x/onerror=window.__xss=1>"
            elif kind == "doi":
                value = f"10.1234/{number}\"'><img/src=x/onerror=window.__xss=1>"
            elif kind == "quote" and raw:
                value = QUOTE_RAW
            else:
                continue  # ids, dates, enums: their patterns admit no payload
            set_at(record, path, value)
    return records, plain


def write_records(records: dict[str, dict], project: Path) -> None:
    for name, record in records.items():
        (project / name).write_text(dump(record), encoding="utf-8")


@pytest.fixture(scope="module")
def valid_site(tmp_path_factory):
    records, plain = payload_records(raw=False)
    project = make_project(tmp_path_factory.mktemp("injection") / "project")
    write_records(records, project)
    result = run_build(project)
    assert result.returncode == 0, result.stdout + result.stderr
    return project, records, plain


@pytest.fixture(scope="module")
def raw_site(tmp_path_factory):
    """Built in this process with validation patched out, so refused payloads reach the renderer."""
    records, _ = payload_records(raw=True)
    project = make_project(tmp_path_factory.mktemp("injection-raw") / "project")
    write_records(records, project)
    patch = pytest.MonkeyPatch()
    patch.setattr("natoca.pipeline.validate", lambda *args: [])
    log = io.StringIO()
    handler = logging.StreamHandler(log)
    handler.setLevel(logging.WARNING)
    logging.getLogger("mkdocs").addHandler(handler)
    # not strict: the renderer turns each unsafe link into `#unsafe-link-removed`, an anchor no page has
    config = load_config(config_file=str(project / "mkdocs.yml"), site_dir=str(project / "site"), strict=False)
    try:
        config.plugins.on_startup(command="build", dirty=False)
        mkdocs_build.build(config)
    except SystemExit as exit:  # mkdocs-macros exits on a template error
        pytest.fail(f"the raw site did not build: exit {exit.code}\n{log.getvalue()}")
    finally:
        config.plugins.on_shutdown()
        logging.getLogger("mkdocs").removeHandler(handler)
        patch.undo()
    assert (project / "site" / "index.html").exists(), log.getvalue()
    return project, records


def test_every_collection_and_text_field_carries_a_payload(valid_site):
    plain = valid_site[2]
    assert {where.split("/")[1] for where in plain} == set(COLLECTIONS)
    for field in ("name", "short_name", "title", "aliases", "country", "topic", "value", "locator", "family",
                  "given", "affiliation", "container", "volume", "issue", "publisher", "place", "rights"):
        assert any(f".{field}" in where or f":{field}" in where for where in plain), field


# --- the exports carry the payloads unchanged -------------------------------------------------------

def loaded(project: Path, name: str) -> dict:
    document, problems = load_document(project / name, name)
    assert problems == []
    return document.value


def test_json_exports_carry_payloads_unchanged(valid_site):
    project, records, _ = valid_site
    site = project / "site"
    everything = json.loads((site / "api/all.json").read_text(encoding="utf-8"))
    for name in records:
        collection, id = name.split("/")[1], Path(name).stem
        written = loaded(project, name)
        exported = {r["id"]: r for r in json.loads((site / f"api/{collection}.json").read_text(encoding="utf-8"))["records"]}
        assert exported[id] == dict(written, page=f"/{collection}/{id}/")
        assert [r for r in everything[collection] if r["id"] == id] == [written]


def test_csv_exports_carry_payloads_unchanged(valid_site):
    project, records, plain = valid_site
    site = project / "site"
    for name in records:
        collection, id = name.split("/")[1], Path(name).stem
        written = loaded(project, name)
        rows = {row["id"]: row for row in csv.DictReader(io.StringIO((site / f"api/{collection}.csv").read_text(encoding="utf-8")))}
        row = rows[id]
        for key, value in written.items():
            if isinstance(value, str):
                assert row[key] == value, (name, key)
            elif isinstance(value, list) and all(isinstance(v, str) for v in value):
                assert row[key] == "; ".join(value), (name, key)
            elif isinstance(value, (dict, list)):
                assert json.loads(row[key]) == value, (name, key)
    # every plain-text payload is somewhere in the exports, byte for byte
    exported = "".join(path.read_text(encoding="utf-8") for path in (site / "api").glob("*.json"))
    for where, payload in plain.items():
        assert json.dumps(payload, ensure_ascii=False)[1:-1] in exported, where


def test_fields_no_page_shows_are_in_the_citation_files(valid_site):
    project, _, plain = valid_site
    cite = "".join(path.read_text(encoding="utf-8") for path in (project / "site/api/cite").iterdir())
    for where, payload in plain.items():
        if where.endswith(NOT_SHOWN):
            assert json.dumps(payload, ensure_ascii=False)[1:-1] in cite or payload in cite, where


# --- the rendered HTML, statically ----------------------------------------------------------------

def html_pages(site: Path) -> list[Path]:
    return sorted(site.rglob("*.html"))


class _Markup(HTMLParser):
    """What a page's HTML would run: script bodies, event handler attributes, script URLs."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        self._in_script = tag == "script"
        for name, value in attrs:
            value = (value or "").strip().lower()
            if name.startswith("on"):
                self.found.append(f"<{tag} {name}=...>")
            if name in ("href", "src", "action", "formaction", "xlink:href") and value.startswith(("javascript:", "data:")) \
                    and value != "javascript:void(0)":
                self.found.append(f"<{tag} {name}={value[:40]}>")
            if name in ("href", "src", "xlink:href") and "evil.example" in value:  # "//host" or "/\\host": off the site
                self.found.append(f"<{tag} {name}={value[:40]}>")

    def handle_endtag(self, tag):
        self._in_script = False

    def handle_data(self, data):
        if self._in_script and FLAG in data:
            self.found.append(f"<script>{data[:40]}")


@pytest.mark.parametrize("which", ["valid_site", "raw_site"])
def test_no_payload_reaches_the_html_as_markup(which, request):
    """Parsed as a browser would: no payload became an element, an attribute or a script."""
    project = request.getfixturevalue(which)[0]
    for page in html_pages(project / "site"):
        parser = _Markup()
        parser.feed(page.read_text(encoding="utf-8"))
        parser.close()
        assert parser.found == [], f"{page.relative_to(project)}: {parser.found}"


def test_jinja_in_the_data_stays_text(valid_site):
    """Not one `{{ 7*7 }}` was evaluated, in a page, a title, the nav or the search index."""
    site = valid_site[0] / "site"
    index = (site / "search" / "search_index.json").read_text(encoding="utf-8")
    assert re.search(r'"title":"T[0-9]{3} \\"\'&gt;&lt;script&gt;', index) and "{{ 7*7 }}" in index  # titles and text, as text
    page = (site / "partners" / "uzbekistan" / "index.html").read_text(encoding="utf-8")
    title = re.search(r"<title>(.*?)</title>", page, re.S).group(1)
    assert "&#123;&#123; 7*7 &#125;&#125;" in title and "&lt;script&gt;" in title


# --- the rendered site, in a browser --------------------------------------------------------------

class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def serve():
    """serve(site folder) -> base URL of a local HTTP server for it; all stopped at the end."""
    servers = []

    def start(folder: Path) -> str:
        handler = functools.partial(_QuietHandler, directory=str(folder))
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}/"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def browser():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    # Debian's chromium and chromedriver (scripts/test.sh installs them); never skipped when absent
    options.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1280,900"):
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service(shutil.which("chromedriver") or "/usr/bin/chromedriver"), options=options)
    driver.set_page_load_timeout(60)
    yield driver
    driver.quit()


# Set once the page and every image (each `onerror` payload is an image) have settled.
_SETTLED = "return document.readyState === 'complete' && Array.from(document.images).every(i => i.complete);"
_AUDIT = """
const bad = [];
for (const el of document.querySelectorAll('*')) {
  for (const attr of el.attributes) {
    const name = attr.name.toLowerCase(), value = attr.value.trim().toLowerCase();
    if (name.startsWith('on')) bad.push(el.tagName + ' ' + name + '=' + attr.value);
    if (['href', 'src', 'action', 'formaction', 'xlink:href'].includes(name)
        && (value.startsWith('javascript:') || value.startsWith('data:text/html')) && value !== 'javascript:void(0)')
      bad.push(el.tagName + ' ' + name + '=' + attr.value);
  }
}
return {flag: window.__xss, bad: bad, text: document.body.innerText};
"""


def visit(browser, url: str) -> dict:
    from selenium.webdriver.support.ui import WebDriverWait

    browser.get(url)
    WebDriverWait(browser, 30).until(lambda driver: driver.execute_script(_SETTLED))
    return browser.execute_script(_AUDIT)


def _site_urls(site: Path, base: str) -> list[str]:
    urls = []
    for page in html_pages(site):
        relative = page.relative_to(site).as_posix()
        if relative == "404.html":
            continue
        urls.append(base + relative.removesuffix("index.html"))
    return urls


@pytest.mark.browser
@pytest.mark.parametrize("which", ["valid_site", "raw_site"])
def test_no_payload_runs_in_the_browser(which, request, browser, serve):
    project = request.getfixturevalue(which)[0]
    site = project / "site"
    base = serve(site)
    texts = {}
    for url in _site_urls(site, base):
        result = visit(browser, url)
        assert result["flag"] is None, f"a payload ran on {url}"
        assert result["bad"] == [], f"{url}: {result['bad']}"
        texts[url] = result["text"]
    assert len(texts) > 20
    if which == "valid_site":
        plain = request.getfixturevalue("valid_site")[2]
        everything = "\n".join(texts.values())
        missing = [where for where, payload in plain.items() if payload not in everything and not where.endswith(NOT_SHOWN)]
        assert missing == [], f"shown on no page, or not literally: {missing}"
        assert "&lt;script&gt;window.__xss=1&lt;/script&gt;" in everything  # escaped HTML in Markdown stays escaped


@pytest.mark.browser
def test_no_payload_runs_from_the_search(valid_site, browser, serve):
    """Material's search shows matching titles and text: a payload found there stays text."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import WebDriverWait

    base = serve(valid_site[0] / "site")
    visit(browser, base)
    box = WebDriverWait(browser, 10).until(lambda d: d.find_element(By.CSS_SELECTOR, "input.md-search__input"))
    box.click()
    box.send_keys("script")
    WebDriverWait(browser, 30).until(lambda d: d.find_elements(By.CSS_SELECTOR, ".md-search-result__item"))
    WebDriverWait(browser, 30).until(lambda driver: driver.execute_script(_SETTLED))
    result = browser.execute_script(_AUDIT)
    assert result["flag"] is None, "a payload ran from the search results"
    assert result["bad"] == []
    box.send_keys(Keys.ESCAPE)
