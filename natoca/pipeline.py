"""YAML -> validated model: the one entry point the site, the exports and the CLI use."""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from .cache import RecordCache
from .model import Model, build_model
from .problems import DataError
from .quotes import load_fingerprints
from .records import load_records, no_cycle_collection
from .validate import load_schemas, validate

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Timings:
    """Seconds per stage of the last pipeline run, for the benchmark."""

    stages: dict[str, float] = field(default_factory=dict)


def load_model(root: Path = ROOT, timings: Timings | None = None, contract: Path = ROOT) -> Model:
    """Load, validate and link the data under root/data; raise DataError listing every problem.

    The schemas and source fingerprints come from `contract` (this project by default),
    so a data set elsewhere, such as a test fixture, is held to the same rules.
    """
    timings = timings or Timings()
    started = time.perf_counter()
    with no_cycle_collection():
        cache = RecordCache.open(root, contract)
        records, problems = load_records(root, cache)
    loaded = time.perf_counter()
    fingerprints = load_fingerprints(contract / "fingerprints")
    problems += validate(records, load_schemas(contract / "schemas"), fingerprints)
    cache.save()  # before the model is built: what it holds is what the files gave
    validated = time.perf_counter()
    if problems:
        raise DataError(problems)
    model = build_model(records, fingerprints)
    timings.stages.update(load=loaded - started, validate=validated - loaded, link=time.perf_counter() - validated)
    return model
