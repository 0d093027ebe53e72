"""End-to-end tests of the dashboard: `runnerdeck serve` + boto3 + the real dashboard in tmux.

Run: `swift build --product runnerdeck && python3 -m pytest -q Tests/e2e/test_dashboard.py`
Needs tmux, boto3 and pytest. Skips (with the reason) when the binary is not built or tmux is missing.
The server comes from conftest's `serve_module_factory`.
"""
import os
import re
import select
import shutil
import signal
import subprocess
import time
import uuid

import pytest

from conftest import RUNNERDECK

BINARY = str(RUNNERDECK)
TMUX_SOCKET = "rd-e2e-%d" % os.getpid()
OPERATION_TIMEOUT = float(os.environ.get("RUNNERDECK_E2E_OPERATION_TIMEOUT", "240"))


def wait_until(predicate, timeout, interval=0.2, what="condition"):
    deadline = time.time() + timeout
    last = None
    while time.time() < deadline:
        last = predicate()
        if last:
            return last
        time.sleep(interval)
    raise AssertionError("timed out waiting for %s (last: %r)" % (what, last))


@pytest.fixture(scope="module")
def server(serve_module_factory):
    if shutil.which("tmux") is None:
        pytest.skip("tmux is not installed")
    # In memory, with the server's own operation time (5 s), as a user would start it.
    served = serve_module_factory(state=None, operation_seconds=None)
    return served.url, served.client()


def create_service(client, name):
    response = client.create_service(
        ServiceName=name,
        SourceConfiguration={
            "ImageRepository": {
                "ImageIdentifier": "public.ecr.aws/nginx/nginx:latest",
                "ImageRepositoryType": "ECR_PUBLIC",
                "ImageConfiguration": {"Port": "80", "RuntimeEnvironmentVariables": {"SECRET_TOKEN": "hunter2-do-not-show"}},
            },
            "AutoDeploymentsEnabled": False,
        },
        InstanceConfiguration={"Cpu": "1024", "Memory": "2048"},
    )
    return response["Service"]["ServiceArn"]


def service_status(client, arn):
    return client.describe_service(ServiceArn=arn)["Service"]["Status"]


def wait_status(client, arn, status):
    return wait_until(lambda: service_status(client, arn) == status, OPERATION_TIMEOUT, 0.5, what="%s to be %s" % (arn, status))


@pytest.fixture(scope="module")
def services(server):
    endpoint, client = server
    web = create_service(client, "e2e-web")
    api = create_service(client, "e2e-api")
    wait_status(client, web, "RUNNING")
    wait_status(client, api, "RUNNING")
    return {"web": web, "api": api}


