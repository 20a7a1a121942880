"""package_autocomplete (and /api/2/util/dataset/autocomplete) answered by the index."""
import pytest
from ckan import model
from ckan.tests import factories, helpers


@pytest.fixture
def datasets(clean_db, clean_index):
    member = factories.User(name="ac-member")
    mfds = factories.Organization(name="ac-mfds",
                                  users=[{"name": member["name"], "capacity": "member"}])
    cha = factories.Organization(name="ac-cha")
    factories.Dataset(name="rice-cadmium", title="쌀 중 카드뮴 오염도", owner_org=mfds["id"])
    factories.Dataset(name="heritage-scans", title="Cultural heritage 3D scans",
                      owner_org=cha["id"])
    factories.Dataset(name="mfds-private-lead", title="납 조사 (private)", private=True,
                      owner_org=mfds["id"])
    factories.Dataset(name="cha-private-scans", title="Unreleased scans", private=True,
                      owner_org=cha["id"])
    return member


def _complete(q, user=None):
    """package_autocomplete as ``user`` (a user dict) or anonymously, as the API calls it."""
    context = {"user": user["name"] if user else "", "ignore_auth": False,
               "auth_user_obj": model.User.get(user["name"]) if user else None}
    return helpers.call_action("package_autocomplete", context=context, q=q)


@pytest.mark.parametrize("q, name", [
    ("rice", "rice-cadmium"),       # name prefix
    ("cadm", "rice-cadmium"),       # inside the name
    ("쌀", "rice-cadmium"),         # title prefix
    ("카드뮴", "rice-cadmium"),     # the middle of the title
    ("heritage 3D", "heritage-scans"),
    ("Cultural", "heritage-scans"),
])
def test_names_and_titles_complete(datasets, q, name):
    """Prefixes and the middle of names and titles complete to the dataset."""
    assert [r["name"] for r in _complete(q)] == [name]


def test_result_has_ckans_shape(datasets):
    """Each result says which field matched and how to show it, as CKAN does."""
    assert _complete("카드뮴") == [{
        "name": "rice-cadmium", "title": "쌀 중 카드뮴 오염도", "match_field": "title",
        "match_displayed": "쌀 중 카드뮴 오염도 (rice-cadmium)"}]
    assert _complete("rice")[0]["match_field"] == "name"


def test_private_datasets_only_for_members(datasets):
    """Anonymous users see no private dataset; a member sees their organization's only."""
    assert _complete("private") == []
    assert _complete("scans") == [
        {"name": "heritage-scans", "title": "Cultural heritage 3D scans",
         "match_field": "name", "match_displayed": "heritage-scans"}]
    member_sees = {r["name"] for r in _complete("private", datasets)}
    assert member_sees == {"mfds-private-lead"}
    assert {r["name"] for r in _complete("scans", datasets)} == {"heritage-scans"}


def test_the_api2_autocomplete_url(datasets, app):
    """/api/2/util/dataset/autocomplete answers with the same results."""
    response = app.get("/api/2/util/dataset/autocomplete", query_string={"incomplete": "cadm"})
    names = [r["name"] for r in response.json["ResultSet"]["Result"]]
    assert names == ["rice-cadmium"]
