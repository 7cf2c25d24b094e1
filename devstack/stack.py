"""The local stack's processes: moto in server mode, `chalice local`, the event pump
and the static web server, started and stopped together (`python -m devstack run`)."""
from __future__ import annotations

import base64
import os
import secrets
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from chalicelib.domain.crypto import new_signing_keys_document  # noqa: E402
REGION = "eu-central-1"


def _wait_http(url: str, timeout: float, proc: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"process for {url} exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=1) as resp:
                if resp.status < 500:
                    return
        except Exception:  # noqa: BLE001 - not up yet
            time.sleep(0.1)
    raise RuntimeError(f"{url} did not answer within {timeout:.0f} s")


def base_env(moto_port: int) -> dict[str, str]:
    return {
        "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": REGION, "AWS_REGION": REGION,
        "AWS_ENDPOINT_URL": f"http://127.0.0.1:{moto_port}",
        "STAGE": "local",
        "ACIKKAPI_MASTER_KEY": base64.b64encode(secrets.token_bytes(32)).decode(),
        "LINK_SIGNING_KEYS": new_signing_keys_document("local-1"),
        "MAIL_FROM": "bildirim@acikkapi.example",
        # the stand-in's Cognito checks two-factor codes for real (with its one fixed secret)
        "MOTO_COGNITO_IDP_USER_POOL_ENABLE_TOTP": "true",
        # moto answers a burst of 20 clients in seconds, not milliseconds (see adapters/aws.py)
        "ACIKKAPI_READ_TIMEOUT": os.environ.get("ACIKKAPI_READ_TIMEOUT", "8"),
    }


def _die_with_parent(parent: int):
    """Runs in the child before exec: on Linux the kernel sends it SIGKILL when the
    process that started it dies, however that happened (SIGHUP from a closed terminal,
    kill -9, a supervisor's timeout). If the parent is already gone, exit at once."""
    def arm() -> None:
        import ctypes
        try:
            ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)   # PR_SET_PDEATHSIG
        except (OSError, AttributeError):
            pass  # not Linux: the parent's handlers still stop the group
        if os.getppid() != parent:
            os._exit(1)
    return arm


PORT_VARIABLES = {"moto_port": "MOTO_PORT", "api_port": "API_PORT", "web_port": "WEB_PORT"}


