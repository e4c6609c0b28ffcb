"""Benchmark the data-driven build against the same pages written by hand, and its growth.

    .venv/bin/python scripts/benchmark.py            # the full benchmark (some 45 minutes on 2 cores)
    .venv/bin/python scripts/benchmark.py --quick    # some 15 seconds: tiny data, one run each (CI)

It prints Markdown tables:

1. Data-driven vs hand-written: (a) the site built from data/ by the hooks and the
   macros, (b) the very pages (a) produced, written out as plain Markdown files (the
   exports as static files), built by plain MkDocs with the same theme, features,
   Markdown extensions, search plugin and nav, minus the hooks and the macros plugin.
   Time, ratio, pages per second and peak memory, medians of --runs runs, on the real
   data and on synthetic data at 10x. (a) is timed twice: as a first build (no record
   cache, every file parsed and checked) and as a rebuild (the cache of the build before).
2. Stages of the data-driven first build: load, validate, link (model and nav), render
   pages (the Jinja templates, called by the hooks for generated pages and by mkdocs-macros
   for hand-written ones), exports (the hooks' on_files, and their output work) and the
   rest of MkDocs (Markdown, theme templates, search index, files).
3. Growth at 1x, 10x and 30x the real record count (first builds), each step's ratio to
   the last, for the whole build and for each stage; the slowest pages of the largest set.
4. Load and validation of 10,000 records: a first run, and a run over unchanged files
   (record cache warm), beside the time libyaml alone takes to read them.
5. Edit-to-reload: `mkdocs serve --dirty` (as scripts/serve.sh runs it) on the real data;
   the time from saving one YAML file to the page with the new text being served.
6. The targets, met or not.

Times are CPU seconds of the build process (steadier than the wall clock on a busy
machine; the two agree on an idle one), each the median of --runs runs taken round robin
over the data sets. Each run is a fresh subprocess that reports its own time and peak
resident memory. Synthetic data comes from natoca/synthetic.py (seeded; --seed).
"""
from __future__ import annotations

import argparse
import functools
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

HOOKS = "natoca/mkdocs_hooks.py"
STAGES = ("load", "validate", "link", "render", "exports", "mkdocs")
STAGE_TITLES = {
    "load": "load", "validate": "validate", "link": "link (model + nav)", "render": "render pages",
    "exports": "exports (hooks: on_files, output)", "mkdocs": "rest of MkDocs",
}
TARGETS = {"ratio": 1.15, "growth": 10.5, "load_validate": 1.0, "memory": 300.0, "reload": 2.0}


# ---------------------------------------------------------------- child processes

clock = time.process_time  # CPU seconds: on a busy machine far steadier than the wall clock


