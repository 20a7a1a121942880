"""A write reads the dataset as it is now, not as this process's session last saw it.

CKAN's session keeps loaded objects across commits, and its write actions read
the dataset (``package_show`` with ``for_update``) before they change it:
package_show returns the search index's copy when its ``metadata_modified``
matches the dataset's. Another process (the validation job, a second upload)
may have changed the dataset since this session loaded it, and a job that read
the dataset earlier may write that older copy to the index afterwards. CI once
failed on this: a re-upload beside the job ended in CKAN's
``package_resource_list_save`` with ``IndexError: list index out of range``
(a 500), because the copy still listed a resource the other process had
removed. Here "another process" is a thread: its CKAN session is its own.
"""
import threading

import pytest
from ckan.tests.helpers import call_action

from .conftest import PACKAGES

pytestmark = pytest.mark.usefixtures("clean_publish", "with_request_context")

ORG = "mois"


def _elsewhere(app, work):
    """Run ``work()`` in another thread (its own CKAN session and connection)."""
    failures = []

    def run():
        from ckan import model

        try:
            with app.flask_app.test_request_context():
                work()
                model.Session.commit()
        except Exception as error:  # noqa: BLE001 - raised again in the test's thread
            failures.append(error)
        finally:
            model.Session.remove()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(60)
    assert not thread.is_alive()
    if failures:
        raise failures[0]


def test_a_write_after_another_process_removed_a_resource_sees_the_removal(
        app, sysadmin, publish):
    from ckan import logic, model

    publish(PACKAGES / "ogp-nap4-commitments", sysadmin["name"], organization=ORG)
    context = {"user": sysadmin["name"], "ignore_auth": True}
    # This session reads the dataset (and keeps it); so does a job, whose copy
    # reaches the index only later.
    earlier = logic.package_show_default_and_custom_schemas(dict(context),
                                                            "ogp-nap4-commitments")
    by_name = {r["datapackage_name"]: r for r in earlier[0]["resources"]}
    assert set(by_name) == {"commitments", "milestones"}
    held = model.Package.get(earlier[0]["id"])  # as an action's context holds it
    model.Session.commit()

    _elsewhere(app, lambda: call_action("resource_delete", context=dict(context),
                                        id=by_name["milestones"]["id"]))
    _elsewhere(app, lambda: logic.index_update_package_dicts(earlier))

    patched = call_action("resource_patch", context=dict(context),
                          id=by_name["commitments"]["id"], description="patched here")

    assert patched["description"] == "patched here"
    del held
    model.Session.remove()
    now = call_action("package_show", id="ogp-nap4-commitments")
    assert [r["datapackage_name"] for r in now["resources"]] == ["commitments"]
    assert now["metadata_modified"] > earlier[0]["metadata_modified"]
    assert now["resources"][0]["description"] == "patched here"


def test_removing_a_resource_moves_the_datasets_time(app, sysadmin, publish):
    """CKAN's resource_delete hands package_update the time it read; the change is
    stamped all the same, as CKAN's other write actions stamp theirs."""
    from ckan import model

    publish(PACKAGES / "ogp-nap4-commitments", sysadmin["name"], organization=ORG)
    context = {"user": sysadmin["name"], "ignore_auth": True}
    before = call_action("package_show", context=dict(context), id="ogp-nap4-commitments")
    call_action("resource_delete", context=dict(context), id=before["resources"][1]["id"])
    model.Session.remove()
    after = call_action("package_show", context=dict(context), id=before["id"])
    assert len(after["resources"]) == 1
    assert after["metadata_modified"] > before["metadata_modified"]
    # A time a sysadmin gives is still kept.
    call_action("package_patch", context=dict(context), id=before["id"],
                metadata_modified="2020-01-02T03:04:05")
    assert call_action("package_show", id=before["id"])["metadata_modified"] \
        == "2020-01-02T03:04:05"


def test_a_read_sees_a_title_another_process_changed(app, sysadmin, publish):
    """Not only resources: the dataset's own fields are read again too, so a
    write does not put back a value another process has replaced."""
    from ckan import model

    publish(PACKAGES / "ogp-nap4-commitments", sysadmin["name"], organization=ORG)
    context = {"user": sysadmin["name"], "ignore_auth": True}
    first = call_action("package_show", context=dict(context), id="ogp-nap4-commitments")
    held = model.Package.get(first["id"])  # as an action's context holds it
    model.Session.commit()

    _elsewhere(app, lambda: call_action("package_patch", context=dict(context),
                                        id=first["id"], title="Changed elsewhere"))

    assert call_action("package_show", context=dict(context),
                       id=first["id"])["title"] == "Changed elsewhere"
    call_action("resource_patch", context=dict(context), id=first["resources"][0]["id"],
                description="patched here")
    del held
    model.Session.remove()
    assert call_action("package_show", id=first["id"])["title"] == "Changed elsewhere"