def _listener(port: int) -> str:
    """Who listens on `port`, from /proc (Linux); '' when it cannot be told."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            if fields[3] == "0A" and int(fields[1].rsplit(":", 1)[1], 16) == port:   # 0A: LISTEN
                inodes.add(fields[9])
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            for fd in (proc / "fd").iterdir():
                if os.readlink(fd) in {f"socket:[{i}]" for i in inodes}:
                    cmd = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace").strip()
                    return f"pid {proc.name} ({cmd[:80]})"
        except OSError:
            continue
    return ""


def _demo_open311_key(p, state_dir: Path) -> str:
    """The local demo partner's api_key: drawn once and kept beside the saved state (only
    its HMAC is in the table); a fresh state draws a new one."""
    from chalicelib.domain.partners import new_key
    from chalicelib.services import open311
    state_dir.mkdir(parents=True, exist_ok=True)
    path = state_dir / "open311-demo-key"
    if not path.exists():
        path.write_text(new_key())
    key = path.read_text().strip()
    from chalicelib.domain.catalog import catalog
    onboarded = p.reference.onboarded_offices()      # the demo partner files in the demo offices' own places
    open311.ensure_demo_partner(p, key, sorted(d for d in catalog().districts
                                               if catalog().districts[d].office in onboarded))
    return key


def taken_ports(host: str, ports: dict[str, int]) -> list[str]:
    """One line per port another process already holds: the stack never talks to a
    server it did not start."""
    import socket
    problems = []
    for name, port in ports.items():
        with socket.socket() as s:
            # as the servers do: connections of an earlier run in TIME_WAIT do not count
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                s.bind((host if name != "moto_port" else "127.0.0.1", port))
            except OSError:
                who = _listener(port) or "another process"
                var = PORT_VARIABLES[name]
                problems.append(f"port {port} ({var}) is taken by {who}; stop it, or start with "
                                f"make run {var}={port + 1}")
    return problems


class Stack:
    def __init__(self, host: str, moto_port: int, api_port: int, web_port: int, tick: float):
        self.host, self.moto_port, self.api_port, self.web_port, self.tick = host, moto_port, api_port, web_port, tick
        self.procs: list[subprocess.Popen] = []
        self.pump = None

    def _spawn(self, args: list[str], env: dict, name: str) -> subprocess.Popen:
        log = open(ROOT / ".local" / f"{name}.log", "wb")
        proc = subprocess.Popen(args, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
                                preexec_fn=_die_with_parent(os.getpid()))
        self.procs.append(proc)
        return proc

    def start(self) -> None:
        started = time.monotonic()
        (ROOT / ".local").mkdir(exist_ok=True)
        from . import state
        self.state_dir = state.prepare(ROOT)
        env = base_env(self.moto_port)
        # the saved keys, or these new ones: sealed data and e-mailed links survive a restart
        env.update(state.keys(self.state_dir, lambda: {k: env[k] for k in ("ACIKKAPI_MASTER_KEY",
                                                                           "LINK_SIGNING_KEYS")}))
        env["ACIKKAPI_LOCAL_STATE"] = str(self.state_dir)
        env["API_BASE_URL"] = f"http://{self.host}:{self.api_port}"
        env["PUBLIC_BASE_URL"] = f"http://{self.host}:{self.web_port}"
        os.environ.update(env)
        (ROOT / ".local" / "link-keys.json").write_text(env["LINK_SIGNING_KEYS"])
        (ROOT / ".local" / "master-key").write_text(env["ACIKKAPI_MASTER_KEY"])

        moto = self._spawn([sys.executable, "-m", "devstack.motoserver", "--port", str(self.moto_port)],
                           dict(os.environ), "moto")
        _wait_http(f"http://127.0.0.1:{self.moto_port}/moto-api/", 20, moto)

        from .provision import provision
        os.environ.update(provision("local", REGION, os.environ["AWS_ENDPOINT_URL"]))
        restored = state.restore(self.state_dir, os.environ.get("ATTACHMENTS_BUCKET"))
        state.forget_changes(os.environ["AWS_ENDPOINT_URL"])

        import boto3
        boto3.client("ses", region_name=REGION).verify_email_identity(EmailAddress=os.environ["MAIL_FROM"])

        from chalicelib.bootstrap import ports
        from chalicelib.services import reference
        seeded = reference.seed(ports())
        from .users import DEMO_TOTP_SECRET, demo_users, remember_secret, seed_users
        users = seed_users(os.environ["COGNITO_USER_POOL_ID"], REGION)
        remember_secret(DEMO_TOTP_SECRET[0])
        password = demo_users()["password"]
        open311_key = _demo_open311_key(ports(), Path(self.state_dir))

        api = self._spawn([sys.executable, "-m", "devstack.chalice_local", "local", "--stage", "local",
                           "--no-autoreload", "--host", self.host, "--port", str(self.api_port)],
                          dict(os.environ), "chalice")
        _wait_http(f"http://{self.host}:{self.api_port}/v1/health", 30, api)

        sys.path.insert(0, str(ROOT))
        from app import app
        from .pump import Pump
        self.pump = Pump(app, schedule_interval=self.tick)
        threading.Thread(target=self.pump.run, name="pump", daemon=True).start()

        api_url = f"http://{self.host}:{self.api_port}"
        from .web import serve
        self.web = serve(self.host, self.web_port, api_url, upload_origin=os.environ["AWS_ENDPOINT_URL"])
        web_url = f"http://{self.host}:{self.web_port}"
        print(f"""
Açık Kapı yerel ortamı / local stack
  Web            {web_url}/            (vatandaş / citizen)
                 {web_url}/buro.html   (büro konsolu / office console)
                 {web_url}/istatistik.html   (açık istatistikler / open statistics: a month is published the night
                 after it ends; this month now: python -m devstack sweep stats --as-of {first_of_next_month()})
  API            {api_url}/v1/health
  OpenAPI        {api_url}/v1/openapi.json
  Katalog        {api_url}/v1/catalog
  Giden kutusu   {api_url}/v1/dev/outbox   (e-mails and SMS "sent" locally)
  Open311        {api_url}/open311/v2/discovery.json   (GeoReport v2, .json and .xml)
