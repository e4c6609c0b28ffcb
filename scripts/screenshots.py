"""Save screenshots of every page kind, 1280 px and 390 px wide, for a person to look at.

Usage: python scripts/screenshots.py [SITE_DIR] [OUT_DIR] [--tiles] [--only NAME ...]
  (defaults: site/ and screenshots/). Build the site first: bash scripts/serve.sh build.
  --tiles   also cut each page into screen-high slices (name-desktop-1.png, ...), easier to read
  --only    only these page kinds (home, partner, timeline, ...)
Needs Debian's chromium and chromium-driver. Writes one full-length PNG per page kind and
width (light palette), plus the home page and the timeline in the dark palette.
"""
from __future__ import annotations

import argparse
import base64
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from selenium import webdriver  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402

from natoca.preview import SiteServer, site_url  # noqa: E402

CHROMIUM_FLAGS = ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync", "--hide-scrollbars")
# A page of each kind: the first of the preferred records the site has
PAGES = {
    "home": [""],
    "partner": ["partners/kazakhstan/", "partners/*"],
    "programme": ["programmes/pfp/", "programmes/parp/", "programmes/*"],
    "organisation": ["organisations/sco/", "organisations/*"],
    "person": ["people/robert-simmons/", "people/*"],
    "event": ["events/2005-05-13-andijan/", "events/2005-05-andijan/", "events/*"],
    "place": ["places/manas-airport/", "places/tashkent/", "places/*"],
    "phase": ["phases/afghanistan-phase/", "phases/*"],
    "source": ["sources/vinnikov-2009/", "sources/*"],
    "partners-index": ["partners/"],
    "events-index": ["events/"],
    "timeline": ["timeline/"],
    "map": ["map/"],
    "disputes": ["disputes/"],
    "data": ["data/"],
    "not-found": ["no-such-page/"],
}
WIDTHS = {"desktop": (1280, 900), "phone": (390, 844)}
DARK = ("home", "timeline")
MAX_HEIGHT = 16000  # px: Chromium's limit for one capture is about this


def resolve(site: Path, candidates: list[str]) -> str:
    for candidate in candidates:
        if candidate.endswith("*"):
            folder = site / candidate[:-1]
            found = sorted(p.parent.name for p in folder.glob("*/index.html"))
            if found:
                return f"{candidate[:-1]}{found[0]}/"
        elif candidate == "no-such-page/" or (site / candidate / "index.html").exists():
            return candidate
    return candidates[0]


def browser() -> webdriver.Chrome:
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    return webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)


def emulate(driver: webdriver.Chrome, width: int, height: int) -> None:
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
        "width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 600,
    })


def set_scheme(driver: webdriver.Chrome, scheme: str) -> None:
    """Material keeps the reader's palette choice in localStorage under the site's path."""
    driver.execute_script(
        "var index = arguments[0] === 'slate' ? 1 : 0;"
        "var inputs = document.querySelectorAll('[name=__palette]');"
        "if (inputs[index]) { inputs[index].click(); }", scheme)


def capture(driver: webdriver.Chrome, target: Path, width: int, tile: int = 0) -> list[Path]:
    """The whole page in one PNG; with `tile`, also the page screen by screen (as a reader scrolls it)."""
    time.sleep(0.3)  # let Material settle its header after the load
    screen = driver.execute_script("return window.innerHeight")
    height = min(driver.execute_script("return document.documentElement.scrollHeight"), MAX_HEIGHT)
    # The whole page at once: a screen as tall as the page (capturing beyond the viewport
    # instead catches Material's header half hidden)
    emulate(driver, width, height)
    time.sleep(0.3)
    shot = driver.execute_cdp_cmd("Page.captureScreenshot", {"format": "png"})
    emulate(driver, width, screen)
    target.write_bytes(base64.b64decode(shot["data"]))
    saved = [target]
    for index in range(-(-height // tile) if tile else 0):
        driver.execute_script("window.scrollTo(0, arguments[0])", index * tile)
        time.sleep(0.15)
        part = driver.execute_cdp_cmd("Page.captureScreenshot", {"format": "png"})
        path = target.with_name(f"{target.stem}-{index + 1}.png")
        path.write_bytes(base64.b64decode(part["data"]))
        saved.append(path)
    driver.execute_script("window.scrollTo(0, 0)")
    return saved


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("site", nargs="?", default=str(ROOT / "site"))
    parser.add_argument("out", nargs="?", default=str(ROOT / "screenshots"))
    parser.add_argument("--tiles", action="store_true")
    parser.add_argument("--only", nargs="*")
    args = parser.parse_args(argv[1:])
    site, out = Path(args.site).resolve(), Path(args.out).resolve()
    if not (site / "index.html").exists():
        print(f"No built site in {site}: run `bash scripts/serve.sh build` first.", file=sys.stderr)
        return 1
    out.mkdir(parents=True, exist_ok=True)
    pages = {name: resolve(site, candidates) for name, candidates in PAGES.items() if not args.only or name in args.only}
    with SiteServer(site, site_url(ROOT / "mkdocs.yml")) as server:
        driver = browser()
        try:
            for label, (width, height) in WIDTHS.items():
                emulate(driver, width, height)
                for scheme in ("default", "slate"):
                    for name, path in pages.items():
                        if scheme == "slate" and name not in DARK:
                            continue
                        driver.get(server.url(path))
                        set_scheme(driver, scheme)
                        suffix = f"{label}-dark" if scheme == "slate" else label
                        for saved in capture(driver, out / f"{name}-{suffix}.png", width, height - 100 if args.tiles else 0):
                            print(saved.relative_to(out.parent) if out.is_relative_to(out.parent) else saved)
                    set_scheme(driver, "default")
        finally:
            driver.quit()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
