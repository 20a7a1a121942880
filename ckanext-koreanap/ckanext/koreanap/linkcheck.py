"""The link check: does each distribution URL of a dataset answer?

Run in the background: at the end of every validation job (so after each
publish and DataStore load) and on demand (``koreanap_link_check``, the
validation page's button), then the dataset's metadata score is computed
again from its served DCAT graph (:func:`score_dataset`), whose two
URL-status indicators use what was recorded here.

How a URL is checked:

- a resource uploaded to this catalogue (``url_type`` ``upload``): its
  download URL is served from the catalogue's own storage, so the check is
  that the stored file is there (``method`` ``storage``). The catalogue does
  not request its own pages over HTTP: on the embedded default its address
  is a loopback one, which the SSRF rules refuse, and the answer would come
  from that very file.
- any other URL: ``HEAD``, and when that is refused or fails (some servers
  answer 403/405/501 to HEAD) a ``GET`` of the first byte only
  (``Range: bytes=0-0``); 2xx (206 too) is "answers". The same SSRF rules
  as a URL resource's download apply (:func:`.fetch.checked_address`: the
  host is looked up once, every address checked, the request goes to that
  address, every redirect is checked again); each request waits at most
  ``ckanext.koreanap.linkcheck.timeout`` seconds.

Results live in ``koreanap_link_check`` (:mod:`.model`), not in resource
extras: recording a check must not change the dataset.
"""
from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urljoin, urlparse

from . import config
from .pipeline import fetch
from .pipeline import model as kmodel

log = logging.getLogger(__name__)

# Answers to HEAD after which a ranged GET is tried (the server may not do HEAD).
_RETRY_WITH_GET = {400, 403, 405, 406, 500, 501, 502, 503}


def _request(method: str, url: str, timeout: float) -> tuple[int, str]:
    """``(status, final URL)`` of one request, following checked redirects.

    Uses the fetcher's own connection (the address it checked, the Host
    header, SNI and certificate of the name): :func:`.fetch.checked_address`
    and the session it builds.
    """
    import requests

    headers = {"User-Agent": fetch.USER_AGENT.replace("resource validation", "link check")}
    if method == "GET":
        headers["Range"] = "bytes=0-0"
    for _ in range(fetch.MAX_REDIRECTS + 1):
        address = fetch.checked_address(url)
        parsed = urlparse(url)
        session = fetch.session_for((parsed.hostname or "").strip("[]"))
        try:
            response = session.request(
                method, fetch.pinned_url(parsed, address), timeout=timeout,
                allow_redirects=False, stream=True,
                headers=dict(headers, Host=fetch.host_header(parsed)))
        except requests.RequestException as error:
            raise fetch.FetchError("{}: {}".format(url, type(error).__name__)) from None
        finally:
            session.close()
        try:
            if response.is_redirect:
                url = urljoin(url, response.headers.get("Location", ""))
                continue
            return response.status_code, url
        finally:
            response.close()
    raise fetch.FetchError("too many redirects from {}".format(url))


def check_url(url: str, timeout: float | None = None) -> dict[str, Any]:
    """Check one URL: ``{"ok", "status", "method", "message"}``.

    :param timeout: seconds per request (default: the configured one)
    """
    timeout = config.link_check_timeout() if timeout is None else timeout
    problem = None
    try:
        status, _final = _request("HEAD", url, timeout)
        if 200 <= status < 300:
            return {"ok": True, "status": status, "method": "HEAD", "message": None}
        if status not in _RETRY_WITH_GET:
            return {"ok": False, "status": status, "method": "HEAD",
                    "message": "HTTP {}".format(status)}
    except fetch.FetchError as error:
        if str(error).startswith("refused URL"):
            return {"ok": False, "status": None, "method": "refused",
                    "message": str(error)[:500]}
        problem = str(error)
    try:
        status, _final = _request("GET", url, timeout)
    except fetch.FetchError as error:
        return {"ok": False, "status": None, "method": "GET",
                "message": str(error)[:500] or problem}
    return {"ok": 200 <= status < 300, "status": status, "method": "GET",
            "message": None if 200 <= status < 300 else "HTTP {}".format(status)}


def _check_resource(resource: dict[str, Any]) -> list[dict[str, Any]]:
    from .pipeline.staging import stored_file

    urls = [u for u in (resource.get("url"), resource.get("access_url")) if u]
    rows = []
    for url in dict.fromkeys(urls):
        if resource.get("url_type") == "upload" and url == resource.get("url"):
            ok = stored_file(resource) is not None
            found = {"ok": ok, "status": None, "method": "storage",
                     "message": None if ok else "the uploaded file is missing from storage"}
        else:
            found = check_url(url)
        rows.append(dict(found, resource_id=resource["id"], url=url))
    return rows


def check_dataset(package: dict[str, Any]) -> list[dict[str, Any]]:
    """Check every resource URL of a dataset (``package_show`` dict) and record it."""
    from ckan import model

    rows = []
    for resource in package.get("resources") or []:
        rows.extend(_check_resource(resource))
    kmodel.set_links(package["id"], rows)
    model.Session.commit()
    return rows


def links_by_url(package_id: str) -> dict[str, dict[str, Any]]:
    """``{url: row}`` of a dataset's recorded checks, as :func:`score_graph` takes them."""
    out = {}
    for row in kmodel.links_of(package_id):
        out[row["url"]] = dict(row, checked=row["checked"].isoformat()
                               if row.get("checked") else None)
    return out


def served_graph(package: dict[str, Any]):
    """The dataset's DCAT graph as the catalogue serves it (``/dataset/<id>.ttl``):
    ckanext-dcat's serializer with this catalogue's ``koreanap_dcat`` profile."""
    from ckanext.dcat.processors import RDFSerializer

    serializer = RDFSerializer(profiles=["koreanap_dcat"])
    serializer.graph_from_dataset(package)
    return serializer.g


def score_dataset(package: dict[str, Any]) -> dict[str, Any] | None:
    """Score the served DCAT of a dataset with its recorded link checks, and store it.

    :returns: the score (``score_graph`` output), or None when it could not be made
    """
    from ckan import model

    from koreanap_validation.metadata.score import score_graph

    try:
        score = score_graph(served_graph(package), links=links_by_url(package["id"]))
        kmodel.set_quality(package["id"], score)
        model.Session.commit()
        return score
    except Exception:  # noqa: BLE001 - a score is informative; never block the job
        log.exception("metadata score of %s failed", package["id"])
        model.Session.rollback()
        return None


def run(package_id: str) -> dict[str, Any] | None:
    """The on-demand job: check a dataset's links, then score it again."""
    import ckan.plugins.toolkit as tk

    from . import siteuser

    package = tk.get_action("package_show")(siteuser.context(), {"id": package_id})
    check_dataset(package)
    return score_dataset(package)


def enqueue(package_id: str) -> str | None:
    """Queue :func:`run` for a dataset; the job id, or None when the queue is unreachable."""
    import ckan.plugins.toolkit as tk

    try:
        job = tk.enqueue_job(run, [package_id], title="koreanap link check {}".format(
            package_id), rq_kwargs={"timeout": config.job_timeout()})
    except Exception:  # noqa: BLE001 - Redis down: say so to the caller
        log.exception("could not queue the link check of %s", package_id)
        return None
    return job.id
