"""The generator end to end: YAML in, pages, links and exports out, through a real MkDocs build."""
import csv
import json
import shutil

import pytest

from conftest import ROOT, make_project, run_build

NEW_PROGRAMME = """\
id: trust-fund-test
name: Test Trust Fund
short_name: TTF
kind: fund
summary: A programme added by the test.
launched_at: tashkent
sources:
  - source: vinnikov-2009
    quote: "talks were suspended and progress halted after the 2005 events in Andijan"
"""


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    project = make_project(tmp_path_factory.mktemp("site") / "project")
    (project / "data/programmes/trust-fund-test.yaml").write_text(NEW_PROGRAMME)
    partner = project / "data/partners/uzbekistan.yaml"
    partner.write_text(partner.read_text().replace("participations:\n", """participations:
  - programme: trust-fund-test
    status: participant
    joined: "2006"
    sources:
      - source: vinnikov-2009
        quote: "Co-operation was initially promising with Uzbekistan"
""", 1))
    result = run_build(project)
    assert result.returncode == 0, result.stderr
    return project / "site"


def test_new_record_has_its_page(built):
    page = (built / "programmes/trust-fund-test/index.html").read_text()
    assert "Test Trust Fund" in page
    assert 'href="../../partners/uzbekistan/"' in page  # participants derived from the partner
    assert "2006" in page


def test_new_record_is_in_its_index_and_nav(built):
    index = (built / "programmes/index.html").read_text()
    assert 'href="../programmes/trust-fund-test/"' in index or 'href="trust-fund-test/"' in index


def test_new_record_is_on_related_pages(built):
    partner = (built / "partners/uzbekistan/index.html").read_text()
    assert "trust-fund-test/" in partner
    place = (built / "places/tashkent/index.html").read_text()
    assert "trust-fund-test/" in place  # launched there
    home = (built / "index.html").read_text()
    assert "trust-fund-test/" in home  # a row of the matrix


def test_new_record_is_in_the_exports(built):
    programmes = json.loads((built / "api/programmes.json").read_text())
    ids = [r["id"] for r in programmes["records"]]
    assert "trust-fund-test" in ids and programmes["count"] == len(ids)
    rows = list(csv.DictReader((built / "api/programmes.csv").open()))
    assert {"id": "trust-fund-test", "short_name": "TTF"}.items() <= [r for r in rows if r["id"] == "trust-fund-test"][0].items()
    everything = json.loads((built / "api/all.json").read_text())
    assert any(r["id"] == "trust-fund-test" for r in everything["programmes"])
    participations = (built / "api/participations.csv").read_text()
    assert "uzbekistan,trust-fund-test,participant,2006" in participations


def test_schemas_are_published(built):
    for schema in (ROOT / "schemas").glob("*.json"):
        assert json.loads((built / "schemas" / schema.name).read_text()) == json.loads(schema.read_text())


def test_every_page_links_its_yaml_file(built):
    page = (built / "places/tashkent/index.html").read_text()
    assert "https://github.com/natoca-kb/natoca-kb/edit/main/data/places/tashkent.yaml" in page


def test_source_page_lists_citing_statements(built):
    page = (built / "sources/vinnikov-2009/index.html").read_text()
    assert "talks were suspended and progress halted" in page
    assert "partners/uzbekistan/#participation-parp" in page


def test_bad_data_stops_the_build_with_every_problem(tmp_path):
    project = make_project(tmp_path / "project")
    place = project / "data/places/tashkent.yaml"
    place.write_text(place.read_text().replace("name: Tashkent", "name: [Tashkent]").replace("partner: uzbekistan", "partner: uzbekstan"))
    event = project / "data/events/2005-05-andijan.yaml"
    event.write_text(event.read_text().replace('date: "2005-05"', "date: 2005-05-13").replace("progress halted", "progress stopped"))
    result = run_build(project)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    for line in [
        'data/events/2005-05-andijan.yaml:4:7: unquoted date 2005-05-13: write it as a quoted string, "2005-05-13"',
        "data/events/2005-05-andijan.yaml:18:20: quote not found in vinnikov-2009: copy it verbatim from the text",
        "data/events/2005-05-andijan.yaml:26:12: quote not found in vinnikov-2009: copy it verbatim from the text",
        "data/places/tashkent.yaml:2:7: name: expected text, got a list",
        "data/places/tashkent.yaml:5:10: unknown partner 'uzbekstan' (did you mean 'uzbekistan'?): no file data/partners/uzbekstan.yaml",
    ]:
        assert line in result.stderr
    assert not (project / "site" / "index.html").exists()


@pytest.mark.slow
def test_real_site_builds_strict(tmp_path):
    """The real data: `mkdocs build --strict` with no warning."""
    shutil.copytree(ROOT, tmp_path / "real", ignore=shutil.ignore_patterns(".venv", "site", ".git", "node_modules", "tests", "__pycache__"))
    result = run_build(tmp_path / "real")
    assert result.returncode == 0, result.stderr[-5000:]
    assert "WARNING" not in result.stderr
    assert (tmp_path / "real/site/partners/kazakhstan/index.html").exists()
