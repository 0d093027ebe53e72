"""IAM Identity Center and MFA, interoperating with botocore's own providers and caches.

A Python loopback (http.server in a thread) plays the SSO portal, SSO OIDC and STS on one port;
runnerdeck and botocore (in a subprocess, so its `~` is the test's HOME) are both pointed at it with
AWS_ENDPOINT_URL_SSO / _SSO_OIDC / _STS. `runnerdeck serve` checks that App Runner calls are signed with
the credentials the loopback handed out.
"""
import datetime
import hashlib
import http.server
import json
import os
import shutil
import subprocess
import sys
import threading
import urllib.parse

import pytest

from conftest import RUNNERDECK, wait_for

START_URL = "https://example.awsapps.com/start"
ROLE = {"accessKeyId": "ASIASSOROLE", "secretAccessKey": "sso-role-secret-value", "sessionToken": "sso-role-session-token"}
STS = {"key": "ASIAMFAROLE", "secret": "mfa-role-secret-value", "token": "mfa-role-session-token"}
MFA_SERIAL = "arn:aws:iam::111122223333:mfa/operator"
MFA_ROLE = "arn:aws:iam::111122223333:role/admin"
MFA_CODE = "123456"

CONFIG = f"""
[profile dev]
sso_session = my-sso
sso_account_id = 111122223333
sso_role_name = Developer
region = us-east-1
[sso-session my-sso]
sso_start_url = {START_URL}
sso_region = us-east-1
sso_registration_scopes = sso:account:access
[profile mfa]
role_arn = {MFA_ROLE}
source_profile = base
mfa_serial = {MFA_SERIAL}
region = us-east-1
"""


