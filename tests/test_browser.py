"""The built site from the real data, in headless Chromium, as a reader uses it.

Debian's chromium and chromium-driver drive the pages (scripts/test.sh installs them);
axe-core from npm (package.json) checks accessibility. These tests never skip: a missing
browser or tool is a failure.
"""
from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.common.exceptions import TimeoutException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select, WebDriverWait

from conftest import ROOT

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
FLAGS = ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync")
# One page of every kind (and the hand-written pages), by their address in the site
PAGE_KINDS = {
    "home": "",
    "partner": "partners/kazakhstan/",
    "programme": "programmes/pfp/",
    "organisation": "organisations/sco/",
    "person": "people/robert-simmons/",
    "event": "events/2005-05-andijan/",
    "place": "places/manas-airport/",
    "phase": "phases/afghanistan-phase/",
    "source": "sources/vinnikov-2009/",
    "partners index": "partners/",
    "programmes index": "programmes/",
    "events index": "events/",
    "sources index": "sources/",
    "timeline": "timeline/",
    "map": "map/",
    "disputes": "disputes/",
    "data": "data/",
    "about": "about/",
    "not found": "no-such-page/",
}
WCAG_A_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def make_driver(javascript: bool = True, width: int = 1280, height: int = 900) -> webdriver.Chrome:
    for program in (CHROMIUM, CHROMEDRIVER):
        assert Path(program).exists() or shutil.which(Path(program).name), f"{program} missing: install Debian's chromium and chromium-driver"
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM if Path(CHROMIUM).exists() else shutil.which("chromium")
    for flag in FLAGS + (f"--window-size={width},{height}",):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    if not javascript:
        options.add_experimental_option("prefs", {"profile.managed_default_content_settings.javascript": 2})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER if Path(CHROMEDRIVER).exists() else shutil.which("chromedriver")), options=options)
    driver.set_page_load_timeout(60)
    return driver


@pytest.fixture(scope="module")
def browser():
    driver = make_driver()
    yield driver
    driver.quit()


@pytest.fixture(scope="module")
def phone():
    driver = make_driver(width=390, height=844)
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {"width": 390, "height": 844, "deviceScaleFactor": 2, "mobile": True})
    yield driver
    driver.quit()


@pytest.fixture(scope="module")
def no_js_browser():
    driver = make_driver(javascript=False)
    yield driver
    driver.quit()


def open_page(driver, server, path: str) -> None:
    driver.get(server.url(path))
    WebDriverWait(driver, 20).until(lambda d: d.execute_script("return document.readyState") == "complete")


def ready(driver) -> None:
    """Material's scripts have run (they mark <html> and set up the search)."""
    WebDriverWait(driver, 20).until(lambda d: d.execute_script("return typeof document$ !== 'undefined' && !document.documentElement.classList.contains('no-js')"))


def console_errors(driver) -> list[str]:
    return [entry["message"] for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]


@pytest.mark.parametrize("kind", PAGE_KINDS)
def test_page_loads_without_console_errors(browser, served_site, kind):
    browser.get_log("browser")  # drop what earlier pages left
    open_page(browser, served_site, PAGE_KINDS[kind])
    ready(browser)
    time.sleep(0.3)  # late script errors
    errors = console_errors(browser)
    if kind == "not found":  # the server answers 404, which Chromium logs for the document itself
        errors = [e for e in errors if "404 (Not Found)" not in e or "no-such-page" not in e]
    assert not errors, errors
    assert browser.find_element(By.CSS_SELECTOR, "article h1").text.strip()
    styles = browser.execute_script("return getComputedStyle(document.querySelector('.md-header')).position")
    assert styles in ("sticky", "fixed"), "Material's stylesheet did not load"


def run_axe(driver) -> list[dict]:
    assert AXE.exists(), "axe-core missing: run `npm ci` (scripts/test.sh does)"
    driver.execute_script(AXE.read_text(encoding="utf-8"))
    driver.set_script_timeout(120)
    result = driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {runOnly: {type: 'tag', values: arguments[0]}, resultTypes: ['violations']})"
        ".then(r => done(JSON.stringify(r.violations))).catch(e => done(JSON.stringify([{id: 'axe-error', help: String(e), nodes: []}])));",
        WCAG_A_AA)
    return json.loads(result)


def describe(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"{v['id']} ({v.get('impact')}): {v['help']}")
        for node in v["nodes"][:5]:
            lines.append(f"    {node['target']}: {node.get('failureSummary', '')[:300]}")
    return "\n".join(lines)


