"""What a deadline sweep reads, as the table grows (in-process moto, no stack needed).

    .venv/bin/python bench/sweep_cost.py [--sizes 1000 10000 50000] [--due 20]

For each size it stores that many assignments that are not due plus `--due` that are,
runs the 15-minute sweep and prints the DynamoDB calls and the items they returned.
Cost must follow the work (the due items), not the table.
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from datetime import date, datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import tests.conftest as test_env  # noqa: E402,F401  (sets the environment and the call recorder)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 30000])
    parser.add_argument("--due", type=int, default=20)
    args = parser.parse_args()
    from moto import mock_aws
    print(f"{'not due':>9} {'due':>5} {'calls':>6} {'items evaluated':>11} {'sweep ms':>9}")
    for size in args.sizes:
        with mock_aws():
            from devstack.provision import provision
            os.environ.update(provision("local", "eu-central-1"))
            from chalicelib import bootstrap
            bootstrap.reset()
            from tests.integration.test_watch import _assignment

            from chalicelib.adapters.dynamodb.mapping import assignment_to_item
            from chalicelib.adapters.dynamodb.models import AssignmentItem
            from chalicelib.domain import numbers
            from chalicelib.services import sweeps
            with AssignmentItem.batch_write() as batch:
                for i in range(size):
                    batch.save(assignment_to_item(_assignment(numbers.new_application_no(), date(2027, 6, 30)),
                                                  "34-maltepe"))
                for i in range(args.due):
                    batch.save(assignment_to_item(_assignment(numbers.new_application_no(), date(2026, 3, 24)),
                                                  "34-maltepe"))
            test_env.AWS_CALLS.reset()
            started = time.perf_counter()
            from tests.helpers import Captured, real_ports
            sweeps.assignment_sweep(real_ports(publisher=Captured()), datetime(2026, 3, 19, 9, tzinfo=timezone.utc))
            ms = (time.perf_counter() - started) * 1000
            calls = test_env.AWS_CALLS
            print(f"{size:>9} {args.due:>5} {len(calls.operations('dynamodb')):>6} "
                  f"{calls.items_evaluated('dynamodb'):>11} {ms:>9.0f}")


if __name__ == "__main__":
    main()
