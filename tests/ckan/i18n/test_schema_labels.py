"""Dataset schema labels follow the page language (ckanext-scheming looks up ko_KR, not ko)."""
import pytest
from ckan.tests import factories
from ckan.tests.helpers import call_action


@pytest.mark.usefixtures("clean_db", "clean_index")
def test_schema_labels_in_korean_and_english(app):
    """The dataset page shows field and choice labels in Korean at / and in English at /en/."""
    sysadmin = factories.Sysadmin()
    org = factories.Organization()
    call_action("package_create", {"user": sysadmin["name"]}, owner_org=org["id"],
                name="labels", title="라벨 시험", update_cycle="ANNUAL",
                collection_method="survey")
    korean = app.get("/dataset/labels").body
    assert "업데이트 주기" in korean and "연간" in korean
    assert "Update cycle" not in korean
    english = app.get("/en/dataset/labels").body
    assert "Update cycle" in english and "annual" in english
