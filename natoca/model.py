"""One cross-referenced model of the validated records, built once per build.

A relation is written once in the data; here it is inverted, so that every page
can read both directions from indexes instead of filtering every record.
"""
from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass, field

from .quotes import Fingerprint, words
from .records import COLLECTIONS, Record

TITLE_FIELD = {"events": "title", "sources": "title"}


def slug_hash(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:8]


def fact_anchor(fact: dict) -> str:
    return fact.get("anchor") or f"f-{slug_hash(fact['text'])}"


def role_anchor(role: dict) -> str:
    return f"role-{slug_hash(role['title'])}"


def dispute_anchor(dispute: dict) -> str:
    return dispute.get("anchor") or f"d-{slug_hash(dispute['topic'])}"


@dataclass(frozen=True)
class Ref:
    collection: str
    id: str

    @property
    def url(self) -> str:
        """Link target for Markdown, relative to the docs folder (MkDocs checks it)."""
        return f"/{self.collection}/{self.id}.md"


@dataclass
class Statement:
    """Something a record says, with the citations that back it."""

    ref: Ref
    anchor: str
    label: str  # what is stated, in a few words
    citations: list[dict]


@dataclass
class Dispute:
    ref: Ref
    anchor: str
    dispute: dict
    context: str  # where on the record it sits, e.g. 'participation in PfP'