class Pane:
    """A tmux session running a shell; the dashboard is started in it."""

    def __init__(self, width, height, env=None):
        self.name = "rd-" + uuid.uuid4().hex[:8]
        self.pidfile = "/tmp/%s.pid" % self.name
        environment = dict(os.environ)
        # The dashboard signs its requests like any AWS client: give it credentials of its own and
        # keep the machine's AWS configuration (and IMDS probing) out of the test.
        environment.update({"AWS_ACCESS_KEY_ID": "AKIDEXAMPLE", "AWS_SECRET_ACCESS_KEY": "secret",
                            "AWS_EC2_METADATA_DISABLED": "true", "AWS_CONFIG_FILE": "/nonexistent/config",
                            "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent/credentials"})
        environment.pop("AWS_PROFILE", None)
        environment.update(env or {})
        # Each pane has a tmux server of its own: one shared server exits when a test closes its last
        # pane, and the next test's new-session could race that exit ("server exited unexpectedly").
        self.socket = "%s-%s" % (TMUX_SOCKET, self.name)
        subprocess.run(["tmux", "-L", self.socket, "-f", "/dev/null", "new-session", "-d", "-x", str(width), "-y", str(height),
                        "-s", self.name, "sh"], check=True, env=environment, timeout=30)
        subprocess.run(["tmux", "-L", self.socket, "set-option", "-g", "status", "off"], check=True, timeout=30)

    def run(self, command):
        self.send_line("echo $$ > %s; exec %s" % (self.pidfile, command), literal=True, wrap=True)

    def send_line(self, text, literal=True, wrap=False):
        if wrap:
            text = "sh -c '%s'" % text.replace("'", "'\\''")
        subprocess.run(["tmux", "-L", self.socket, "send-keys", "-t", self.name, "-l", text], check=True, timeout=30)
        subprocess.run(["tmux", "-L", self.socket, "send-keys", "-t", self.name, "Enter"], check=True, timeout=30)

    def keys(self, *keys):
        for key in keys:
            if key in ("Enter", "Escape", "Up", "Down", "Tab", "BSpace", "C-l", "PageDown", "PageUp"):
                subprocess.run(["tmux", "-L", self.socket, "send-keys", "-t", self.name, key], check=True, timeout=30)
            else:
                subprocess.run(["tmux", "-L", self.socket, "send-keys", "-t", self.name, "-l", key], check=True, timeout=30)
            time.sleep(0.15)

    def text(self):
        return subprocess.run(["tmux", "-L", self.socket, "capture-pane", "-p", "-t", self.name],
                              capture_output=True, text=True, check=True, timeout=30).stdout

    def wait_for(self, needle, timeout=30):
        pattern = needle if isinstance(needle, re.Pattern) else re.compile(re.escape(needle))
        return wait_until(lambda: pattern.search(self.text()) is not None, timeout, what="%r on screen:\n%s" % (needle, self.text()))

    def wait_gone(self, needle, timeout=30):
        return wait_until(lambda: needle not in self.text(), timeout, what="%r to disappear" % needle)

    def pid(self):
        with open(self.pidfile) as f:
            return int(f.read().strip())

    def close(self):
        subprocess.run(["tmux", "-L", self.socket, "kill-server"], capture_output=True, timeout=30)
        if os.path.exists(self.pidfile):
            os.remove(self.pidfile)


def dashboard_command(endpoint, extra=""):
    return "%s --endpoint-url %s --region us-east-1 --refresh 2 %s" % (BINARY, endpoint, extra)


def assert_terminal_restored(pane, marker):
    """After the dashboard ends the shell is back: the alternate screen is gone and echo/icanon are on."""
    path = "/tmp/%s.stty" % pane.name
    pane.send_line("stty -a > %s.tmp; mv %s.tmp %s; echo %s" % (path, path, path, marker))
    # The typed line shows the marker at once; wait for the file the shell writes instead.
    wait_until(lambda: os.path.exists(path) and os.path.getsize(path) > 0, 15, what="stty output from the shell")
    with open(path) as f:
        words = set(re.split(r"[\s;]+", f.read()))
    os.remove(path)
    assert "echo" in words and "-echo" not in words
    assert "icanon" in words and "-icanon" not in words
    assert "RunnerDeck" not in pane.text()


@pytest.fixture
def pane_factory():
    panes = []

    def make(width, height, env=None):
        pane = Pane(width, height, env)
        panes.append(pane)
        return pane

    yield make
    for pane in panes:
        pane.close()


