"""`make run`'s children die with it, whatever ended it, and a second start finds its
ports free; a port held by someone else is named in one line, never talked to."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time

import pytest

from tests.e2e.conftest import ROOT, LocalStack, free_port


def _held(port: int) -> bool:
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)   # TIME_WAIT of old connections is no holder
        try:
            s.bind(("127.0.0.1", port))
            return False
        except OSError:
            return True


def _wait_free(ports, seconds=15) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not any(_held(p) for p in ports):
            return True
        time.sleep(0.2)
    return False


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGHUP])
def test_the_stack_dies_with_its_parent_and_starts_again_on_the_same_ports(sig):
    first = LocalStack().start()
    ports = (first.moto_port, first.api_port, first.web_port)
    try:
        assert all(_held(p) for p in ports)
        os.kill(first.proc.pid, sig)          # the parent only, as a closed terminal or kill -9 would
        assert _wait_free(ports), f"ports still held after {sig.name}"
        second = LocalStack()
        second.moto_port, second.api_port, second.web_port = ports
        second.api = f"http://127.0.0.1:{second.api_port}"
        second.start()
        try:
            import urllib.request
            with urllib.request.urlopen(f"{second.api}/v1/ready", timeout=10) as resp:
                assert resp.status == 200
        finally:
            second.stop()
    finally:
        if first.proc.poll() is None:
            os.killpg(first.proc.pid, signal.SIGKILL)


def test_a_kill_9_of_the_make_process_stops_the_whole_stack():
    """Issue 40: `make run` is the parent of `devstack run`; killing make with SIGKILL left
    devstack, moto and chalice holding all three ports. The kernel now tells devstack
    (PR_SET_PDEATHSIG), which stops everything it started."""
    moto, api, web = free_port(), free_port(), free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_") and k not in
           ("MAIN_TABLE", "AUDIT_TABLE", "ACIKKAPI_MASTER_KEY")}
    import tempfile
    env.update(SCHEDULES="off", ACIKKAPI_LOCAL_STATE=tempfile.mkdtemp(prefix="acikkapi-state-"))
    run = [sys.executable, "-m", "devstack", "run", "--moto-port", str(moto), "--api-port", str(api),
           "--web-port", str(web)]
    # a stand-in for make: a parent that waits for its child, as make does
    make = subprocess.Popen([sys.executable, "-c", f"import subprocess, sys; sys.exit(subprocess.call({run!r}))"],
                            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            start_new_session=True)
    try:
        deadline = time.monotonic() + 90
        for line in make.stdout:
            if line.startswith("READY") or time.monotonic() > deadline:
                break
        assert all(_held(p) for p in (moto, api, web)), "the stack did not start"
        os.kill(make.pid, signal.SIGKILL)          # make alone, as `kill -9 <make>` would
        assert _wait_free((moto, api, web), seconds=20), "ports still held after make was killed"
    finally:
        try:
            os.killpg(make.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def test_a_taken_port_is_named_in_one_line_and_nothing_starts():
    moto, api, web = free_port(), free_port(), free_port()
    holder = socket.socket()
    holder.bind(("127.0.0.1", api))
    holder.listen(1)
    try:
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        started = time.monotonic()
        result = subprocess.run([sys.executable, "-m", "devstack", "run", "--moto-port", str(moto),
                                 "--api-port", str(api), "--web-port", str(web)],
                                cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
        assert result.returncode == 1 and time.monotonic() - started < 20
        [line] = [x for x in result.stderr.splitlines() if x.strip()]
        assert line.startswith(f"port {api} (API_PORT) is taken by pid {os.getpid()}")
        assert "Traceback" not in result.stdout + result.stderr
        assert not _held(moto) and not _held(web)      # nothing else was started
    finally:
        holder.close()
