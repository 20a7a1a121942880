"""Actions of the publishing pipeline (registered by the blanket decorator).

Each starts with ``tk.check_access`` (auth functions of the same names in
:mod:`.auth`) and takes its input through a schema of :mod:`.schema`.
"""
from __future__ import annotations

import datetime
import logging
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

import ckan.plugins.toolkit as tk
from ckan.logic import validate
from sqlalchemy import or_ as sa_or

from koreanap_client.datapackage import dataset_to_descriptor

from ... import config
from ... import upload_errors as refused
from .. import model as kmodel
from .. import queue
from ..liveness import as_shown
from . import schema

log = logging.getLogger(__name__)


def _resource_summary(resource: dict, row: dict | None) -> dict[str, Any]:
    row = as_shown(row) if row else None
    return {"id": resource["id"], "name": resource.get("datapackage_name") or resource.get(
        "name"), "status": row["status"] if row else None,
        "message": row.get("message") if row else None,
        "datastore_rows": row.get("datastore_rows") if row else None}


def _dataset_state(package: dict) -> dict[str, Any]:
    rows = kmodel.statuses_of(package["id"])
    resources = [_resource_summary(r, rows.get(r["id"])) for r in package.get("resources", [])]
    statuses = {r["id"]: {"status": r["status"]} for r in resources if r["status"]}
    quality = kmodel.get_quality(package["id"])
    return {"id": package["id"], "name": package["name"],
            "status": kmodel.dataset_status(statuses), "resources": resources,
            "score": {"total": quality["total"], "max": quality["max"],
                      "band": quality["band"]} if quality else None}


@validate(schema.package_validate)
def koreanap_package_validate(context: dict, data_dict: dict[str, Any]) -> dict[str, Any]:
    """Validate every resource of a dataset again (and load valid tables into the DataStore).

    The validation runs in a job on CKAN's job queue, never in the request:
    the request marks the resources pending and queues it. Poll
    ``koreanap_dataset_validation_show`` until no resource is pending.

    :param id: the dataset's id or name
    :param background: accepted for older clients and ignored (the validation
        always runs in the job)
    :returns: the dataset's validation state (see ``koreanap_dataset_validation_show``)
        plus ``job_id`` (None when the queue is unreachable; the resources then
        show ``error``) and ``workers``, the number of job workers listening
        (None when unknown; 0 means nothing will run the job yet)
    """
    tk.check_access("koreanap_package_validate", context, data_dict)
    package = tk.get_action("package_show")(
        {"ignore_auth": True, "user": context.get("user")}, {"id": data_dict["id"]})
    job_id = queue.enqueue(package, [r["id"] for r in package.get("resources", [])])
    return dict(_dataset_state(package), job_id=job_id, workers=queue.worker_count())


@tk.side_effect_free
@validate(schema.id_only)
def koreanap_dataset_validation_show(context: dict, data_dict: dict[str, Any]) -> dict[str, Any]:
    """A dataset's validation status, each resource's, and its metadata score.

    :param id: the dataset's id or name
    :returns: ``{"id", "name", "status", "resources": [{"id", "name", "status",
        "message", "datastore_rows"}], "score": {"total", "max", "band"}}``;
        ``status`` is the worst of the resources' (invalid, error, pending,
        valid) or None before any validation; while a resource is pending,
        also ``workers``, the number of live job workers (0: nothing runs the job)
    """
    tk.check_access("koreanap_dataset_validation_show", context, data_dict)
    package = tk.get_action("package_show")(dict(context), {"id": data_dict["id"]})
    state = _dataset_state(package)
    if any(r["status"] == "pending" for r in state["resources"]):
        state["workers"] = queue.worker_count()
    return state