def test_dashboard_drives_services(server, services, pane_factory):
    endpoint, client = server
    pane = pane_factory(100, 30, {"LANG": "C.UTF-8", "TERM": "xterm-256color"})
    pane.run(dashboard_command(endpoint))
    pane.wait_for("e2e-web")
    pane.wait_for("e2e-api")
    pane.wait_for("RUNNING")
    screen = pane.text()
    assert "us-east-1" in screen and "ENDPOINT 127.0.0.1" in screen  # never looks like real AWS
    assert "p pause" in screen  # footer hints come from the key registry

    # Filter: substring, case-insensitive.
    pane.keys("/", "WEB", "Enter")
    pane.wait_gone("e2e-api")
    assert "e2e-web" in pane.text()

    # Open the detail: what is happening first (issue 10); the configuration a page down, with the
    # environment variable names, never values.
    pane.keys("Enter")
    pane.wait_for("Operations (newest first)")
    pane.keys("PageDown")
    pane.wait_for("Source")
    pane.wait_for("SECRET_TOKEN")
    assert "hunter2" not in pane.text()

    # Pause asks first, names the service, No is the default.
    pane.keys("p")
    pane.wait_for("Pause service 'e2e-web'? [y/N]")
    pane.keys("Enter")
    pane.wait_for("cancelled")
    assert service_status(client, services["web"]) == "RUNNING"

    pane.keys("p")
    pane.wait_for("[y/N]")
    pane.keys("y")
    wait_until(lambda: service_status(client, services["web"]) in ("OPERATION_IN_PROGRESS", "PAUSED"), 30, what="pause to start")
    wait_status(client, services["web"], "PAUSED")
    pane.wait_for("PAUSE_SERVICE SUCCEEDED", OPERATION_TIMEOUT)

    # Resume.
    pane.keys("r")
    pane.wait_for("Resume service 'e2e-web'? [y/N]")
    pane.keys("y")
    wait_status(client, services["web"], "RUNNING")
    pane.wait_for("RESUME_SERVICE SUCCEEDED", OPERATION_TIMEOUT)

    # Deploy: StartDeployment, followed to its end.
    pane.keys("d")
    pane.wait_for("Deploy service 'e2e-web'? [y/N]")
    pane.keys("y")
    wait_until(lambda: client.list_operations(ServiceArn=services["web"], MaxResults=1)["OperationSummaryList"][0]["Type"] == "START_DEPLOYMENT",
               30, what="a START_DEPLOYMENT operation")
    pane.wait_for("START_DEPLOYMENT SUCCEEDED", OPERATION_TIMEOUT)
    ops = client.list_operations(ServiceArn=services["web"])["OperationSummaryList"]
    assert ops[0]["Type"] == "START_DEPLOYMENT" and ops[0]["Status"] == "SUCCEEDED"

    # Domains view: associate a domain (asks first), see the DNS target and the domain.
    pane.keys("3")
    pane.wait_for("DNS target")
    pane.keys("a")
    pane.wait_for("Domain to associate")
    pane.keys("shop.example.com", "Enter")
    pane.wait_for("[y/N]")
    pane.keys("y")
    wait_until(lambda: any(d["DomainName"] == "shop.example.com" for d in client.describe_custom_domains(ServiceArn=services["web"])["CustomDomains"]),
               30, what="the domain to be associated")
    pane.wait_for("shop.example.com")

    # Activity log saw it all.
    pane.keys("5")
    pane.wait_for("PAUSE_SERVICE SUCCEEDED")

    # Quit restores the terminal.
    pane.keys("q")
    pane.wait_gone("RunnerDeck", 15)
    assert_terminal_restored(pane, "RESTORED-AFTER-QUIT")


def test_read_only_refuses(server, services, pane_factory):
    endpoint, client = server
    pane = pane_factory(100, 30, {"LANG": "C.UTF-8", "TERM": "xterm-256color"})
    pane.run(dashboard_command(endpoint, "--read-only"))
    pane.wait_for("e2e-api")
    assert "READ-ONLY" in pane.text()
    assert "p pause" not in pane.text()
    before = client.list_operations(ServiceArn=services["api"])["OperationSummaryList"]
    pane.keys("p")
    pane.wait_for("read-only")
    assert "[y/N]" not in pane.text()
    assert client.list_operations(ServiceArn=services["api"])["OperationSummaryList"] == before
    pane.keys("q")
    pane.wait_gone("RunnerDeck", 15)


def test_ascii_vt100_80x24(server, services, pane_factory):
    endpoint, _ = server
    pane = pane_factory(80, 24, {"LANG": "C", "LC_ALL": "C", "TERM": "vt100"})
    pane.run("env LANG=C LC_ALL=C TERM=vt100 " + dashboard_command(endpoint))
    pane.wait_for("e2e-web")
    pane.wait_for("RUNNING")
    text = pane.text()
    assert all(ord(c) < 128 for c in text), "non-ASCII output under LANG=C: %r" % [c for c in text if ord(c) >= 128]
    assert "Terminal too small" not in text
    pane.keys("Enter")
    pane.wait_for("Operations (newest first)")
    pane.wait_for("Last hour")
    assert all(ord(c) < 128 for c in pane.text()), "non-ASCII detail under LANG=C"  # sparklines in ASCII too
    pane.keys(*["j"] * 20)  # vt100 has no PageDown key
    pane.wait_for("Source")
    pane.keys("q")
    pane.wait_gone("RunnerDeck", 15)
    assert_terminal_restored(pane, "RESTORED-VT100")


