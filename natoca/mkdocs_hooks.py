"""MkDocs hooks: the thin glue between MkDocs and the natoca pipeline.

on_config loads and validates the data (the build stops with every problem
listed), on_files adds one generated page per record, an index per collection
and the exports, and on_page_markdown renders each generated page from its
Jinja template. Hand-written pages that opt in are rendered by mkdocs-macros,
whose macros (macros.py) read the renderer kept here for this build.
`mkdocs build` writes into a staging folder that replaces site/ only when the
build succeeded (natoca/output.py); `mkdocs serve` builds in place as usual, and
while the data has problems it serves their list at every page's address.
Titles from the data are escaped before MkDocs, Material and mkdocs-macros see
them (page_title): they print a title as HTML, and macros renders it as Jinja.
"""
from __future__ import annotations

import gc
import html
import json
import logging
import re
import shutil
import sys
import tempfile
import zlib
from pathlib import Path

from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority
from mkdocs.structure.files import File, Files

from natoca import cache, exports, incremental, navlimit, output, site
from natoca.pipeline import load_model
from natoca.model import Ref
from natoca.problems import DataError
from natoca.records import COLLECTIONS
from natoca.render import COLLECTION_TITLES, Renderer, bytecode_cache

log = logging.getLogger("mkdocs.plugins.natoca")

# The mkdocs command this process runs (from on_startup), and the staging folder of the build in progress.
_command: dict = {"name": None, "dirty": False}
_staging: output.Staging | None = None


def on_startup(command, dirty):
    _command.update(name=command, dirty=dirty)
    site.command, site.dirty = command, dirty
    if command == "serve" and dirty:
        incremental.quiet_dirty_warning()


def _previewing() -> bool:
    """`mkdocs serve --dirty`: each rebuild rebuilds only the pages that changed."""
    return site.command == "serve" and site.dirty


# Under `mkdocs serve`, the problems of data that did not load (see on_config).
_problems: list | None = None


def on_config(config):
    global _staging, _problems
    _staging = _problems = None
    root = Path(config.config_file_path).resolve().parent
    macros = config.plugins.get("macros")
    if site.command == "serve" and macros is not None and macros.config.get("on_error_fail"):
        # A template error on a hand-written page: mkdocs-macros would exit, and take `mkdocs serve`
        # with it. Under serve it is a warning instead, so the rebuild stops and the server waits for
        # the save that fixes it. `mkdocs build` still fails on it.
        macros.config["on_error_fail"] = False
    try:
        model = load_model(root)
    except DataError as error:
        message = f"The data has {len(error.problems)} problem(s):\n{error}"
        if site.command != "serve":
            raise PluginError(message) from None
        # `mkdocs serve` keeps serving: the problems go to the terminal and onto every page (a
        # failed rebuild would leave the browser waiting), and the save that fixes them brings
        # the site back. Not logged: --strict would count it and fail the rebuild after all.
        sys.stderr.write(f"ERROR   -  {message}\n")
        _problems, site.current, site.root, config.nav = error.problems, None, root, None
        incremental.forget()  # every page shows the problems now: the fix rebuilds every page
        return config
    if _command["name"] in ("build", "gh-deploy") and not _command["dirty"]:
        _staging = output.Staging(config)
    repo_url = (config.repo_url or "").rstrip("/")
    edit_uri = (config.edit_uri or "").strip("/")
    # edit_uri points into docs/; record files live beside docs/ under data/
    edit_base = f"{repo_url}/{edit_uri.removesuffix('docs').rstrip('/')}/" if repo_url else ""
    site.current = Renderer(model, edit_base=edit_base, site_url=config.site_url or "/", compiled=cache.folder(root, "templates"))
    site.root = root
    config.nav = navlimit.bounded(navigation(model, config.nav or []))  # no sidebar grows with the data
    # The model lives as long as the build and holds no garbage: keep the cyclic garbage
    # collector from walking it again at every collection MkDocs' own work sets off (at ten
    # times the data, a tenth of the build). on_post_build and on_build_error thaw it.
    gc.freeze()
    return config


def navigation(model, hand_written: list) -> list:
    """The hand-written nav with the collections put in.

    `@collections` stands for every collection, each as a section; `@<collection>`
    for one collection as a section; `@<collection>.pages` for its pages, in place;
    `Title: "@<collection>"` for its pages under that title.
    """
    sections = {}
    for name in COLLECTIONS:
        if name == "events":
            by_year: dict[str, list] = {}
            for event_id in model.events_sorted:
                year = model.records["events"][event_id]["date"][:4]
                by_year.setdefault(year, []).append({model.name("events", event_id): f"events/{event_id}.md"})
            items = ["events/index.md"] + [{year: entries} for year, entries in by_year.items()]
        else:
            records = model.records[name]
            order = model.phases_sorted if name == "phases" else sorted(records, key=lambda id: model.name(name, id).lower())
            items = [f"{name}/index.md"] + [{model.name(name, id): f"{name}/{id}.md"} for id in order]
        sections[name] = items

    def expand(items: list) -> list:
        out = []
        for item in items:
            if item == "@collections":
                out.extend({COLLECTION_TITLES[name]: sections[name]} for name in COLLECTIONS)
            elif isinstance(item, str) and item.startswith("@") and item.endswith(".pages") and item[1:-6] in sections:
                out.extend(sections[item[1:-6]])
            elif isinstance(item, str) and item.startswith("@") and item[1:] in sections:
                out.append({COLLECTION_TITLES[item[1:]]: sections[item[1:]]})
            elif isinstance(item, dict) and len(item) == 1:
                (title, value), = item.items()
                if isinstance(value, str) and value.startswith("@") and value[1:] in sections:
                    out.append({title: sections[value[1:]]})
                elif isinstance(value, list):
                    out.append({title: expand(value)})
                else:
                    out.append(item)
            else:
                out.append(item)
        return out

    return expand(hand_written)


