"""Synthetic data sets for the benchmark: k times the real data, at the real data's density.

The generator replicates the real records: copy j of a real record gets a new id
(`<id>-x<j>`, copy 0 keeps the real id), a new name, its dates moved j spans of
years later, and its references pointed at copy j of their targets (a share of
them, by default a tenth, at another copy, drawn from the seed). So every
density of the real data holds at every scale: participations and memberships
per partner, citations per statement, facts per record, references per event,
events per year (each copy has a span of years of its own, and its phases end
where the next copy's begin; a phase keeps its number, which the schema caps at 20).
Quotes are the real records' own, so they are found in the source fingerprints, and
the five sources stay the five sources (a fingerprint cannot be made up without a
text): each source is cited k times as often.

Only records that pass validation serve as templates, so a real data set that is
briefly invalid still yields a valid synthetic one. The same real data, scale and
seed give the same files.

    python -m natoca.synthetic OUT --scale 10 --seed 1
"""
from __future__ import annotations

import argparse
import copy
import random
import re
import shutil
import statistics
from pathlib import Path

import yaml

from .pipeline import ROOT
from .quotes import load_fingerprints
from .records import COLLECTIONS, load_records
from .validate import DATE_KEYS, MARKDOWN_KEYS, REFERENCES, load_schemas, validate, walk

FIXED = ("sources",)  # one record per fingerprinted text: never replicated
TITLE_KEY = {"events": "title"}
# References that keep to the record's own copy (hierarchies and a partner's own story).
SAME_COPY = {("programmes", "parent"), ("organisations", "parent"), ("partners", "phases"), ("partners", "capital")}
_DATE = re.compile(r"^([0-9]{4})((?:-[0-9]{2}){0,2})$")
_LINK = re.compile(r"\[([^\]]*)\]\((/([a-z]+)/([a-z0-9-]+)(?:/|\.md)?(?:#[^)\s]*)?)\)")
_SYLLABLES = ("ka", "lo", "ri", "ve", "sa", "tu", "mo", "ne", "da", "pi", "zo", "re", "an", "el", "or", "ul")


def real_templates(root: Path = ROOT, contract: Path = ROOT) -> tuple[dict[str, dict[str, dict]], list]:
    """The real records that pass validation, by collection and id (the rest are left out), and the problems."""
    records, problems = load_records(root)
    problems += validate(records, load_schemas(contract / "schemas"), load_fingerprints(contract / "fingerprints"))
    bad = {problem.path for problem in problems}
    templates = {
        name: {id: record.data for id, record in sorted(records[name].items()) if record.path not in bad}
        for name in COLLECTIONS
    }
    return templates, problems


def plan(templates: dict[str, dict[str, dict]], scale: float) -> dict[str, int]:
    """How many records of each collection: scale times the real count, the total exactly so."""
    real = {name: len(templates[name]) for name in COLLECTIONS}
    counts = {name: real[name] if name in FIXED else max(1, round(real[name] * scale)) for name in COLLECTIONS}
    wanted = max(round(sum(real.values()) * scale), sum(counts[name] for name in FIXED) + len(COLLECTIONS) - len(FIXED))
    largest = max((name for name in COLLECTIONS if name not in FIXED), key=lambda name: real[name])
    counts[largest] = max(1, counts[largest] + wanted - sum(counts.values()))
    return counts


def _shift(text: str, years: int) -> str:
    """A date moved by whole years, at its own precision (29 February becomes the 28th off leap years)."""
    match = _DATE.match(text)
    if not match or not years:
        return text
    year = int(match.group(1)) + years
    rest = match.group(2)
    if rest.endswith("-02-29") and not (year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)):
        rest = "-02-28"
    return f"{year:04d}{rest}"


def _name(rng: random.Random) -> str:
    return "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 3))).capitalize()


