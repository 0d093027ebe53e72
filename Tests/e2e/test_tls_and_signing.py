"""TLS trust and request signing (issue #18): `--ca-bundle` / AWS_CA_BUNDLE / the profile's `ca_bundle`,
`--no-verify-ssl` (one warning line), `--no-sign-request`.

The TLS server is a loopback TLS terminator, with a self-signed certificate made here by openssl, in front
of a real `runnerdeck serve`: every byte of the exchange is Local App Runner's."""
import json
import socket
import ssl
import subprocess
import threading

import pytest

from cli_fixtures import BIN, ENV, cli_endpoint  # noqa: F401  (fixture)


def _pump(source, target):
    try:
        while True:
            data = source.recv(65536)
            if not data:
                break
            target.sendall(data)
    except OSError:
        pass
    finally:
        for s in (source, target):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


class TLSFront:
    """Accepts TLS on a loopback port and relays each connection to `backend` (host, port)."""

    def __init__(self, cert, key, backend):
        self.context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.context.load_cert_chain(cert, key)
        self.backend = backend
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.listener.settimeout(0.5)
        self.port = self.listener.getsockname()[1]
        self.handshake_errors = []
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self):
        while not self.stopped.is_set():
            try:
                raw, _ = self.listener.accept()
            except (socket.timeout, OSError):
                continue
            threading.Thread(target=self._serve, args=(raw,), daemon=True).start()

    def _serve(self, raw):
        raw.settimeout(30)
        try:
            tls = self.context.wrap_socket(raw, server_side=True)
        except (ssl.SSLError, OSError) as error:
            self.handshake_errors.append(str(error))
            raw.close()
            return
        upstream = socket.create_connection(self.backend, timeout=30)
        threading.Thread(target=_pump, args=(upstream, tls), daemon=True).start()
        _pump(tls, upstream)

    def stop(self):
        self.stopped.set()
        self.listener.close()
        self.thread.join(timeout=5)


@pytest.fixture(scope="module")
def certificate(tmp_path_factory):
    directory = tmp_path_factory.mktemp("tls")
    cert, key = directory / "cert.pem", directory / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=localhost",
                    "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True, timeout=60)
    return cert, key


@pytest.fixture(scope="module")
def tls_front(certificate, cli_endpoint):  # noqa: F811
    host, port = cli_endpoint.url.split("//")[1].split(":")
    front = TLSFront(str(certificate[0]), str(certificate[1]), (host, int(port)))
    yield front
    front.stop()


def rd(*args, env=None):
    # The host's own AWS_CA_BUNDLE (if any) would win over the profile's ca_bundle: each test says its own.
    base = {k: v for k, v in ENV.items() if k != "AWS_CA_BUNDLE"}
    return subprocess.run([str(BIN), *args], capture_output=True, text=True, timeout=60,
                          env=dict(base, AWS_MAX_ATTEMPTS="1", **(env or {})))


def test_self_signed_certificate_is_refused_without_a_bundle(tls_front):
    p = rd("call", "ListServices", "--endpoint-url", f"https://localhost:{tls_front.port}")
    assert p.returncode != 0
    assert "TLS handshake" in p.stderr and "certificate" in p.stderr.lower(), p.stderr
    assert p.stdout == ""


def test_ca_bundle_option_environment_and_profile(tls_front, certificate, tmp_path):
    url = f"https://localhost:{tls_front.port}"
    p = rd("call", "ListServices", "--endpoint-url", url, "--ca-bundle", str(certificate[0]))
    assert p.returncode == 0, p.stderr
    assert "ServiceSummaryList" in json.loads(p.stdout)
    assert p.stderr == ""
    p = rd("call", "ListServices", "--endpoint-url", url, env={"AWS_CA_BUNDLE": str(certificate[0])})
    assert p.returncode == 0, p.stderr
    config = tmp_path / "config"
    config.write_text(f"[default]\nca_bundle = {certificate[0]}\n")
    p = rd("call", "ListServices", "--endpoint-url", url, env={"AWS_CONFIG_FILE": str(config)})
    assert p.returncode == 0, p.stderr
    # A bundle that is not a certificate is a configuration error, named before any request.
    p = rd("call", "ListServices", "--endpoint-url", url, "--ca-bundle", str(certificate[1].parent / "missing.pem"))
    assert p.returncode != 0 and "ca_bundle" in p.stderr, p.stderr


