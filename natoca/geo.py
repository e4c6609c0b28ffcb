"""The maps, drawn at build time as SVG from committed Natural Earth boundaries.

No tiles, no scripts and no network: each map is an inline SVG whose places are
links. Two views share the work: Central Asia with its neighbours, and Europe,
where NATO's headquarters and the summits are. Every place with coordinates is
drawn on exactly one of them; a place beyond both views (say, Chicago) is drawn
as an arrow on the edge of the Europe map, pointing where it lies.
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from markupsafe import Markup, escape

from .model import Model

ASSETS = Path(__file__).resolve().parent / "assets"
WIDTH = 960
TOLERANCE = 0.6  # px: boundary detail finer than this is dropped when the SVG is drawn


@dataclass(frozen=True)
class MapView:
    key: str
    title: str
    asset: str
    # Countries labelled, and where (lon, lat) for those whose shape runs far beyond
    # the view, so that the label lands on the visible part; None: the shape's centre.
    labels: dict
    label_places: frozenset  # place kinds whose names are written on the map


VIEWS = {
    "region": MapView(
        "region", "Central Asia and its neighbours", "region.geojson",
        {"Kazakhstan": None, "Kyrgyzstan": (74.5, 41.6), "Tajikistan": (70.6, 38.9), "Turkmenistan": (58.8, 39.6), "Uzbekistan": (63.2, 41.8),
         "Afghanistan": (65.5, 33.6), "Iran": (54.5, 32.5), "Pakistan": (68.5, 29.2), "Russia": (62, 55.8), "China": (84, 37.5),
         "Mongolia": (90.5, 47.8), "Azerbaijan": (47.7, 40.4), "India": (77.8, 29.6)},
        frozenset({"capital"}),
    ),
    "europe": MapView(
        "europe", "Europe: NATO's headquarters, commands and summits", "europe.geojson",
        {"Russia": (38, 62.5), "Turkey": (34, 39), "Ukraine": (31.5, 49), "Spain": (-3.7, 39.9),
         "France": (2.4, 46.8), "Germany": (10.2, 51), "Poland": (19.3, 52), "Sweden": (15.4, 62.3), "Italy": (12.9, 43)},
        frozenset({"capital", "city", "venue", "training-centre", "air-base", "airport", "port", "border-crossing", "region", "rail-route", "other"}),
    ),
}

# Place kinds grouped into the markers of the legend: (key, label, kinds)
MARKERS = [
    ("capital", "Capital", {"capital"}),
    ("base", "Air base or airport", {"air-base", "airport"}),
    ("city", "City, centre or venue", {"city", "venue", "training-centre"}),
    ("route", "Port, crossing or route", {"port", "border-crossing", "rail-route"}),
    ("region", "Region or area", {"region", "other"}),
]
MARKER_OF = {kind: key for key, _label, kinds in MARKERS for kind in kinds}
SHAPES = {  # drawn around (0, 0); CSS scales them up on small screens
    "capital": '<circle class="kb-mark-shape" r="7"/><circle class="kb-mark-dot" r="2.6"/>',
    "base": '<path class="kb-mark-shape" d="M0,-8L7,5H-7Z"/>',
    "city": '<circle class="kb-mark-shape" r="5.5"/>',
    "route": '<path class="kb-mark-shape" d="M0,-7L7,0L0,7L-7,0Z"/>',
    "region": '<circle class="kb-mark-shape" r="7"/><circle class="kb-mark-dot" r="2"/>',
    "away": '<path class="kb-mark-shape" d="M-9,0L3,-7V7Z"/>',
}


@lru_cache(maxsize=4)
def boundaries(asset: str) -> dict:
    return json.loads((ASSETS / asset).read_text(encoding="utf-8"))


class Projection:
    """Equirectangular, with longitudes shrunk by the cosine of the view's middle latitude."""

    def __init__(self, view: dict, width: int = WIDTH):
        self.view = view
        self.scale_x = math.cos(math.radians((view["north"] + view["south"]) / 2))
        self.k = width / ((view["east"] - view["west"]) * self.scale_x)
        self.width = width
        self.height = round((view["north"] - view["south"]) * self.k)

    def __call__(self, lon: float, lat: float) -> tuple[float, float]:
        return (round((lon - self.view["west"]) * self.scale_x * self.k, 1), round((self.view["north"] - lat) * self.k, 1))

    def contains(self, lon: float, lat: float) -> bool:
        v = self.view
        return v["west"] <= lon <= v["east"] and v["south"] <= lat <= v["north"]


