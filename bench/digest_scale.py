"""The morning digest at national scale: 973 district offices.

    .venv/bin/python bench/digest_scale.py

On in-process moto: registers an office in every district of the catalogue (with a few
open cases each), runs the daily sweep's digest step (one routing message per district,
sent in batches of ten), then handles every message as the routing worker would. Prints
the calls and the time of the daily run and of one district's digest.
"""
from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import tests.conftest  # noqa: E402,F401 - the environment the app reads at import
from tests.conftest import AWS_CALLS  # noqa: E402


def main():
    from datetime import datetime, timedelta

    from moto import mock_aws
    with mock_aws():
        from devstack.provision import provision
        env = provision("local", "eu-central-1")
        os.environ.update(env)
        from chalicelib import bootstrap
        bootstrap.reset()
        from chalicelib.bootstrap import ports
        from chalicelib.domain.catalog import catalog
        from chalicelib.domain.offices import NATIONAL, Office
        from chalicelib.services import routing, sweeps
        from tests.helpers import Captured, real_ports
        p = ports()
        districts = sorted(code for code in catalog().offices if code != NATIONAL)
        for code in districts:
            office = Office.standard(catalog().offices[code])
            office.email, office.onboarded = f"acikkapi@{code}.example", True
            p.reference.save_office(office)
        print(f"{len(districts)} offices onboarded")
        captured = Captured()
        run = real_ports(publisher=captured)
        now = datetime.now().astimezone() + timedelta(days=1)
        AWS_CALLS.reset()
        t0 = time.perf_counter()
        sent = sweeps.digest(p, now)                        # the daily Lambda: the real SQS publisher
        daily = time.perf_counter() - t0
        ops = {op: AWS_CALLS.operations("sqs").count(op) for op in set(AWS_CALLS.operations("sqs"))}
        print(f"daily run: {sent} messages in {daily * 1000:.0f} ms; SQS {ops}; "
              f"DynamoDB {AWS_CALLS.count('dynamodb')} calls")
        sweeps.digest(run, now)
        times, calls = [], []
        for msg in captured.routed:
            AWS_CALLS.reset()
            t0 = time.perf_counter()
            routing.handle(run, msg, now)
            times.append(time.perf_counter() - t0)
            calls.append(AWS_CALLS.count("dynamodb"))
        print(f"one district's digest (routing worker): median {statistics.median(times) * 1000:.1f} ms, "
              f"max {max(times) * 1000:.1f} ms; DynamoDB calls each: {min(calls)}-{max(calls)}; "
              f"{len(captured.notified)} e-mails")
        print(f"all {len(times)} districts one after another: {sum(times):.1f} s "
              f"(in AWS they run in parallel, each its own invocation)")


if __name__ == "__main__":
    main()
