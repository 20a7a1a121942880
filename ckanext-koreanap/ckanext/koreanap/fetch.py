"""Resource URLs: which are refused, and a size-limited download of the others.

A resource URL must be ``http``/``https`` and its host must not be (or
resolve to) a loopback, private, link-local or otherwise non-public address:
the catalogue would otherwise fetch from inside its own network on a
publisher's behalf (SSRF). ``file://`` and other schemes are refused.
"""
from __future__ import annotations

import ipaddress
import socket
from pathlib import Path
from urllib.parse import urljoin, urlparse

USER_AGENT = "ckanext-koreanap/0.1 (resource validation)"
MAX_REDIRECTS = 5


class FetchError(Exception):
    """A URL that is refused or cannot be fetched (one line of text)."""


def _blocked(address: str) -> bool:
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return not ip.is_global or ip.is_multicast


def refusal(url: str, resolve: bool = True) -> str | None:
    """Why ``url`` may not be a resource URL, or None when it may.

    :param resolve: also look the host name up (a name that does not resolve
        is allowed here; fetching it fails later)
    """
    parsed = urlparse(url)
    scheme = (parsed.scheme or "").lower()
    if scheme not in ("http", "https"):
        return "only http and https URLs are allowed, not {}".format(
            "{}://".format(scheme) if scheme else "a path without a scheme")
    host = (parsed.hostname or "").strip("[]").lower()
    if not host:
        return "the URL has no host"
    if host == "localhost" or host.endswith(".localhost") or host.endswith(".local"):
        return "{} is a local host name".format(host)
    try:
        if _blocked(host):
            return "{} is a private or local network address".format(host)
        return None
    except ValueError:
        pass  # a name, not an address
    if not resolve:
        return None
    try:
        infos = socket.getaddrinfo(host, parsed.port or (443 if scheme == "https" else 80),
                                   proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError, OSError):
        return None
    for info in infos:
        if _blocked(info[4][0]):
            return "{} resolves to a private or local network address ({})".format(
                host, info[4][0])
    return None


def download(url: str, target: Path, *, max_bytes: int, timeout: float = 60) -> int:
    """Fetch ``url`` into ``target``, re-checking every redirect; refuse over ``max_bytes``.

    :returns: the number of bytes written
    """
    import requests

    for _ in range(MAX_REDIRECTS + 1):
        reason = refusal(url)
        if reason:
            raise FetchError("refused URL {}: {}".format(url, reason))
        try:
            response = requests.get(url, stream=True, timeout=timeout, allow_redirects=False,
                                    headers={"User-Agent": USER_AGENT})
        except requests.RequestException as error:
            raise FetchError("cannot fetch {}: {}".format(url, error)) from None
        if response.is_redirect:
            url = urljoin(url, response.headers.get("Location", ""))
            response.close()
            continue
        if response.status_code != 200:
            raise FetchError("cannot fetch {}: HTTP {}".format(url, response.status_code))
        written = 0
        with response, target.open("wb") as fh:
            for chunk in response.iter_content(1 << 16):
                written += len(chunk)
                if written > max_bytes:
                    raise FetchError("{} is larger than the limit of {:,} bytes".format(
                        url, max_bytes))
                fh.write(chunk)
        return written
    raise FetchError("too many redirects from {}".format(url))