def child(argv: list[str]) -> int:
    """One measured run in this fresh process; prints one line of JSON."""
    started, wall = clock(), time.perf_counter()
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=("data", "plain", "load"))
    parser.add_argument("project", type=Path)
    parser.add_argument("--site", type=Path)
    parser.add_argument("--capture", type=Path, help="write the plain-Markdown twin of the site here")
    arguments = parser.parse_args(argv)
    os.environ["NO_MKDOCS_2_WARNING"] = "1"
    result: dict = {}
    stages = _time_pipeline() if arguments.mode != "plain" else {}
    if arguments.mode == "data":
        from natoca import render

        for name in ("record_page", "index_page", "block"):  # the Jinja templates alone, without mkdocs-macros
            setattr(render.Renderer, name, _stopwatch(getattr(render.Renderer, name), stages, "templates"))
    if arguments.mode == "load":
        from natoca import pipeline

        model = pipeline.load_model(arguments.project)
        result.update(stages=stages, records=sum(len(r) for r in model.records.values()))
        import yaml

        texts = [path.read_text(encoding="utf-8") for path in sorted((arguments.project / "data").rglob("*.yaml"))]
        begun = clock()
        for text in texts:  # the floor under any loader built on PyYAML: libyaml's events, untouched
            for _event in yaml.parse(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
                pass
        result["parse_floor"] = clock() - begun
    else:
        result.update(build(arguments, started, stages))
    result["total"] = clock() - started
    result["wall"] = time.perf_counter() - wall
    result["maxrss_mb"] = peak_memory_mb()
    print(json.dumps(result))
    return 0


def peak_memory_mb() -> float:
    """This process's peak resident memory. Linux's VmHWM belongs to the process's own memory map;
    ru_maxrss is carried over from the parent across fork and exec, so the parent's size would show."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _time_pipeline() -> dict:
    """CPU seconds in each stage of natoca.pipeline.load_model, as its Timings divides them:
    load (the files), validate (fingerprints, schemas, checks), link (the model)."""
    from natoca import pipeline

    stages = {"load": 0.0, "validate": 0.0, "link": 0.0}
    for name, stage in (("load_records", "load"), ("load_fingerprints", "validate"), ("load_schemas", "validate"), ("validate", "validate"), ("build_model", "link")):
        setattr(pipeline, name, _stopwatch(getattr(pipeline, name), stages, stage))
    return stages


def _stopwatch(function, totals: dict, key: str):
    def timed(*args, **kwargs):
        begun = clock()
        try:
            return function(*args, **kwargs)
        finally:
            totals[key] = totals.get(key, 0.0) + clock() - begun

    return timed


def build(arguments, started: float, stages: dict) -> dict:
    import logging

    from mkdocs.commands.build import build as mkdocs_build
    from mkdocs.config import load_config

    logging.basicConfig(level=logging.WARNING, format="%(levelname)s - %(message)s", stream=sys.stderr)
    logging.getLogger("mkdocs").setLevel(logging.WARNING)
    config = load_config(config_file=str(arguments.project / "mkdocs.yml"), site_dir=str(arguments.site))
    spent: dict[str, float] = {}
    plugins = config.plugins
    for event, methods in plugins.events.items():
        for index, method in enumerate(methods):
            origin = plugins._event_origins.get(method, "?")
            methods[index] = _stopwatch(method, spent, f"{origin}:{event}")
            methods[index].mkdocs_priority = getattr(method, "mkdocs_priority", 0)
            plugins._event_origins[methods[index]] = origin
    pages = _PageClock(plugins)
    capture = _Capture(arguments.capture, arguments.project) if arguments.capture else None
    if capture:
        capture.attach(plugins)
    plugins.on_startup(command="build", dirty=False)  # as `mkdocs build` does
    try:
        mkdocs_build(config)
    except BaseException as error:  # say why on stderr, which the parent shows
        print(f"build failed: {error!r}", file=sys.stderr)
        raise
    finally:
        plugins.on_shutdown()
    if capture:
        capture.write(config)
    result: dict = {"pages": len(pages.seconds), "build": clock() - started, "slowest": pages.slowest(8), "kinds": pages.by_kind(), "events": spent}
    if stages:
        hooks = {key.split(":")[-1]: seconds for key, seconds in spent.items() if key.startswith(HOOKS + ":")}
        stages = dict(stages)
        templates = stages.pop("templates", 0.0)
        stages["link"] += hooks.get("config", 0.0) - stages["load"] - stages["validate"] - stages["link"]  # on_config beyond load_model: the nav
        # the generated pages are rendered by the hooks' on_page_markdown, the hand-written ones by mkdocs-macros
        stages["render"] = sum(seconds for key, seconds in spent.items() if key.startswith("macros:")) + hooks.get("page_markdown", 0.0)
        stages["exports"] = sum(seconds for event, seconds in hooks.items() if event not in ("config", "page_markdown"))  # on_files and the rest: exports, output
        stages["mkdocs"] = result["build"] - sum(stages.values())
        result["stages"] = stages
        result["templates"] = templates  # part of render: the rest of it is mkdocs-macros
    return result


class _PageClock:
    """CPU seconds spent on each page: reading and converting it, then its template, search entry and file."""

    def __init__(self, plugins):
        self.seconds: dict[str, float] = {}
        self.sizes: dict[str, int] = {}
        self.begun = 0.0

        def start(item=None, **context):
            self.begun = clock()
            return item

        def stop(item=None, page=None, **context):
            uri = page.file.src_uri
            self.seconds[uri] = self.seconds.get(uri, 0.0) + clock() - self.begun
            return item

        def size(markdown, page=None, **context):  # the hooks let go of the Markdown once converted
            self.sizes[page.file.src_uri] = len(markdown or "")
            return markdown

        for event, function, priority in (("pre_page", start, 10**6), ("page_markdown", size, -10**6), ("page_content", stop, -10**6),
                                          ("page_context", start, 10**6), ("post_page", stop, -10**6)):
            handler = functools.partial(function)
            handler.mkdocs_priority = priority
            plugins._register_event(event, handler, "benchmark")

    def by_kind(self) -> dict[str, float]:
        """CPU seconds per kind of page: the folder (partners, events, ...) or the hand-written page."""
        kinds: dict[str, float] = {}
        for uri, seconds in self.seconds.items():
            kind = uri.split("/")[0] if "/" in uri and not uri.endswith("/index.md") else uri
            kinds[kind] = kinds.get(kind, 0.0) + seconds
        return kinds

    def slowest(self, count: int) -> list:
        order = sorted(self.seconds, key=self.seconds.get, reverse=True)[:count]
        return [{"page": uri, "seconds": self.seconds[uri], "markdown_kb": self.sizes.get(uri, 0) / 1024} for uri in order]


class _Capture:
    """Keeps every page's final Markdown, the nav and the generated files of a data-driven build."""

    def __init__(self, out: Path, project: Path):
        self.out = out
        self.project = project
        self.pages: dict[str, tuple[dict, str]] = {}
        self.files = None
        self.nav = None

    def attach(self, plugins) -> None:
        def markdown(markdown, page, config, files):  # runs after the macros plugin
            self.pages[page.file.src_uri] = (dict(page.meta), markdown)

        def files(files, config):
            self.files = files

        def configured(config):
            self.nav = config.nav

        plugins.events["page_markdown"].append(markdown)
        plugins.events["files"].append(files)
        plugins.events["config"].append(configured)

    def write(self, config) -> None:
        import yaml

        docs = self.out / "docs"
        if self.out.exists():
            shutil.rmtree(self.out)
        docs.mkdir(parents=True)
        for uri, (meta, markdown) in self.pages.items():
            meta.pop("render_macros", None)
            front = f"---\n{yaml.safe_dump(meta, allow_unicode=True, sort_keys=False)}---\n\n" if meta else ""
            target = docs / uri
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(front + markdown, encoding="utf-8")
        docs_dir = Path(config.docs_dir).resolve()
        for file in self.files:
            if file.src_uri in self.pages:
                continue
            target = docs / file.src_uri
            if (file.generated_by or "").startswith(HOOKS):  # an export: as the build wrote it into the site
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(Path(config.site_dir) / file.dest_uri, target)
            elif file.abs_src_path and Path(file.abs_src_path).resolve().is_relative_to(docs_dir):
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(file.abs_src_path, target)
        settings = yaml.safe_load((self.project / "mkdocs.yml").read_text(encoding="utf-8"))
        for key in ("hooks", "watch", "docs_dir"):
            settings.pop(key, None)
        settings["plugins"] = [p for p in settings.get("plugins", []) if not (p == "macros" or isinstance(p, dict) and "macros" in p)]
        settings["nav"] = self.nav
        custom = (settings.get("theme") or {}).get("custom_dir") if isinstance(settings.get("theme"), dict) else None
        if custom:  # theme overrides are the theme's, not the data layer's
            shutil.copytree(self.project / custom, self.out / custom)
        (self.out / "mkdocs.yml").write_text(yaml.safe_dump(settings, allow_unicode=True, sort_keys=False), encoding="utf-8")


# ---------------------------------------------------------------- the parent

def run_child(*arguments: str, cwd: Path, timeout: float = 3600) -> dict:
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1", PYTHONPATH=str(ROOT))
    process = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "_child", *arguments],
        capture_output=True, text=True, env=env, cwd=cwd, timeout=timeout,
    )
    lines = process.stdout.strip().splitlines()
    if process.returncode or not lines:
        raise SystemExit(f"benchmark: a run failed ({' '.join(arguments)}):\n{process.stderr[-4000:]}")
    return json.loads(lines[-1])