def page_title(text: str) -> str:
    """A title from the data, as MkDocs and Material use a page title.

    They treat it as HTML and print it unescaped (nav, header, <title>), so it is escaped
    here; and mkdocs-macros renders a title that holds `{{`, `{%` or `{#` as a Jinja
    template, so no `{` is left in it (`&#123;` shows the same).
    """
    return html.escape(text, quote=False).replace("{", "&#123;").replace("}", "&#125;")


# The generated pages of this build: source path -> (renderer method, its arguments), to render
# in on_page_markdown; or, under `mkdocs serve --dirty`, source path -> the page rendered.
_generated: dict[str, tuple] = {}
_rendered: dict[str, str] = {}


def _page(config, path: str, title: str, description: str, call: tuple) -> File:
    """A generated page: front matter only; on_page_markdown renders its body.

    Its body is rendered by us, not by mkdocs-macros: the page has no template text of its
    own for macros to compile, so rendering it straight from our template saves macros'
    per-page work (a Jinja compile of each page), a tenth of a build. Under `mkdocs serve
    --dirty` it is rendered here and now, so that an unchanged page can be skipped.
    """
    # Material writes the description into <meta content="..."> as it is: escape it here
    front = f"---\n{json.dumps({'title': page_title(title), 'description': html.escape(description, quote=True)}, ensure_ascii=False)}\n---\n"
    if _previewing():
        method, *arguments = call
        content = f"{front}\n{getattr(site.current, method)(*arguments)}"
        _rendered[path] = content
        return File.generated(config, path, content=content)
    _generated[path] = call
    return File.generated(config, path, content=front)


def _problem_files(files: Files, config) -> Files:
    """Under `mkdocs serve` with bad data: the list of problems at every page's address."""
    from natoca.records import find_files
    from natoca.render import escape_text

    front = {"title": "The data has problems", "hide": ["navigation", "toc", "footer"]}
    lines = [f"# The data has {len(_problems)} problem(s)", "",
             "The site is rebuilt as soon as a save fixes them, and this page reloads.", ""]
    lines += [f"- {escape_text(str(problem))}" for problem in _problems]
    content = f"---\n{json.dumps(front)}\n---\n\n" + "\n".join(lines) + "\n"
    paths = {file.src_uri for file in files.documentation_pages()}
    for name, records in find_files(site.root)[0].items():
        paths |= {f"{name}/index.md"} | {f"{name}/{path.stem}.md" for path in records}
    kept = Files([file for file in files if not file.is_documentation_page()])
    for path in sorted(paths):
        kept.append(File.generated(config, path, content=content))
    return kept


# The exports of the build in progress wait in a temporary folder until MkDocs copies them into
# the site: held as File contents they would stay in memory for the whole build (60 MB at ten
# times the data).
_spool: Path | None = None


def _export(config, path: str, content: str) -> File:
    target = _spool / path
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(content, encoding="utf-8", newline="")
    return File.generated(config, path, abs_src_path=str(target))


def _drop_spool() -> None:
    global _spool
    if _spool is not None:
        shutil.rmtree(_spool, ignore_errors=True)
        _spool = None


def on_files(files: Files, config) -> Files:
    global _spool
    if _problems is not None:
        return _problem_files(files, config)
    _drop_spool()
    _spool = Path(tempfile.mkdtemp(prefix="natoca-exports-"))
    renderer = site.current
    model = renderer.model
    _generated.clear()
    _rendered.clear()
    for name in COLLECTIONS:
        index = _page(config, f"{name}/index.md", COLLECTION_TITLES[name], f"{COLLECTION_TITLES[name]}: every record, with its sources.", ("index_page", name))
        index.edit_uri = None
        files.append(index)
        for id in model.records[name]:
            record = model.records[name][id]
            description = " ".join(str(record.get("summary", record.get("title", id))).split())[:200]
            page = _page(config, f"{name}/{id}.md", model.name(name, id), description, ("record_page", name, id))
            page.edit_uri = f"../{model.paths[Ref(name, id)]}"  # Material's edit button opens the YAML file, not a stub
            files.append(page)
            files.append(_export(config, f"api/{name}/{id}.json", exports.record_json(model, name, id)))
        order = json.loads((site.root / "schemas" / f"{name}.schema.json").read_text(encoding="utf-8"))["properties"]
        files.append(_export(config, f"api/{name}.json", exports.collection_json(model, name)))
        files.append(_export(config, f"api/{name}.csv", exports.collection_csv(model, name, list(order))))
    for kind in ("participations", "memberships"):
        files.append(_export(config, f"api/{kind}.csv", exports.relation_csv(model, kind)))
    files.append(_export(config, "api/all.json", exports.all_json(model)))
    for source_id in model.records["sources"]:
        files.append(_export(config, f"api/cite/{source_id}.bib", exports.bibtex(model, source_id)))
        files.append(_export(config, f"api/cite/{source_id}.json", exports.csl_json(model, source_id)))
    for schema in sorted((site.root / "schemas").glob("*.json")):
        files.append(File.generated(config, f"schemas/{schema.name}", abs_src_path=str(schema)))
    if _previewing():
        rebuilt = incremental.plan(files, config, _rendered)
        log.info(f"natoca: rebuilding {len(rebuilt)} of {len(files.documentation_pages())} pages")
    return files