@pytest.mark.parametrize("kind", PAGE_KINDS)
def test_page_has_no_wcag_a_aa_violations(browser, served_site, kind):
    open_page(browser, served_site, PAGE_KINDS[kind])
    ready(browser)
    violations = run_axe(browser)
    assert not violations, describe(violations)


@pytest.mark.parametrize("kind", ["home", "partner", "timeline", "map"])
def test_dark_palette_has_no_wcag_a_aa_violations(browser, served_site, kind):
    open_page(browser, served_site, PAGE_KINDS[kind])
    ready(browser)
    browser.execute_script("document.querySelector('input[name=__palette][data-md-color-scheme=slate]').click()")
    WebDriverWait(browser, 5).until(lambda d: d.execute_script("return document.body.getAttribute('data-md-color-scheme')") == "slate")
    try:
        violations = run_axe(browser)
    finally:
        browser.execute_script("document.querySelector('input[name=__palette][data-md-color-scheme=default]').click()")
    assert not violations, describe(violations)


@pytest.mark.parametrize("kind", ["home", "partner", "timeline", "map"])
def test_phone_layout_has_no_wcag_a_aa_violations(phone, served_site, kind):
    open_page(phone, served_site, PAGE_KINDS[kind])
    ready(phone)
    violations = run_axe(phone)
    assert not violations, describe(violations)


def test_home_has_matrix_map_and_figures(browser, served_site):
    open_page(browser, served_site, "")
    matrix = browser.find_element(By.CSS_SELECTOR, "table.kb-matrix")
    assert matrix.is_displayed()
    assert len(matrix.find_elements(By.CSS_SELECTOR, "tbody tr")) >= 10
    assert len(matrix.find_elements(By.CSS_SELECTOR, "thead th")) == 6
    svg = browser.find_element(By.CSS_SELECTOR, "svg.kb-map")
    assert svg.is_displayed() and svg.size["width"] > 600
    assert len(svg.find_elements(By.CSS_SELECTOR, "a.kb-map-place")) >= 20
    assert browser.find_element(By.CSS_SELECTOR, ".kb-legend").is_displayed()
    figures = browser.find_elements(By.CSS_SELECTOR, ".kb-figures li")
    assert len(figures) >= 8
    # a cell leads to the statement on the partner's page
    cell = matrix.find_element(By.CSS_SELECTOR, 'a[href$="partners/kazakhstan/#participation-pfp"]')
    assert cell.text.startswith("1995")


def test_matrix_is_readable_on_a_phone(phone, served_site):
    open_page(phone, served_site, "")
    ready(phone)
    table = phone.find_element(By.CSS_SELECTOR, "table.kb-matrix")
    phone.execute_script("arguments[0].scrollIntoView()", table)
    first = phone.find_element(By.CSS_SELECTOR, "table.kb-matrix tbody th")
    assert phone.execute_script("return getComputedStyle(arguments[0]).position", first) == "sticky"
    scroller = phone.find_element(By.CSS_SELECTOR, ".kb-matrix-scroll")
    phone.execute_script("arguments[0].scrollLeft = 400", scroller)
    time.sleep(0.2)
    box = phone.execute_script("const r = arguments[0].getBoundingClientRect(); const s = arguments[1].getBoundingClientRect(); return [r.left - s.left, r.width]", first, scroller)
    assert abs(box[0]) < 2 and box[1] > 60, box  # the programme names stay in view while the cells scroll
    assert phone.execute_script("return document.documentElement.scrollWidth") <= 390  # the page itself does not scroll sideways


def test_map_fits_a_phone(phone, served_site):
    open_page(phone, served_site, "map/")
    ready(phone)
    for svg in phone.find_elements(By.CSS_SELECTOR, "svg.kb-map"):
        assert 300 < svg.size["width"] <= 390
    marker = phone.find_element(By.CSS_SELECTOR, "a.kb-map-place .kb-mark-shape")
    assert marker.size["width"] >= 8  # big enough to tap once scaled
    assert phone.execute_script("return document.documentElement.scrollWidth") <= 390


def visible_events(driver) -> int:
    return driver.execute_script("return [...document.querySelectorAll('.kb-event')].filter(e => e.offsetParent !== null).length")