class IdentityCenter:
    """The loopback portal, OIDC and STS; records every request."""

    def __init__(self):
        self.lock = threading.Lock()
        self.requests = []
        self.pending = []  # answers of the next device-code CreateToken calls
        self.access_tokens = set()
        self.refresh_tokens = set()
        self.issued = 0
        self.sts_lifetime = 3600  # seconds the role credentials STS hands out last
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                outer.handle(self)

            def do_POST(self):
                outer.handle(self)

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    def paths(self, path):
        with self.lock:
            return [r for r in self.requests if r["path"] == path]

    def issue(self, refresh=True):
        with self.lock:
            self.issued += 1
            answer = {"accessToken": f"access-{self.issued}", "tokenType": "Bearer", "expiresIn": 3600}
            self.access_tokens.add(answer["accessToken"])
            if refresh:
                answer["refreshToken"] = f"refresh-{self.issued}"
                self.refresh_tokens.add(answer["refreshToken"])
            return answer

    @staticmethod
    def send(handler, status, body, content_type="application/json", error_type=None):
        data = body.encode() if isinstance(body, str) else json.dumps(body).encode()
        handler.send_response(status)
        handler.send_header("Content-Type", content_type)
        handler.send_header("Content-Length", str(len(data)))
        if error_type:
            handler.send_header("x-amzn-ErrorType", error_type)
        handler.end_headers()
        handler.wfile.write(data)

    def oauth_error(self, handler, error):
        kinds = {"authorization_pending": "AuthorizationPendingException", "slow_down": "SlowDownException",
                 "access_denied": "AccessDeniedException", "invalid_grant": "InvalidGrantException"}
        self.send(handler, 400, {"error": error, "error_description": error}, error_type=kinds.get(error, "InvalidRequestException"))

    def handle(self, handler):
        url = urllib.parse.urlsplit(handler.path)
        length = int(handler.headers.get("Content-Length") or 0)
        raw = handler.rfile.read(length) if length else b""
        record = {"method": handler.command, "path": url.path, "query": urllib.parse.parse_qs(url.query),
                  "headers": dict(handler.headers), "body": raw.decode()}
        with self.lock:
            self.requests.append(record)
        if url.path == "/federation/credentials":
            token = handler.headers.get("x-amz-sso_bearer_token")
            if token not in self.access_tokens:
                return self.send(handler, 401, {"message": "Session token not found or invalid"}, error_type="UnauthorizedException")
            expiration = int((datetime.datetime.now(datetime.timezone.utc).timestamp() + 3600) * 1000)
            return self.send(handler, 200, {"roleCredentials": {**ROLE, "expiration": expiration}})
        if url.path == "/client/register":
            return self.send(handler, 200, {"clientId": "client-1", "clientSecret": "client-secret-1", "clientIdIssuedAt": 1,
                                            "clientSecretExpiresAt": int(datetime.datetime.now().timestamp()) + 86400 * 90})
        if url.path == "/device_authorization":
            return self.send(handler, 200, {"deviceCode": "device-1", "userCode": "QWER-TYUI", "verificationUri": f"{self.url}/device",
                                            "verificationUriComplete": f"{self.url}/device?user_code=QWER-TYUI", "expiresIn": 600, "interval": 1})
        if url.path == "/token":
            body = json.loads(raw or b"{}")
            if body.get("grantType") == "refresh_token":
                with self.lock:
                    known = body.get("refreshToken") in self.refresh_tokens
                    self.refresh_tokens.discard(body.get("refreshToken"))
                return self.send(handler, 200, self.issue()) if known else self.oauth_error(handler, "invalid_grant")
            with self.lock:
                scripted = self.pending.pop(0) if self.pending else None
            return self.oauth_error(handler, scripted) if scripted else self.send(handler, 200, self.issue())
        form = urllib.parse.parse_qs(raw.decode())
        if form.get("Action") == ["AssumeRole"]:
            if form.get("TokenCode") != [MFA_CODE] or form.get("SerialNumber") != [MFA_SERIAL]:
                return self.send(handler, 403, "<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>"
                                 "MultiFactorAuthentication failed with invalid MFA one time pass code.</Message></Error></ErrorResponse>",
                                 content_type="text/xml")
            expiration = (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=self.sts_lifetime)).strftime("%Y-%m-%dT%H:%M:%SZ")
            return self.send(handler, 200, f"""<AssumeRoleResponse><AssumeRoleResult><Credentials>
<AccessKeyId>{STS['key']}</AccessKeyId><SecretAccessKey>{STS['secret']}</SecretAccessKey>
<SessionToken>{STS['token']}</SessionToken><Expiration>{expiration}</Expiration></Credentials>
<AssumedRoleUser><Arn>arn:aws:sts::111122223333:assumed-role/admin/s</Arn><AssumedRoleId>AROA:s</AssumedRoleId></AssumedRoleUser>
</AssumeRoleResult><ResponseMetadata><RequestId>r-1</RequestId></ResponseMetadata></AssumeRoleResponse>""", content_type="text/xml")
        return self.send(handler, 404, {"message": "no route"}, error_type="ResourceNotFoundException")


@pytest.fixture
def center():
    server = IdentityCenter()
    yield server
    server.stop()


@pytest.fixture
def home(tmp_path, center):
    """A HOME with the config, the base keys of the MFA role, and the environment both tools use."""
    (tmp_path / "config").write_text(CONFIG)
    (tmp_path / "credentials").write_text("[base]\naws_access_key_id = AKIDBASE\naws_secret_access_key = base-secret\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(HOME=str(tmp_path), AWS_CONFIG_FILE=str(tmp_path / "config"), AWS_SHARED_CREDENTIALS_FILE=str(tmp_path / "credentials"),
               AWS_ENDPOINT_URL_SSO=center.url, AWS_ENDPOINT_URL_SSO_OIDC=center.url, AWS_ENDPOINT_URL_STS=center.url,
               AWS_EC2_METADATA_DISABLED="true")
    return tmp_path, env


def runnerdeck(env, *args, timeout=60):
    if not RUNNERDECK.exists():
        pytest.skip(f"{RUNNERDECK} is not built (run swift build)")
    # A new session: no controlling terminal, so nothing can be asked on /dev/tty.
    return subprocess.run([str(RUNNERDECK), *args], env=env, capture_output=True, text=True, timeout=timeout,
                          stdin=subprocess.DEVNULL, start_new_session=True)