def make_project(target: Path, data: Path | None = None) -> Path:
    """A buildable copy of this project; data/ copied from `data` (or left for the caller to write)."""
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    for name in ("mkdocs.yml", "macros.py"):
        shutil.copy(ROOT / name, target / name)
    for name in ("docs", "schemas", "fingerprints"):
        shutil.copytree(ROOT / name, target / name)
    (target / "natoca").symlink_to(ROOT / "natoca")
    if data is not None:
        shutil.copytree(data, target / "data")
    return target


class DataSet:
    def __init__(self, label: str, project: Path, records: int, scale: float | None):
        self.label, self.project, self.records, self.scale = label, project, records, scale
        self.data: list[dict] = []  # first builds: no record cache (natoca/cache.py)
        self.warm: list[dict] = []  # rebuilds with the record cache of the build before
        self.plain: list[dict] = []
        self.plain_project: Path | None = None

    def capture(self, work: Path) -> None:
        """Write the hand-written twin: the pages of a data-driven build (not timed), as plain Markdown."""
        self.plain_project = work / f"plain-{self.label}"
        run_child("data", str(self.project), "--site", str(work / "site"), "--capture", str(self.plain_project), cwd=self.project)

    def measure(self, work: Path) -> None:
        """One data-driven first build; if there is a twin, a data-driven rebuild and one hand-written build."""
        site = work / "site"
        shutil.rmtree(self.project / ".cache", ignore_errors=True)  # a first build: every file parsed and checked
        self.data.append(run_child("data", str(self.project), "--site", str(site), cwd=self.project))
        if self.plain_project:
            self.warm.append(run_child("data", str(self.project), "--site", str(site), cwd=self.project))
            self.plain.append(run_child("plain", str(self.plain_project), "--site", str(site), cwd=self.plain_project))
        shutil.rmtree(site, ignore_errors=True)

    @staticmethod
    def median(results: list[dict], key: str) -> float:
        return statistics.median(r[key] for r in results)

    def stage(self, name: str) -> float:
        return statistics.median(r["stages"][name] for r in self.data)

    @property
    def pages(self) -> int:
        return self.data[0]["pages"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def edit_to_reload(project: Path, runs: int, timeout: float) -> list[dict]:
    """Seconds from saving a partner's YAML to its page serving the new text, under `mkdocs serve`."""
    import yaml

    from natoca.synthetic import _Dumper

    partner = sorted((project / "data" / "partners").glob("*.yaml"))[0]
    port = free_port()
    log = open(project / "serve.log", "w")
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1", PYTHONPATH=str(ROOT))
    server = subprocess.Popen(
        # as scripts/serve.sh runs it: --dirty rebuilds only the pages an edit changed
        [sys.executable, "-m", "mkdocs", "serve", "--dirty", "-a", f"127.0.0.1:{port}", "-f", str(project / "mkdocs.yml")],
        cwd=project, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    results = []
    try:
        deadline = time.monotonic() + timeout
        mount = None
        while mount is None:  # MkDocs serves under the path of site_url
            mount = next((line.split("Serving on ", 1)[1].split("/", 3)[3] for line in (project / "serve.log").read_text(errors="replace").splitlines() if "Serving on http" in line), None)
            if server.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"benchmark: mkdocs serve did not come up:\n{(project / 'serve.log').read_text()[-3000:]}")
            time.sleep(0.1)
        url = f"/{mount.strip().strip('/')}/partners/{partner.stem}/".replace("//", "/")
        while _fetch(port, url) is None:
            if server.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"benchmark: mkdocs serve did not come up:\n{(project / 'serve.log').read_text()[-3000:]}")
            time.sleep(0.2)
        record = yaml.safe_load(partner.read_text(encoding="utf-8"))
        for run in range(runs):
            built = _log_count(project)
            token = f"Benchmarkedit{run}x{os.getpid()}"
            record["summary"] = f"{record['summary'].rstrip()} {token}."
            text = yaml.dump(record, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)
            saved = time.monotonic()
            partner.write_text(text, encoding="utf-8")
            while True:
                body = _fetch(port, url)
                if body is not None and token in body:
                    break
                if server.poll() is not None or time.monotonic() - saved > timeout:
                    raise SystemExit(f"benchmark: the edit never showed:\n{(project / 'serve.log').read_text()[-3000:]}")
                time.sleep(0.05)
            seconds = time.monotonic() - saved
            while _log_count(project) <= built and time.monotonic() - saved < timeout:  # let the rebuild finish
                time.sleep(0.1)
            results.append({"seconds": seconds, "build": _last_build(project)})
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()
    return results


