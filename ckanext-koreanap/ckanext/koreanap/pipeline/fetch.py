"""Resource URLs: which are refused, and a size-limited download of the others.

A resource URL must be ``http``/``https`` and its host must not be (or
resolve to) a loopback, private, link-local or otherwise non-public address:
the catalogue would otherwise fetch from inside its own network on a
publisher's behalf (SSRF). ``file://`` and other schemes are refused.

A download looks the host up once, checks every address it got, and then
connects to exactly one of those checked addresses: a second look-up at
connect time could answer differently (DNS rebinding) and reach an address
that was never checked. The request still names the host (``Host`` header)
and, over https, the TLS handshake sends the host name (SNI) and the
certificate is checked against it, as for a normal request. Every redirect
is checked the same way. Downloads do not go through an HTTP proxy from the
environment (a proxy would look the host up again itself).
"""
from __future__ import annotations

import ipaddress
import os
import socket
from pathlib import Path
from urllib.parse import urljoin, urlparse, urlunparse

USER_AGENT = "ckanext-koreanap/0.1 (resource validation)"
MAX_REDIRECTS = 5


class FetchError(Exception):
    """A URL that is refused or cannot be fetched (one line of text)."""


def _blocked(address: str) -> bool:
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return not ip.is_global or ip.is_multicast


def _default_port(scheme: str) -> int:
    return 443 if scheme == "https" else 80


def _syntax_refusal(parsed) -> str | None:
    """Why a parsed URL is refused without any look-up, or None."""
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
    except ValueError:
        pass  # a name, not an address
    return None


def _resolve(host: str, port: int) -> list[str]:
    """Every address ``host`` resolves to (one look-up); [] when it does not resolve."""
    try:
        infos = socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError, OSError):
        return []
    addresses: list[str] = []
    for info in infos:
        address = str(info[4][0]).split("%", 1)[0]  # drop an IPv6 zone
        if address not in addresses:
            addresses.append(address)
    return addresses


def refusal(url: str, resolve: bool = True) -> str | None:
    """Why ``url`` may not be a resource URL, or None when it may.

    :param resolve: also look the host name up (a name that does not resolve
        is allowed here; fetching it fails later)
    """
    parsed = urlparse(url)
    reason = _syntax_refusal(parsed)
    if reason or not resolve:
        return reason
    host = (parsed.hostname or "").strip("[]").lower()
    for address in _resolve(host, parsed.port or _default_port(parsed.scheme.lower())):
        if _blocked(address):
            return "{} resolves to a private or local network address ({})".format(
                host, address)
    return None


def checked_address(url: str) -> str:
    """The one address a download of ``url`` connects to, after checking them all.

    :raises FetchError: the URL is refused, or its host does not resolve
    """
    parsed = urlparse(url)
    reason = _syntax_refusal(parsed)
    if reason:
        raise FetchError("refused URL {}: {}".format(url, reason))
    host = (parsed.hostname or "").strip("[]").lower()
    try:
        ipaddress.ip_address(host)
        return host  # an address in the URL: checked above, nothing to look up
    except ValueError:
        pass
    addresses = _resolve(host, parsed.port or _default_port(parsed.scheme.lower()))
    if not addresses:
        raise FetchError("cannot fetch {}: the host name {} does not resolve".format(url, host))
    for address in addresses:
        if _blocked(address):
            raise FetchError(
                "refused URL {}: {} resolves to a private or local network address ({})"
                .format(url, host, address))
    return addresses[0]


def pinned_url(parsed, address: str) -> str:
    """``parsed`` with its host replaced by ``address`` (port and path kept)."""
    literal = "[{}]".format(address) if ":" in address else address
    port = ":{}".format(parsed.port) if parsed.port else ""
    return urlunparse(parsed._replace(netloc=literal + port))


def host_header(parsed) -> str:
    """The ``Host`` header of the original URL (no user info; port only if given)."""
    host = parsed.hostname or ""
    if ":" in host:
        host = "[{}]".format(host)
    return host + (":{}".format(parsed.port) if parsed.port else "")


def session_for(hostname: str):
    """A requests session whose https connections send ``hostname`` as SNI and check
    the certificate against it, while the URL names the checked address."""
    import requests
    from requests.adapters import HTTPAdapter

    class NamedTLSAdapter(HTTPAdapter):
        def init_poolmanager(self, *args, **kwargs):
            kwargs["server_hostname"] = hostname
            kwargs["assert_hostname"] = hostname
            super().init_poolmanager(*args, **kwargs)

    session = requests.Session()
    session.trust_env = False  # no proxy from the environment: it would resolve again
    # ... but the CA bundle named in the environment still counts, as in requests.
    session.verify = (os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE")
                      or True)
    session.mount("https://", NamedTLSAdapter(max_retries=0))
    session.mount("http://", HTTPAdapter(max_retries=0))
    return session


def download(url: str, target: Path, *, max_bytes: int, timeout: float = 60) -> int:
    """Fetch ``url`` into ``target``, re-checking every redirect; refuse over ``max_bytes``.

    Each hop resolves its host once and connects to the address it checked.

    :returns: the number of bytes written
    """
    import requests

    for _ in range(MAX_REDIRECTS + 1):
        address = checked_address(url)
        parsed = urlparse(url)
        hostname = (parsed.hostname or "").strip("[]")
        session = session_for(hostname)
        try:
            response = session.get(
                pinned_url(parsed, address), stream=True, timeout=timeout,
                allow_redirects=False,
                headers={"User-Agent": USER_AGENT, "Host": host_header(parsed)})
        except requests.RequestException as error:
            session.close()
            raise FetchError("cannot fetch {}: {}".format(url, error)) from None
        try:
            if response.is_redirect:
                url = urljoin(url, response.headers.get("Location", ""))
                continue
            if response.status_code != 200:
                raise FetchError("cannot fetch {}: HTTP {}".format(url, response.status_code))
            written = 0
            with target.open("wb") as fh:
                for chunk in response.iter_content(1 << 16):
                    written += len(chunk)
                    if written > max_bytes:
                        raise FetchError("{} is larger than the limit of {:,} bytes".format(
                            url, max_bytes))
                    fh.write(chunk)
            return written
        finally:
            response.close()
            session.close()
    raise FetchError("too many redirects from {}".format(url))
