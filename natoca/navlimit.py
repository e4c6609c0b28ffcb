"""Keep every page's sidebar short, however many records there are.

Material (with navigation.tabs, navigation.sections and navigation.prune) writes into
each page every item at levels 2 and 3 of the page's tab, and deeper items only along
the page's own path. A collection listed flat there puts all its n links on each of
its n pages, so the build grows as n². Here a list longer than LIMIT is cut into
consecutive groups of about √n items, placed where Material prunes them (level 3 or
deeper): a page then carries about 2√n links of that list. A list of LIMIT items or
fewer is left as it is, so at the real data's size the nav is unchanged.
"""
from __future__ import annotations

import math

LIMIT = 100


def bounded(nav: list, limit: int = LIMIT) -> list:
    """The nav (MkDocs' config form) with every over-long list grouped."""
    return [_item(item, 1, limit) for item in nav]


def _item(item, level: int, limit: int):
    if isinstance(item, dict) and len(item) == 1:
        (title, value), = item.items()
        if isinstance(value, list):
            return {title: _list(value, level + 1, limit, title)}
    return item


def _list(items: list, level: int, limit: int, title: str) -> list:
    items = [_item(item, level, limit) for item in items]
    head = [item for item in items[:1] if _is_index(item)]  # the section's own page stays first
    rest = items[len(head):]
    if len(rest) <= limit:
        return items
    groups = _groups(rest)
    while len(groups) > limit:  # more groups than fit: group the groups
        groups = _groups(groups)
    if level <= 2:  # level 2 is always open (a section): the groups go one level down
        return head + [{f"All {title[:1].lower()}{title[1:]}" if title else "All": groups}]
    return head + groups


def _groups(items: list) -> list:
    size = math.ceil(math.sqrt(len(items)))
    return [{_label(chunk): chunk} for chunk in (items[i:i + size] for i in range(0, len(items), size))]


def _label(chunk: list) -> str:
    first, last = _title(chunk[0]), _title(chunk[-1])
    return first if first == last else f"{first} – {last}"


def _title(item) -> str:
    if isinstance(item, dict) and len(item) == 1:
        title = next(iter(item))
        if " – " in title and isinstance(item[title], list):  # a group: its first item names it
            title = title.split(" – ")[0]
    else:
        title = str(item).rsplit("/", 1)[-1].removesuffix(".md")
    words = title.split()
    short = " ".join(words[:2])
    return short if len(short) <= 24 else short[:23] + "…"


def _is_index(item) -> bool:
    target = next(iter(item.values())) if isinstance(item, dict) and len(item) == 1 else item
    return isinstance(target, str) and (target == "index.md" or target.endswith("/index.md"))