def test_too_small_then_resize(server, services, pane_factory):
    endpoint, _ = server
    pane = pane_factory(60, 20, {"LANG": "C.UTF-8", "TERM": "xterm-256color"})
    pane.run(dashboard_command(endpoint))
    pane.wait_for("Terminal too small: 60x20")
    subprocess.run(["tmux", "-L", pane.socket, "resize-window", "-t", pane.name, "-x", "100", "-y", "30"], check=True, timeout=30)
    pane.wait_for("e2e-web")
    pane.keys("q")
    pane.wait_gone("RunnerDeck", 15)


def test_sigterm_restores_terminal(server, services, pane_factory):
    endpoint, _ = server
    pane = pane_factory(100, 30, {"LANG": "C.UTF-8", "TERM": "xterm-256color"})
    pane.run(dashboard_command(endpoint))
    pane.wait_for("e2e-web")
    os.kill(pane.pid(), signal.SIGTERM)
    pane.wait_gone("RunnerDeck", 15)
    assert_terminal_restored(pane, "RESTORED-AFTER-SIGTERM")


def nio_loop_threads(pid):
    names = []
    for task in os.listdir("/proc/%d/task" % pid):
        try:
            with open("/proc/%d/task/%s/comm" % (pid, task)) as f:
                names.append(f.read().strip())
        except OSError:
            pass
    return [name for name in names if name.startswith("NIO-SGLTN-1-")]