class Generator:
    def __init__(self, templates: dict[str, dict[str, dict]], scale: float, seed: int = 1, cross: float = 0.1):
        self.templates = templates
        self.rng = random.Random(seed)
        self.cross = cross
        self.counts = plan(templates, scale)
        years = [int(event["date"][:4]) for event in templates["events"].values()] or [2000]
        self.first_year = min(years)
        self.span = max(years) - self.first_year + 1
        # (template id, copy) -> new id, per collection; and the ids of each copy of a template
        self.ids: dict[str, dict[tuple[str, int], str]] = {}
        self.copies: dict[str, dict[str, list[str]]] = {}
        self.plan_ids()

    def plan_ids(self) -> None:
        for name in COLLECTIONS:
            order = list(self.templates[name])
            self.ids[name], self.copies[name] = {}, {}
            if not order:
                continue
            full, extra = divmod(self.counts[name], len(order))
            chosen = [(id, j) for j in range(full) for id in order]
            chosen += [(id, full) for id in sorted(self.rng.sample(order, extra), key=order.index)]
            for id, j in chosen:
                new = id if j == 0 or name in FIXED else f"{id[:72].rstrip('-')}-x{j}"
                self.ids[name][(id, j)] = new
                self.copies[name].setdefault(id, []).append(new)
        self.all_ids = {name: sorted(self.ids[name].values()) for name in COLLECTIONS}
        self.present = {name: set(ids) for name, ids in self.all_ids.items()}
        self.phase_copies = {j for _id, j in self.ids["phases"]}

    def resolve(self, collection: str, id: str, j: int, same_copy: bool) -> str | None:
        """The id that a reference to `id` in copy j points at in the synthetic set."""
        copies = self.copies[collection].get(id)
        if copies:
            if (id, j) in self.ids[collection] and (same_copy or self.rng.random() >= self.cross):
                return self.ids[collection][(id, j)]
            return copies[j % len(copies)] if same_copy else self.rng.choice(copies)
        pool = self.all_ids[collection]
        return self.rng.choice(pool) if pool else None  # the target is not a template: any record will do

    def record(self, collection: str, id: str, j: int) -> dict:
        data = copy.deepcopy(self.templates[collection][id])
        data["id"] = self.ids[collection][(id, j)]
        if collection in FIXED:
            self.rewire(collection, data, 0)
            return data
        if j:
            key = TITLE_KEY.get(collection, "name")
            data[key] = f"{data[key]} {_name(self.rng)} {j}"
        self.rewire(collection, data, j)
        years = j * self.span
        self.shift_dates(data, years)
        if collection == "phases":
            if "end" not in data and j + 1 in self.phase_copies:
                data["end"] = str(self.first_year + (j + 1) * self.span)  # copy j's phases end where copy j+1 begins
        self.unlink(data)
        return data

    def rewire(self, collection: str, data: dict, j: int) -> None:
        patterns = list(REFERENCES[collection])
        for pattern, target in patterns:
            same = (collection, pattern[0]) in SAME_COPY
            for path, value in list(walk(data, pattern)):
                if isinstance(value, str):
                    _set(data, path, self.resolve(target, value, j, same))
        for key in ("participations", "memberships", "phases", "related", "organisations", "places", "partners", "programmes", "people"):
            if isinstance(data.get(key), list):
                data[key] = _unique(data[key])

    def shift_dates(self, value, years: int) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                if key in DATE_KEYS and isinstance(item, str):
                    value[key] = _shift(item, years)
                else:
                    self.shift_dates(item, years)
        elif isinstance(value, list):
            for item in value:
                self.shift_dates(item, years)

    def unlink(self, value) -> None:
        """Site-relative links in text to a record the set lacks become plain text."""
        if isinstance(value, dict):
            for key, item in value.items():
                if key in MARKDOWN_KEYS and isinstance(item, str) and "](/" in item:
                    value[key] = _LINK.sub(self._link, item)
                else:
                    self.unlink(item)
        elif isinstance(value, list):
            for item in value:
                self.unlink(item)

    def _link(self, match: re.Match) -> str:
        collection, id = match.group(3), match.group(4)
        if id in self.present.get(collection, ()):
            return match.group(0)
        return match.group(1)

    def records(self):
        for name in COLLECTIONS:
            for (id, j), _new in self.ids[name].items():
                yield name, self.record(name, id, j)