def _simplify(points: list[tuple[float, float]], tolerance: float) -> list[tuple[float, float]]:
    """Douglas–Peucker, iterative: drop points closer than `tolerance` to the line they sit on."""
    if len(points) < 4:
        return points
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        (x1, y1), (x2, y2) = points[first], points[last]
        dx, dy = x2 - x1, y2 - y1
        norm = math.hypot(dx, dy) or 1.0
        index, distance = 0, 0.0
        for i in range(first + 1, last):
            x, y = points[i]
            d = abs(dy * (x - x1) - dx * (y - y1)) / norm if (dx or dy) else math.hypot(x - x1, y - y1)
            if d > distance:
                index, distance = i, d
        if distance > tolerance:
            keep[index] = True
            stack.extend(((first, index), (index, last)))
    return [p for p, k in zip(points, keep) if k]


def _path(projection: Projection, polygons) -> str:
    parts = []
    for polygon in polygons:
        for ring in polygon:
            points = _simplify([projection(lon, lat) for lon, lat in ring], TOLERANCE)
            xs, ys = [p[0] for p in points], [p[1] for p in points]
            if len(points) < 3 or (max(xs) - min(xs) < 2 and max(ys) - min(ys) < 2):
                continue  # a speck at this scale
            parts.append("M" + "L".join(f"{x:g},{y:g}" for x, y in points) + "Z")
    return "".join(parts)


@lru_cache(maxsize=512)
def _outline(asset: str, name: str) -> str:
    """The SVG path of one country of a view: the same for every page and build, so drawn once."""
    geo = boundaries(asset)
    feature = next(f for f in geo["features"] if f["properties"]["name"] == name)
    return _path(Projection(geo["view"]), feature["geometry"]["coordinates"])


def short_name(name: str) -> str:
    """'Manas airport (Transit Center at Manas)' -> 'Manas airport', for labels on the map."""
    return name.split(" (")[0]


def map_of(model: Model, place_id: str) -> str | None:
    """Which map shows a place: 'region', 'europe', or None if it has no coordinates."""
    place = model.records["places"][place_id]
    if "coordinates" not in place:
        return None
    c = place["coordinates"]
    return "region" if Projection(boundaries(VIEWS["region"].asset)["view"]).contains(c["lon"], c["lat"]) else "europe"


# Drawing order: the big markers (areas, capitals) first, so that the small ones on top stay clickable
LAYER = {"region": 0, "capital": 1, "city": 2, "route": 3, "base": 4}


def places_on(model: Model, key: str) -> list[str]:
    """The places a map shows, by marker layer, then west to east (the tab order follows the eye)."""
    ids = [pid for pid in model.mapped_places() if map_of(model, pid) == key]
    place = model.records["places"]
    return sorted(ids, key=lambda pid: (LAYER[MARKER_OF.get(place[pid]["kind"], "city")], place[pid]["coordinates"]["lon"], pid))


