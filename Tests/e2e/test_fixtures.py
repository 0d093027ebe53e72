"""The fixtures' own guarantees: a server that never says it is listening fails the test in bounded
time, and a test that overruns its time limit fails with a clear message instead of hanging the run."""
import os
import pathlib
import shutil
import subprocess
import sys
import time

import pytest

from conftest import start_serve

HERE = pathlib.Path(__file__).resolve().parent


def test_a_server_that_never_listens_fails_within_the_start_timeout():
    silent = [sys.executable, "-c", "import time; time.sleep(60)"]  # ignores the serve arguments
    started = time.monotonic()
    with pytest.raises(pytest.fail.Exception, match="printed no `listening on` line within 2 s"):
        start_serve(None, command=silent, timeout=2)
    assert time.monotonic() - started < 10


def test_a_server_that_exits_at_once_fails_with_its_output():
    broken = [sys.executable, "-c", "import sys; sys.stderr.write('no such option\\n'); sys.exit(2)"]
    with pytest.raises(pytest.fail.Exception, match="(?s)did not start.*no such option"):
        start_serve(None, command=broken, timeout=10)


def test_an_overrunning_test_fails_with_a_time_limit_message(tmp_path):
    shutil.copy(HERE / "conftest.py", tmp_path / "conftest.py")
    (tmp_path / "test_sleepy.py").write_text("import time\n\ndef test_sleeps():\n    time.sleep(60)\n")
    env = dict(os.environ, RUNNERDECK_E2E_TEST_TIMEOUT="2")
    started = time.monotonic()
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--rootdir", str(tmp_path),
                          str(tmp_path / "test_sleepy.py")], capture_output=True, text=True, env=env, cwd=tmp_path, timeout=60)
    assert run.returncode == 1, run.stdout + run.stderr
    assert "call exceeded the time limit of 2 s" in run.stdout
    assert "1 failed" in run.stdout
    assert time.monotonic() - started < 30