def _set(data, path: tuple, value) -> None:
    target = data
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value


def _unique(items: list) -> list:
    """Ids (or relation items, by their target) once each, the first kept."""
    seen, out = set(), []
    for item in items:
        key = item if isinstance(item, str) else next((item.get(k) for k in ("programme", "organisation", "phase") if k in item), id(item)) if isinstance(item, dict) else id(item)
        if key not in seen:
            seen.add(key)
            out.append(item)
    return out


class _Dumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):
    pass


def _string(dumper, text: str):
    # Every string quoted: the loader refuses an unquoted date, and "no" must stay text.
    return dumper.represent_scalar("tag:yaml.org,2002:str", text, style="|" if "\n" in text else '"')


_Dumper.add_representer(str, _string)


def write(out: Path, templates: dict[str, dict[str, dict]], scale: float, seed: int = 1) -> dict[str, int]:
    """Write a synthetic data set to out/data; return the record count per collection."""
    data = out / "data"
    if data.exists():
        shutil.rmtree(data)
    generator = Generator(templates, scale, seed)
    counts = {name: 0 for name in COLLECTIONS}
    for name in COLLECTIONS:
        (data / name).mkdir(parents=True, exist_ok=True)
    for name, record in generator.records():
        text = yaml.dump(record, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)
        (data / name / f"{record['id']}.yaml").write_text(text, encoding="utf-8")
        counts[name] += 1
    return counts


def density(records: dict[str, dict[str, dict]]) -> dict[str, float]:
    """The relation densities the generator keeps, measured on a data set (record data by collection and id)."""
    partners = list(records["partners"].values())
    citations = [len(item["sources"]) for name in COLLECTIONS for record in records[name].values() for item in _cited(record)]
    years = [event["date"][:4] for event in records["events"].values()]
    refs = [sum(len(event.get(key, [])) for key in ("partners", "programmes", "organisations", "people")) for event in records["events"].values()]
    facts = [len(record.get("facts", [])) for name in COLLECTIONS for record in records[name].values()]
    return {
        "records": sum(len(records[name]) for name in COLLECTIONS),
        "participations per partner": statistics.fmean(len(p.get("participations", [])) for p in partners) if partners else 0.0,
        "memberships per partner": statistics.fmean(len(p.get("memberships", [])) for p in partners) if partners else 0.0,
        "sources per fact": statistics.fmean(citations) if citations else 0.0,
        "facts per record": statistics.fmean(facts) if facts else 0.0,
        "links per event": statistics.fmean(refs) if refs else 0.0,
        "events per year": len(years) / len(set(years)) if years else 0.0,
    }


def _cited(value):
    """Every statement in a record that carries a list of citations."""
    if isinstance(value, dict):
        if isinstance(value.get("sources"), list) and value["sources"] and isinstance(value["sources"][0], dict):
            yield value
        for item in value.values():
            yield from _cited(item)
    elif isinstance(value, list):
        for item in value:
            yield from _cited(item)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m natoca.synthetic", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out", type=Path, help="folder to write data/ into (its data/ is replaced)")
    parser.add_argument("--scale", type=float, default=1.0, help="record count as a multiple of the real data's (default 1)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--real", type=Path, default=ROOT, help="project whose data/ is replicated (default: this one)")
    arguments = parser.parse_args(argv)
    templates, _problems = real_templates(arguments.real)
    counts = write(arguments.out, templates, arguments.scale, arguments.seed)
    print(", ".join(f"{count} {name}" for name, count in counts.items()), f"({sum(counts.values())} records)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
