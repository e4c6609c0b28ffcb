"""The built site from the real data, read as files: links, anchors, HTML validity, meta data, completeness."""
from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
import yaml

from conftest import ROOT

PREFIX = "/natoca-kb/"  # the path of site_url: the 404 page's links start with it
VNU = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
COLLECTIONS = ("partners", "programmes", "organisations", "people", "events", "places", "phases", "sources")


class Page(HTMLParser):
    """The ids and the outgoing links of one HTML file."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.links: list[tuple[str, str]] = []  # (tag, url)
        self.meta: dict[str, str] = {}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for name in ("id", "name") if tag == "a" else ("id",):
            if attrs.get(name):
                self.ids.add(attrs[name])
        for name in ("href", "src", "xlink:href"):  # the maps' SVG links are xlink:href
            if name in attrs and attrs[name] is not None and tag in ("a", "link", "script", "img", "iframe", "source"):
                self.links.append((tag, attrs[name]))
        if tag == "meta" and attrs.get("content") is not None:
            self.meta[attrs.get("name") or attrs.get("property") or ""] = attrs["content"]


def parse(path: Path) -> Page:
    page = Page()
    page.feed(path.read_text(encoding="utf-8"))
    return page


@pytest.fixture(scope="module")
def pages(real_site) -> dict[Path, Page]:
    return {path: parse(path) for path in sorted(real_site.rglob("*.html"))}


def target_file(site: Path, page: Path, url: str) -> Path | None:
    """The file a site-internal URL leads to from `page`, or None for external URLs."""
    parts = urlsplit(url)
    if parts.scheme or parts.netloc or url.startswith(("mailto:", "javascript:", "data:")):
        return None
    path = unquote(parts.path)
    if not path:
        return page
    if path.startswith("/"):
        assert path.startswith(PREFIX), f"absolute link outside the site's path: {url}"
        resolved = site / path[len(PREFIX):]
    else:
        resolved = page.parent / path
    if path.endswith("/"):
        resolved = resolved / "index.html"
    return resolved.resolve()


def test_every_internal_link_and_anchor_resolves(real_site, pages):
    broken = []
    checked = 0
    for page, parsed in pages.items():
        for tag, url in parsed.links:
            target = target_file(real_site, page, url)
            if target is None:
                continue
            checked += 1
            where = f"{page.relative_to(real_site)}: <{tag}> {url}"
            if not target.is_relative_to(real_site.resolve()):
                broken.append(f"{where} (leaves the site)")
                continue
            if target.is_dir() and (target / "index.html").exists():
                target = target / "index.html"
            if not target.exists():
                broken.append(f"{where} (no file {target.relative_to(real_site.resolve())})")
                continue
            fragment = unquote(urlsplit(url).fragment)
            if fragment and target.suffix == ".html" and fragment not in (pages[target] if target in pages else parse(target)).ids:
                broken.append(f"{where} (no #{fragment} there)")
    assert checked > 10000, checked  # the real site has tens of thousands of links
    assert not broken, f"{len(broken)} broken link(s):\n" + "\n".join(broken[:60])


def test_no_duplicate_ids(real_site):
    duplicated = []
    for path in real_site.rglob("*.html"):
        ids = Counter(re.findall(r'\sid="([^"]+)"', path.read_text(encoding="utf-8")))
        duplicated += [f"{path.relative_to(real_site)}: #{id} ×{n}" for id, n in ids.items() if n > 1]
    assert not duplicated, "\n".join(duplicated[:40])


# Errors of Material for MkDocs' own markup, which this site cannot change without copying
# and maintaining Material's templates. Each is filtered by its exact message AND the markup
# it is found in, so the same mistake in our own pages is still reported.
KNOWN_MATERIAL_ERRORS = [
    # partials/nav-item.html writes tabindex="" on the label of a navigation section when
    # navigation.sections is on (the label is not focusable then; browsers ignore the empty value).
    ("Bad value “” for attribute “tabindex” on element “label”", 'class="md-nav__link'),
    # base.html puts autocomplete="off" on its hidden checkboxes (drawer, search) so that
    # browsers do not restore their state; HTML allows autocomplete only on text-like inputs.
    ("Attribute “autocomplete” is only allowed when the input type is", 'class="md-toggle"'),
]


@pytest.mark.slow
def test_html_is_valid_by_the_nu_checker(real_site):
    """The W3C Nu HTML checker (npm vnu-jar, run with Java) finds no error in any page."""
    assert VNU.exists(), "vnu.jar missing: run `npm ci` (scripts/test.sh does)"
    java = shutil.which("java")
    assert java, "java missing: scripts/test.sh installs Debian's default-jre-headless"
    result = subprocess.run([java, "-jar", str(VNU), "--errors-only", "--skip-non-html", "--format", "json", str(real_site)],
                            capture_output=True, text=True, timeout=900)
    report = json.loads(result.stderr or result.stdout)
    errors, filtered = [], Counter()
    for message in report["messages"]:
        known = next((m for m, markup in KNOWN_MATERIAL_ERRORS if message["message"].startswith(m) and markup in message.get("extract", "")), None)
        if known:
            filtered[known] += 1
            continue
        errors.append(f"{message.get('url', '').split('/site/')[-1]}:{message.get('lastLine')}: {message['message']}\n    {message.get('extract', '')!r}")
    assert len(list(real_site.rglob("*.html"))) > 300
    assert not errors, f"{len(errors)} Nu checker error(s):\n" + "\n".join(errors[:40])


def test_every_page_has_its_own_meta_description(real_site, pages):
    missing, descriptions = [], Counter()
    for page, parsed in pages.items():
        if page.name == "404.html":
            continue
        description = parsed.meta.get("description", "")
        if len(description) < 20:
            missing.append(str(page.relative_to(real_site)))
        descriptions[description] += 1
        assert parsed.meta.get("og:description") == description, page
        assert parsed.meta.get("og:title"), page
    assert not missing, missing
    # record pages describe themselves; only the collection indexes may share a pattern
    kazakhstan = pages[real_site / "partners/kazakhstan/index.html"].meta["description"]
    assert "Kazakhstan" in kazakhstan and descriptions[kazakhstan] == 1


def test_meta_description_keeps_quotes_inside_the_attribute(real_site):
    """A summary with quotation marks must not break the <meta> tag (Material prints it unescaped)."""
    for path in real_site.glob("*/*/index.html"):
        head = path.read_text(encoding="utf-8").split("</head>")[0]
        for tag in re.findall(r"<meta [^>]*>", head):
            assert re.fullmatch(r'<meta( [a-z:-]+="[^"]*")+\s*/?>', tag), f"{path}: {tag}"


def data_records() -> dict[str, dict[str, dict]]:
    return {name: {p.stem: yaml.safe_load(p.read_text(encoding="utf-8")) for p in (ROOT / "data" / name).glob("*.yaml")} for name in COLLECTIONS}


def test_every_record_has_a_page_that_links_its_yaml_file(real_site):
    for name, records in data_records().items():
        for id in records:
            page = real_site / name / id / "index.html"
            assert page.exists(), page
            text = page.read_text(encoding="utf-8")
            assert f"/data/{name}/{id}.yaml" in text, f"{page}: no link to its YAML file"


def test_every_fact_links_to_its_source(real_site):
    """Every footnote of a record page is a link to a source page with a quotation."""
    for path in (real_site / "partners").glob("*/index.html"):
        html = path.read_text(encoding="utf-8")
        notes = re.findall(r'<li id="fn:\d+">(.*?)</li>', html, re.S)
        assert len(notes) > 20, path
        for note in notes:
            assert re.search(r'href="\.\./\.\./sources/[a-z0-9-]+/"', note) and "“" in note, note[:200]
        refs = set(re.findall(r'href="#fn:(\d+)"', html))
        assert len(refs) == len(notes), path


def test_the_timeline_lists_every_event_without_javascript(real_site):
    html = (real_site / "timeline/index.html").read_text(encoding="utf-8")
    events = data_records()["events"]
    items = re.findall(r'<li class="kb-event"[^>]*>.*?href="\.\./events/([a-z0-9-]+)/"', html, re.S)
    assert sorted(items) == sorted(events)
    assert '<form class="kb-filters" id="kb-filters" hidden>' in html  # shown by the script only
    for phase in data_records()["phases"]:
        assert f'id="phase-{phase}"' in html


def test_the_maps_show_every_place_with_coordinates(real_site):
    places = data_records()["places"]
    mapped = {id for id, place in places.items() if "coordinates" in place}
    html = (real_site / "map/index.html").read_text(encoding="utf-8")
    svgs = re.findall(r"<svg class=\"kb-map\".*?</svg>", html, re.S)
    assert len(svgs) == 2
    on_maps = set(re.findall(r'<a class="kb-map-place[^"]*" xlink:href="\.\./places/([a-z0-9-]+)/"', "".join(svgs)))
    assert on_maps == mapped
    for svg in svgs:
        assert re.search(r"<title id=\"kb-map-[a-z]+-title\">[^<]{10,}</title>", svg) and "<desc id=" in svg
    listed = set(re.findall(r'href="\.\./places/([a-z0-9-]+)/"', html.split('id="places-list"')[1]))
    assert listed == set(places)
    assert "tile" not in html.lower() or "tiles" not in html  # drawn at build time, no tile server
    home = (real_site / "index.html").read_text(encoding="utf-8")
    assert 'class="kb-map"' in home and 'href="places/manas-airport/"' in home


def test_the_matrix_links_both_ways(real_site):
    home = (real_site / "index.html").read_text(encoding="utf-8")
    matrix = home.split('id="matrix"')[1].split('id="map"')[0]
    for partner in data_records()["partners"]:
        assert f'href="partners/{partner}/"' in matrix
    assert 'href="programmes/pfp/"' in matrix
    assert re.search(r'href="partners/kazakhstan/#participation-pfp"[^>]*>1995<', matrix)
    assert 'class="kb-sr"> (sources disagree)' in matrix
    page = (real_site / "programmes/pfp/index.html").read_text(encoding="utf-8")
    assert 'href="../../partners/kazakhstan/#participation-pfp"' in page


def test_search_index_holds_the_aliases(real_site):
    index = json.loads((real_site / "search/search_index.json").read_text(encoding="utf-8"))
    text = " ".join(doc["text"] for doc in index["docs"])
    for alias in ("Andijon", "PFP", "Transit Center at Manas"):
        assert alias in text, alias


def test_source_pages_offer_citations_and_coverage(real_site):
    for id in data_records()["sources"]:
        html = (real_site / "sources" / id / "index.html").read_text(encoding="utf-8")
        assert f'href="../../api/cite/{id}.bib"' in html and f'href="../../api/cite/{id}.json"' in html
        assert (real_site / "api/cite" / f"{id}.bib").read_text().startswith("@")
        assert json.loads((real_site / "api/cite" / f"{id}.json").read_text())
        assert re.search(r"<strong>\d+%</strong> of the text is quoted", html)
        assert "Every statement that cites it" in html and "<blockquote>" in html


def test_the_404_page_leads_back(real_site):
    html = (real_site / "404.html").read_text(encoding="utf-8")
    assert "Page not found" in html
    assert f'href="{PREFIX}timeline/"' in html