@validate(schema.id_only)
def koreanap_link_check(context: dict, data_dict: dict[str, Any]) -> dict[str, Any]:
    """Check a dataset's distribution URLs again, then score its metadata again.

    Runs in a job on CKAN's job queue (:mod:`ckanext.koreanap.linkcheck`);
    every validation job ends with the same check, so this is for links that
    changed without a new upload (a URL resource's server came back).

    :param id: the dataset's id or name
    :returns: ``{"id", "job_id"}`` (``job_id`` None when the queue is unreachable)
    """
    tk.check_access("koreanap_link_check", context, data_dict)
    from ... import linkcheck

    package = tk.get_action("package_show")(
        {"ignore_auth": True, "user": context.get("user")}, {"id": data_dict["id"]})
    return {"id": package["id"], "job_id": linkcheck.enqueue(package["id"])}


@tk.side_effect_free
@validate(schema.id_only)
def koreanap_link_check_show(context: dict, data_dict: dict[str, Any]) -> list[dict[str, Any]]:
    """What the last link check found at each of a dataset's distribution URLs.

    :param id: the dataset's id or name
    :returns: ``[{"resource_id", "url", "ok", "status", "method", "message",
        "checked"}]``; ``method`` is ``HEAD``, ``GET`` (a ranged GET after
        HEAD failed), ``storage`` (an upload: its stored file) or ``refused``
        (the URL breaks the SSRF rules); empty before any check
    """
    tk.check_access("koreanap_link_check_show", context, data_dict)
    return [dict({k: v for k, v in row.items() if k != "package_id"},
                 checked=row["checked"].isoformat() if row.get("checked") else None)
            for row in kmodel.links_of(_dataset_id(data_dict["id"]))]


def _dataset_id(reference: str) -> str:
    """The id of the dataset of this id or name (its auth function has let the caller see
    it); cheaper than ``package_show``, which the pages' helpers would pay on every page."""
    from ckan import model

    package = model.Package.get(reference)
    if package is None:
        raise tk.ObjectNotFound(tk._("Dataset not found"))
    return package.id


def _iso(row: dict[str, Any]) -> dict[str, Any]:
    return {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in row.items()}


# What koreanap_dataset_status_show gives of each resource's stored row.
_STATUS_FIELDS = ("status", "message", "datastore_rows", "created", "finished")


@tk.side_effect_free
@validate(schema.id_only)
def koreanap_dataset_status_show(context: dict, data_dict: dict[str, Any]) -> dict[str, Any]:
    """A dataset's validation statuses as stored and its score: what its pages show.

    Cheap enough for every dataset and resource page: no report, no question to the
    job queue (a pending row whose job died reads ``pending`` here until the worker's
    maintenance round records it; ``koreanap_dataset_validation_show`` and the
    validation page already say ``error``).

    :param id: the dataset's id or name
    :returns: ``{"id", "status", "resources": {resource_id: {"status", "message",
        "datastore_rows", "created", "finished"}}, "score": {"total", "max", "band"}}``;
        only validated active resources are keyed; ``status`` is the worst of theirs,
        None (as ``score``) before any validation
    """
    tk.check_access("koreanap_dataset_status_show", context, data_dict)
    package_id = _dataset_id(data_dict["id"])
    rows = kmodel.statuses_of(package_id)
    quality = kmodel.get_quality(package_id)
    return {"id": package_id, "status": kmodel.dataset_status(rows),
            "resources": {rid: _iso({k: row.get(k) for k in _STATUS_FIELDS})
                          for rid, row in rows.items()},
            "score": {k: quality[k] for k in ("total", "max", "band")} if quality else None}


@tk.side_effect_free
@validate(schema.id_only)
def koreanap_dataset_report_show(context: dict, data_dict: dict[str, Any]) -> dict[str, Any]:
    """Every validation report of a dataset and its score in full (its validation page).

    :param id: the dataset's id or name
    :returns: ``{"id", "status", "resources": {resource_id: row}, "score"}``: each
        validated active resource's row as ``koreanap_validation_show`` gives it
        (a pending row whose job will never finish reads ``error``); ``score`` the
        stored score with its ``detail`` and ``computed`` (None before any);
        ``status`` the worst of the rows'
    """
    tk.check_access("koreanap_dataset_report_show", context, data_dict)
    package_id = _dataset_id(data_dict["id"])
    rows = {rid: as_shown(row)
            for rid, row in kmodel.statuses_of(package_id, with_report=True).items()}
    quality = kmodel.get_quality(package_id)
    return {"id": package_id, "status": kmodel.dataset_status(rows),
            "resources": {rid: _iso(row) for rid, row in rows.items()},
            "score": _iso({k: v for k, v in quality.items() if k != "package_id"})
            if quality else None}


