"""The morning digest at national scale: 973 district offices.

    .venv/bin/python bench/digest_scale.py

On in-process moto: registers an office in every district of the catalogue, with five open
cases each (yesterday's, one due today, one overdue, and two due later, which the digest
must not read), runs the daily sweep's digest step (one routing message per district,
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
        # three open cases in each: one received yesterday, one due today, one overdue (what
        # a digest names), and two more due later that it must not read
        from chalicelib.adapters.dynamodb.mapping import case_to_item
        from chalicelib.adapters.dynamodb.models import CaseItem
        from chalicelib.domain import numbers
        from chalicelib.domain.calendar import ISTANBUL, default_calendar, local_date
        from chalicelib.domain.case import Applicant, Case, HistoryEntry, Status
        today = local_date(datetime.now().astimezone() + timedelta(days=1))
        cal = default_calendar()
        created = 0
        with CaseItem.batch_write() as batch:
            for code in districts:
                place = catalog().offices[code].serves[0]
                for received_days_ago, due in ((1, None), (30, today), (40, today - timedelta(days=10)),
                                               (3, None), (10, None)):
                    received = datetime.combine(today - timedelta(days=received_days_ago), datetime.min.time(),
                                                tzinfo=ISTANBUL) + timedelta(hours=10)
                    case = Case(application_no=numbers.new_application_no(), access_code_hash="h", type="sikayet",
                                law="3071", category="yol_kaldirim", district=place, province=code.split("-")[0],
                                subject="Kaldırım", description="Açıklama",
                                applicant=Applicant("10000000146", "Ayşe", "Yılmaz", "+905321234567", "Adres"),
                                channel="web", received_at=received, receipt_date=received.date(),
                                legal_due_date=due or cal.legal_due_3071(received.date()), status=Status.IN_REVIEW,
                                history=[HistoryEntry(received, Status.RECEIVED, "alındı")], recorded_at=received)
                    case.office = code
                    batch.save(case_to_item(case, p.keys))
                    created += 1
        print(f"{created} open cases created ({created // len(districts)} an office: yesterday's, due today, "
              f"overdue, and two due later)")
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
        times, calls, evaluated = [], [], []
        for msg in captured.routed:
            AWS_CALLS.reset()
            t0 = time.perf_counter()
            routing.handle(run, msg, now)
            times.append(time.perf_counter() - t0)
            calls.append(AWS_CALLS.count("dynamodb"))
            evaluated.append(AWS_CALLS.items_evaluated("dynamodb"))
        listed = [n for n in captured.notified if n.template == "digest"]
        named = statistics.median(int(n.params["new_count"]) + int(n.params["due_count"]) + int(n.params["overdue_count"])
                                  for n in listed) if listed else 0
        print(f"one district's digest (routing worker): median {statistics.median(times) * 1000:.1f} ms, "
              f"max {max(times) * 1000:.1f} ms; DynamoDB calls each: {min(calls)}-{max(calls)}; items evaluated "
              f"each: {min(evaluated)}-{max(evaluated)} (the office's settings and the cases the digest names, "
              f"of 5 open); cases named in a digest: median {named}; {len(listed)} digest e-mails")
        print(f"all {len(times)} districts one after another: {sum(times):.1f} s "
              f"(in AWS they run in parallel, each its own invocation)")


if __name__ == "__main__":
    main()