def test_timeline_filters_narrow_the_list_and_restore_it(browser, served_site):
    open_page(browser, served_site, "timeline/")
    ready(browser)
    form = WebDriverWait(browser, 10).until(EC.visibility_of_element_located((By.ID, "kb-filters")))
    total = len(browser.find_elements(By.CSS_SELECTOR, ".kb-event"))
    assert visible_events(browser) == total > 100
    Select(form.find_element(By.NAME, "partner")).select_by_value("kazakhstan")
    by_partner = visible_events(browser)
    assert 0 < by_partner < total
    shown = browser.execute_script("return [...document.querySelectorAll('.kb-event')].filter(e => e.offsetParent !== null).map(e => e.dataset.partners)")
    assert all("kazakhstan" in partners.split() for partners in shown)
    assert "partner=kazakhstan" in browser.current_url
    assert f"{by_partner} of {total}" in browser.find_element(By.ID, "kb-filter-count").text
    Select(form.find_element(By.NAME, "theme")).select_by_value("afghanistan")
    both = visible_events(browser)
    assert 0 < both < by_partner
    assert "theme=afghanistan" in browser.current_url
    # year headings without a matching event are hidden
    hidden_years = browser.execute_script("return [...document.querySelectorAll('.kb-year')].filter(y => y.hidden).length")
    assert hidden_years > 0
    form.find_element(By.CSS_SELECTOR, "button[type=reset]").click()
    WebDriverWait(browser, 5).until(lambda d: visible_events(d) == total)
    assert "partner=" not in browser.current_url and "theme=" not in browser.current_url
    assert browser.execute_script("return [...document.querySelectorAll('.kb-year')].every(y => !y.hidden)")


def test_timeline_filters_come_from_a_shared_address(browser, served_site):
    open_page(browser, served_site, "timeline/?programme=pfp&theme=partnership-framework")
    ready(browser)
    WebDriverWait(browser, 10).until(EC.visibility_of_element_located((By.ID, "kb-filters")))
    assert Select(browser.find_element(By.NAME, "programme")).first_selected_option.get_attribute("value") == "pfp"
    shown = browser.execute_script("return [...document.querySelectorAll('.kb-event')].filter(e => e.offsetParent !== null).map(e => [e.dataset.programmes, e.dataset.themes])")
    assert shown and all("pfp" in p.split() and "partnership-framework" in t.split() for p, t in shown)
    link = browser.find_element(By.ID, "kb-filter-link")
    assert "programme=pfp" in link.get_attribute("href")


def test_timeline_filters_survive_instant_navigation(browser, served_site):
    """Material's instant navigation swaps the page in place: the filters must still be set up."""
    open_page(browser, served_site, "")
    ready(browser)
    browser.execute_script("window.__kb_marker = 1")  # gone if the browser reloads the page
    tab = browser.find_element(By.CSS_SELECTOR, '.md-tabs a[href$="timeline/"]')
    tab.click()
    WebDriverWait(browser, 10).until(lambda d: "/timeline/" in d.current_url and d.find_elements(By.ID, "kb-filters"))
    assert browser.execute_script("return window.__kb_marker") == 1, "the page was reloaded: instant navigation is off"
    form = WebDriverWait(browser, 10).until(EC.visibility_of_element_located((By.ID, "kb-filters")))
    total = len(browser.find_elements(By.CSS_SELECTOR, ".kb-event"))
    Select(form.find_element(By.NAME, "partner")).select_by_value("uzbekistan")
    assert 0 < visible_events(browser) < total


def test_timeline_without_javascript_lists_every_event(no_js_browser, served_site):
    open_page(no_js_browser, served_site, "timeline/")
    assert "no-js" in no_js_browser.find_element(By.TAG_NAME, "html").get_attribute("class")  # Material's scripts did not run
    items = no_js_browser.find_elements(By.CSS_SELECTOR, ".kb-event")
    assert len(items) > 100
    assert all(item.is_displayed() for item in items)
    assert all(item.find_element(By.CSS_SELECTOR, 'a[href*="events/"]') for item in items[:20])
    assert not no_js_browser.find_element(By.ID, "kb-filters").is_displayed()  # no control that cannot work
    assert len(no_js_browser.find_elements(By.CSS_SELECTOR, "section.kb-phase")) >= 4