@tk.side_effect_free
@validate(schema.id_only)
def koreanap_dataset_assets_show(context: dict, data_dict: dict[str, Any]) -> dict[str, Any]:
    """What the 3D asset rule measured of each of a dataset's files (only that part of
    each stored report is read).

    :param id: the dataset's id or name
    :returns: ``{resource_id: {"status", "asset"}}`` for its validated active
        resources; ``asset`` is None where nothing was measured
    """
    tk.check_access("koreanap_dataset_assets_show", context, data_dict)
    return kmodel.asset_facts(_dataset_id(data_dict["id"]))


@tk.side_effect_free
@validate(schema.id_only)
def koreanap_validation_show(context: dict, data_dict: dict[str, Any]) -> dict[str, Any]:
    """A resource's validation status and report (personal values masked).

    :param id: the resource's id
    :returns: ``{"resource_id", "package_id", "status", "message", "report",
        "file_sha256", "datastore_rows", "created", "finished"}``; the report is
        the ``koreanap validate --format json`` dict for this resource
    """
    tk.check_access("koreanap_validation_show", context, data_dict)
    row = kmodel.get_status(data_dict["id"])
    if row is None:
        raise tk.ObjectNotFound(tk._("This resource has not been validated"))
    row = as_shown(row)
    return {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in row.items()}


@tk.side_effect_free
@validate(schema.id_only)
def koreanap_datapackage_show(context: dict, data_dict: dict[str, Any]) -> dict[str, Any]:
    """The dataset as a Frictionless ``datapackage.json`` (resource paths are download URLs).

    :param id: the dataset's id or name
    """
    tk.check_access("koreanap_datapackage_show", context, data_dict)
    package = tk.get_action("package_show")(dict(context), {"id": data_dict["id"]})
    from ... import rules

    return dataset_to_descriptor(package, resource_path=lambda r: r.get("url"),
                                 rules=rules.for_package(package["id"]))


@validate(schema.datastore_load)
def koreanap_datastore_load(context: dict, data_dict: dict[str, Any]) -> dict[str, Any]:
    """Validate a resource's dataset again and (re)load its valid tables with ``COPY``.

    Like ``koreanap_package_validate`` it queues the dataset's validation
    job; poll ``koreanap_validation_show`` until the status is not pending.

    :param id: the resource's id
    :returns: ``{"resource_id", "status", "datastore_rows", "job_id"}``: the
        status just after queueing (``pending``, or ``error`` when the queue is
        unreachable) and the rows loaded so far
    """
    tk.check_access("koreanap_datastore_load", context, data_dict)
    resource = tk.get_action("resource_show")({"ignore_auth": True}, {"id": data_dict["id"]})
    package = tk.get_action("package_show")({"ignore_auth": True}, {"id": resource["package_id"]})
    job_id = queue.enqueue(package, [r["id"] for r in package.get("resources", [])])
    row = kmodel.get_status(resource["id"]) or {}
    return {"resource_id": resource["id"], "status": row.get("status"),
            "datastore_rows": row.get("datastore_rows"), "job_id": job_id}


