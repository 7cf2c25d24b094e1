"""The local stack: `python -m devstack run` (what `make run` calls).

1. moto in server mode on 127.0.0.1 (a real HTTP stand-in for AWS);
2. tables and queues provisioned from infra/template.json;
3. reference data seeded;
4. `chalice local --stage local` on 127.0.0.1;
5. the event pump (SQS -> handlers; schedules, each at its own cadence);
6. the URLs and a ready line.
Ctrl-C (or SIGTERM) stops everything it started. No AWS account is used: the
credentials are dummies set here.
"""
from __future__ import annotations

import argparse
import os
import sys

from .commands import cmd_kvkk, cmd_redrive, cmd_sweep, cmd_totp
from .stack import cmd_run


def _running(name: str, env: str, default):
    """A command's port: the variable if set, else the running stack's (it records them at
    start), else the default."""
    from pathlib import Path

    from .state import running_ports, state_dir
    if os.environ.get(env):
        return type(default)(os.environ[env])
    return type(default)(running_ports(state_dir(Path(__file__).resolve().parents[1])).get(name, default))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m devstack")
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="start the whole local stack")
    run.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
    run.add_argument("--moto-port", type=int, default=int(os.environ.get("MOTO_PORT", "5001")))
    run.add_argument("--api-port", type=int, default=int(os.environ.get("API_PORT", "8000")))
    run.add_argument("--web-port", type=int, default=int(os.environ.get("WEB_PORT", "8080")))
    run.add_argument("--tick", type=float, default=float(os.environ.get("SCHEDULE_TICK", "60")),
                     help="seconds between runs of the rate schedules (accelerated: the deadline sweep runs every 15 min "
                          "in AWS); cron schedules (daily digest, statistics, KVKK) run at their cron time in UTC")
    run.set_defaults(func=cmd_run)
    redrive = sub.add_parser("redrive", help="move DLQ messages back to their queue (local stack)")
    redrive.add_argument("queue", choices=["routing", "notifications"])
    redrive.add_argument("--moto-port", type=int, default=_running("moto_port", "MOTO_PORT", 5001))
    redrive.set_defaults(func=cmd_redrive)
    sweep = sub.add_parser("sweep", help="run one scheduled sweep as of a given time (local stack)")
    sweep.add_argument("kind", choices=["deadline", "daily", "stats", "archive"])
    sweep.add_argument("--as-of", help="ISO 8601 with offset; default now")
    sweep.add_argument("--moto-port", type=int, default=_running("moto_port", "MOTO_PORT", 5001))
    sweep.add_argument("--host", default=_running("host", "HOST", "127.0.0.1"))
    sweep.add_argument("--web-port", type=int, default=_running("web_port", "WEB_PORT", 8080))
    sweep.set_defaults(func=cmd_sweep)
    kvkk = sub.add_parser("kvkk", help="KVKK: run one destruction run as of a given time (local stack)")
    kvkk.add_argument("what", choices=["sweep"])
    kvkk.add_argument("--as-of", help="ISO 8601 with offset; default now")
    kvkk.add_argument("--moto-port", type=int, default=_running("moto_port", "MOTO_PORT", 5001))
    kvkk.add_argument("--host", default=_running("host", "HOST", "127.0.0.1"))
    kvkk.add_argument("--web-port", type=int, default=_running("web_port", "WEB_PORT", 8080))
    kvkk.set_defaults(func=cmd_kvkk)
    code = sub.add_parser("totp", help="the demo users' current two-factor code (what their authenticator app shows)")
    code.add_argument("secret", nargs="?", help="the secret `make run` printed")
    code.set_defaults(func=cmd_totp)
    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
