"""The local stack: `python -m devstack run` (what `make run` calls).

1. moto in server mode on 127.0.0.1 (a real HTTP stand-in for AWS);
2. tables and queues provisioned from infra/template.json;
3. reference data seeded;
4. `chalice local --stage local` on 127.0.0.1;
5. the event pump (SQS -> handlers, schedule ticks);
6. the URLs and a ready line.
Ctrl-C (or SIGTERM) stops everything it started. No AWS account is used: the
credentials are dummies set here.
"""
from __future__ import annotations

import argparse
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

from chalicelib.security import new_signing_keys_document  # noqa: E402
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
    }


class Stack:
    def __init__(self, host: str, moto_port: int, api_port: int, web_port: int, tick: float):
        self.host, self.moto_port, self.api_port, self.web_port, self.tick = host, moto_port, api_port, web_port, tick
        self.procs: list[subprocess.Popen] = []
        self.pump = None

    def _spawn(self, args: list[str], env: dict, name: str) -> subprocess.Popen:
        log = open(ROOT / ".local" / f"{name}.log", "wb")
        proc = subprocess.Popen(args, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        self.procs.append(proc)
        return proc

    def start(self) -> None:
        started = time.monotonic()
        (ROOT / ".local").mkdir(exist_ok=True)
        env = base_env(self.moto_port)
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

        import boto3
        boto3.client("ses", region_name=REGION).verify_email_identity(EmailAddress=os.environ["MAIL_FROM"])

        from chalicelib.services import reference
        seeded = reference.seed()
        from .users import demo_users, seed_users
        users = seed_users(os.environ["COGNITO_USER_POOL_ID"], REGION)
        password = demo_users()["password"]

        chalice = str(Path(sys.executable).parent / "chalice")
        api = self._spawn([chalice, "local", "--stage", "local", "--no-autoreload", "--host", self.host, "--port", str(self.api_port)],
                          dict(os.environ), "chalice")
        _wait_http(f"http://{self.host}:{self.api_port}/v1/health", 30, api)

        sys.path.insert(0, str(ROOT))
        from app import app
        from .pump import Pump
        self.pump = Pump(app, schedule_interval=self.tick)
        threading.Thread(target=self.pump.run, name="pump", daemon=True).start()

        api_url = f"http://{self.host}:{self.api_port}"
        from .web import serve
        self.web = serve(self.host, self.web_port, api_url)
        web_url = f"http://{self.host}:{self.web_port}"
        print(f"""
Açık Kapı yerel ortamı / local stack
  Web            {web_url}/            (vatandaş / citizen)
                 {web_url}/buro.html   (büro konsolu / office console)
  API            {api_url}/v1/health
  OpenAPI        {api_url}/v1/openapi.json
  Katalog        {api_url}/v1/catalog
  Giden kutusu   {api_url}/v1/dev/outbox   (e-mails and SMS "sent" locally)
  moto (AWS)     http://127.0.0.1:{self.moto_port}  (dummy credentials, region {REGION})
  Seeded         {seeded} districts with institutions; logs in .local/
  Pump           {len(self.pump.queues)} queues, {len(self.pump.schedules)} schedules ticked every {self.tick:g} s
Demo staff users (password {password}):""", flush=True)
        for u in users:
            scope = u.get("district") or (f"il {u['province']}" if u.get("province") else "tüm ülke")
            print(f"  {u['username']:<18} {u['group']:<11} {scope}", flush=True)
        print(f"READY in {time.monotonic() - started:.1f} s  (Ctrl-C stops everything)", flush=True)

    def stop(self) -> None:
        if self.pump:
            self.pump.stop.set()
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


def cmd_run(args) -> int:
    stack = Stack(args.host, args.moto_port, args.api_port, args.web_port, args.tick)
    stopping = threading.Event()

    def _stop(signum, frame):  # noqa: ARG001
        stopping.set()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
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


def cmd_redrive(args) -> int:
    """Moves a queue's DLQ messages back to it, on a running local stack."""
    import boto3

    os.environ.update(base_env(args.moto_port))
    from .provision import Resolver, load_template
    template = load_template()
    resolver = Resolver(template, "local", REGION)
    logical = {"routing": "RoutingQueue", "notifications": "NotificationQueue"}[args.queue]
    name = resolver.value(template["Resources"][logical]["Properties"]["QueueName"])
    dlq = template["Resources"][logical]["Properties"]["RedrivePolicy"]["deadLetterTargetArn"]["Fn::GetAtt"][0]
    dlq_name = resolver.value(template["Resources"][dlq]["Properties"]["QueueName"])
    sqs = boto3.client("sqs", region_name=REGION)
    queue_url = sqs.get_queue_url(QueueName=name)["QueueUrl"]
    dlq_url = sqs.get_queue_url(QueueName=dlq_name)["QueueUrl"]
    from chalicelib.ops import redrive
    print(f"moved {redrive(dlq_url, queue_url, sqs=sqs)} messages from {dlq_name} to {name}")
    return 0


def cmd_sweep(args) -> int:
    """Runs one sweep "as of" a given time against a running local stack, e.g.
    python -m devstack sweep deadline --as-of 2026-12-10T09:00:00+03:00"""
    from datetime import datetime, timezone

    os.environ.update(base_env(args.moto_port))
    from .provision import Resolver, load_template
    template = load_template()
    resolver = Resolver(template, "local", REGION)
    for key in ("MAIN_TABLE", "AUDIT_TABLE"):
        logical = {"MAIN_TABLE": "MainTable", "AUDIT_TABLE": "AuditTable"}[key]
        os.environ[key] = resolver.value(template["Resources"][logical]["Properties"]["TableName"])
    import boto3
    sqs = boto3.client("sqs", region_name=REGION)
    queue = resolver.value(template["Resources"]["NotificationQueue"]["Properties"]["QueueName"])
    os.environ["NOTIFICATION_QUEUE_URL"] = sqs.get_queue_url(QueueName=queue)["QueueUrl"]
    for name, var in (("link-keys.json", "LINK_SIGNING_KEYS"), ("master-key", "ACIKKAPI_MASTER_KEY")):
        path = ROOT / ".local" / name
        if path.exists():
            os.environ[var] = path.read_text()
    os.environ["PUBLIC_BASE_URL"] = f"http://{args.host}:{args.web_port}"
    at = datetime.fromisoformat(args.as_of) if args.as_of else datetime.now(timezone.utc)
    if at.tzinfo is None:
        raise SystemExit("--as-of needs a time zone, e.g. 2026-12-10T09:00:00+03:00")
    from chalicelib.adapters.cases import WatchRepository
    from chalicelib.services import watch
    fn = watch.assignment_sweep if args.kind == "deadline" else watch.daily
    print(f"{args.kind} sweep as of {at.isoformat()}: {fn(now=at, repo=WatchRepository())}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m devstack")
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="start the whole local stack")
    run.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
    run.add_argument("--moto-port", type=int, default=int(os.environ.get("MOTO_PORT", "5001")))
    run.add_argument("--api-port", type=int, default=int(os.environ.get("API_PORT", "8000")))
    run.add_argument("--web-port", type=int, default=int(os.environ.get("WEB_PORT", "8080")))
    run.add_argument("--tick", type=float, default=float(os.environ.get("SCHEDULE_TICK", "60")),
                     help="seconds between schedule ticks (accelerated; AWS runs them every 15 min / daily)")
    run.set_defaults(func=cmd_run)
    redrive = sub.add_parser("redrive", help="move DLQ messages back to their queue (local stack)")
    redrive.add_argument("queue", choices=["routing", "notifications"])
    redrive.add_argument("--moto-port", type=int, default=int(os.environ.get("MOTO_PORT", "5001")))
    redrive.set_defaults(func=cmd_redrive)
    sweep = sub.add_parser("sweep", help="run one scheduled sweep as of a given time (local stack)")
    sweep.add_argument("kind", choices=["deadline", "daily"])
    sweep.add_argument("--as-of", help="ISO 8601 with offset; default now")
    sweep.add_argument("--moto-port", type=int, default=int(os.environ.get("MOTO_PORT", "5001")))
    sweep.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
    sweep.add_argument("--web-port", type=int, default=int(os.environ.get("WEB_PORT", "8080")))
    sweep.set_defaults(func=cmd_sweep)
    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