@validate(schema.package_upload)
def koreanap_package_upload(context: dict, data_dict: dict[str, Any]) -> dict[str, Any]:
    """Publish an uploaded data package, as ``koreanap publish`` does.

    :param owner_org: the organization to publish to (you must be its editor)
    :param upload: a ``.zip`` of the package, or its ``datapackage.json``
    :param files: with a ``datapackage.json``: the resources' files (matched
        by file name to the resource paths)
    :returns: ``{"published": bool, "report": <validation report>, "lines":
        [what changed], "dataset": name}``; an invalid package publishes
        nothing and returns its report
    :raises ckan.plugins.toolkit.ValidationError: a refusal (one of
        :mod:`ckanext.koreanap.upload_errors`); its messages name files as the
        user uploaded them, never by their path on the server, and give no
        command-line advice (the full text is logged)
    """
    tk.check_access("koreanap_package_upload", context, data_dict)
    from koreanap_validation.engine import validate_package
    from koreanap_validation.inputs import InputError, open_input
    from koreanap_validation.internal import RuleCannotRun

    org = tk.get_action("organization_show")({"ignore_auth": True}, {
        "id": data_dict["owner_org"], "include_datasets": False})
    limit = config.max_upload_bytes()
    work_root = Path(tk.config.get("ckan.storage_path") or tempfile.gettempdir()) / \
        "koreanap-work"
    work_root.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="upload-", dir=work_root))
    names: dict[str, str] = {}
    try:
        source = _save_uploads(data_dict, work, limit)
        names = {str(source): Path(getattr(data_dict.get("upload"), "filename", "") or
                                   source.name).name,
                 str(work) + "/": "", str(work.resolve()) + "/": ""}
        try:
            with open_input(str(source), max_unpacked_bytes=limit) as prepared:
                if prepared.basepath:
                    names[str(Path(prepared.basepath)) + "/"] = ""
                report = validate_package(_with_catalogue_rules(prepared.descriptor),
                                          basepath=prepared.basepath)
                for error in report.get("errors", []):
                    if isinstance(error.get("message"), str):
                        error["message"] = refused.public_text(error["message"], names)
                if not report["valid"]:
                    return {"published": False, "report": report, "lines": [], "dataset": None}
                lines = _publish_in_process(context, prepared.descriptor, prepared.basepath,
                                            org["name"])
                return {"published": True, "report": report, "lines": lines,
                        "dataset": prepared.descriptor.get("name")}
        except InputError as error:
            log.info("package upload refused: %s", error.message)
            raise refused.UploadRefused({"upload": [refused.public_text(error.message, names)]})
        except RuleCannotRun as problem:
            log.error("package upload could not be validated: %s", problem)
            raise refused.CannotValidate({"upload": [tk._(
                "The catalogue cannot validate packages right now. This is a fault of the "
                "catalogue, not of your data; nothing was published. Please tell the "
                "catalogue's operators.")]})
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _with_catalogue_rules(descriptor: dict[str, Any]) -> dict[str, Any]:
    """The uploaded descriptor with the rules the catalogue keeps for the dataset of its
    name (none for a new dataset) in place of any ``koreanap:rules`` it carries: the
    catalogue validates with the rules it stores, as its job will."""
    from ckan import model

    from ... import rules

    out = {k: v for k, v in descriptor.items() if k != "koreanap:rules"}
    existing = model.Package.get(str(descriptor.get("name") or ""))
    found = rules.for_package(existing.id) if existing and existing.state == "active" else []
    if found:
        out["koreanap:rules"] = found
    return out


def _publish_in_process(context: dict, descriptor: dict, basepath: str, org: str) -> list[str]:
    import ckanapi
    from ckan import model

    from koreanap_client.publishing import Publisher, PublishError

    def pause(seconds: float) -> None:
        # While it waits for the validation job this request holds no row
        # lock (CKAN leaves a no-op package_update's FOR UPDATE lock open).
        model.Session.commit()
        time.sleep(seconds)

    lines: list[str] = []
    publisher = Publisher(ckanapi.LocalCKAN(username=context.get("user")), echo=lines.append,
                          retries=1, sleep=pause,
                          validation_timeout=config.upload_validation_wait())
    try:
        publisher.publish(descriptor, basepath, organization=org)
    except PublishError as error:
        log.info("package upload not published: %s", error.explain())
        raise refused.PublishConflict({"publish": [refused.public_text(
            error.explain(hint=False))]})
    finally:
        model.Session.rollback()  # every action committed its own work; drop leftover locks
    return lines


