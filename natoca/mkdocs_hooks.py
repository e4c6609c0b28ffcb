"""MkDocs hooks: the thin glue between MkDocs and the natoca pipeline.

on_config loads and validates the data (the build stops with every problem
listed), on_files adds one generated page per record, an index per collection
and the exports. The pages themselves are rendered by mkdocs-macros calling
the macros in macros.py, which read the renderer kept here for this build.
"""
from __future__ import annotations

import json
import logging
from pathlib import Path

from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File, Files

from natoca import exports, site
from natoca.pipeline import load_model
from natoca.model import Ref
from natoca.problems import DataError
from natoca.records import COLLECTIONS
from natoca.render import COLLECTION_TITLES, Renderer

log = logging.getLogger("mkdocs.plugins.natoca")


def on_config(config):
    root = Path(config.config_file_path).resolve().parent
    try:
        model = load_model(root)
    except DataError as error:
        raise PluginError(f"The data has {len(error.problems)} problem(s):\n{error}") from None
    repo_url = (config.repo_url or "").rstrip("/")
    edit_uri = (config.edit_uri or "").strip("/")
    # edit_uri points into docs/; record files live beside docs/ under data/
    edit_base = f"{repo_url}/{edit_uri.removesuffix('docs').rstrip('/')}/" if repo_url else ""
    site.current = Renderer(model, edit_base=edit_base, site_url=config.site_url or "/")
    site.root = root
    config.nav = navigation(model, config.nav or [])
    return config


def navigation(model, hand_written: list) -> list:
    """The hand-written nav with every collection inserted where `@collections` stands."""
    collections = []
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
        collections.append({COLLECTION_TITLES[name]: items})
    nav = []
    for item in hand_written:
        if item == "@collections":
            nav.extend(collections)
        elif isinstance(item, dict) and list(item.values())[0] == ["@collections"]:
            nav.append({list(item)[0]: collections})
        else:
            nav.append(item)
    return nav


def _page(config, path: str, title: str, description: str, call: str) -> File:
    front = {"title": title, "description": description, "render_macros": True}
    content = f"---\n{json.dumps(front, ensure_ascii=False)}\n---\n\n{{{{ {call} }}}}\n"
    return File.generated(config, path, content=content)


def on_files(files: Files, config) -> Files:
    renderer = site.current
    model = renderer.model
    for name in COLLECTIONS:
        index = _page(config, f"{name}/index.md", COLLECTION_TITLES[name], f"{COLLECTION_TITLES[name]}: every record, with its sources.", f'index_page("{name}")')
        index.edit_uri = None
        files.append(index)
        for id in model.records[name]:
            record = model.records[name][id]
            description = " ".join(str(record.get("summary", record.get("title", id))).split())[:200]
            page = _page(config, f"{name}/{id}.md", model.name(name, id), description, f'record_page("{name}", "{id}")')
            page.edit_uri = f"../{model.paths[Ref(name, id)]}"  # Material's edit button opens the YAML file, not a stub
            files.append(page)
        order = json.loads((site.root / "schemas" / f"{name}.schema.json").read_text(encoding="utf-8"))["properties"]
        files.append(File.generated(config, f"api/{name}.json", content=exports.collection_json(model, name)))
        files.append(File.generated(config, f"api/{name}.csv", content=exports.collection_csv(model, name, list(order))))
    for kind in ("participations", "memberships"):
        files.append(File.generated(config, f"api/{kind}.csv", content=exports.relation_csv(model, kind)))
    files.append(File.generated(config, "api/all.json", content=exports.all_json(model)))
    for source_id in model.records["sources"]:
        files.append(File.generated(config, f"api/cite/{source_id}.bib", content=exports.bibtex(model, source_id)))
        files.append(File.generated(config, f"api/cite/{source_id}.json", content=exports.csl_json(model, source_id)))
    for schema in sorted((site.root / "schemas").glob("*.json")):
        files.append(File.generated(config, f"schemas/{schema.name}", content=schema.read_text(encoding="utf-8")))
    return files
