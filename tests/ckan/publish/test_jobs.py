"""Validation as a background job on CKAN's RQ queue, through a real Redis-backed worker."""
import hashlib
import io
import os
import pathlib
import signal
import subprocess
import sys
import time

import pytest
from ckan.tests.helpers import call_action

from .conftest import PACKAGES, kill_session, work_off_queue

pytestmark = pytest.mark.usefixtures("clean_publish")


def _running(pid):
    """Whether the process exists and is not a zombie."""
    try:
        with open("/proc/{}/stat".format(pid)) as fh:
            return fh.read().rsplit(")", 1)[-1].split()[0] not in ("Z", "X")
    except OSError:
        return False


def _resource(dataset_name, name):
    dataset = call_action("package_show", id=dataset_name)
    return next(r for r in dataset["resources"] if r["datapackage_name"] == name)


def _upload(data, filename):
    from werkzeug.datastructures import FileStorage

    return FileStorage(io.BytesIO(data), filename=filename)


@pytest.mark.usefixtures("with_test_worker", "with_request_context")
def test_uploaded_resource_is_validated_by_the_worker(sysadmin, publish):
    """An upload through resource_update goes pending, then the worker makes it invalid."""
    publish(PACKAGES / "ogp-nap4-commitments", sysadmin["name"])
    resource = _resource("ogp-nap4-commitments", "commitments")
    text = (PACKAGES / "ogp-nap4-commitments" / "data" / "commitments.csv").read_text("utf-8")
    broken = text.replace("nap4-01,1,", "nap4-01,one,", 1)  # plan_order must be an integer
    context = {"user": sysadmin["name"]}
    call_action("resource_patch", context=context, id=resource["id"],
                upload=_upload(broken.encode("utf-8"), "commitments.csv"))
    assert call_action("koreanap_validation_show", id=resource["id"])["status"] == "pending"
    work_off_queue()
    shown = call_action("koreanap_validation_show", id=resource["id"])
    assert shown["status"] == "invalid"
    rules = {e["rule"] for e in shown["report"]["errors"]}
    assert "type-error" in rules
    error = shown["report"]["errors"][0]
    assert error["row"] == 2 and error["field"] == "plan_order"
    # Kept, not deleted: the publisher sees the file and the report.
    assert _resource("ogp-nap4-commitments", "commitments")["url_type"] == "upload"
    state = call_action("koreanap_dataset_validation_show", id="ogp-nap4-commitments")
    assert state["status"] == "invalid"


@pytest.mark.usefixtures("with_test_worker", "with_request_context")
def test_background_validation_through_the_action(sysadmin, publish):
    """koreanap_package_validate queues one job; the worker validates and loads the DataStore."""
    publish(PACKAGES / "ogp-nap4-commitments", sysadmin["name"])
    result = call_action("koreanap_package_validate", context={"user": sysadmin["name"]},
                         id="ogp-nap4-commitments")
    assert result["job_id"]
    assert {r["status"] for r in result["resources"]} == {"pending"}
    work_off_queue()
    state = call_action("koreanap_dataset_validation_show", id="ogp-nap4-commitments")
    assert state["status"] == "valid"
    assert {r["datastore_rows"] for r in state["resources"]} == {13, 62}