def test_no_verify_ssl_works_and_warns_once(tls_front):
    p = rd("call", "ListServices", "--endpoint-url", f"https://localhost:{tls_front.port}", "--no-verify-ssl")
    assert p.returncode == 0, p.stderr
    assert "ServiceSummaryList" in json.loads(p.stdout)
    lines = p.stderr.splitlines()
    assert len(lines) == 1 and "--no-verify-ssl" in lines[0] and "not verified" in lines[0], p.stderr


def test_credential_calls_trust_the_bundle_too(tls_front, certificate, tmp_path):
    # assume-role's STS call goes to the TLS front (AWS_ENDPOINT_URL_STS): without the bundle the handshake
    # fails; with it STS's request reaches Local App Runner, which does not speak STS and answers an error.
    config = tmp_path / "config"
    config.write_text("[profile role]\nrole_arn = arn:aws:iam::123456789012:role/ci\ncredential_source = Environment\n")
    url = f"https://localhost:{tls_front.port}"
    env = {"AWS_CONFIG_FILE": str(config), "AWS_ENDPOINT_URL_STS": url}
    refused = rd("call", "ListServices", "--endpoint-url", url, "--profile", "role", env=env)
    assert refused.returncode != 0 and "assume-role" in refused.stderr and "TLS handshake" in refused.stderr, refused.stderr
    trusted = rd("call", "ListServices", "--endpoint-url", url, "--profile", "role", "--ca-bundle", str(certificate[0]), env=env)
    assert trusted.returncode != 0 and "STS answered" in trusted.stderr and "TLS" not in trusted.stderr, trusted.stderr


@pytest.fixture(scope="module")
def keyed_endpoint(serve_module_factory):
    """A server that accepts only requests signed with ENV's keys (the default one accepts any signature)."""
    return serve_module_factory("--access-key-id", ENV["AWS_ACCESS_KEY_ID"], "--secret-access-key", ENV["AWS_SECRET_ACCESS_KEY"])


def test_no_sign_request_sends_no_signature_and_resolves_no_credentials(keyed_endpoint, tmp_path):
    # No credentials anywhere: a signed call cannot even start...
    env = {"AWS_CONFIG_FILE": str(tmp_path / "none"), "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "none")}
    bare = {k: v for k, v in ENV.items() if k not in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY")}
    bare.update(env, AWS_MAX_ATTEMPTS="1")
    signed = subprocess.run([str(BIN), "call", "ListServices", "--endpoint-url", keyed_endpoint.url], capture_output=True,
                            text=True, timeout=60, env=bare)
    assert signed.returncode != 0 and "credentials" in signed.stderr.lower(), signed.stderr
    # ...an unsigned one is sent, without an Authorization header, and Local App Runner (which requires
    # SigV4) refuses it: the answer is the service's, not a local credentials error.
    unsigned = subprocess.run([str(BIN), "call", "ListServices", "--endpoint-url", keyed_endpoint.url, "--no-sign-request", "--debug"],
                              capture_output=True, text=True, timeout=60, env=bare)
    assert unsigned.returncode != 0
    request = unsigned.stderr.split("[debug] request", 1)[1].split("[debug] response", 1)[0]
    assert "authorization" not in request.lower() and "x-amz-date" not in request.lower(), request
    assert "[debug] response 4" in unsigned.stderr, unsigned.stderr
    assert "locate credentials" not in unsigned.stderr.lower()
    # The same keys the server wants, signed: accepted (the refusal above was for the missing signature).
    p = subprocess.run([str(BIN), "call", "ListServices", "--endpoint-url", keyed_endpoint.url], capture_output=True, text=True,
                       timeout=60, env=ENV)
    assert p.returncode == 0, p.stderr
