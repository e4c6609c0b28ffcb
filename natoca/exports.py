"""JSON and CSV exports of every collection, and citation files for the sources."""
from __future__ import annotations

import csv
import io
import json

from .model import Model
from .records import COLLECTIONS


def _json(payload) -> str:
    # one line: without `indent` the json module encodes in C, some ten times faster
    return json.dumps(payload, ensure_ascii=False) + "\n"


def _with_page(model: Model, collection: str, id: str) -> dict:
    # the record as written, and the path of its page under `page` (a source's own `url` stays its publisher's)
    return dict(model.records[collection][id], page=f"/{collection}/{id}/")


def collection_json(model: Model, collection: str) -> str:
    records = [_with_page(model, collection, id) for id in model.records[collection]]
    return _json({"collection": collection, "count": len(records), "records": records})


def record_json(model: Model, collection: str, id: str) -> str:
    """One record, as it stands in its collection's JSON (api/<collection>/<id>.json)."""
    return _json({"collection": collection, "record": _with_page(model, collection, id)})


def all_json(model: Model) -> str:
    return _json({name: list(model.records[name].values()) for name in COLLECTIONS})


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, (dict, list)):
        # lists of ids read best as "a; b"; nested structures stay whole as JSON
        if isinstance(value, list) and all(isinstance(item, str) for item in value):
            return "; ".join(value)
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def collection_csv(model: Model, collection: str, field_order: list[str]) -> str:
    """One row per record; every field a column, nested values as JSON so nothing is lost."""
    present = {key for record in model.records[collection].values() for key in record}
    columns = [key for key in field_order if key in present] + sorted(present - set(field_order))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    for record in model.records[collection].values():
        writer.writerow([_cell(record.get(key)) for key in columns])
    return out.getvalue()


def relation_csv(model: Model, kind: str) -> str:
    """Participations or memberships as a flat table, one row per partner and programme."""
    key = "programme" if kind == "participations" else "organisation"
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["partner", key, "status", "joined", "left", "note", "sources", "disputed"])
    for partner_id, partner in model.records["partners"].items():
        for item in partner.get(kind, []):
            writer.writerow([
                partner_id, item[key], item["status"], item.get("joined", ""), item.get("left", ""), item.get("note", ""),
                "; ".join(c["source"] for c in item["sources"]), "yes" if item.get("disputed") else "",
            ])
    return out.getvalue()


def csl_json(model: Model, source_id: str) -> str:
    source = model.get("sources", source_id)
    item = {
        "id": source_id,
        "type": source["type"],
        "title": source["title"],
        "author": [{"family": a.get("family", a["name"]), "given": a.get("given", "")} if a.get("family") else {"literal": a["name"]} for a in source["authors"]],
        "issued": {"date-parts": [[int(p) for p in source["published"].split("-")]]},
        "container-title": source["container"],
        "publisher": source["publisher"],
        "URL": source["url"],
    }
    for key, csl in (("volume", "volume"), ("issue", "issue"), ("doi", "DOI"), ("isbn", "ISBN"), ("place", "publisher-place")):
        if source.get(key):
            item[csl] = source[key]
    return _json([item])


def bibtex(model: Model, source_id: str) -> str:
    source = model.get("sources", source_id)
    kind = {"article-journal": "article", "article-magazine": "article", "report": "techreport"}.get(source["type"], "misc")
    fields = {
        "author": " and ".join(f"{a['family']}, {a.get('given', '')}".strip(", ") if a.get("family") else "{" + a["name"] + "}" for a in source["authors"]),
        "title": "{" + source["title"] + "}",
        ("journal" if kind == "article" else "howpublished" if kind == "misc" else "institution"): source["container"],
        "year": source["published"][:4],
        "publisher": source["publisher"],
        "volume": source.get("volume"),
        "number": source.get("issue"),
        "doi": source.get("doi"),
        "isbn": source.get("isbn"),
        "url": source["url"],
    }
    body = ",\n".join(f"  {key} = {{{value}}}" for key, value in fields.items() if value)
    return f"@{kind}{{{source_id},\n{body}\n}}\n"