@dataclass
class Model:
    records: dict[str, dict[str, dict]]
    paths: dict[Ref, str]
    fingerprints: dict[str, Fingerprint]
    participants: dict[str, list[tuple[str, dict]]] = field(default_factory=lambda: defaultdict(list))
    members: dict[str, list[tuple[str, dict]]] = field(default_factory=lambda: defaultdict(list))
    events_of: dict[Ref, list[str]] = field(default_factory=lambda: defaultdict(list))
    roles_of: dict[Ref, list[tuple[str, dict]]] = field(default_factory=lambda: defaultdict(list))
    places_in: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    children: dict[Ref, list[str]] = field(default_factory=lambda: defaultdict(list))
    related: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    programmes_at: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    organisations_at: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    statements: dict[Ref, list[Statement]] = field(default_factory=lambda: defaultdict(list))
    citing: dict[str, list[tuple[Statement, dict]]] = field(default_factory=lambda: defaultdict(list))
    disputes: list[Dispute] = field(default_factory=list)
    disputes_of: dict[Ref, list[Dispute]] = field(default_factory=lambda: defaultdict(list))
    sources_of: dict[Ref, list[str]] = field(default_factory=lambda: defaultdict(list))
    authored: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    participation_index: dict[tuple[str, str], dict] = field(default_factory=dict)
    phase_items: dict[str, list[tuple[str, dict]]] = field(default_factory=lambda: defaultdict(list))
    events_by_phase: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    item_anchors: dict[int, tuple[Ref, str]] = field(default_factory=dict)  # id() of a participation or membership -> its anchor

    def anchor(self, item: dict) -> str:
        """The anchor of a participation or membership on its partner's page ('participation-pfp')."""
        return self.item_anchors[id(item)][1]

    def get(self, collection: str, id: str) -> dict:
        return self.records[collection][id]

    def name(self, collection: str, id: str) -> str:
        record = self.records[collection][id]
        return record.get(TITLE_FIELD.get(collection, "name")) or id

    def short(self, collection: str, id: str) -> str:
        record = self.records[collection][id]
        return record.get("short_name") or self.name(collection, id)

    @property
    def events_sorted(self) -> list[str]:
        return self._events_sorted

    def short_citation(self, source_id: str) -> str:
        """'Vinnikov 2009' style label of a source."""
        source = self.records["sources"][source_id]
        names = [a.get("family") or a["name"].split()[-1] for a in source["authors"]]
        who = names[0] if len(names) == 1 else f"{names[0]} et al." if len(names) > 2 else " and ".join(names)
        return f"{who} {source['published'][:4]}"

    def phase_of(self, date: str) -> str | None:
        for phase_id in self.phases_sorted:
            phase = self.records["phases"][phase_id]
            if phase["start"] <= date[: len(phase["start"])] and ("end" not in phase or date[: len(phase["end"])] < phase["end"]):
                return phase_id
        return None

    def counts(self) -> list[tuple[str, int]]:
        return [(name, len(self.records[name])) for name in COLLECTIONS]

    def statement_count(self) -> int:
        return sum(len(statements) for statements in self.statements.values())

    def participation(self, partner_id: str, programme_id: str) -> dict | None:
        return self.participation_index.get((partner_id, programme_id))

    def matrix_programmes(self) -> list[str]:
        """Programmes with at least one participant, the most widely joined first."""
        return sorted(self.participants, key=lambda id: (-len(self.participants[id]), self.short("programmes", id).lower()))

    def matrix_rows(self) -> tuple[list[str], list[str]]:
        """The matrix's programmes: those shared by two or more partners, and those of one partner only."""
        rows = self.matrix_programmes()
        return [id for id in rows if len(self.participants[id]) > 1], [id for id in rows if len(self.participants[id]) == 1]

    def timeline_filters(self) -> dict[str, list[tuple[str, str]]]:
        """(value, label) options of the timeline's filters: only what some event has, by label."""
        events = self.records["events"].values()
        partners = sorted({p for e in events for p in e.get("partners", [])}, key=lambda id: self.name("partners", id))
        programmes = sorted({p for e in events for p in e.get("programmes", [])}, key=lambda id: self.short("programmes", id).lower())
        themes = sorted({t for e in events for t in e.get("themes", [])})
        return {
            "partner": [(id, self.name("partners", id)) for id in partners],
            "programme": [(id, self.short("programmes", id) if self.short("programmes", id) == self.name("programmes", id)
                           else f"{self.short('programmes', id)} — {self.name('programmes', id)}") for id in programmes],
            "theme": [(id, id.replace("-", " ").capitalize()) for id in themes],
        }

    def places_by_country(self) -> list[tuple[str, list[str]]]:
        """Every place, grouped by its country (partners first, then the others), by name within."""
        partner_names = [self.records["partners"][id]["name"] for id in self.records["partners"]]
        groups: dict[str, list[str]] = {}
        for id, place in sorted(self.records["places"].items(), key=lambda item: item[1]["name"].lower()):
            groups.setdefault("Across several countries" if "," in place["country"] else place["country"], []).append(id)
        return sorted(groups.items(), key=lambda item: (item[0] not in partner_names, "," in item[0] or item[0].startswith("Across"), item[0].lower()))

    def disputes_by_collection(self) -> list[tuple[str, list[Dispute]]]:
        """Each distinct disagreement once, under the collection of the record that first holds it."""
        groups: dict[str, list[Dispute]] = {}
        for dispute in self.distinct_disputes:
            groups.setdefault(dispute.ref.collection, []).append(dispute)
        return [(name, groups[name]) for name in COLLECTIONS if name in groups]

    def copies_of(self, dispute: Dispute) -> list[Dispute]:
        """The same disagreement as recorded on other records (a partner, an event, a place...)."""
        return self.dispute_copies.get(id(dispute), [])

    def years_in_phase(self, phase_id: str) -> list[tuple[str, list[str]]]:
        years: dict[str, list[str]] = {}
        for event_id in self.events_by_phase[phase_id]:
            years.setdefault(self.records["events"][event_id]["date"][:4], []).append(event_id)
        return list(years.items())

    def events_outside_phases(self) -> list[str]:
        inside = {event_id for events in self.events_by_phase.values() for event_id in events}
        return [event_id for event_id in self._events_sorted if event_id not in inside]

    def mapped_places(self) -> list[str]:
        return [id for id, place in self.records["places"].items() if "coordinates" in place]

    def events_in_phase(self, phase_id: str) -> list[str]:
        return self.events_by_phase[phase_id]

    def citing_by_collection(self, source_id: str) -> list[tuple[str, list]]:
        groups: dict[str, list] = {}
        for statement, citation in self.citing[source_id]:
            groups.setdefault(statement.ref.collection, []).append((statement, citation))
        return [(name, groups[name]) for name in COLLECTIONS if name in groups]

    def coverage(self, source: str) -> tuple[int, int]:
        """(cited body paragraphs, all body paragraphs) of a source."""
        cache = self.__dict__.setdefault("_coverage_counts", {})  # asked by the source's page and the index: count once
        if source not in cache:
            cache[source] = self._coverage(source)
        return cache[source]

    def _coverage(self, source: str) -> tuple[int, int]:
        fingerprint = self.fingerprints.get(source)
        if fingerprint is None:
            return 0, 0
        cited = set()
        for _statement, citation in self.citing[source]:
            offset = fingerprint.locate(citation["quote"])
            if offset is not None:
                index = fingerprint.paragraph_of(offset)
                if index is not None:
                    cited.add(index)
        return len(cited), len(fingerprint.paragraphs)


