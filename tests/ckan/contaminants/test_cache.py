"""The quick search's cache: a search is answered again from Redis until rows are
written, and every way rows are written (a DataStore action, the publishing
job's COPY load) makes the cached answers unreachable at once."""
from __future__ import annotations

import csv

import pytest
import sqlalchemy as sa
from ckan.tests import helpers

from .conftest import PLUGINS, _schema

pytestmark = [pytest.mark.ckan_config("ckan.plugins", PLUGINS),
              pytest.mark.usefixtures("with_plugins")]

FILTER = {"substance_code": "HMT02"}


def _search(**params):
    return helpers.call_action("koreanap_contaminant_search", context={"user": ""},
                               include_chart=True, **params)


def _delete_outside_ckan(resource_id: str) -> int:
    """Delete the HMT02 rows with plain SQL (as a change made outside CKAN would):
    nothing tells the cache, so what is answered afterwards shows whether it was kept."""
    from ckanext.datastore.backend.postgres import get_write_engine

    with get_write_engine().begin() as conn:
        return conn.execute(sa.text('DELETE FROM "{}" WHERE substance_code = :c'.format(
            resource_id)), {"c": "HMT02"}).rowcount


def test_a_search_is_answered_from_the_cache_until_rows_are_written(survey):
    """The same filter is answered from the cache (a change behind CKAN's back is not
    seen yet); a datastore_upsert then makes the next answer come from the table."""
    first = _search(**FILTER)
    assert first["total"] > 0
    deleted = _delete_outside_ckan(survey["resource_id"])
    assert deleted == first["total"]
    again = _search(**FILTER)
    assert again["total"] == first["total"]
    assert again["summary"] == first["summary"] and again["chart"] == first["chart"]
    assert again["rows"] == first["rows"]
    row = dict(survey["rows"][0], sample_id="9999-000001", substance_code="HMT02")
    helpers.call_action("datastore_upsert", context={"user": survey["user"]["name"]},
                        resource_id=survey["resource_id"], records=[row], method="insert",
                        force=True)
    after = _search(**FILTER)
    assert after["total"] == 1
    assert [r["sample_id"] for r in after["rows"]] == ["9999-000001"]


@pytest.mark.ckan_config("ckanext.koreanap.contaminants.cache_seconds", 0)
def test_without_the_cache_every_search_reads_the_table(survey):
    """cache_seconds 0 turns the cache off: a change made with plain SQL shows at once."""
    assert _search(**FILTER)["total"] > 0
    _delete_outside_ckan(survey["resource_id"])
    assert _search(**FILTER)["total"] == 0


def _write_csv(path, rows):
    names = [f["name"] for f in _schema("survey_results")]
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=names)
        writer.writeheader()
        for row in rows:
            writer.writerow({k: "" if row.get(k) is None else row[k] for k in names})


def test_a_copy_load_by_the_publishing_job_drops_cached_searches(survey, tmp_path):
    """The job's COPY load (loader.load_csv, no DataStore action for an unchanged
    table) signals the cache: the next search counts the newly loaded rows."""
    from ckanext.datastore.backend.postgres import get_read_engine

    from ckanext.koreanap.pipeline import loader

    before = _search(**FILTER)
    kept = [r for r in survey["rows"] if r["substance_code"] == "HMT02"][:3]
    assert before["total"] > len(kept)
    path = tmp_path / "survey_results.csv"
    _write_csv(path, kept)
    with get_read_engine().connect() as conn:  # the table stays as it is: no action runs
        types = dict(conn.execute(sa.text(
            "SELECT column_name, data_type FROM information_schema.columns "
            "WHERE table_name = :t"), {"t": survey["resource_id"]}).fetchall())
    kinds = {"text": "string", "bigint": "integer", "numeric": "number"}
    schema = {"fields": [{"name": f["name"], "type": kinds[types[f["name"]]]}
                         for f in _schema("survey_results")]}
    assert loader.load_csv(survey["resource_id"], str(path), schema) == 3
    after = _search(**FILTER)
    assert after["total"] == 3
    assert sorted(r["sample_id"] for r in after["rows"]) == sorted(r["sample_id"] for r in kept)


def _heads(body: str) -> list[str]:
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(body, "html.parser")
    return [th.a.get_text(strip=True)
            for th in soup.select("table.koreanap-contaminants-rows thead th")]


def test_column_titles_follow_a_new_data_dictionary(app, survey):
    """The page's column titles are cached too, and a data dictionary written with
    datastore_create shows on the next page (in each language)."""
    before = _heads(app.get("/contaminants?substance_code=HMT02", status=200).body)
    assert "New sample title" not in before
    fields = [{"id": f["name"], "type": {"integer": "int8", "number": "numeric"}.get(
        f.get("type"), "text")} for f in _schema("survey_results")]
    fields[0]["info"] = {"label": "새 시료 제목", "label_en": "New sample title"}
    helpers.call_action("datastore_create", context={"user": survey["user"]["name"]},
                        resource_id=survey["resource_id"], fields=fields, force=True)
    assert _heads(app.get("/contaminants?substance_code=HMT02", status=200).body)[0] == \
        "새 시료 제목"
    assert _heads(app.get("/en/contaminants?substance_code=HMT02", status=200).body)[0] == \
        "New sample title"
