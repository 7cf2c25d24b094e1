"""Starts the real local stack (moto server + chalice local + pump) on free ports,
exactly as `make run` does, and stops it afterwards."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LocalStack:
    def __init__(self, state_dir: str | None = None, **env):
        import tempfile
        self.moto_port, self.api_port, self.web_port = free_port(), free_port(), free_port()
        # its own saved state: never the developer's .local/state, never another worker's
        self.state_dir = state_dir or tempfile.mkdtemp(prefix="acikkapi-state-")
        self.extra_env = env
        self.api = f"http://127.0.0.1:{self.api_port}"
        self.web = f"http://127.0.0.1:{self.web_port}"
        self.moto = f"http://127.0.0.1:{self.moto_port}"
        self.output: list[str] = []

    def start(self):
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_") and k not in
               ("MAIN_TABLE", "AUDIT_TABLE", "ACIKKAPI_MASTER_KEY")}
        env["SCHEDULES"] = "off"          # the tests run each sweep themselves, whatever the time of day
        env["ACIKKAPI_LOCAL_STATE"] = self.state_dir
        env.update(self.extra_env)
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "devstack", "run", "--moto-port", str(self.moto_port),
             "--api-port", str(self.api_port), "--web-port", str(self.web_port)],
            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
        deadline = time.monotonic() + 60
        for line in self.proc.stdout:
            self.output.append(line)
            if line.startswith("READY"):
                # keep reading: a pipe nobody reads fills up (64 KiB) and then blocks the stack's
                # every write to it, the pump's logging included, and routing stops
                import threading
                threading.Thread(target=self._drain, name="stack-output", daemon=True).start()
                return self
            if time.monotonic() > deadline:
                break
        self.stop()
        raise RuntimeError("the local stack did not start:\n" + "".join(self.output))

    @property
    def totp_secret(self) -> str:
        """The demo users' authenticator secret, as `make run` prints it."""
        import re
        found = re.search(r"two-factor secret ([A-Za-z0-9]+)", "".join(self.output))
        assert found, "the stack printed no two-factor secret"
        return found.group(1)

    def totp(self) -> str:
        from devstack.users import totp
        return totp(self.totp_secret)

    def _drain(self):
        for line in self.proc.stdout:
            self.output.append(line)

    def stop(self):
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)


@pytest.fixture(scope="session")
def stack():
    s = LocalStack().start()
    yield s
    s.stop()


CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = ROOT / "test-artifacts"


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright
    assert Path(CHROMIUM).exists(), f"{CHROMIUM} is missing: `make test` installs Debian's chromium"
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=[
            "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync"])
        real_new_context = b.new_context

        def new_context(*args, **kwargs):
            """Every page of every test reports what the Content-Security-Policy blocked."""
            ctx = real_new_context(*args, **kwargs)
            ctx.on("console", lambda m: CSP_VIOLATIONS.append(m.text) if "Content Security Policy" in m.text
                   else None)
            return ctx
        b.new_context = new_context
        yield b
        b.close()


CSP_VIOLATIONS: list[str] = []


@pytest.fixture(autouse=True)
def nothing_the_content_security_policy_blocked(request):
    """The pages are served with a CSP (devstack/web.py): a test in the browser fails when
    the policy blocked anything the pages do (an inline style, a call to another origin)."""
    CSP_VIOLATIONS.clear()
    yield
    if "browser" in request.fixturenames:
        found = list(CSP_VIOLATIONS)
        CSP_VIOLATIONS.clear()
        assert found == [], found


@pytest.fixture
def page(browser):
    """A page of its own context (a desktop-sized window, Turkish locale); a script error
    on it fails the test."""
    context = browser.new_context(viewport={"width": 1100, "height": 900}, locale="tr-TR")
    pg = context.new_page()
    errors = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    yield pg
    context.close()
    assert errors == [], errors