def _statements(model: Model, ref: Ref, data: dict) -> None:
    """Collect every cited statement of a record, with a stable anchor for each."""

    def add(anchor: str, label: str, citations) -> None:
        statement = Statement(ref, anchor, label, citations or [])
        model.statements[ref].append(statement)
        for citation in statement.citations:
            model.citing[citation["source"]].append((statement, citation))

    def disputes(items, context: str) -> None:
        for dispute in items or []:
            entry = Dispute(ref, dispute_anchor(dispute), dispute, context)
            model.disputes.append(entry)
            model.disputes_of[ref].append(entry)
            for claim in dispute["claims"]:
                add(entry.anchor, f"{dispute['topic']}: {claim['value']}", claim["sources"])

    taken: set[str] | None = None  # this record's item anchors so far (looked up once, not per item: that grew as n²)

    def unique(anchor: str, item: dict) -> str:
        """A partner may list the same programme or organisation twice (left, then rejoined): -2, -3, ..."""
        nonlocal taken
        if taken is None:
            taken = {a for r, a in model.item_anchors.values() if r == ref}
        n, candidate = 1, anchor
        while candidate in taken:
            n += 1
            candidate = f"{anchor}-{n}"
        model.item_anchors[id(item)] = (ref, candidate)
        taken.add(candidate)
        return candidate

    add("record", "the record's core data", data.get("sources"))
    for fact in data.get("facts", []) + data.get("representation", []):
        add(fact_anchor(fact), fact["text"], fact["sources"])
    for item in data.get("participations", []):
        add(unique(f"participation-{item['programme']}", item), f"{model.short('programmes', item['programme'])}: {item['status']}", item["sources"])
        disputes(item.get("disputed"), f"participation in {model.short('programmes', item['programme'])}")
    for item in data.get("memberships", []):
        add(unique(f"membership-{item['organisation']}", item), f"{model.short('organisations', item['organisation'])}: {item['status']}", item["sources"])
        disputes(item.get("disputed"), f"membership of {model.short('organisations', item['organisation'])}")
    for item in data.get("phases", []) if ref.collection == "partners" else []:
        add(f"phase-{item['phase']}", item["text"], item["sources"])
    for item in data.get("roles", []):
        add(role_anchor(item), item["title"], item["sources"])
    disputes(data.get("disputed"), "")
    cited = []
    for statement in model.statements[ref]:
        for citation in statement.citations:
            if citation["source"] not in cited:
                cited.append(citation["source"])
    model.sources_of[ref] = cited


def _quote_keys(dispute: dict) -> set[tuple[str, tuple[str, ...]]]:
    return {(c["source"], tuple(words(c["quote"]))) for claim in dispute["claims"] for c in claim["sources"]}