def _save_uploads(data_dict: dict, work: Path, limit: int) -> Path:
    """Write the uploaded zip or descriptor (and files) into ``work``; refuse over ``limit``."""
    main = data_dict.get("upload")
    filename = Path(getattr(main, "filename", "") or "").name
    if not filename:
        raise refused.UploadRefused({"upload": [tk._("Choose a .zip or a datapackage.json")]})
    total = 0
    if filename.lower().endswith(".zip"):
        target = work / "package.zip"
        total += _save(main, target, limit - total)
        return target
    if not filename.lower().endswith(".json"):
        raise refused.UploadRefused({"upload": [tk._(
            "{name} is neither a .zip nor a datapackage.json").format(name=filename)]})
    folder = work / "package"
    folder.mkdir()
    descriptor_path = folder / "datapackage.json"
    total += _save(main, descriptor_path, limit)
    from koreanap_validation.inputs import InputError, read_json

    try:
        descriptor = read_json(descriptor_path)
    except InputError as error:
        log.info("package upload refused: %s", error.message)
        raise refused.UploadRefused({"upload": [refused.public_text(
            error.message, {str(descriptor_path): filename})]})
    wanted = {}
    for resource in descriptor.get("resources") or []:
        path = resource.get("path")
        if isinstance(path, str):
            wanted.setdefault(Path(path).name, path)
    for item in data_dict.get("files") or []:
        name = Path(getattr(item, "filename", "") or "").name
        if not name:
            continue
        if name not in wanted:
            raise refused.UploadRefused({"files": [tk._(
                "{name} is not a resource of this datapackage.json").format(name=name)]})
        rel = wanted[name]
        target = (folder / rel).resolve()
        if folder.resolve() not in target.parents:
            raise refused.UploadRefused({"files": [tk._(
                "resource path {path} leaves the package").format(path=rel)]})
        target.parent.mkdir(parents=True, exist_ok=True)
        total += _save(item, target, limit - total)
    return folder


def _save(storage: Any, target: Path, budget: int) -> int:
    """Copy an uploaded file to ``target``, refusing when it exceeds ``budget`` bytes."""
    stream = getattr(storage, "stream", storage)
    written = 0
    with target.open("wb") as fh:
        while True:
            chunk = stream.read(1 << 20)
            if not chunk:
                break
            written += len(chunk)
            if written > budget:
                raise refused.UploadTooLarge({"upload": [tk._(
                    "The upload is larger than the limit of {limit:,} bytes").format(
                    limit=config.max_upload_bytes())]})
            fh.write(chunk)
    return written


@tk.chained_action
def datastore_search_sql(up_func, context: dict, data_dict: dict[str, Any]) -> dict[str, Any]:
    """CKAN's ``datastore_search_sql`` with a time bound of this catalogue's
    (``ckanext.koreanap.datastore.sql_timeout_ms``, default 3 s, instead of CKAN's
    60 s): it is open to anonymous users, and one cross join must not hold a web
    worker. A query over the bound answers CKAN's "Query took too long" (409)."""
    context["query_timeout"] = config.datastore_sql_timeout_ms()
    return up_func(context, data_dict)


@tk.side_effect_free
def koreanap_catalogue_figures(context: dict, data_dict: dict[str, Any]) -> dict[str, Any]:
    """Key figures of the catalogue (the home page shows them), over public datasets only.

    :returns: ``datasets`` (public datasets), ``rows`` (DataStore rows published in
        their tables, as last loaded), ``validation`` (datasets per validation state).
        Other plugins add their own figures (the error-report centre adds ``reports``).
    """
    tk.check_access("koreanap_catalogue_figures", context, data_dict)
    from .. import model as kmodel

    search = tk.get_action("package_search")(
        {"ignore_auth": False, "user": ""},
        {"rows": 0, "include_private": False, "facet.field": '["validation_status"]',
         "facet.limit": -1})
    states = search.get("search_facets", {}).get("validation_status", {}).get("items", [])
    return {"datasets": search["count"], "rows": kmodel.published_rows(),
            "validation": {item["name"]: item["count"] for item in states}}