def _fetch(port: int, url: str) -> str | None:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{url}", timeout=60) as response:
            return response.read().decode("utf-8", "replace")
    except OSError:
        return None


def _log_count(project: Path) -> int:
    """Builds finished under serve. ("Reloading browsers", not "Documentation built in": MkDocs
    logs that message only once, and two rebuilds may well take the same time.)"""
    return (project / "serve.log").read_text(errors="replace").count("Reloading browsers")


def _last_build(project: Path) -> float | None:
    """The last rebuild's own time, as MkDocs logged it (None when it was the same as an earlier one's)."""
    last = (project / "serve.log").read_text(errors="replace").split("Building documentation...")[-1]
    lines = [line for line in last.splitlines() if "Documentation built in" in line]
    try:
        return float(lines[-1].split("built in")[1].split()[0])
    except (IndexError, ValueError):
        return None


# ---------------------------------------------------------------- tables

def table(headers: list[str], rows: list[list]) -> str:
    def cell(value) -> str:
        if isinstance(value, bool):
            return "yes" if value else "**no**"
        if isinstance(value, float):
            return f"{value:.2f}" if abs(value) < 100 else f"{value:.0f}"
        return "–" if value is None else str(value)

    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" if i == 0 else "--:" for i in range(len(headers))) + "|"]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)


