"""Render pages from the model with one Jinja template per page kind.

Templates produce Markdown that MkDocs turns into HTML. Every value from the
data is escaped on output by default (Jinja `finalize`), for HTML and for
Markdown alike, so a `<script>` or a `{{ }}` in a YAML string is shown as text.
Markdown fields pass through `md`, which keeps their Markdown but escapes HTML
and refuses unsafe link targets.
"""
from __future__ import annotations

import calendar
import re
from pathlib import Path

from jinja2 import Environment, FileSystemBytecodeCache, FileSystemLoader, Undefined, UndefinedError
from jinja2.utils import missing
from markupsafe import Markup, escape

from . import geo
from .model import Model, Ref, dispute_anchor, fact_anchor, role_anchor

TEMPLATES = Path(__file__).resolve().parent / "templates"
_PUNCTUATION = set("\\`*_{}[]()#+-.!|~^=:;$@%'\"/,?")
_ENTITIES = {"<": "&lt;", ">": "&gt;", "&": "&amp;"}
# Each character of plain text as escape_text writes it: entities for HTML, a backslash before
# Markdown punctuation (pymdownx.escapeall makes any backslash escape literal), a space for a line break.
_ESCAPES = {ord(c): "\\" + c for c in _PUNCTUATION} | {ord(c): e for c, e in _ENTITIES.items()} | {ord("\r"): " ", ord("\n"): " "}
_LINK = re.compile(r"(\]\()\s*<?([^)\s>]*)>?")
_REFERENCE = re.compile(r"^([ \t]*\[(?!\\?\^)[^\]]*\]:[ \t]*\n?[ \t]*)([^\s]*)", re.M)  # [label]: target
_SAFE_URL = re.compile(r"^(?:https?://|/(?![/\\])|#)")  # not "//host" or "/\host": another site


def escape_text(value) -> Markup:
    """Plain text for a Markdown page: no HTML, no Markdown, no template syntax survives."""
    if isinstance(value, Markup):
        return value
    return Markup(str(value).translate(_ESCAPES))


def markdown_field(value) -> Markup:
    """A Markdown field from the data: Markdown stays, HTML and attribute lists do not."""
    text = str(value)
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = text.replace("{", "\\{").replace("}", "\\}").replace("[^", "[\\^")  # no footnotes: the page numbers its own

    def safe_link(match: re.Match) -> str:
        target = match.group(2)
        return match.group(1) + (target if _SAFE_URL.match(target) else "#unsafe-link-removed")

    return Markup(_REFERENCE.sub(safe_link, _LINK.sub(safe_link, text)))


def as_id(value) -> Markup:
    """A record id or anchor, safe as is inside URLs and attribute lists."""
    if not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", str(value)):
        raise ValueError(f"not an id: {value!r}")
    return Markup(value)


def table_cell(value) -> Markup:
    """Keep rendered Markdown inside one table cell."""
    return Markup(str(value).replace("\n", " ").replace("|", "\\|"))


COLLECTION_TITLES = {
    "partners": "Partner countries", "programmes": "NATO programmes and tools", "organisations": "Organisations",
    "people": "People", "events": "Events", "places": "Places", "phases": "Phases of the relationship", "sources": "Sources",
}
COLLECTION_INTROS = {
    "partners": "The five Central Asian partners of NATO. Each page tells the relationship phase by phase, with every programme, membership and event, and where the sources disagree.",
    "programmes": "NATO frameworks, programmes, partnership tools, plans, forums, funds, offices, exercises and operations named in the sources. Participants are derived from the partner pages.",
    "organisations": "Bodies other than NATO programmes: NATO's own bodies, regional and international organisations, national institutions and armed groups. Members are derived from the partner pages.",
    "people": "People who act in the sources: NATO officials, leaders and ministers of the partner countries, authors and scholars.",
    "events": "Every dated event in the sources, in date order. Dates keep the precision the sources give.",
    "places": "Bases, airports, cities, centres and other places the sources name; those with coordinates appear on the [map](/index.md#map).",
    "phases": "The phases of the NATO–Central Asia relationship, as Mukhtorova (2018) defines them after Bağbaşıoğlu; the other sources' accounts are set against them on each phase page.",
    "sources": "The five articles every fact on this site is quoted from. The texts are not republished here; each page links to the publisher.",
}


def format_date(value: str | None) -> str:
    """A date at the precision it was given: '2006', 'January 2006', '24 June 2009'."""
    if not value:
        return ""
    parts = [int(p) for p in str(value).split("-")]
    if len(parts) == 1:
        return str(parts[0])
    month = calendar.month_name[parts[1]]
    return f"{month} {parts[0]}" if len(parts) == 2 else f"{parts[2]} {month} {parts[0]}"


def period(start: str | None, end: str | None) -> str:
    if start and end:
        return f"{format_date(start)} – {format_date(end)}"
    if start:
        return f"since {format_date(start)}"
    return f"until {format_date(end)}" if end else ""


def bytecode_cache(folder: Path | None) -> FileSystemBytecodeCache | None:
    """Jinja's cache of compiled templates in `folder`, or None (no folder, or one that cannot be made)."""
    if folder is None:
        return None
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None  # every build compiles the templates
    return FileSystemBytecodeCache(str(folder))


