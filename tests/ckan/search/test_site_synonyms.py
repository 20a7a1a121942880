"""Sysadmins add and remove the site's own synonym sets (issue 16 item 3): through the
actions and /ckan-admin/synonyms; a set applies to searches at once, with its source."""
import re

import pytest
from ckan.tests import factories
from ckan.tests.helpers import call_action

from ckanext.koreanap.search import synonyms

PASSWORD = "correct-horse-123"


def _names(q):
    return [r["name"] for r in call_action("package_search", q=q)["results"]]


def _csrf(body):
    match = re.search(r'name="_csrf_token" value="([^"]+)"', body)
    assert match, "no CSRF token in the page"
    return match.group(1)


def _login(app, name):
    body = app.get("/user/login", status=200).body
    response = app.post("/user/login", data={
        "_csrf_token": _csrf(body), "login": name, "password": PASSWORD})
    assert response.status_code == 200 and "/user/_logout" in response.body


@pytest.fixture
def site(clean_db, clean_index):
    admin = factories.Sysadmin(name="synonym-admin", password=PASSWORD)
    user = factories.User(name="plain-user", password=PASSWORD)
    org = factories.Organization()
    factories.Dataset(name="bell", title="성덕대왕신종 3D 모델", owner_org=org["id"])
    synonyms.refresh(force=True)
    yield {"admin": admin, "user": user}
    synonyms.refresh(force=True)  # clean_db has emptied the table: forget its sets


def test_a_sysadmins_set_finds_the_dataset_and_removing_it_stops_that(site):
    """A new set applies to the next search; deleted, it no longer does; the shipped
    sets stay listed beside the site's."""
    admin = {"user": site["admin"]["name"]}
    assert _names("봉덕사종") == []
    created = call_action("koreanap_search_synonym_create", context=admin,
                          terms="봉덕사종 | 성덕대왕신종", source="a test's own pairing")
    assert created["terms"] == ["봉덕사종", "성덕대왕신종"]
    assert created["created_by"] == "synonym-admin"
    assert _names("봉덕사종") == ["bell"]
    listing = call_action("koreanap_search_synonym_list")
    assert [s["terms"] for s in listing["site"]] == [["봉덕사종", "성덕대왕신종"]]
    assert any("남대문" in s["terms"] and s["source"] for s in listing["shipped"])
    call_action("koreanap_search_synonym_delete", context=admin, id=created["id"])
    assert _names("봉덕사종") == []
    assert call_action("koreanap_search_synonym_list")["site"] == []


@pytest.mark.parametrize("data, field", [
    ({"terms": "봉덕사종", "source": "x"}, "terms"),                 # one term
    ({"terms": "종|종", "source": "x"}, "terms"),                    # the same twice
    ({"terms": ["a", ""], "source": "x"}, "terms"),                 # an empty term
    ({"terms": ["a", "b\x00c"], "source": "x"}, "terms"),           # a NUL
    ({"terms": ["a", "b" * 101], "source": "x"}, "terms"),          # too long
    ({"terms": ["a"] + [str(i) for i in range(10)], "source": "x"}, "terms"),  # 11 terms
    ({"terms": {"a": "b"}, "source": "x"}, "terms"),                # not text
    ({"terms": "a|b", "source": "  "}, "source"),                   # no source
    ({"terms": "a|b"}, "source"),
    ({"terms": "a|b", "source": "s" * 501}, "source"),
])
def test_a_bad_set_is_refused_naming_the_field(site, data, field):
    """Each refusal is a validation error on the field at fault; nothing is stored."""
    import ckan.logic as logic

    with pytest.raises(logic.ValidationError) as refused:
        call_action("koreanap_search_synonym_create",
                    context={"user": site["admin"]["name"]}, **data)
    assert field in refused.value.error_dict, refused.value.error_dict
    assert call_action("koreanap_search_synonym_list")["site"] == []


def test_only_sysadmins_change_the_sets(app, site):
    """Users and visitors get 403 from the actions and the page; anyone may list."""
    for user in ("plain-user", None):
        headers = {}
        if user:
            headers["Authorization"] = factories.APIToken(user=user)["token"]
        response = app.post("/api/3/action/koreanap_search_synonym_create", headers=headers,
                            json={"terms": "a|b", "source": "x"})
        assert response.status_code == 403, response.body
        assert app.get("/ckan-admin/synonyms", headers=headers).status_code == 403
    assert app.get("/api/3/action/koreanap_search_synonym_list").status_code == 200
    missing = app.post("/api/3/action/koreanap_search_synonym_delete", json={"id": 999999},
                       headers={"Authorization": factories.APIToken(
                           user="synonym-admin")["token"]})
    assert missing.status_code == 404


def test_the_admin_page_adds_shows_refuses_and_removes(app, site):
    """A sysadmin adds a set on the page, sees it with its source, gets the form back
    with the error on a bad set (400), and removes the set."""
    _login(app, "synonym-admin")
    page = app.get("/ckan-admin/synonyms", status=200).body
    assert 'href="/ckan-admin/synonyms"' in page and "남대문" in page
    shown = re.sub(r"<[^>]+>", " ", page)
    assert "검색 동의어" in shown and "Activities" not in shown  # the admin tabs in Korean
    response = app.post("/ckan-admin/synonyms", data={
        "_csrf_token": _csrf(page), "terms": "봉덕사종|성덕대왕신종",
        "source": "a test's own pairing"})
    assert response.status_code == 200
    assert "봉덕사종 = 성덕대왕신종" in response.body
    assert "a test&#39;s own pairing" in response.body
    refused = app.post("/ckan-admin/synonyms", data={
        "_csrf_token": _csrf(response.body), "terms": "하나뿐", "source": ""})
    assert refused.status_code == 400
    assert 'id="terms-error"' in refused.body and 'id="source-error"' in refused.body
    assert 'value="하나뿐"' in refused.body
    (set_id,) = [s["id"] for s in call_action("koreanap_search_synonym_list")["site"]]
    removed = app.post(f"/ckan-admin/synonyms/{set_id}/delete",
                       data={"_csrf_token": _csrf(refused.body)})
    assert removed.status_code == 200
    assert call_action("koreanap_search_synonym_list")["site"] == []