def on_page_markdown(markdown, page, config, files):
    """The body of a generated page, from its page-kind template and the model."""
    call = _generated.get(page.file.src_uri) if site.current is not None else None
    if call is None:
        return markdown
    method, *arguments = call
    return getattr(site.current, method)(*arguments)


def on_nav(nav, config, files):
    """A record page's title comes from the data: give it escaped (see page_title), in the
    nav as on the page, before mkdocs-macros would render it."""
    if site.current is None:  # the data did not load (mkdocs serve): no record pages
        return nav
    model = site.current.model
    for page in nav.pages:
        collection, _, name = page.file.src_uri.partition("/")
        id = name.removesuffix(".md")
        if collection in model.records and id in model.records[collection]:
            page.title = page_title(model.name(collection, id))
    return nav


def on_serve(server, config, builder):
    """Look for saved files five times a second, not twice: an edit shows sooner.

    MkDocs' LiveReloadServer polls every 0.5 s and has no setting for it; the folders it
    watches after this hook (data/, schemas/ and natoca/, from `watch:` in mkdocs.yml) take
    the observer's interval as it is then. Left alone if watchdog's observer changes shape.
    """
    observer = getattr(server, "observer", None)
    if isinstance(getattr(observer, "_timeout", None), (int, float)):
        observer._timeout = 0.2
    return server


def on_env(env, config, files):
    """Under `mkdocs serve`, the theme's compiled templates are kept for the next rebuild:
    MkDocs makes a new Jinja environment for each, which would compile them all again."""
    if site.command == "serve" and site.root is not None and env.bytecode_cache is None:
        env.bytecode_cache = bytecode_cache(cache.folder(site.root, "theme"))
    # Every page is rendered by now (MkDocs converts them all before on_env): let the model go
    # before the pages are written and the search index is built (50 MB at ten times the data).
    site.current = None
    return env


@event_priority(-100)  # last: after every other plugin has seen the page
def on_post_page(output, page, config):
    """The page is written: let go of its HTML (see on_page_content)."""
    page.content = ""
    return output


@event_priority(-100)  # last: after the search index and every other file is written
def on_post_build(config):
    global _staging
    gc.unfreeze()
    _drop_spool()  # copied into the site by now
    output.strip_build_dates(config.site_dir)
    if _staging is not None:
        if output.strict_failure_pending(config):
            _staging.discard(config)  # MkDocs aborts next: keep the old site
        else:
            _staging.publish(config)
        _staging = None


def on_build_error(error):
    global _staging
    gc.unfreeze()
    _drop_spool()
    if _staging is not None:
        _staging.remove()  # the site folder stays as it was
        _staging = None


def on_shutdown():
    """A build can also end by SystemExit (mkdocs-macros exits on a template error), which
    skips on_build_error: drop the staging folder here, the site folder stays as it was."""
    on_build_error(None)


_EMPTY_ANCHOR = re.compile(r'<a href="" id="([^"]+)"></a>')


# MkDocs converts every page before it writes any, and so holds every page's HTML at once
# (100 MB at ten times the data): between the two, each page's HTML waits here compressed.
_held: dict[str, bytes] = {}


@event_priority(-100)  # last: after every other plugin has seen the HTML
def on_page_content(html_text, page, config, files):
    """`[](){ #id }` marks a statement's anchor: keep the id, drop the empty link (no tab stop, no nameless link).
    Then the page's Markdown is let go, and its HTML held compressed until on_page_context.
    ("", not None: a page whose markdown is None has no title, and the nav still asks.)"""
    html_text = _EMPTY_ANCHOR.sub(r'<a id="\1"></a>', html_text)
    page.markdown = ""
    _held[page.file.src_uri] = zlib.compress(html_text.encode("utf-8"), 1)
    return ""


@event_priority(100)  # first: before the search plugin and the theme read the HTML
def on_page_context(context, page, config, nav):
    held = _held.pop(page.file.src_uri, None)
    if held is not None:
        page.content = zlib.decompress(held).decode("utf-8")
    return context