def region_map(model: Model, key: str = "region", root: str = "") -> Markup:
    """An accessible SVG map: countries, labels and every place of this view as a link.

    `root` is the way from the page to the site's root ('' on the home page, '../'
    one level down): the SVG is raw HTML, whose links MkDocs does not rewrite.
    Links are xlink:href, not href: Material's instant navigation sets `.href` on
    every element with an href attribute, which an SVG <a> does not allow.
    """
    view = VIEWS[key]
    geo = boundaries(view.asset)
    projection = Projection(geo["view"])
    partner_ids = {model.records["partners"][pid]["name"]: pid for pid in model.records["partners"]}
    places = places_on(model, key)
    away = [pid for pid in places if not projection.contains(**_lonlat(model, pid))]
    described = f"{len(places)} places named in the sources, marked by kind"
    if key == "region":
        description = (f"The five Central Asian partner countries, shaded and linked to their pages, and their neighbours, with {described}. "
                       "Each place links to its page; the same places are listed below the map.")
    else:
        description = (f"Europe, with {described}: NATO's headquarters, commands and summit venues"
                       f"{', and as arrows on the western edge the places further west' if away else ''}. "
                       "Each place links to its page; the same places are listed below the map.")
    out = [
        f'<svg class="kb-map" id="kb-map-{key}" viewBox="0 0 {projection.width} {projection.height}" role="group" '
        f'aria-labelledby="kb-map-{key}-title" aria-describedby="kb-map-{key}-desc" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="kb-map-{key}-title">Map: {escape(view.title)}</title>',
        f'<desc id="kb-map-{key}-desc">{escape(description)}</desc>',
        f'<rect class="kb-map-sea" width="{projection.width}" height="{projection.height}"/>',
    ]
    labels = []
    for feature in geo["features"]:
        name = feature["properties"]["name"]
        partner = partner_ids.get(name) if feature["properties"]["partner"] else None
        d = _outline(view.asset, name)
        if not d:
            continue
        if partner:
            out.append(f'<a class="kb-map-country-link" xlink:href="{root}partners/{partner}/"><title>{escape(name)}</title><path class="kb-map-partner" d="{d}"/></a>')
        else:
            out.append(f'<path class="kb-map-country" d="{d}"/>')
        if name not in view.labels:
            continue
        if view.labels[name]:
            lon, lat = view.labels[name]
        else:  # the centre of the largest polygon's bounding box
            ring = max((polygon[0] for polygon in feature["geometry"]["coordinates"]), key=len)
            lon = (min(p[0] for p in ring) + max(p[0] for p in ring)) / 2
            lat = (min(p[1] for p in ring) + max(p[1] for p in ring)) / 2
        x, y = projection(lon, lat)
        if 0 < x < projection.width and 0 < y < projection.height:
            css = "kb-map-label-partner" if feature["properties"]["partner"] else "kb-map-label"
            labels.append(f'<text class="{css}" x="{x:g}" y="{y:g}" aria-hidden="true">{escape(name)}</text>')
    out.extend(labels)
    out.append(f'<text class="kb-map-credit" x="{projection.width - 6}" y="{projection.height - 6}" aria-hidden="true">Boundaries: Natural Earth</text>')
    place_labels = []
    away_y: list[float] = []
    for place_id in places:
        place = model.records["places"][place_id]
        name = escape(place["name"])
        marker = MARKER_OF.get(place["kind"], "city")
        lonlat = _lonlat(model, place_id)
        x, y = projection(**lonlat)
        if place_id in away:  # beyond the view: arrows stacked in the top left corner, pointing west
            x, y = 16, 24 + 26 * len(away_y)
            away_y.append(y)
            marker = "away"
            place_labels.append(f'<text class="kb-map-label-place kb-map-label-away" x="{x + 10:g}" y="{y + 5:g}" aria-hidden="true">{escape(short_name(place["name"]))}, further west</text>')
        elif place["kind"] in view.label_places:
            place_labels.append(f'<text class="kb-map-label-place" x="{x + 10:g}" y="{y + 5:g}" aria-hidden="true">{escape(short_name(place["name"]))}</text>')
        out.append(
            f'<a class="kb-map-place kb-mark-{marker}" xlink:href="{root}places/{place_id}/">'
            f'<title>{name}</title><g class="kb-mark" transform="translate({x:g} {y:g})">{SHAPES[marker]}</g></a>'
        )
    out.extend(place_labels)
    out.append("</svg>")
    return Markup("".join(out))


def _lonlat(model: Model, place_id: str) -> dict:
    c = model.records["places"][place_id]["coordinates"]
    return {"lon": c["lon"], "lat": c["lat"]}


def legend(away: bool = False) -> Markup:
    """The markers, explained: an HTML list with a small drawing of each (hidden from screen readers)."""
    items = []
    for key, label, _kinds in MARKERS + ([("away", "Beyond the map, in that direction", set())] if away else []):
        items.append(
            f'<li><svg class="kb-legend-mark kb-mark-{key}" viewBox="-10 -10 20 20" width="20" height="20" aria-hidden="true">'
            f'<g class="kb-mark">{SHAPES[key]}</g></svg> {escape(label)}</li>'
        )
    items.append('<li><svg class="kb-legend-mark" viewBox="0 0 20 20" width="20" height="20" aria-hidden="true">'
                 '<rect class="kb-map-partner" x="2" y="3" width="16" height="14"/></svg> Partner country (links to its page)</li>')
    return Markup(f'<ul class="kb-legend" aria-label="Map legend">{"".join(items)}</ul>')