def ratio(a: float | None, b: float | None) -> float | None:
    return a / b if a is not None and b else None


COMPARISON = ["data set", "records", "pages", "data-driven s", "data-driven, cache warm s", "hand-written s", "ratio", "ratio, cache warm", "ratio (wall clock)",
              "data-driven pages/s", "hand-written pages/s", "data-driven peak MB", "hand-written peak MB", "runs"]
STAGE_COLUMNS = ["data set"] + [STAGE_TITLES[name] for name in STAGES] + ["total"]
GROWTH = ["scale", "records", "pages", "build s", "peak MB", "records × last", "time × last", "memory × last", "time per page × last"]
LOADS = ["data set", "records", "load s", "validate s", "load + validate s", "load + validate, cache warm s", "libyaml events alone s", "peak MB", "runs"]
RELOAD = ["data set", "edits", "median s", "min s", "max s", "rebuild s (serve log)"]
TARGET_COLUMNS = ["target", "limit", "measured", "met"]
SECTIONS = {  # title -> columns, in the order printed: the test of --quick checks them all
    "Data-driven vs hand-written": COMPARISON,
    "Stages of the data-driven build (median CPU seconds)": STAGE_COLUMNS,
    "Growth (data-driven build)": GROWTH,
    "Growth of each stage (time × last step)": ["step", "records × last"] + [STAGE_TITLES[n] for n in STAGES] + ["total"],
    "Slowest pages": ["data set", "page", "Markdown KB", "s", "share of build"],
    "Load and validation": LOADS,
    "Edit-to-reload (mkdocs serve)": RELOAD,
    "Density of the data sets": ["data set", "records", "participations per partner", "memberships per partner", "sources per fact",
                                 "facts per record", "links per event", "events per year"],
    "Targets": TARGET_COLUMNS,
}


