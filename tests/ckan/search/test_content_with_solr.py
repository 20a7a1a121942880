"""What datasets contain reaches Solr too (issue 16): the ``koreanap`` plugin, not
``koreanap_search``, adds ``koreanap_content`` to the index document and re-indexes
a dataset when rows are written to its DataStore tables.

These tests load the plugins production loads, without ``koreanap_search``, so CKAN
sends its documents to Solr; Solr is not on this machine, so its HTTP requests are
answered here (pysolr's one call that leaves the machine) and the documents kept.
"""
import json

import pysolr
import pytest
from ckan.tests import factories
from ckan.tests.helpers import call_action

PLUGINS = "activity datastore koreanap scheming_datasets"

pytestmark = [
    pytest.mark.ckan_config("ckan.plugins", PLUGINS),
    pytest.mark.ckan_config("ckan.auth.create_unowned_dataset", "true"),
    pytest.mark.usefixtures("clean_db"),
]

@pytest.fixture
def clean_db(with_plugins, reset_db, migrate_db_for):
    """CKAN's clean_db, then the migrations of the plugins loaded here (no index table:
    the index is Solr)."""
    reset_db()
    for plugin in ("activity", "koreanap"):
        migrate_db_for(plugin)


_NOTHING_FOUND = json.dumps({"responseHeader": {"status": 0},
                             "response": {"numFound": 0, "start": 0, "docs": []}})


@pytest.fixture
def solr_documents():
    """The documents CKAN sends to Solr, in order; searches find nothing. Undone
    before the plugins unload (their reload asks Solr for its schema when it
    answers)."""
    sent = []

    def send(self, method, path="", body=None, headers=None, files=None):
        if path.startswith("update") and body:
            data = json.loads(body)
            if isinstance(data, list):
                sent.extend(data)
            return json.dumps({"responseHeader": {"status": 0}})
        return _NOTHING_FOUND

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(pysolr.Solr, "_send_request", send)
        yield sent


SCHEMA = {"fields": [{"name": "substance", "type": "string", "title": "유해물질명",
                      "description": "검사한 유해물질의 이름"}]}


def test_solr_gets_the_content_of_a_dataset(solr_documents):
    """The document sent to Solr carries the Table Schema's titles and descriptions
    in koreanap_content, once each."""
    dataset = factories.Dataset(resources=[{
        "url": "http://example.org/t.csv", "format": "CSV", "name": "유해물질 표",
        "schema": json.dumps(SCHEMA, ensure_ascii=False)}])
    documents = [d for d in solr_documents if d.get("id") == dataset["id"]]
    assert documents
    assert documents[-1]["koreanap_content"] == [
        "유해물질 표: 유해물질명", "유해물질 표: 검사한 유해물질의 이름"]


def test_a_datastore_write_sends_solr_the_new_values(solr_documents):
    """Rows written through datastore_create re-index the dataset with Solr too, its
    DataStore values in koreanap_content."""
    dataset = factories.Dataset(resources=[{
        "url": "http://example.org/t.csv", "format": "CSV", "name": "유해물질 표"}])
    sysadmin = factories.Sysadmin()
    del solr_documents[:]
    call_action("datastore_create", context={"user": sysadmin["name"]},
                resource_id=dataset["resources"][0]["id"], force=True,
                fields=[{"id": "substance", "type": "text"}],
                records=[{"substance": "카드뮴"}, {"substance": "멜라민"}])
    documents = [d for d in solr_documents if d.get("id") == dataset["id"]]
    assert documents, "the DataStore write did not re-index the dataset"
    assert documents[-1]["koreanap_content"] == ["유해물질 표: 멜라민", "유해물질 표: 카드뮴"]