@tk.side_effect_free
@validate(schema.quality_figures)
def koreanap_quality_figures(context: dict, data_dict: dict[str, Any]) -> dict[str, Any]:
    """The quality dashboard's figures (``/quality``), for the whole catalogue and per
    organization, over the datasets the caller may read (public ones for anonymous
    callers and non-members; a member's private datasets too; everything for a sysadmin).

    :param organization: only this organization (id or name) in ``organizations``;
        the ``catalogue`` figures stay the whole catalogue's (optional)
    :param months: months of the monthly series other plugins add, 1 to 120 (default 12)
    :returns: ``catalogue`` and ``organizations`` (``[{"id", "name", "title", ...}]``,
        organizations with a dataset the caller may read, by title), each with
        ``datasets``, ``validation`` (datasets per state: ``invalid``, ``error``,
        ``pending``, ``valid``, ``not_validated``), ``score`` (latest metadata score:
        ``scored`` datasets, ``mean`` total, ``max``, ``bands``, ``last_computed``,
        ``by_month``: ``[{"month": "YYYY-MM", "scored", "mean"}]``, the mean of each
        dataset's latest score at the end of each of the last ``months`` months), ``rules``
        (``active`` validation rules, ``from_reports``) and
        ``errors`` (latest validation of each table: ``tables_checked``,
        ``rows_checked``, ``errors_found``, ``per_10000_rows``, ``partial_tables``);
        ``includes_private`` (whether a private dataset counts), ``organization``,
        ``months`` and ``generated``.
        The error-report centre adds ``reports`` to each group and ``deadline_days``.
    :raises ckan.plugins.toolkit.ObjectNotFound: no such organization
    """
    tk.check_access("koreanap_quality_figures", context, data_dict)
    from ckan import model

    from ... import quality

    where = quality.scope(context.get("user"))
    chosen = None
    if data_dict.get("organization"):
        wanted = data_dict["organization"]
        chosen = model.Session.query(model.Group).filter(
            sa_or(model.Group.id == wanted, model.Group.name == wanted),
            model.Group.state == "active", model.Group.is_organization.is_(True)).first()
        if chosen is None:
            raise tk.ObjectNotFound(tk._("Organization not found"))
    found = quality.figures(where)
    months = quality.month_keys(data_dict["months"], datetime.datetime.now(datetime.UTC))
    series = quality.score_series(where, months)
    found["catalogue"]["score"]["by_month"] = series["catalogue"]
    ids = {chosen.id} if chosen else {org for org in found["by_org"] if org}
    organizations = []
    for org in quality.organizations(ids):
        group = found["by_org"].get(org["id"]) or quality.empty_group()
        group["score"]["by_month"] = (series["by_org"].get(org["id"])
                                      or quality.empty_series(months))
        organizations.append(dict(org, **group))
    return {
        "generated": kmodel.now().strftime("%Y-%m-%dT%H:%M:%SZ"),
        "includes_private": found["private_datasets"] > 0,
        "organization": chosen.name if chosen else None,
        "months": data_dict["months"],
        "catalogue": found["catalogue"],
        "organizations": organizations,
    }


def _rule_package(context: dict, package_id: str) -> dict[str, Any]:
    return tk.get_action("package_show")(dict(context, ignore_auth=True), {"id": package_id})


def _checked_rule(package: dict[str, Any], rule: dict[str, Any]) -> dict[str, Any]:
    from ... import rules

    try:
        return rules.checked(package, rule)
    except rules.RuleRefused as refusal:
        raise tk.ValidationError({refusal.field: [str(refusal)]})


@tk.side_effect_free
@validate(schema.rule_create)
def koreanap_rule_preview(context: dict, data_dict: dict[str, Any]) -> dict[str, Any]:
    """Which rows of the dataset's current table would break a rule (nothing is stored).

    :param package_id: the dataset's id or name
    :param rule: the rule, in the data package's ``koreanap:rules`` form without ``id``
        (validation/koreanap_validation/README.md), as an object or its JSON text
    :returns: ``{"rule", "description", "description_ko", "rows_checked", "breaking",
        "rows": [{"row", "message"}], "readable"}``: the rule stated in English and in
        Korean; ``readable`` false: the file is not a CSV stored here, so no row was
        checked
    :raises ckan.plugins.toolkit.ValidationError: the rule is malformed or does not fit
        the table's schema (the message names the rule's field)
    """
    tk.check_access("koreanap_rule_preview", context, data_dict)
    from ... import rules

    package = _rule_package(context, data_dict["package_id"])
    rule = _checked_rule(package, data_dict["rule"])
    return dict(rules.preview(package, rule), rule=rule)