def report(compared: list[DataSet], growth: list[DataSet], loads: dict, reload: dict, densities: dict, notes: list[str]) -> tuple[str, dict]:
    def build(s: DataSet) -> float:
        return s.median(s.data, "build")

    def memory(s: DataSet) -> float:
        return s.median(s.data, "maxrss_mb")

    rows = {title: [] for title in SECTIONS}
    for s in compared:
        a, warm, b = build(s), s.median(s.warm, "build"), s.median(s.plain, "build")
        rows["Data-driven vs hand-written"].append([
            s.label, s.records, s.pages, a, warm, b, a / b, warm / b, s.median(s.data, "wall") / s.median(s.plain, "wall"),
            s.pages / a, s.pages / b, memory(s), s.median(s.plain, "maxrss_mb"), len(s.data)])
    for s in list(dict.fromkeys(compared + growth)):
        rows["Stages of the data-driven build (median CPU seconds)"].append([s.label] + [s.stage(n) for n in STAGES] + [build(s)])
    for previous, s in zip([None] + growth[:-1], growth):
        row = [s.label, s.records, s.pages, build(s), memory(s)]
        if previous is None:
            row += [None] * 4
        else:
            row += [s.records / previous.records, build(s) / build(previous), memory(s) / memory(previous),
                    (build(s) / s.pages) / (build(previous) / previous.pages)]
        rows["Growth (data-driven build)"].append(row)
    for previous, s in zip(growth, growth[1:]):
        rows["Growth of each stage (time × last step)"].append(
            [f"{s.label} / {previous.label}", s.records / previous.records] + [ratio(s.stage(n), previous.stage(n)) for n in STAGES] + [build(s) / build(previous)])
    largest = max(compared + growth, key=lambda s: s.records)
    run = min(largest.data, key=lambda r: abs(r["build"] - build(largest)))
    for page in run["slowest"][:5]:
        rows["Slowest pages"].append([largest.label, page["page"], page["markdown_kb"], page["seconds"], f"{page['seconds'] / run['build']:.1%}"])
    for label, r in loads.items():
        rows["Load and validation"].append([label, r["records"], r["load"], r["validate"], r["load"] + r["validate"], r["warm"], r["parse_floor"], r["maxrss_mb"], r["runs"]])
    times = [r["seconds"] for r in reload["runs"]]
    builds = [r["build"] for r in reload["runs"] if r["build"] is not None]
    rows["Edit-to-reload (mkdocs serve)"].append([reload["label"], len(times), statistics.median(times), min(times), max(times), statistics.median(builds) if builds else None])
    for label, d in densities.items():
        rows["Density of the data sets"].append([label] + [d[k] for k in SECTIONS["Density of the data sets"][1:]])

    targets = rows["Targets"]
    for s in compared:
        for what, runs in (("first build", s.data), ("rebuild, cache warm", s.warm)):
            value = s.median(runs, "build") / s.median(s.plain, "build")
            targets.append([f"data-driven / hand-written ({s.label}, {what})", f"≤ {TARGETS['ratio']}", value, value <= TARGETS["ratio"]])
    base = next((s for s in growth if s.scale == 1), growth[0])
    ten = next((s for s in growth if s.scale == 10), growth[-1])
    if ten is not base:
        value, limit = build(ten) / build(base), TARGETS["growth"] * (ten.records / base.records) / 10
        targets.append([f"time {ten.label} / time {base.label}", f"≤ {limit:.2f}", value, value <= limit])
    for label, r in loads.items():
        scaled = "" if r["records"] == 10000 else f", from {r['records']} scaled linearly"
        for what, seconds in (("first run", r["load"] + r["validate"]), ("files unchanged, cache warm", r["warm"])):
            value = seconds * 10000 / r["records"]
            targets.append([f"load + validate, 10,000 records ({what}{scaled})", f"< {TARGETS['load_validate']:g} s", value, value < TARGETS["load_validate"]])
    targets.append([f"peak memory ({ten.label})", f"< {TARGETS['memory']:.0f} MB", memory(ten), memory(ten) < TARGETS["memory"]])
    value = statistics.median(times)
    targets.append([f"edit-to-reload ({reload['label']})", f"< {TARGETS['reload']:g} s", value, value < TARGETS["reload"]])

    out = []
    for title, columns in SECTIONS.items():
        out.append(f"### {title}\n\n{table(columns, rows[title])}\n")
    if notes:
        out.append("\n".join(f"- {note}" for note in notes) + "\n")
    summary = {
        "compared": {s.label: {"data": s.data, "warm": s.warm, "plain": s.plain, "records": s.records} for s in compared},
        "growth": {s.label: {"data": s.data, "records": s.records} for s in growth},
        "loads": loads, "reload": reload, "densities": densities,
        "targets": [dict(zip(TARGET_COLUMNS, t)) for t in targets],
    }
    return "\n".join(out), summary


# ---------------------------------------------------------------- main

