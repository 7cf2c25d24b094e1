"""Operator commands against a running local stack: redrive a DLQ, run one sweep
"as of" a chosen time."""
from __future__ import annotations

import os

from .stack import REGION, ROOT, base_env


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
    from tools.ops import redrive
    print(f"moved {redrive(dlq_url, queue_url, sqs=sqs)} messages from {dlq_name} to {name}")
    return 0


def _attach(args):
    """This process's environment pointed at a running local stack; the --as-of time."""
    from datetime import datetime, timezone

    os.environ.update(base_env(args.moto_port))
    from .provision import Resolver, load_template
    template = load_template()
    resolver = Resolver(template, "local", REGION)
    for key in ("MAIN_TABLE", "AUDIT_TABLE"):
        logical = {"MAIN_TABLE": "MainTable", "AUDIT_TABLE": "AuditTable"}[key]
        os.environ[key] = resolver.value(template["Resources"][logical]["Properties"]["TableName"])
    os.environ["ATTACHMENTS_BUCKET"] = resolver.value(
        template["Resources"]["AttachmentsBucket"]["Properties"]["BucketName"])
    import boto3
    sqs = boto3.client("sqs", region_name=REGION)
    for logical, var in (("NotificationQueue", "NOTIFICATION_QUEUE_URL"), ("RoutingQueue", "ROUTING_QUEUE_URL")):
        queue = resolver.value(template["Resources"][logical]["Properties"]["QueueName"])
        os.environ[var] = sqs.get_queue_url(QueueName=queue)["QueueUrl"]
    # the running stack's keys: from its state directory (ACIKKAPI_LOCAL_STATE, as the stack
    # was started with), else the copies `make run` leaves in .local/
    from . import state
    saved = state.keys_if_saved(state.state_dir(ROOT))
    for name, var in (("link-keys.json", "LINK_SIGNING_KEYS"), ("master-key", "ACIKKAPI_MASTER_KEY")):
        path = ROOT / ".local" / name
        if saved.get(var):
            os.environ[var] = saved[var]
        elif path.exists():
            os.environ[var] = path.read_text()
    os.environ["PUBLIC_BASE_URL"] = f"http://{args.host}:{args.web_port}"
    at = datetime.fromisoformat(args.as_of) if args.as_of else datetime.now(timezone.utc)
    if at.tzinfo is None:
        raise SystemExit("--as-of needs a time zone, e.g. 2026-12-10T09:00:00+03:00")
    return at


def cmd_kvkk(args) -> int:
    """Runs one KVKK destruction run "as of" a given time against a running local stack:
    python -m devstack kvkk sweep --as-of 2037-12-10T09:00:00+03:00"""
    at = _attach(args)
    from chalicelib.bootstrap import ports
    from chalicelib.services import kvkk
    print(f"kvkk sweep as of {at.isoformat()}: {kvkk.sweep(ports(), at)}")
    return 0


def cmd_sweep(args) -> int:
    """Runs one sweep "as of" a given time against a running local stack, e.g.
    python -m devstack sweep deadline --as-of 2026-12-10T09:00:00+03:00"""
    at = _attach(args)
    from chalicelib.bootstrap import ports
    from chalicelib.services import archive, open_stats, sweeps
    fn = {"deadline": sweeps.deadline, "daily": sweeps.daily, "stats": open_stats.roll_up,
          "archive": archive.sweep}[args.kind]
    print(f"{args.kind} sweep as of {at.isoformat()}: {fn(ports(), at)}")
    return 0


def cmd_totp(args) -> int:
    """Prints the current six-digit code for the demo users' authenticator secret."""
    from .users import DEMO_SECRET_FILE, totp
    secret = args.secret or (DEMO_SECRET_FILE.read_text("utf-8").strip() if DEMO_SECRET_FILE.exists() else None)
    if not secret:
        print("no demo secret: start the stack with `make run` first, or pass the secret it printed")
        return 2
    print(totp(secret))
    return 0
