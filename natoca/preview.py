"""Serve a built site folder on localhost, quietly, as GitHub Pages would.

Used by the browser tests and scripts/screenshots.py. The site is served both at
the root and under the path of `site_url` (/natoca-kb/), so that the 404 page,
whose links and assets are absolute from that path, works as it will when
published; an unknown address answers 404 with the site's 404.html.

sitemap.xml is served with site_url's origin replaced by the local one, as
`mkdocs serve` does: Material's instant navigation only handles the links it
finds in the sitemap, and it matches them by protocol, host *and port*.
"""
from __future__ import annotations

import functools
import http.server
import threading
from pathlib import Path
from urllib.parse import urlsplit


class _Handler(http.server.SimpleHTTPRequestHandler):
    prefix = "/"
    site_url = ""

    def log_message(self, format, *args):  # noqa: A002 - the base class's name
        pass  # no request log on the terminal or in the test output

    def translate_path(self, path: str) -> str:
        parts = urlsplit(path)
        route = parts.path
        if self.prefix != "/" and route.startswith(self.prefix):
            route = "/" + route[len(self.prefix):]
        return super().translate_path(route)

    def do_GET(self):
        if self.site_url and urlsplit(self.path).path.endswith("/sitemap.xml"):
            path = Path(self.translate_path(self.path))
            if path.is_file():
                host, port = self.server.server_address[:2]
                local = f"http://{host}:{port}{self.prefix}"
                body = path.read_text(encoding="utf-8").replace(self.site_url, local).encode("utf-8")
                self.send_response(200)
                self.send_header("Content-Type", "application/xml")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
                return
        super().do_GET()

    def send_error(self, code, message=None, explain=None):
        page = Path(self.directory) / "404.html"
        if code == 404 and page.exists():
            body = page.read_bytes()
            self.send_response(404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)
            return
        super().send_error(code, message, explain)


class SiteServer:
    """`with SiteServer(folder, "https://example.org/natoca-kb/") as server: server.url("partners/")`."""

    def __init__(self, folder: Path, site_url: str = "/"):
        self.folder = Path(folder)
        site_url = site_url if site_url.endswith("/") else site_url + "/"
        self.prefix = urlsplit(site_url).path or "/"
        handler = type("Handler", (_Handler,), {"prefix": self.prefix, "site_url": site_url if "://" in site_url else ""})
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(handler, directory=str(self.folder)))
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}{self.prefix}"

    def url(self, path: str = "") -> str:
        return self.base + path.lstrip("/")

    def __enter__(self) -> "SiteServer":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def site_url(config_file: Path) -> str:
    """site_url of mkdocs.yml ('https://natoca-kb.github.io/natoca-kb/'), read without loading the whole config."""
    for line in Path(config_file).read_text(encoding="utf-8").splitlines():
        if line.startswith("site_url:"):
            return line.split(":", 1)[1].split("#")[0].strip().strip("'\"")
    return "/"