def _group_disputes(model: Model) -> None:
    """Find the disagreements recorded on several records: they share at least two of their quotations.

    A partner page, an event page and a place page may each carry the same disagreement, as
    they should; the page of all disagreements shows it once, with links to every copy.
    """
    keys = [_quote_keys(d.dispute) for d in model.disputes]
    by_quote: dict[tuple, list[int]] = defaultdict(list)
    for index, quotes in enumerate(keys):
        for quote in quotes:
            by_quote[quote].append(index)
    parent = list(range(len(model.disputes)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for index, quotes in enumerate(keys):
        shared: dict[int, int] = defaultdict(int)
        for quote in quotes:
            for other in by_quote[quote]:
                if other < index:
                    shared[other] += 1
        for other, count in shared.items():
            if count >= 2 or count == len(keys[index]) or count == len(keys[other]):
                parent[root(index)] = root(other)
    groups: dict[int, list[Dispute]] = defaultdict(list)
    order = {name: rank for rank, name in enumerate(COLLECTIONS)}
    for index, dispute in enumerate(model.disputes):
        groups[root(index)].append(dispute)
    model.distinct_disputes = []
    model.dispute_copies = {}
    for members in groups.values():
        members.sort(key=lambda d: (order[d.ref.collection], d.ref.id))
        model.distinct_disputes.append(members[0])
        for member in members:
            model.dispute_copies[id(member)] = [other for other in members if other is not member]
    model.distinct_disputes.sort(key=lambda d: (order[d.ref.collection], d.ref.id, d.anchor))


def build_model(records: dict[str, dict[str, Record]], fingerprints: dict[str, Fingerprint]) -> Model:
    """Link validated records into one model with every inverse relation derived."""
    model = Model(
        records={name: {id: records[name][id].data for id in sorted(records[name])} for name in COLLECTIONS},
        paths={Ref(name, id): record.path for name in COLLECTIONS for id, record in records[name].items()},
        fingerprints=fingerprints,
    )
    data = model.records
    for partner_id, partner in data["partners"].items():
        for item in partner.get("participations", []):
            model.participants[item["programme"]].append((partner_id, item))
            model.participation_index.setdefault((partner_id, item["programme"]), item)
        for item in partner.get("memberships", []):
            model.members[item["organisation"]].append((partner_id, item))
    for event_id, event in data["events"].items():
        for key, collection in (("partners", "partners"), ("programmes", "programmes"), ("organisations", "organisations"), ("people", "people")):
            for id in event.get(key, []):
                model.events_of[Ref(collection, id)].append(event_id)
        if "place" in event:
            model.events_of[Ref("places", event["place"])].append(event_id)
    for person_id, person in data["people"].items():
        for role in person["roles"]:
            for key, collection in (("partner", "partners"), ("organisation", "organisations"), ("programme", "programmes")):
                if key in role:
                    model.roles_of[Ref(collection, role[key])].append((person_id, role))
    for place_id, place in data["places"].items():
        if "partner" in place:
            model.places_in[place["partner"]].append(place_id)
    for programme_id, programme in data["programmes"].items():
        if "parent" in programme:
            model.children[Ref("programmes", programme["parent"])].append(programme_id)
        for other in programme.get("related", []):
            model.related[programme_id].add(other)
            model.related[other].add(programme_id)
        for place_id in {programme.get("launched_at"), *programme.get("places", [])} - {None}:
            model.programmes_at[place_id].append(programme_id)
        for organisation_id in programme.get("organisations", []):
            model.children[Ref("organisations", organisation_id)].append(programme_id)
    for organisation_id, organisation in data["organisations"].items():
        if "parent" in organisation:
            model.children[Ref("organisations", organisation["parent"])].append(organisation_id)
        if "headquarters" in organisation:
            model.organisations_at[organisation["headquarters"]].append(organisation_id)
    for source_id, source in data["sources"].items():
        for author in source["authors"]:
            if "person" in author:
                model.authored[author["person"]].append(source_id)
    for name in COLLECTIONS:
        for id, record in data[name].items():
            _statements(model, Ref(name, id), record)
    model._events_sorted = sorted(data["events"], key=lambda id: (data["events"][id]["date"], id))
    order = {id: index for index, id in enumerate(model._events_sorted)}
    for events in model.events_of.values():
        events.sort(key=order.__getitem__)
    _group_disputes(model)
    model.phases_sorted = sorted(data["phases"], key=lambda id: (data["phases"][id]["number"], id))
    for event_id in model._events_sorted:
        phase_id = model.phase_of(data["events"][event_id]["date"])
        if phase_id:
            model.events_by_phase[phase_id].append(event_id)
    for partner_id, partner in data["partners"].items():
        for item in partner.get("phases", []):
            model.phase_items[item["phase"]].append((partner_id, item))
    return model