def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["_child"]:
        return child(argv[1:])
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="tiny data sets, one run each: shows that the benchmark works (CI), measures nothing")
    parser.add_argument("--runs", type=int, default=None, help="runs per measurement (default 3; 1 with --quick)")
    parser.add_argument("--scales", default=None, help="growth scales, comma-separated (default 1,10,30; 0.02,0.05 with --quick)")
    parser.add_argument("--seed", type=int, default=1, help="seed of the synthetic data (default 1)")
    parser.add_argument("--edits", type=int, default=None, help="edits timed under mkdocs serve (default 5; 1 with --quick)")
    parser.add_argument("--work", type=Path, default=None, help="build in this folder and keep it (default: a temporary folder)")
    parser.add_argument("--json", type=Path, default=None, help="also write every measurement to this JSON file")
    arguments = parser.parse_args(argv)

    from natoca import synthetic
    from natoca.records import COLLECTIONS, load_records

    quick = arguments.quick
    runs = arguments.runs or (1 if quick else 3)
    scales = [float(s) for s in (arguments.scales or ("0.02,0.05" if quick else "1,10,30")).split(",")]
    edits = arguments.edits or (1 if quick else 5)
    work = arguments.work or Path(tempfile.mkdtemp(prefix="natoca-benchmark-"))
    work.mkdir(parents=True, exist_ok=True)
    notes: list[str] = []
    started = time.monotonic()

    def say(message: str) -> None:
        print(f"[{time.monotonic() - started:6.0f}s] {message}", file=sys.stderr, flush=True)

    try:
        say("reading the real data")
        templates, problems = synthetic.real_templates(ROOT)
        real_count = sum(len(templates[name]) for name in COLLECTIONS)
        densities = {"real": synthetic.density(templates)}
        real = None
        if quick:
            notes.append("Quick mode: tiny synthetic data sets and one run each. It shows that the benchmark works; its numbers mean nothing.")
        elif problems:
            notes.append(f"The real data has {len(problems)} problem(s) (see `natoca check`): the real-data rows use synthetic 1x, made from its {real_count} valid records.")
        else:
            real = DataSet("real", make_project(work / "real", ROOT / "data"), real_count, None)

        def synthetic_set(scale: float) -> DataSet:
            label = f"{scale:g}x"
            project = make_project(work / f"synthetic-{label}")
            counts = synthetic.write(project, templates, scale, arguments.seed)
            records, _ = load_records(project)
            densities[label] = synthetic.density({name: {id: r.data for id, r in records[name].items()} for name in COLLECTIONS})
            return DataSet(label, project, sum(counts.values()), scale)

        say(f"writing synthetic data at {', '.join(f'{s:g}x' for s in scales)}")
        growth = [synthetic_set(scale) for scale in scales]
        real = real or growth[0]
        ten = next((s for s in growth if s.scale == 10), growth[-1])
        compared = [real] if quick or ten is real else [real, ten]

        for s in compared:
            say(f"writing the pages of {s.label} as plain Markdown")
            s.capture(work)
        # Round robin: run r of every data set before run r+1 of any, so that a busy spell of
        # the machine falls on all of them alike.
        for run in range(runs):
            for s in dict.fromkeys(compared + growth):
                say(f"run {run + 1}/{runs}: {s.label} ({s.records} records), data-driven{' and hand-written' if s.plain_project else ''}")
                s.measure(work)

        target_records = 100 if quick else 10000
        say(f"loading and validating {target_records} records, {runs} run(s)")
        project = make_project(work / "load")
        records = sum(synthetic.write(project, templates, target_records / real_count, arguments.seed).values())
        results, warm = [], []
        for _ in range(runs):
            shutil.rmtree(project / ".cache", ignore_errors=True)
            results.append(run_child("load", str(project), cwd=project))  # the first run writes the cache
            warm.append(run_child("load", str(project), cwd=project))  # which the next one reads
        loads = {f"{records} records": {
            "records": records, "runs": runs,
            "load": statistics.median(r["stages"]["load"] for r in results),
            "validate": statistics.median(r["stages"]["validate"] for r in results),
            "warm": statistics.median(r["stages"]["load"] + r["stages"]["validate"] for r in warm),
            "maxrss_mb": statistics.median(r["maxrss_mb"] for r in results),
            "parse_floor": statistics.median(r["parse_floor"] for r in results),
        }}
        shutil.rmtree(project)

        say(f"edit-to-reload under mkdocs serve on {real.label}, {edits} edit(s)")
        serve_project = make_project(work / "serve", real.project / "data")
        reload = {"label": real.label, "runs": edit_to_reload(serve_project, edits, timeout=120 if quick else 600)}

        text, summary = report(compared, growth, loads, reload, densities, notes)
        print(text)
        if arguments.json:
            arguments.json.write_text(json.dumps(summary, indent=1), encoding="utf-8")
        say("done")
    finally:
        if arguments.work is None:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