@validate(schema.rule_create)
def koreanap_rule_create(context: dict, data_dict: dict[str, Any]) -> dict[str, Any]:
    """Add a validation rule to a dataset, and validate the dataset again with it.

    Every later validation of the dataset (the job, a web upload, ``koreanap
    publish``) applies the rule, and its data package (``datapackage.json``, the zip)
    carries it in ``koreanap:rules``, so ``koreanap validate`` applies it offline.

    :param package_id: the dataset's id or name
    :param rule: as for ``koreanap_rule_preview``
    :param report: the code of the error report the rule comes from (optional; the
        error-report centre checks it is a report on this dataset)
    :returns: the rule as ``koreanap_rule_list`` shows it, plus ``preview`` (the
        current rows that break it) and ``job_id`` (the validation queued)
    """
    tk.check_access("koreanap_rule_create", context, data_dict)
    from ckan import model

    from ... import rules

    package = _rule_package(context, data_dict["package_id"])
    rule = _checked_rule(package, data_dict["rule"])
    found = rules.preview(package, rule)
    user = model.User.get(context.get("user") or "")
    stored = rules.store(package, rule, data_dict.get("report"),
                         user.name if user else None)
    model.Session.commit()
    job_id = queue.enqueue(package, [r["id"] for r in package.get("resources", [])])
    return dict(stored, preview=found, job_id=job_id)


@tk.side_effect_free
@validate(schema.rule_list)
def koreanap_rule_list(context: dict, data_dict: dict[str, Any]) -> list[dict[str, Any]]:
    """A dataset's validation rules, oldest first.

    :param package_id: the dataset's id or name
    :param include_retired: also the retired rules, with who retired them, when and why
    :param report: only the rules made from this error report (a code)
    :returns: ``[{"id", "rule", "description", "description_ko", "report", "created",
        "created_by", "active", "retired", "retired_by", "retired_reason", "problem"}]``
        (the rule stated in English and in Korean);
        ``problem`` says why an active rule no longer fits the table's schema (a field
        dropped or retyped), or is None
    """
    tk.check_access("koreanap_rule_list", context, data_dict)
    from ... import rules

    package = tk.get_action("package_show")(dict(context), {"id": data_dict["package_id"]})
    fields = rules.schema_fields(package)
    return [rules.shown(row, fields) for row in kmodel.rules_of(
        package["id"], include_retired=data_dict["include_retired"],
        report_code=data_dict.get("report"))]


@validate(schema.rule_retire)
def koreanap_rule_retire(context: dict, data_dict: dict[str, Any]) -> dict[str, Any]:
    """Retire a rule: later validations no longer apply it; it stays in the history.

    :param id: the rule's id
    :param reason: why (1 to 500 characters)
    :returns: the rule as ``koreanap_rule_list`` shows it, and ``job_id``
    :raises ckan.plugins.toolkit.ObjectNotFound: no such rule
    """
    tk.check_access("koreanap_rule_retire", context, data_dict)
    from ckan import model

    from ... import rules

    row = kmodel.get_rule(data_dict["id"])
    if row is None:
        raise tk.ObjectNotFound(tk._("Rule not found"))
    if row["retired"] is not None:
        raise tk.ValidationError({"id": [tk._("This rule is already retired")]})
    user = model.User.get(context.get("user") or "")
    kmodel.retire_rule(row["id"], user.name if user else None, data_dict["reason"])
    model.Session.commit()
    package = _rule_package(context, row["package_id"])
    job_id = queue.enqueue(package, [r["id"] for r in package.get("resources", [])])
    return dict(rules.shown(kmodel.get_rule(row["id"])), job_id=job_id)
