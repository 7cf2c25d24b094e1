"""Operator tasks that run against a deployed stage or the local stack. They live
outside chalicelib/, so they never ship in the Lambda bundle.

    python -m devstack redrive notifications                            # local stack
    AWS_PROFILE=... python -m tools.ops redrive <dlq-url> <queue-url>   # AWS
    AWS_PROFILE=... python -m tools.ops seed <main-table-name>          # AWS: reference data
    AWS_PROFILE=... python -m tools.ops downloads-key <stage> > downloads-public.pem
    AWS_PROFILE=... python -m tools.ops rebuild-stats <main-table-name> [district ...]
    python -m tools.ops registry export FILE [--local | --table T]          # the institution registry
    python -m tools.ops registry import FILE [--dry-run] [--keep-missing] [--local | --table T]
"""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def redrive(dlq_url: str, queue_url: str, *, sqs=None, limit: int = 10_000) -> int:
    """Moves messages from a dead-letter queue back to its source queue, unchanged.
    Each message is sent before it is deleted from the DLQ, so nothing is lost; a crash
    in between duplicates it, which the idempotent handlers absorb."""
    if sqs is None:
        import boto3
        sqs = boto3.client("sqs")
    moved = 0
    while moved < limit:
        batch = sqs.receive_message(QueueUrl=dlq_url, MaxNumberOfMessages=10, WaitTimeSeconds=0,
                                    MessageAttributeNames=["All"]).get("Messages", [])
        if not batch:
            break
        for m in batch:
            sqs.send_message(QueueUrl=queue_url, MessageBody=m["Body"])
            sqs.delete_message(QueueUrl=dlq_url, ReceiptHandle=m["ReceiptHandle"])
            moved += 1
    return moved


def seed(main_table: str) -> int:
    """Seeds district settings and institutions (chalicelib/data/institutions.json) into a
    stage's main table. Run it again after editing the file; versions are kept."""
    import os
    os.environ["MAIN_TABLE"] = main_table  # read by the pynamodb models at import
    from chalicelib.bootstrap import ports
    from chalicelib.services import reference
    return reference.seed(ports())


def first_admin(main_table: str, username: str) -> int:
    """The directory record of the first admin (after creating the Cognito user). Every
    other user is then managed through PUT /v1/staff/users/{username}."""
    import os
    os.environ["MAIN_TABLE"] = main_table
    from chalicelib.bootstrap import ports
    from chalicelib.services import staff
    return staff.seed(ports(), [{"username": username, "group": "admin"}])


def rebuild_stats(main_table: str, districts: list[str] | None = None) -> dict[str, dict]:
    """Counts every office's counters (the dashboard's) again from its cases and replaces
    them: for an operator, if they were ever in doubt, or for data written before the
    counters existed. Every onboarded office when none is named."""
    import os
    from datetime import datetime, timezone
    os.environ["MAIN_TABLE"] = main_table
    from chalicelib.bootstrap import ports
    from chalicelib.domain.calendar import local_date
    p = ports()
    today = local_date(datetime.now(timezone.utc))
    return {d: p.statistics.rebuild_district(d, today).status
            for d in (districts or sorted(p.reference.onboarded_offices()))}