class OptionalField(Undefined):
    """A field a record leaves out renders as nothing; an unknown template name is an error."""

    __slots__ = ()

    def __init__(self, hint=None, obj=missing, name=None, exc=UndefinedError):
        super().__init__(hint, obj, name, exc)
        if obj is missing:
            self._fail_with_undefined_error()


class Notes:
    """Footnotes of one page: every citation becomes a numbered note with its quote."""

    def __init__(self, model: Model):
        self.model = model
        self.numbers: dict[tuple, int] = {}

    def cite(self, citations) -> Markup:
        refs = []
        for citation in citations or []:
            key = (citation["source"], citation["quote"], citation.get("locator"))
            number = self.numbers.setdefault(key, len(self.numbers) + 1)
            refs.append(f"[^{number}]")
        return Markup("".join(refs))

    def render(self) -> Markup:
        lines = []
        for (source, quote, locator), number in self.numbers.items():
            label = escape_text(self.model.short_citation(source))
            where = f" ({escape_text(locator)})" if locator else ""
            lines.append(f"[^{number}]: [{label}](/sources/{source}.md){where}: “{escape_text(quote)}”")
        return Markup("\n".join(lines))


class Renderer:
    def __init__(self, model: Model, edit_base: str = "", site_url: str = "", compiled: Path | None = None):
        """`compiled`: a folder to keep the compiled templates in for the next build (Jinja
        compares each template's checksum, so an edited one is compiled again)."""
        self.model = model
        self.edit_base = edit_base
        self.site_url = site_url
        self.env = Environment(
            loader=FileSystemLoader(TEMPLATES),
            bytecode_cache=bytecode_cache(compiled),
            undefined=OptionalField,
            finalize=escape_text,
            autoescape=True,  # macro output stays Markup; values go through finalize
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
        )
        # `html` is for values inside raw HTML blocks, where Markdown escapes would show
        self.env.filters.update(md=markdown_field, date=format_date, text=escape_text, html=lambda v: Markup(escape(v)), cell=table_cell, id=as_id)
        self.env.globals.update(
            model=model,
            period=period,
            fact_anchor=lambda fact: Markup(fact_anchor(fact)),
            role_anchor=lambda role: Markup(role_anchor(role)),
            cite_text=self.cite_text,
            bibliography=self.bibliography,
            collection_title=COLLECTION_TITLES.get,
            collection_intro=lambda name: COLLECTION_INTROS[name],
            dispute_anchor=lambda dispute: Markup(dispute_anchor(dispute)),
            link=self.link,
            Ref=Ref,
            edit_url=self.edit_url,
            svg_map=lambda key="region", root="": geo.region_map(model, key, root),
            map_legend=geo.legend,
            map_of=lambda place_id: geo.map_of(model, place_id),
            places_on=lambda key: geo.places_on(model, key),
            sorted=sorted,
        )
        self._templates = {}

    def link(self, collection: str, id: str, label: str | None = None, anchor: str = "") -> Markup:
        text = escape_text(label if label is not None else self.model.name(collection, id))
        return Markup(f"[{text}](/{collection}/{id}.md{'#' + anchor if anchor else ''})")

    def edit_url(self, ref: Ref) -> str:
        return self.edit_base + self.model.paths[ref]

    def page_url(self, ref: Ref) -> str:
        return f"{self.site_url}{ref.collection}/{ref.id}/"

    def cite_text(self, ref: Ref) -> Markup:
        name = self.model.name(ref.collection, ref.id)
        return escape_text(f"“{name}”. NATO and Central Asia: a sourced reference. {self.page_url(ref)} (data file {self.model.paths[ref]}).")

    def bibliography(self, source_id: str) -> Markup:
        """A full reference in author-date style."""
        source = self.model.get("sources", source_id)
        authors = "; ".join(a["name"] for a in source["authors"])
        parts = [f"{authors} ({source['published'][:4]}). “{source['title']}”. {source['container']}"]
        if source.get("volume"):
            parts.append(f", vol. {source['volume']}")
        if source.get("issue"):
            parts.append(f", no. {source['issue']}")
        parts.append(f". {source['publisher']}.")
        if source.get("doi"):
            parts.append(f" doi:{source['doi']}.")
        if source.get("isbn"):
            parts.append(f" ISBN {source['isbn']}.")
        return escape_text("".join(parts))

    def render(self, template: str, **context) -> str:
        if template not in self._templates:
            self._templates[template] = self.env.get_template(template)
        notes = Notes(self.model)
        body = self._templates[template].render(notes=notes, **context)
        return f"{body}\n\n{notes.render()}\n"

    def record_page(self, collection: str, id: str) -> str:
        ref = Ref(collection, id)
        return self.render(f"{collection}.md.j2", ref=ref, record=self.model.get(collection, id), id=id)

    def index_page(self, collection: str) -> str:
        return self.render("index.md.j2", collection=collection)

    def block(self, name: str, root: str = "", **options) -> str:
        """A block for a hand-written page, from templates/blocks/<name>.md.j2.

        `root` is the way from the page to the site's root, for links inside raw
        HTML (such as the map's SVG), which MkDocs does not rewrite; the other
        options the page gives are the template's `options`.
        """
        return self.render(f"blocks/{name}.md.j2", root=root, options=options)