def search(driver, server, query: str) -> list[str]:
    open_page(driver, server, "")
    ready(driver)
    box = driver.find_element(By.CSS_SELECTOR, "input.md-search__input")
    if not box.is_displayed():  # on a phone the search opens from a button of the header
        driver.find_element(By.CSS_SELECTOR, "label.md-header__button[for=__search]").click()
    box = WebDriverWait(driver, 10).until(EC.element_to_be_clickable((By.CSS_SELECTOR, "input.md-search__input")))
    box.click()
    box.clear()
    box.send_keys(query)
    try:
        WebDriverWait(driver, 20).until(lambda d: d.find_elements(By.CSS_SELECTOR, ".md-search-result__item a"))
    except TimeoutException:
        return []
    links = [a.get_attribute("href") for a in driver.find_elements(By.CSS_SELECTOR, ".md-search-result__item a")]
    box.send_keys(Keys.ESCAPE)
    return links


@pytest.mark.parametrize("query, expected", [
    ("Andijon", "/andijan/"),  # an alias (Uzbek spelling) of Andijan
    ("PFP", "/programmes/pfp/"),  # an alias in capitals
    ("Transit Center at Manas", "/places/manas-airport/"),
])
def test_search_finds_records_by_their_aliases(browser, served_site, query, expected):
    results = search(browser, served_site, query)
    assert any(expected in url for url in results), results[:10]


def test_not_found_page_is_styled_and_leads_back(browser, served_site):
    open_page(browser, served_site, "partners/no-such-country/")
    ready(browser)
    assert "Page not found" in browser.find_element(By.CSS_SELECTOR, "article h1").text
    link = browser.find_element(By.LINK_TEXT, "The timeline")
    link.click()
    WebDriverWait(browser, 10).until(lambda d: d.current_url.endswith("/timeline/"))
    assert browser.find_element(By.ID, "kb-filters")


def test_palette_toggle_switches_to_dark_and_back(browser, served_site):
    open_page(browser, served_site, "partners/kazakhstan/")
    ready(browser)
    scheme = lambda d: d.execute_script("return document.body.getAttribute('data-md-color-scheme')")  # noqa: E731
    assert scheme(browser) == "default"
    browser.find_element(By.CSS_SELECTOR, 'label[for="__palette_1"]').click()
    WebDriverWait(browser, 5).until(lambda d: scheme(d) == "slate")
    browser.find_element(By.CSS_SELECTOR, 'label[for="__palette_0"]').click()
    WebDriverWait(browser, 5).until(lambda d: scheme(d) == "default")


def test_footnote_shows_the_quote_and_links_the_source(browser, served_site):
    open_page(browser, served_site, "partners/kazakhstan/")
    ready(browser)
    note = browser.find_element(By.CSS_SELECTOR, ".footnote li")
    assert "“" in note.text
    assert note.find_element(By.CSS_SELECTOR, 'a[href*="sources/"]')
    assert browser.find_element(By.CSS_SELECTOR, 'a[href*="/edit/main/data/partners/kazakhstan.yaml"]')


def test_map_points_and_instant_navigation_work_together(browser, served_site):
    """Pages with the map, reached by instant navigation, raise no error; a point opens its place."""
    open_page(browser, served_site, "timeline/")
    ready(browser)
    browser.get_log("browser")
    browser.execute_script("window.__kb_marker = 1")
    browser.find_element(By.CSS_SELECTOR, '.md-tabs a[href$="map/"]').click()
    WebDriverWait(browser, 10).until(lambda d: "/map/" in d.current_url and len(d.find_elements(By.CSS_SELECTOR, "svg.kb-map")) == 2)
    assert browser.execute_script("return window.__kb_marker") == 1  # swapped in place, not reloaded
    time.sleep(0.3)
    assert not console_errors(browser)
    point = browser.find_element(By.CSS_SELECTOR, 'svg.kb-map a.kb-map-place[*|href$="places/manas-airport/"]')
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", point)
    point.click()
    WebDriverWait(browser, 10).until(lambda d: d.current_url.endswith("/places/manas-airport/"))
    assert "Manas" in browser.find_element(By.CSS_SELECTOR, "article h1").text
    assert not console_errors(browser)


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", path
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")


def test_screenshot_script_saves_both_widths(real_site, tmp_path):
    import subprocess
    import sys

    result = subprocess.run([sys.executable, str(ROOT / "scripts/screenshots.py"), str(real_site), str(tmp_path), "--only", "partner"],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert "GET /" not in result.stdout + result.stderr  # the local server keeps quiet
    assert png_size(tmp_path / "partner-desktop.png")[0] == 1280
    assert png_size(tmp_path / "partner-phone.png")[0] == 390
    assert png_size(tmp_path / "partner-desktop.png")[1] > 2000  # the whole page, not one screen