def test_the_dashboard_runs_one_event_loop_thread_and_serve_one_per_core(server, services, pane_factory):
    """Issue 17: NIO's shared group starts one loop per core by default (16 threads on a 16-core jump
    host); a command or the dashboard needs one, and only serve keeps one per core."""
    endpoint, _ = server
    pane = pane_factory(100, 30, {"LANG": "C.UTF-8", "TERM": "xterm-256color"})
    pane.run(dashboard_command(endpoint))
    pane.wait_for("e2e-web")
    assert len(nio_loop_threads(pane.pid())) == 1
    pane.keys("q")
    pane.wait_gone("RunnerDeck", 15)
    serve = subprocess.Popen([BINARY, "serve", "--port", "0"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        ready, _, _ = select.select([serve.stdout], [], [], 30)
        assert ready and serve.stdout.readline().startswith("listening on")
        loops = len(nio_loop_threads(serve.pid))
        assert loops >= 1
        quota = open("/sys/fs/cgroup/cpu.max").read().split()[0] if os.path.exists("/sys/fs/cgroup/cpu.max") else "max"
        if len(os.sched_getaffinity(0)) > 1 and quota == "max":
            assert loops > 1  # one per core, as NIO chooses
    finally:
        serve.terminate()
        serve.wait(timeout=30)


def test_a_term_unknown_here_falls_back_and_says_so(server, services, pane_factory):
    """Issue 17: TERM=xterm-kitty (no terminfo entry on this host, as on a jump host) draws as the
    closest entry that exists, with one line saying so, instead of refusing to start."""
    endpoint, _ = server
    assert subprocess.run(["infocmp", "xterm-kitty"], capture_output=True).returncode != 0, "this host has xterm-kitty's entry"
    pane = pane_factory(100, 30, {"LANG": "C.UTF-8"})
    pane.run("env TERM=xterm-kitty " + dashboard_command(endpoint))  # tmux gives its panes its own TERM
    pane.wait_for("e2e-web")
    pane.wait_for("TERM=xterm-kitty has no terminfo entry on this host; drawing as xterm-256color")
    pane.keys("q")
    pane.wait_gone("RunnerDeck", 15)
    assert_terminal_restored(pane, "RESTORED-AFTER-FALLBACK")


COLOUR_SGR = re.compile(r"\x1b\[[0-9;]*?(?<![0-9])3[0-7](?:;[0-9;]*)?m")


@pytest.mark.parametrize("term,extra,depth", [
    ("xterm-256color", {}, 256),
    ("xterm", {}, 8),
    ("xterm", {"COLORTERM": "truecolor"}, 256),
    ("vt100", {}, 0),
    ("xterm-256color", {"NO_COLOR": "1"}, 0),
])
def test_one_palette_at_each_colour_depth(server, services, pane_factory, term, extra, depth):
    """Issue 17: the one palette drawn at the terminal's depth: 256 colours, the 8 standard ones, or none
    (vt100, NO_COLOR); COLORTERM=truecolor on an 8-colour TERM draws with its -256color entry."""
    endpoint, _ = server
    pane = pane_factory(100, 30, {"LANG": "C.UTF-8"})
    settings = " ".join("%s=%s" % item for item in sorted(dict(extra, TERM=term).items()))
    pane.run("env %s %s" % (settings, dashboard_command(endpoint)))
    pane.wait_for("e2e-web")
    pane.wait_for("RUNNING")
    screen = subprocess.run(["tmux", "-L", pane.socket, "capture-pane", "-p", "-e", "-t", pane.name],
                            capture_output=True, text=True, check=True, timeout=30).stdout
    has_256 = "38;5;" in screen
    has_8 = COLOUR_SGR.search(screen) is not None
    if depth == 256:
        assert has_256, screen
    elif depth == 8:
        assert has_8 and not has_256, screen
    else:
        assert not has_8 and not has_256, screen
    if extra.get("COLORTERM"):
        pane.wait_for("COLORTERM=truecolor with TERM=xterm (8 colours); drawing as xterm-256color")
    pane.keys("q")
    pane.wait_gone("RunnerDeck", 15)


@pytest.mark.parametrize("variable", ["TERMINFO", "TERMINFO_DIRS"])
def test_a_terminfo_entry_of_its_own_is_found_where_the_environment_says(server, services, pane_factory, tmp_path, variable):
    """Issue 17: TERMINFO and TERMINFO_DIRS are honoured: a TERM only a private terminfo directory knows
    draws with its own entry (its 256 colours), with no fallback."""
    endpoint, _ = server
    source = subprocess.run(["infocmp", "-x", "xterm-256color"], capture_output=True, text=True, check=True).stdout
    source = re.sub(r"^xterm-256color\|[^,\n]*,", "rd-laptop-term|a terminal only this test's directory knows,", source, count=1, flags=re.M)
    (tmp_path / "rd-laptop-term.src").write_text(source)
    subprocess.run(["tic", "-x", "-o", str(tmp_path / "terminfo"), str(tmp_path / "rd-laptop-term.src")], check=True, timeout=30)
    directory = str(tmp_path / "terminfo") + (":" if variable == "TERMINFO_DIRS" else "")
    pane = pane_factory(100, 30, {"LANG": "C.UTF-8"})
    pane.run("env TERM=rd-laptop-term %s=%s %s" % (variable, directory, dashboard_command(endpoint)))
    pane.wait_for("e2e-web")
    pane.wait_for("RUNNING")
    assert "no terminfo entry" not in pane.text()
    screen = subprocess.run(["tmux", "-L", pane.socket, "capture-pane", "-p", "-e", "-t", pane.name],
                            capture_output=True, text=True, check=True, timeout=30).stdout
    assert "38;5;" in screen, screen
    pane.keys("q")
    pane.wait_gone("RunnerDeck", 15)


def test_dumb_terminal_says_what_is_missing(server):
    """Issue 9 bug 7: TERM=dumb has a terminfo entry; what it lacks is cursor addressing."""
    endpoint, _ = server
    result = subprocess.run(["script", "-qec", dashboard_command(endpoint), "/dev/null"], capture_output=True, text=True, timeout=60,
                            env=dict(os.environ, TERM="dumb"))
    out = result.stdout + result.stderr
    assert result.returncode != 0
    assert "no terminfo entry" not in out and "not known" not in out
    assert "cannot move the cursor" in out


def test_keys_do_nothing_while_too_small(server, services, pane_factory):
    """Issue 9 bug 1: at 40x10, p y and D name Enter must change nothing (checked with boto3)."""
    endpoint, client = server
    before = {arn: client.list_operations(ServiceArn=arn)["OperationSummaryList"] for arn in services.values()}
    pane = pane_factory(40, 10, {"LANG": "C.UTF-8", "TERM": "xterm-256color"})
    pane.run(dashboard_command(endpoint))
    pane.wait_for("too small")
    time.sleep(2)  # let the first refresh land, so a selection exists behind the notice
    pane.keys("p")
    pane.keys("y")
    pane.keys("D")
    pane.keys("e2e-web", "Enter")
    pane.keys("d")
    pane.keys("y")
    time.sleep(2)
    after = {arn: client.list_operations(ServiceArn=arn)["OperationSummaryList"] for arn in services.values()}
    assert after == before
    pane.keys("q")
    pane.wait_gone("too small", 15)


def test_ctrl_z_and_fg_ten_times(server, services, pane_factory):
    """Issue 9 bug 3: Ctrl-Z stopped working after two or three suspends; each round must stop, give
    the shell the terminal, and come back whole on fg."""
    endpoint, _ = server
    pane = pane_factory(100, 30, {"LANG": "C.UTF-8", "TERM": "xterm-256color"})
    pane.run(dashboard_command(endpoint))
    pane.wait_for("e2e-web")
    for round_ in range(10):
        subprocess.run(["tmux", "-L", pane.socket, "send-keys", "-t", pane.name, "C-z"], check=True)
        pane.wait_gone("RunnerDeck", 30)
        # The shell has the terminal once it has reported this round's stop (its report stays on screen
        # after earlier rounds, so count them).
        def stops():
            history = subprocess.run(["tmux", "-L", pane.socket, "capture-pane", "-p", "-S", "-", "-t", pane.name],
                                     capture_output=True, text=True, timeout=30).stdout
            return history.count("Stopped")
        wait_until(lambda: stops() >= round_ + 1, 20, what="the shell to report the stop")
        # The shell got the terminal as it was before the dashboard: main screen, its own modes. (On a
        # loaded machine the stop used to land late, after a repaint had taken the terminal back.)
        alternate = subprocess.run(["tmux", "-L", pane.socket, "display", "-p", "-t", pane.name, "#{alternate_on}"],
                                   capture_output=True, text=True, timeout=30).stdout.strip()
        assert alternate == "0", "round %d: the stopped dashboard left the alternate screen on" % round_
        # What is typed now belongs to the shell, not to the stopped dashboard.
        pane.send_line("echo ROUND-%d-SHELL" % round_)
        pane.wait_for("ROUND-%d-SHELL" % round_, 15)
        pane.send_line("fg")
        pane.wait_for("e2e-web", 30)
        pane.wait_for("RunnerDeck", 30)
    pane.keys("?")
    pane.wait_for("Move one page up")
    pane.keys("Escape")
    pane.keys("q")
    pane.wait_gone("RunnerDeck", 15)
    assert_terminal_restored(pane, "RESTORED-AFTER-SUSPENDS")


def test_keys_typed_ahead_do_not_answer_a_prompt(server, services, pane_factory):
    """`dydydy` typed at once opens one confirmation and deploys nothing."""
    endpoint, client = server
    before = client.list_operations(ServiceArn=services["api"])["OperationSummaryList"]
    pane = pane_factory(100, 30, {"LANG": "C.UTF-8", "TERM": "xterm-256color"})
    pane.run(dashboard_command(endpoint))
    pane.wait_for("e2e-api")
    pane.wait_for("RUNNING")
    subprocess.run(["tmux", "-L", pane.socket, "send-keys", "-t", pane.name, "-l", "dydydy"], check=True)
    pane.wait_for("[y/N]")
    time.sleep(2)
    assert client.list_operations(ServiceArn=services["api"])["OperationSummaryList"] == before
    pane.keys("Escape")
    pane.wait_for("cancelled")
    pane.keys("q")
    pane.wait_gone("RunnerDeck", 15)


def test_copy_puts_the_arn_on_the_clipboard(server, services, pane_factory):
    """`c` copies the selected service's ARN whole through OSC 52 (tmux keeps it with set-clipboard on)."""
    endpoint, _ = server
    pane = pane_factory(100, 30, {"LANG": "C.UTF-8", "TERM": "xterm-256color"})
    subprocess.run(["tmux", "-L", pane.socket, "set-option", "-s", "set-clipboard", "on"], check=True)
    pane.run(dashboard_command(endpoint))
    pane.wait_for("e2e-api")
    pane.keys("/", "e2e-web", "Enter")
    pane.wait_gone("e2e-api")
    pane.keys("c")
    pane.wait_for("copied the ARN of e2e-web")
    buffer = wait_until(lambda: subprocess.run(["tmux", "-L", pane.socket, "show-buffer"], capture_output=True, text=True).stdout, 10,
                        what="a tmux paste buffer")
    assert buffer == services["web"]
    pane.keys("q")
    pane.wait_gone("RunnerDeck", 15)


def test_a_rollback_started_from_boto3_reads_as_one_without_colour(server, services, pane_factory):
    """Issue 9 bug 2: ROLLBACK in the row while it runs, the rolled-back mark after, in words (NO_COLOR=1),
    and Activity names the outcome, for an operation the dashboard did not start."""
    endpoint, client = server
    arn = create_service(client, "e2e-rollback")
    wait_status(client, arn, "RUNNING")
    client.tag_resource(ResourceArn=arn, Tags=[{"Key": "runnerdeck:fail-deployments", "Value": "true"}])
    pane = pane_factory(120, 30, {"LANG": "C.UTF-8", "TERM": "xterm-256color", "NO_COLOR": "1"})
    pane.run("env NO_COLOR=1 " + dashboard_command(endpoint))
    pane.wait_for("e2e-rollback")
    client.start_deployment(ServiceArn=arn)  # started elsewhere, not by the dashboard
    pane.wait_for(re.compile(r"e2e-rollback\s+IN PROGRESS\s+ROLLBACK \d"), OPERATION_TIMEOUT)
    pane.wait_for(re.compile(r"e2e-rollback\s+RUNNING\s+ROLLED BACK \d"), OPERATION_TIMEOUT)
    pane.keys("5")
    pane.wait_for("e2e-rollback: START_DEPLOYMENT ROLLBACK_SUCCEEDED")
    pane.wait_for("failed and was rolled back")
    pane.keys("q")
    pane.wait_gone("RunnerDeck", 15)


def test_a_failing_endpoint_is_asked_no_faster_than_the_backoff(serve_factory, pane_factory, tmp_path):
    """Issue 8: the request rate under errors is bounded by the backoff. Every request is answered 503;
    with --refresh 2 the dashboard waits 4, 8, 16, 32 s between failed refreshes, and each refresh makes
    at most the client's 3 attempts. Polling every 2 s regardless would ask ~60 times in 45 s."""
    log = tmp_path / "access.log"
    endpoint = serve_factory("--faults", "1:503", "--access-log", log, state=None)
    pane = pane_factory(100, 30, {"LANG": "C.UTF-8", "TERM": "xterm-256color"})
    pane.run(dashboard_command(endpoint.url))
    wait_until(lambda: log.exists() and log.read_text().strip() != "", 30, what="the first request in the access log")
    pane.wait_for("ServiceUnavailable", 30)
    time.sleep(45)
    assert "RunnerDeck" in pane.text()  # alive and drawing all along
    lines = [line.split() for line in log.read_text().splitlines()]
    assert all(len(fields) == 5 and fields[3] == "503" for fields in lines), lines
    assert {fields[2] for fields in lines} == {"AppRunner.ListServices"}
    started = [fields[0] for fields in lines]
    # Within 45 s of the first request: refreshes at 0, 4, 12 and 28 s (plus the retries' own sleeps),
    # three attempts each; one spare refresh for the one the first paint asks for.
    first = time.mktime(time.strptime(started[0][:19], "%Y-%m-%dT%H:%M:%S"))
    within = [s for s in started if time.mktime(time.strptime(s[:19], "%Y-%m-%dT%H:%M:%S")) - first <= 45]
    assert 3 <= len(within) <= 15, lines
    pane.keys("q")
    pane.wait_gone("RunnerDeck", 15)


def deploy_from_the_detail(pane, endpoint, name, other):
    """Starts the dashboard, filters to `name` (until `other` is gone), opens its detail and starts a
    deployment with `d`, `y`; returns once the detail shows the deployment's log section."""
    pane.run("env TERM=xterm-256color " + dashboard_command(endpoint))
    pane.wait_for(name)
    pane.keys("/", name, "Enter")
    pane.wait_gone(other)
    pane.wait_for("RUNNING")
    pane.keys("Enter")
    pane.wait_for("Operations (newest first)")
    pane.keys("d")
    pane.wait_for("[y/N]")
    pane.keys("y")
    pane.wait_for("Deployment log (deploy", 30)


def test_a_deployment_started_from_the_detail_shows_its_log_at_80x24(server, services, pane_factory):
    """Issue 10: start a deployment from the dashboard and watch its log lines appear in the detail
    view at 80x24 while it runs, above the timeline (CloudWatch Logs served by the same endpoint)."""
    endpoint, client = server
    pane = pane_factory(80, 24, {"LANG": "C.UTF-8"})
    deploy_from_the_detail(pane, endpoint, "e2e-api", "e2e-web")
    pane.wait_for("[AppRunner] Pulling image", 30)
    screen = pane.wait_for(re.compile(r"IN_PROGRESS|Performing health check|Successfully routed"), 30) and pane.text()
    assert "Operations (newest first)" in screen  # the log and the timeline on one screen
    pane.wait_for("Successfully routed incoming traffic", 60)
    pane.keys("q")
    pane.wait_gone("RunnerDeck", 15)


def test_the_logs_view_follows_a_deployment_and_searches_it(server, services, pane_factory):
    """Issue 10: from the detail, `l` opens the newest operation's deployment log; it follows the
    deployment as it runs, scrolling up pauses it, `/` finds and highlights, `w` wraps, `G` follows
    again; at 80x24 and with LANG=C (ASCII markers)."""
    endpoint, client = server
    pane = pane_factory(80, 24, {"LANG": "C"})
    deploy_from_the_detail(pane, endpoint, "e2e-web", "e2e-api")
    pane.keys("l")
    pane.wait_for(re.compile(r"deployment log of DEPLOY [0-9a-f]{8}"), 15)
    pane.wait_for("FOLLOWING")
    pane.wait_for("[AppRunner] Pulling image", 30)
    # Lines arrive on their own while the deployment runs.
    screen = pane.wait_for("Successfully routed incoming traffic", 60) and pane.text()
    assert screen.index("Pulling image") < screen.index("Successfully routed")
    pane.keys("k")
    pane.wait_for("PAUSED")
    pane.keys("/", "health check", "Enter")
    screen = pane.wait_for(re.compile(r"/health check \d+ match")) and pane.text()
    assert re.search(r"^>.*[Hh]ealth check", screen, re.M), screen  # the current match is marked
    pane.keys("G")
    pane.wait_for("FOLLOWING")
    # o steps through the sources: each older operation of the timeline (other tests of this module
    # may have paused and resumed the service), then the service's events, where the deployment's
    # start and end are.
    title = re.search(r"deployment log of DEPLOY ([0-9a-f]{7})", pane.text()).group(1)
    pane.keys("o")
    wait_until(lambda: title not in pane.text().splitlines()[2], 15, what="o to leave the newest operation's log")
    assert "deployment log of" in pane.text().splitlines()[2]
    for _ in range(8):
        if "service events and deployments" in pane.text():
            break
        pane.keys("o")
        time.sleep(0.5)
    pane.wait_for("service events and deployments", 15)
    pane.wait_for(re.compile(r"events +\[AppRunner\] Deployment"), 30)
    pane.keys("q")
    pane.wait_gone("RunnerDeck", 15)