Open311 demo api_key: {open311_key}
  moto (AWS)     http://127.0.0.1:{self.moto_port}  (dummy credentials, region {REGION})
  Seeded         {seeded} districts with institutions; logs in .local/
  State          {self.state_dir} (restored {restored["items"]} items, {restored["objects"]} files; saved every {state.SAVE_INTERVAL:g} s; FRESH=1 starts clean)
  Pump           {len(self.pump.queues)} queues; schedules: {self.pump.describe()}
                 (one now: python -m devstack sweep deadline|daily|stats, python -m devstack kvkk sweep)
Demo staff users (password {password}; two-factor secret {DEMO_TOTP_SECRET[0]}: add it to an authenticator
app, or take the current code from `python -m devstack totp`):""", flush=True)
        for u in users:
            scope = u.get("district") or (f"il {u['province']}" if u.get("province") else "tüm ülke")
            print(f"  {u['username']:<18} {u['group']:<11} {scope}", flush=True)
        state.remember_ports(Path(self.state_dir), {"host": self.host, "moto_port": self.moto_port,
                                                    "api_port": self.api_port, "web_port": self.web_port})
        self.saver = state.Saver(self.state_dir, [os.environ["MAIN_TABLE"], os.environ["AUDIT_TABLE"]],
                                 os.environ.get("ATTACHMENTS_BUCKET"),
                                 os.environ["AWS_ENDPOINT_URL"]).start()
        print(f"READY in {time.monotonic() - started:.1f} s  (Ctrl-C stops everything)", flush=True)

    def stop(self) -> None:
        if getattr(self, "state_dir", None):
            from . import state
            state.forget_ports(Path(self.state_dir))
        if self.pump:
            self.pump.stop.set()
        if getattr(self, "saver", None):
            try:
                self.saver.stop()          # the last save, while moto still runs
            except Exception as exc:  # noqa: BLE001
                print(f"[state] final save failed: {type(exc).__name__}", flush=True)
        if getattr(self, "web", None):
            self.web.shutdown()
        for proc in reversed(self.procs):
            if proc.poll() is None:
                try:
                    os.killpg(proc.pid, signal.SIGTERM)
                except ProcessLookupError:
                    pass
        for proc in self.procs:
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)


def _stop_with_parent() -> None:
    """`make run` runs this process: the kernel sends it SIGTERM when make dies, however it
    died (kill -9 of make too), and the handlers below stop everything it started."""
    import ctypes
    parent = os.getppid()
    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)   # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        return  # not Linux
    if os.getppid() != parent:   # the parent died before the line above
        os.kill(os.getpid(), signal.SIGTERM)


def cmd_run(args) -> int:
    problems = taken_ports(args.host, {"moto_port": args.moto_port, "api_port": args.api_port,
                                       "web_port": args.web_port})
    if problems:
        for line in problems:
            print(line, file=sys.stderr, flush=True)
        return 1
    stack = Stack(args.host, args.moto_port, args.api_port, args.web_port, args.tick)
    stopping = threading.Event()

    def _stop(signum, frame):  # noqa: ARG001
        stopping.set()

    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):   # SIGHUP: the terminal was closed
        signal.signal(sig, _stop)
    _stop_with_parent()
    try:
        stack.start()
        while not stopping.is_set():
            for proc in stack.procs:
                if proc.poll() is not None:
                    print(f"a stack process exited ({proc.args[0]}); stopping", flush=True)
                    stopping.set()
            stopping.wait(0.5)
    finally:
        stack.stop()
        print("stopped", flush=True)
    return 0


def first_of_next_month() -> str:
    """03:30 on the first of next month in İstanbul: when the roll-up publishes this month."""
    from datetime import datetime, timedelta
    from zoneinfo import ZoneInfo
    today = datetime.now(ZoneInfo("Europe/Istanbul"))
    first = (today.replace(day=1) + timedelta(days=32)).replace(day=1, hour=3, minute=30, second=0, microsecond=0)
    return first.isoformat()
