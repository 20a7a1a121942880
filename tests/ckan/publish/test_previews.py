"""Published tables get CKAN's DataStore table preview once their rows are loaded."""
import pytest
from ckan.tests.helpers import call_action

from .conftest import PACKAGES

pytestmark = pytest.mark.usefixtures("clean_publish")


def test_tables_get_a_table_preview(app, sysadmin, publish):
    """Each table of a published package has a datatables_view that renders its rows."""
    publish(PACKAGES / "ogp-nap4-commitments", sysadmin["name"])
    dataset = call_action("package_show", id="ogp-nap4-commitments")
    for resource in dataset["resources"]:
        views = call_action("resource_view_list", id=resource["id"])
        assert [v["view_type"] for v in views] == ["datatables_view"], resource["name"]
    first = dataset["resources"][0]
    (view,) = call_action("resource_view_list", id=first["id"])
    page = app.get(f"/dataset/{dataset['name']}/resource/{first['id']}/view/{view['id']}")
    assert "datatables" in page.body.lower()


def test_republishing_adds_no_second_preview(sysadmin, publish):
    """Publishing the same package again leaves one preview per table."""
    publish(PACKAGES / "ogp-nap4-commitments", sysadmin["name"])
    publish(PACKAGES / "ogp-nap4-commitments", sysadmin["name"])
    dataset = call_action("package_show", id="ogp-nap4-commitments")
    for resource in dataset["resources"]:
        assert len(call_action("resource_view_list", id=resource["id"])) == 1