BOTOCORE_CREDENTIALS = """
import json, os, sys, boto3, botocore.credentials, botocore.utils
session = boto3.Session(profile_name=sys.argv[1])
if len(sys.argv) > 2:  # the AWS CLI's assume-role cache; a prompt means the cache was not used
    provider = session._session.get_component("credential_provider").get_provider("assume-role")
    provider.cache = botocore.utils.JSONFileCache(os.path.expanduser("~/.aws/cli/cache"))
    def prompter(text):
        if sys.argv[2] == "no-prompt":
            raise SystemExit("botocore asked for an MFA code: " + text)
        return sys.argv[2]
    provider._prompter = prompter
frozen = session.get_credentials().get_frozen_credentials()
print(json.dumps({"key": frozen.access_key, "secret": frozen.secret_key, "token": frozen.token}))
"""


def botocore_credentials(env, profile, *extra):
    done = subprocess.run([sys.executable, "-c", BOTOCORE_CREDENTIALS, profile, *extra], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def token_file(home_dir, name):
    return home_dir / ".aws" / "sso" / "cache" / (hashlib.sha1(name.encode()).hexdigest() + ".json")


def signed_serve(serve_factory, key, secret, token):
    return serve_factory("--access-key-id", key, "--secret-access-key", secret, "--session-token", token, state=None)


def test_runnerdeck_login_is_read_by_botocores_sso_provider(center, home):
    home_dir, env = home
    center.pending = ["authorization_pending"]
    done = runnerdeck(env, "login", "--profile", "dev")
    assert done.returncode == 0, done.stderr
    assert "QWER-TYUI" in done.stdout and f"{center.url}/device" in done.stdout
    cache = token_file(home_dir, "my-sso")
    assert oct(cache.stat().st_mode & 0o777) == "0o600"
    document = json.loads(cache.read_text())
    assert document["accessToken"] == "access-1" and document["refreshToken"] == "refresh-1" and document["startUrl"] == START_URL
    assert sorted(p.name for p in cache.parent.iterdir() if p.name.endswith(".tmp")) == []
    credentials = botocore_credentials(env, "dev")
    assert credentials == {"key": ROLE["accessKeyId"], "secret": ROLE["secretAccessKey"], "token": ROLE["sessionToken"]}
    portal = center.paths("/federation/credentials")
    assert [r["headers"]["x-amz-sso_bearer_token"] for r in portal] == ["access-1"]
    assert portal[0]["query"] == {"role_name": ["Developer"], "account_id": ["111122223333"]}


def test_a_cache_botocore_refreshed_is_read_by_runnerdeck(center, home, serve_factory):
    from botocore.tokens import _sso_json_dumps
    from botocore.utils import JSONFileCache
    home_dir, env = home
    center.refresh_tokens.add("refresh-0")
    soon = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(minutes=5)
    later = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=30)
    JSONFileCache(str(home_dir / ".aws" / "sso" / "cache"), dumps_func=_sso_json_dumps)[hashlib.sha1(b"my-sso").hexdigest()] = {
        "startUrl": START_URL, "region": "us-east-1", "accessToken": "old", "expiresAt": soon, "refreshToken": "refresh-0",
        "clientId": "client-0", "clientSecret": "client-secret-0", "registrationExpiresAt": later.strftime("%Y-%m-%dT%H:%M:%SZ")}
    # botocore refreshes the expiring token and writes the cache back in its format ...
    assert botocore_credentials(env, "dev")["key"] == ROLE["accessKeyId"]
    assert json.loads(token_file(home_dir, "my-sso").read_text())["accessToken"] == "access-1"
    # ... and runnerdeck signs App Runner calls with the role credentials of that token, refreshing nothing.
    served = signed_serve(serve_factory, ROLE["accessKeyId"], ROLE["secretAccessKey"], ROLE["sessionToken"])
    done = runnerdeck(env, "services", "--profile", "dev", "--endpoint-url", served.url, "--output", "json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["ServiceSummaryList"] == []
    assert [r["headers"]["x-amz-sso_bearer_token"] for r in center.paths("/federation/credentials")] == ["access-1", "access-1"]
    assert len(center.paths("/token")) == 1


def test_an_expired_sign_in_is_one_line_naming_the_fix(center, home):
    home_dir, env = home
    cache = token_file(home_dir, "my-sso")
    cache.parent.mkdir(parents=True)
    cache.write_text(json.dumps({"startUrl": START_URL, "region": "us-east-1", "accessToken": "gone", "expiresAt": "2020-01-01T00:00:00Z"}))
    done = runnerdeck(env, "services", "--profile", "dev", "--endpoint-url", "http://127.0.0.1:9")
    assert done.returncode == 253
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "profile dev" in lines[0] and "runnerdeck login --profile dev" in lines[0], done.stderr


def test_debug_output_carries_no_secret(center, home, serve_factory):
    _, env = home
    assert runnerdeck(env, "login", "--sso-session", "my-sso").returncode == 0
    served = signed_serve(serve_factory, ROLE["accessKeyId"], ROLE["secretAccessKey"], ROLE["sessionToken"])
    done = runnerdeck(env, "services", "--profile", "dev", "--endpoint-url", served.url, "--debug", "--output", "json")
    assert done.returncode == 0, done.stderr
    assert "<redacted>" in done.stderr
    for secret in (ROLE["secretAccessKey"], ROLE["sessionToken"], "access-1", "refresh-1", "client-secret-1"):
        assert secret not in done.stderr and secret not in done.stdout


def mfa_cache_file(home_dir):
    """The AWS CLI's key: sha1 of json.dumps(assume-role args, sort_keys=True), no generated session name."""
    args = json.dumps({"RoleArn": MFA_ROLE, "SerialNumber": MFA_SERIAL}, sort_keys=True)
    return home_dir / ".aws" / "cli" / "cache" / (hashlib.sha1(args.encode()).hexdigest() + ".json")


def test_mfa_credentials_are_shared_with_botocore_through_the_cli_cache(center, home, serve_factory):
    home_dir, env = home
    served = signed_serve(serve_factory, STS["key"], STS["secret"], STS["token"])
    wrong = runnerdeck(env, "services", "--profile", "mfa", "--mfa-code", "000000", "--endpoint-url", served.url)
    assert wrong.returncode == 253 and "MultiFactorAuthentication failed" in wrong.stderr, wrong.stderr
    assert not mfa_cache_file(home_dir).exists()
    # Without a code or a terminal, runnerdeck says how to give one.
    asked = runnerdeck(env, "services", "--profile", "mfa", "--endpoint-url", served.url)
    assert asked.returncode == 253 and "--mfa-code" in asked.stderr, asked.stderr
    done = runnerdeck(env, "services", "--profile", "mfa", "--mfa-code", MFA_CODE, "--endpoint-url", served.url, "--output", "json")
    assert done.returncode == 0, done.stderr
    assert json.loads(mfa_cache_file(home_dir).read_text())["Credentials"]["SessionToken"] == STS["token"]
    calls = len([r for r in center.requests if "AssumeRole" in r["body"]])
    # botocore (as the AWS CLI configures it) reads runnerdeck's cache entry instead of prompting ...
    assert botocore_credentials(env, "mfa", "no-prompt") == {"key": STS["key"], "secret": STS["secret"], "token": STS["token"]}
    # ... and runnerdeck reads one botocore wrote, starting without a code.
    mfa_cache_file(home_dir).unlink()
    assert botocore_credentials(env, "mfa", MFA_CODE)["token"] == STS["token"]
    assert "Expiration" in json.loads(mfa_cache_file(home_dir).read_text())["Credentials"]
    again = runnerdeck(env, "services", "--profile", "mfa", "--endpoint-url", served.url, "--output", "json")
    assert again.returncode == 0, again.stderr
    assert len([r for r in center.requests if "AssumeRole" in r["body"]]) == calls + 1


def tmux_pane(width, env):
    """A tmux pane (test_dashboard's) with the test's HOME and endpoints; skips without tmux."""
    if shutil.which("tmux") is None:
        pytest.skip("tmux is not installed")
    from test_dashboard import Pane
    return Pane(width, 30, {**env, "LANG": "C.UTF-8", "TERM": "xterm-256color"})


def test_mfa_prompt_comes_before_the_dashboard_and_a_wrong_code_leaves_the_terminal_intact(center, home, serve_factory):
    _, env = home
    served = signed_serve(serve_factory, STS["key"], STS["secret"], STS["token"])
    pane = tmux_pane(100, env)
    try:
        from test_dashboard import assert_terminal_restored
        command = f"{RUNNERDECK} --profile mfa --endpoint-url {served.url} --region us-east-1 --refresh 2"
        # Ctrl-C at the prompt (echo is off there) gives the shell back its terminal as it was.
        pane.send_line(f"{command}; echo status=$?")
        pane.wait_for(f"Enter MFA code for {MFA_SERIAL}:")
        pane.keys("12")
        subprocess.run(["tmux", "-L", pane.socket, "send-keys", "-t", pane.name, "C-c"], check=True, timeout=30)
        # The shell drops the rest of the line after a job that died of SIGINT, as it should.
        pane.send_line("echo interrupted=$?")
        pane.wait_for("interrupted=130")
        assert_terminal_restored(pane, "after-ctrl-c")
        pane.send_line("clear")
        pane.send_line(f"{command}; echo status=$?")
        pane.wait_for(f"Enter MFA code for {MFA_SERIAL}:")
        assert "RunnerDeck" not in pane.text()
        pane.keys("000000")
        assert "000000" not in pane.text()  # not echoed, as the AWS CLI's getpass prompt
        pane.keys("Enter")
        pane.wait_for("status=1")
        assert "MultiFactorAuthentication failed" in pane.text()
        assert_terminal_restored(pane, "after-wrong-code")
        pane.send_line("clear")
        pane.send_line(f"{command}; echo status=$?")
        pane.wait_for("Enter MFA code")
        pane.send_line(MFA_CODE)
        pane.wait_for("RunnerDeck")
        pane.keys("q")
        pane.wait_for("status=0")
        # The second start reads the cached role credentials: no prompt, straight to the dashboard.
        pane.send_line("clear")
        pane.send_line(f"{command}; echo status=$?")
        pane.wait_for("RunnerDeck")
        assert "Enter MFA code" not in pane.text()
        pane.keys("q")
        pane.wait_for("status=0")
        assert_terminal_restored(pane, "after-dashboard")
    finally:
        pane.close()


def test_dashboard_shows_a_missing_sign_in_and_recovers_after_a_login_elsewhere(center, home, serve_factory):
    _, env = home
    served = signed_serve(serve_factory, ROLE["accessKeyId"], ROLE["secretAccessKey"], ROLE["sessionToken"])
    pane = tmux_pane(200, env)
    try:
        pane.send_line(f"{RUNNERDECK} --profile dev --endpoint-url {served.url} --region us-east-1 --refresh 1; echo status=$?")
        pane.wait_for("runnerdeck login --profile dev")
        # Signing in from another terminal is enough: the next refresh finds the token.
        assert runnerdeck(env, "login", "--profile", "dev").returncode == 0
        pane.wait_gone("runnerdeck login --profile dev", 30)
        assert [r["headers"]["x-amz-sso_bearer_token"] for r in center.paths("/federation/credentials")][-1:] == ["access-1"]
        pane.keys("q")
        pane.wait_for("status=0")
    finally:
        pane.close()


def test_the_dashboard_asks_for_a_new_mfa_code_on_its_status_line(center, home, serve_factory):
    _, env = home
    served = signed_serve(serve_factory, STS["key"], STS["secret"], STS["token"])
    # Credentials with 5 min 8 s left: the dashboard renews them 5 minutes before they expire, and
    # the cached entry (under 15 minutes left) does not serve, so a new code is needed.
    center.sts_lifetime = 308
    pane = tmux_pane(140, env)
    assume_calls = lambda: len([r for r in center.requests if "AssumeRole" in r["body"]])
    try:
        pane.send_line(f"{RUNNERDECK} --profile mfa --endpoint-url {served.url} --region us-east-1 --refresh 1; echo status=$?")
        pane.wait_for("Enter MFA code")
        pane.send_line(MFA_CODE)
        pane.wait_for("RunnerDeck")
        pane.wait_for(f"MFA code for {MFA_SERIAL} (profile mfa)", 40)
        center.sts_lifetime = 3600
        pane.keys(*MFA_CODE)
        pane.wait_for("******_")
        assert MFA_CODE not in pane.text()
        pane.keys("Enter")
        wait_for(assume_calls, lambda n: n == 2, timeout=20)
        pane.wait_gone("MFA code for", 20)
        assert "refresh failed" not in pane.text()
        pane.keys("q")
        pane.wait_for("status=0")
    finally:
        pane.close()