def test_dead_worker_leaves_status_error_and_can_be_rerun(sysadmin, publish, ckan_config,
                                                         clean_redis):
    """A worker killed mid-validation leaves the status "error"; validating again works."""
    import sqlalchemy as sa
    from ckan import model

    publish(PACKAGES / "ogp-nap4-commitments", sysadmin["name"])
    dataset = call_action("package_show", id="ogp-nap4-commitments")
    call_action("koreanap_package_validate", context={"user": sysadmin["name"]},
                id=dataset["id"])
    # Hold the dataset's validation lock so the worker's job blocks inside validation.
    key = int.from_bytes(hashlib.sha256(dataset["id"].encode()).digest()[:8], "big",
                         signed=True)
    holder = model.meta.engine.connect()
    holder.execute(sa.text("SELECT pg_advisory_lock(:k)"), {"k": key})
    ini = ckan_config["__file__"]
    ckan = pathlib.Path(sys.executable).parent / "ckan"
    worker = subprocess.Popen([str(ckan), "-c", ini, "jobs", "worker", "--burst"],
                              start_new_session=True, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    try:
        resource_id = dataset["resources"][0]["id"]
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:  # wait until the job has started (not a timing test)
            model.Session.remove()
            row = call_action("koreanap_validation_show", id=resource_id)
            if row.get("worker"):
                break
            time.sleep(0.2)
        assert row.get("worker"), "the worker never started the job"
        # rq runs the job in a child ("work horse") of its own session: kill both.
        horse = int(row["worker"].rsplit(":", 1)[1])
        os.kill(horse, signal.SIGKILL)
        kill_session(worker.pid)
        worker.wait(timeout=30)
        while time.monotonic() < deadline and _running(horse):  # SIGKILL takes effect
            time.sleep(0.1)
    finally:
        if worker.poll() is None:
            kill_session(worker.pid)
        holder.execute(sa.text("SELECT pg_advisory_unlock(:k)"), {"k": key})
        holder.close()
    model.Session.remove()
    shown = call_action("koreanap_validation_show", id=resource_id)
    assert shown["status"] == "error"
    assert "run the validation again" in shown["message"]
    assert call_action("datastore_search", resource_id=resource_id, limit=0)["total"] == 13
    call_action("koreanap_package_validate", context={"user": sysadmin["name"]},
                id=dataset["id"])
    work_off_queue()
    again = call_action("koreanap_dataset_validation_show", id=dataset["id"])
    assert again["status"] == "valid"


@pytest.mark.usefixtures("with_test_worker", "with_request_context")
def test_datastore_load_queues_the_job_and_the_worker_loads(sysadmin, publish):
    """koreanap_datastore_load only queues its dataset's job; the worker then loads the rows."""
    publish(PACKAGES / "ogp-nap4-commitments", sysadmin["name"])
    resource = _resource("ogp-nap4-commitments", "milestones")
    queued = call_action("koreanap_datastore_load", context={"user": sysadmin["name"]},
                         id=resource["id"])
    assert queued["status"] == "pending" and queued["job_id"]
    work_off_queue()
    shown = call_action("koreanap_validation_show", id=resource["id"])
    assert (shown["status"], shown["datastore_rows"]) == ("valid", 62)


@pytest.mark.usefixtures("with_request_context")
def test_a_job_queued_before_the_pipeline_moved_still_runs(sysadmin, publish):
    """RQ stores a queued job's function as its dotted path: a job waiting in Redis from
    before the pipeline moved names ckanext.koreanap.jobs.run_job, and still validates
    the dataset; a job queued now names ckanext.koreanap.pipeline.queue.run_job."""
    from ckan import model
    from ckan.lib import jobs as ckan_jobs
    from rq.job import Job

    from ckanext.koreanap.pipeline import model as kmodel
    from ckanext.koreanap.pipeline import queue

    publish(PACKAGES / "ogp-nap4-commitments", sysadmin["name"])
    resource = _resource("ogp-nap4-commitments", "milestones")
    package = {"id": resource["package_id"], "name": "ogp-nap4-commitments"}
    old_id = "koreanap-validate-{}-before-move".format(package["id"])
    kmodel.set_status(resource["id"], package["id"], "pending", job_id=old_id,
                      report=None, message=None, worker=None)
    model.Session.commit()
    old = ckan_jobs.get_queue().enqueue_call("ckanext.koreanap.jobs.run_job",
                                             args=[package["id"], None], job_id=old_id)
    assert old.func_name == "ckanext.koreanap.jobs.run_job"
    work_off_queue()
    assert call_action("koreanap_validation_show", id=resource["id"])["status"] == "valid"

    new_id = queue.enqueue(package, [resource["id"]])
    connection = ckan_jobs.get_queue().connection
    assert Job.fetch(new_id, connection=connection).func_name == (
        "ckanext.koreanap.pipeline.queue.run_job")
    work_off_queue()
    assert call_action("koreanap_validation_show", id=resource["id"])["status"] == "valid"


@pytest.mark.usefixtures("with_request_context")
def test_a_job_not_yet_in_the_queue_is_not_taken_for_gone(sysadmin, publish):
    """enqueue marks resources pending before RQ holds the job: a show in between must not
    call that job gone (serve's publisher polled exactly then and saw 'error'); a job that
    is still missing a minute later is gone, and the row says to validate again."""
    import datetime

    from ckan import model

    from ckanext.koreanap.pipeline import liveness
    from ckanext.koreanap.pipeline import model as kmodel

    publish(PACKAGES / "ogp-nap4-commitments", sysadmin["name"])
    resource = _resource("ogp-nap4-commitments", "milestones")
    kmodel.set_status(resource["id"], resource["package_id"], "pending",
                      job_id="koreanap-validate-not-queued-yet")
    model.Session.commit()
    assert call_action("koreanap_validation_show", id=resource["id"])["status"] == "pending"
    kmodel.set_status(resource["id"], resource["package_id"], "pending",
                      job_id="koreanap-validate-not-queued-yet",
                      created=kmodel.now() - datetime.timedelta(seconds=liveness.GONE_AFTER_S + 5))
    model.Session.commit()
    shown = call_action("koreanap_validation_show", id=resource["id"])
    assert shown["status"] == "error" and "(gone)" in shown["message"]


def test_shows_and_pages_never_write_the_worker_settles_a_dead_job(sysadmin, publish, app):
    """A pending row whose job is gone reads "error" in both show actions and on the
    validation page, but none of them writes a statement; the worker's maintenance round
    records the error, and leaves alone a row marked pending again for a newer job."""
    import datetime

    import sqlalchemy as sa
    from ckan import model

    from ckanext.koreanap.cli import make_worker
    from ckanext.koreanap.pipeline import liveness
    from ckanext.koreanap.pipeline import model as kmodel

    publish(PACKAGES / "ogp-nap4-commitments", sysadmin["name"])
    resource = _resource("ogp-nap4-commitments", "milestones")
    other = _resource("ogp-nap4-commitments", "commitments")
    old = kmodel.now() - datetime.timedelta(seconds=liveness.GONE_AFTER_S + 5)
    for r, job in ((resource, "koreanap-validate-long-gone"), (other, "koreanap-validate-new")):
        kmodel.set_status(r["id"], r["package_id"], "pending", job_id=job, created=old)
    model.Session.commit()

    writes = []

    def record(conn, cursor, statement, *args):
        if statement.lstrip().split(None, 1)[0].upper() in ("INSERT", "UPDATE", "DELETE"):
            writes.append(statement)

    sa.event.listen(model.meta.engine, "before_cursor_execute", record)
    try:
        shown = call_action("koreanap_validation_show", id=resource["id"])
        state = call_action("koreanap_dataset_validation_show", id=resource["package_id"])
        page = app.get("/dataset/ogp-nap4-commitments/validation", status=200).body
    finally:
        sa.event.remove(model.meta.engine, "before_cursor_execute", record)
    assert shown["status"] == "error" and "run the validation again" in shown["message"]
    assert {r["id"]: r["status"] for r in state["resources"]}[resource["id"]] == "error"
    assert "run the validation again" in page
    assert not [w for w in writes if "koreanap" in w], writes
    model.Session.remove()
    assert kmodel.get_status(resource["id"])["status"] == "pending"  # nothing was written

    # a newer request marks the other resource pending again before the round runs
    kmodel.set_status(other["id"], other["package_id"], "pending",
                      job_id="koreanap-validate-newer")
    model.Session.commit()
    make_worker(None, 30).run_maintenance_tasks()
    model.Session.remove()
    settled = kmodel.get_status(resource["id"])
    assert settled["status"] == "error" and "(gone)" in settled["message"]
    assert kmodel.get_status(other["id"])["status"] == "pending"  # not yet a minute old
    # the round writes only a row still pending on the job it found gone
    assert not kmodel.fail_stale(other["id"], "koreanap-validate-new", "stale")