def downloads_key(stage: str, *, secrets=None) -> str:
    """A new RSA key pair for the attachment downloads' CloudFront signed URLs: the
    private key goes to Secrets Manager (`acikkapi-<stage>/downloads-signing-key`, created
    or given a new version), the public key PEM is returned for the template parameter
    `DownloadsPublicKey`. Deploy with the new public key right after: URLs signed with the
    old key stop verifying (they live 5 minutes)."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    if secrets is None:
        import boto3
        secrets = boto3.client("secretsmanager")
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption()).decode("ascii")
    name = f"acikkapi-{stage}/downloads-signing-key"
    try:
        secrets.put_secret_value(SecretId=name, SecretString=private)
    except secrets.exceptions.ResourceNotFoundException:
        secrets.create_secret(Name=name, SecretString=private,
                              Description="Signs CloudFront attachment download URLs (tools/ops.py downloads-key)")
    return key.public_key().public_bytes(serialization.Encoding.PEM,
                                         serialization.PublicFormat.SubjectPublicKeyInfo).decode("ascii")


def registry(argv: list[str]) -> int:
    """The national institution registry as CSV (chalicelib/services/registry.py):
    `export FILE`, or `import FILE` (a dry run first: `--dry-run` prints what would be
    added, changed and disabled, and writes nothing). `--local` works on the running local
    stack (`make run`); `--table` on a deployed stage's main table (with AWS_PROFILE)."""
    import argparse
    import os
    parser = argparse.ArgumentParser(prog="python -m tools.ops registry")
    parser.add_argument("what", choices=["export", "import"])
    parser.add_argument("file")
    parser.add_argument("--dry-run", action="store_true", help="say what an import would change; write nothing")
    parser.add_argument("--keep-missing", action="store_true",
                        help="leave the institutions of a place the file leaves out as they are (default: disable)")
    parser.add_argument("--actor", default=os.environ.get("USER") or "operator", help="who, for the audit trail")
    parser.add_argument("--writes-per-second", type=float, default=50.0)
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--local", action="store_true", help="the running local stack")
    where.add_argument("--table", help="a deployed stage's main table name")
    parser.add_argument("--audit-table", help="with --table: its audit table (default: the main's name with -audit)")
    parser.add_argument("--moto-port", type=int, default=int(os.environ.get("MOTO_PORT", "5001")))
    args = parser.parse_args(argv)
    if args.local:
        from devstack.commands import _attach
        _attach(argparse.Namespace(moto_port=args.moto_port, host="127.0.0.1", web_port=8080, as_of=None))
    else:
        os.environ["MAIN_TABLE"] = args.table
        os.environ["AUDIT_TABLE"] = args.audit_table or args.table.removesuffix("-main") + "-audit"
    from chalicelib.bootstrap import ports
    from chalicelib.services import registry as service
    path = Path(args.file)
    if args.what == "export":
        path.write_text(service.export(ports()), encoding="utf-8")
        print(f"wrote {path}")
        return 0
    report = service.import_csv(ports(), path.read_text("utf-8"), actor=args.actor, apply=not args.dry_run,
                                disable_missing=not args.keep_missing, writes_per_second=args.writes_per_second)
    print("\n".join(report.lines()))
    return 1 if report.errors or report.conflicts else 0


if __name__ == "__main__":
    if len(sys.argv) >= 2 and sys.argv[1] == "registry":
        sys.exit(registry(sys.argv[2:]))
    elif len(sys.argv) == 4 and sys.argv[1] == "redrive":
        print(f"moved {redrive(sys.argv[2], sys.argv[3])} messages")
    elif len(sys.argv) == 3 and sys.argv[1] == "seed":
        print(f"seeded {seed(sys.argv[2])} districts")
    elif len(sys.argv) == 4 and sys.argv[1] == "first-admin":
        print(f"created {first_admin(sys.argv[2], sys.argv[3])} admin record")
    elif len(sys.argv) >= 3 and sys.argv[1] == "rebuild-stats":
        for district, counts in rebuild_stats(sys.argv[2], sys.argv[3:]).items():
            print(f"{district}: {counts}")
    elif len(sys.argv) == 3 and sys.argv[1] == "downloads-key":
        print(downloads_key(sys.argv[2]), end="")
    else:
        sys.exit("usage: python -m tools.ops redrive <dlq-url> <queue-url> | seed <main-table-name>"
                 " | first-admin <main-table-name> <username> | downloads-key <stage>"
                 " | rebuild-stats <main-table-name> [district ...]"
                 " | registry export|import FILE [--dry-run] [--local | --table T]")
