"""The model derives every inverse relation, and shows a disagreement recorded twice once."""
import shutil

from conftest import MINIMAL
from natoca.model import Ref
from natoca.pipeline import load_model


def test_inverse_relations_are_derived():
    model = load_model(MINIMAL)
    assert [partner for partner, _ in model.participants["parp"]] == ["uzbekistan"]
    assert [partner for partner, _ in model.members["sco"]] == ["uzbekistan"]
    assert model.events_of[Ref("people", "alexander-vinnikov")] == ["2005-05-andijan"]
    assert model.events_of[Ref("places", "tashkent")] == ["2005-05-andijan"]
    assert model.programmes_at["tashkent"] == ["parp"]
    assert model.authored["alexander-vinnikov"] == ["vinnikov-2009"]
    assert [(p, item["phase"]) for p, item in model.phase_items["partnership-phase"]] == [("uzbekistan", "partnership-phase")]
    cited = {statement.ref for statement, _ in model.citing["mukhtorova-2018"]}
    assert Ref("organisations", "sco") in cited and Ref("partners", "uzbekistan") in cited


def test_a_disagreement_on_two_records_is_listed_once(tmp_path):
    root = tmp_path / "kb"
    shutil.copytree(MINIMAL, root)
    event = (root / "data/events/2005-05-andijan.yaml").read_text()
    dispute = event[event.index("disputed:"):event.index("sources:\n  - source: vinnikov-2009\n    quote: \"talks")]
    partner = root / "data/partners/uzbekistan.yaml"
    partner.write_text(partner.read_text().replace("sources:\n  - source: vinnikov-2009\n    quote: \"Co-operation was initially promising with Uzbekistan\"\n", dispute + "sources:\n  - source: vinnikov-2009\n    quote: \"Co-operation was initially promising with Uzbekistan\"\n"))
    model = load_model(root)
    assert len(model.disputes) == 2
    assert len(model.distinct_disputes) == 1
    shown = model.distinct_disputes[0]
    assert shown.ref == Ref("partners", "uzbekistan")  # partners come first
    assert [copy.ref for copy in model.copies_of(shown)] == [Ref("events", "2005-05-andijan")]
