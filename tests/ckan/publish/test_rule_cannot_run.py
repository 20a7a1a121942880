"""A rule that cannot run in the catalogue (its library missing) marks the
resources ``error`` with the library named, never ``invalid``."""
import sys

import pytest
from ckan.tests.helpers import call_action

from .conftest import PACKAGES

pytestmark = pytest.mark.usefixtures("clean_publish")


@pytest.mark.usefixtures("with_test_worker", "with_request_context")
def test_job_without_trimesh_records_error_naming_the_library(sysadmin, publish, monkeypatch):
    """The validation job of the 3D dataset, in a worker where trimesh cannot be
    imported, records "error" on each resource with the one-line reason."""
    from ckan.lib import jobs

    publish(PACKAGES / "cultural-heritage-3d", sysadmin["name"])
    monkeypatch.setitem(sys.modules, "trimesh", None)  # import trimesh now fails
    call_action("koreanap_package_validate", context={"user": sysadmin["name"]},
                id="cultural-heritage-3d")
    jobs.Worker().work(burst=True)
    state = call_action("koreanap_dataset_validation_show", id="cultural-heritage-3d")
    assert state["status"] == "error"
    assert {r["status"] for r in state["resources"]} == {"error"}
    assets = next(r for r in state["resources"] if r["name"] == "assets")
    shown = call_action("koreanap_validation_show", id=assets["id"])
    assert shown["status"] == "error" and shown["report"] is None
    assert shown["message"].startswith("rule koreanap-mesh-asset cannot run")
    assert "the library trimesh is not installed" in shown["message"]
    assert "pip install 'trimesh==5.2.0'" in shown["message"]
