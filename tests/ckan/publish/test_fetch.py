"""The URL fetcher connects to the address it checked (issue 13 item 7: DNS rebinding).

The name server is outside this machine, so it is the one thing replaced
here: ``socket.getaddrinfo`` answers as a rebinding attacker's server would.
The servers the fetcher must or must not reach are real, on loopback.
"""
import http.server
import ipaddress
import socket
import ssl
import subprocess
import threading

import pytest

from ckanext.koreanap.pipeline import fetch

PUBLIC = "93.184.215.14"  # a global address: it passes the check


class _Recorder(http.server.BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 - http.server's name
        self.server.seen.append({"path": self.path, "host": self.headers.get("Host")})
        body = b"secret from the inside\n"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def loopback_server():
    """A real HTTP server on 127.0.0.1 that records every request it gets."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    server.seen = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def _answer(address, port):
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    return [(family, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", (address, port))]


@pytest.fixture
def rebinding_dns(monkeypatch):
    """A name server that answers a public address to the first look-up of
    ``rebind.example`` and 127.0.0.1 to every later one; returns the look-ups."""
    real = socket.getaddrinfo
    lookups = []

    def getaddrinfo(host, port, *args, **kwargs):
        if host == "rebind.example":
            lookups.append(host)
            return _answer(PUBLIC if len(lookups) == 1 else "127.0.0.1", int(port or 80))
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return lookups


def test_dns_rebinding_cannot_reach_loopback(loopback_server, rebinding_dns, tmp_path):
    """A host that resolves public for the check and to loopback afterwards is looked up
    once and never reaches the loopback server (before the fix the download's own
    look-up got 127.0.0.1 and read the loopback server's answer)."""
    url = "http://rebind.example:{}/data.csv".format(loopback_server.server_port)
    target = tmp_path / "data.csv"
    try:
        fetch.download(url, target, max_bytes=10_000, timeout=3)
    except fetch.FetchError:
        pass  # the checked public address may answer anything or nothing
    assert loopback_server.seen == []
    assert rebinding_dns == ["rebind.example"]
    assert not target.exists() or b"secret" not in target.read_bytes()


def test_a_name_resolving_to_a_private_address_is_refused(monkeypatch, tmp_path):
    """A name with one private address among public ones is refused before connecting."""
    monkeypatch.setattr(socket, "getaddrinfo", lambda host, port, *a, **k: (
        _answer(PUBLIC, port) + _answer("10.0.0.7", port)))
    with pytest.raises(fetch.FetchError, match=r"private or local network address \(10.0.0.7\)"):
        fetch.download("http://mixed.example/data.csv", tmp_path / "x", max_bytes=10)


@pytest.fixture
def loopback_allowed(monkeypatch):
    """Let the check pass 127.0.0.1 only (the refusal itself is tested above and in
    test_refusals), so what goes on the wire can be seen by a local server."""
    real = fetch._blocked
    monkeypatch.setattr(fetch, "_blocked", lambda address: (
        False if ipaddress.ip_address(address).is_loopback else real(address)))


def test_the_request_keeps_the_host_name(loopback_server, loopback_allowed, monkeypatch,
                                         tmp_path):
    """Connecting to the checked address still sends the URL's host in the Host header."""
    lookups = []
    real = socket.getaddrinfo

    def getaddrinfo(host, port, *args, **kwargs):
        if host == "data.example":
            lookups.append(host)
            return _answer("127.0.0.1", int(port))
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    port = loopback_server.server_port
    written = fetch.download("http://data.example:{}/a.csv?x=1".format(port),
                             tmp_path / "a.csv", max_bytes=10_000, timeout=5)
    assert written == len(b"secret from the inside\n")
    assert loopback_server.seen == [{"path": "/a.csv?x=1",
                                     "host": "data.example:{}".format(port)}]
    assert lookups == ["data.example"]


@pytest.fixture
def tls_server(tmp_path):
    """A real HTTPS server on 127.0.0.1 with a self-signed certificate for data.example;
    records the SNI name of each handshake."""
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                    "-subj", "/CN=data.example", "-addext", "subjectAltName=DNS:data.example",
                    "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    names = []
    context.sni_callback = lambda sock, name, ctx: names.append(name)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    server.seen = []
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server, cert, names
    server.shutdown()
    server.server_close()


def test_https_sends_the_host_name_and_checks_the_certificate(
        tls_server, loopback_allowed, monkeypatch, tmp_path):
    """Over https the handshake names the host (SNI) and the certificate is checked
    against that name, though the connection goes to the checked address."""
    server, cert, names = tls_server
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(cert))
    real = socket.getaddrinfo
    monkeypatch.setattr(socket, "getaddrinfo", lambda host, port, *a, **k: (
        _answer("127.0.0.1", int(port)) if host in ("data.example", "other.example")
        else real(host, port, *a, **k)))
    port = server.server_port
    fetch.download("https://data.example:{}/a.csv".format(port), tmp_path / "a.csv",
                   max_bytes=10_000, timeout=5)
    assert names == ["data.example"]
    assert server.seen[0]["host"] == "data.example:{}".format(port)
    # The certificate is for data.example: another name on the same address fails.
    with pytest.raises(fetch.FetchError, match="other.example"):
        fetch.download("https://other.example:{}/a.csv".format(port), tmp_path / "b.csv",
                       max_bytes=10_000, timeout=5)
    assert len(server.seen) == 1
