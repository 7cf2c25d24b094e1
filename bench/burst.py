"""A burst against the running local stack (`make run` first): N submissions from T
threads at once, then how long until every case has left `received` (the pump routed
it), and how many connections were reset or refused.

    .venv/bin/python bench/burst.py [--api http://127.0.0.1:8000] [-n 200] [-t 20]

Each submission uses its own phone number, so the 5-receipts-a-day limit does not
hold SMS back. Figures are local (moto over HTTP), for comparing changes.
"""
from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.conftest import VALID_APPLICATION  # noqa: E402


def call(method, url, body=None, headers=None, timeout=60):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method,
                                 headers={"Content-Type": "application/json", **(headers or {})})
    with urllib.request.urlopen(req, timeout=timeout) as resp:
        return json.loads(resp.read())


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--api", default="http://127.0.0.1:8000")
    parser.add_argument("-n", type=int, default=200)
    parser.add_argument("-t", type=int, default=20)
    parser.add_argument("--moto", default="http://127.0.0.1:5001", help="the stack's moto endpoint")
    parser.add_argument("--table", default="acikkapi-local-main")
    parser.add_argument("--deadline", type=float, default=300)
    args = parser.parse_args()

    receipts, errors, lock = [], {}, threading.Lock()
    start = threading.Barrier(args.t)
    per_thread = [args.n // args.t + (1 if i < args.n % args.t else 0) for i in range(args.t)]

    def worker(count):
        start.wait()
        for _ in range(count):
            phone = f"0533 {random.randint(100, 999)} {random.randint(10, 99)} {random.randint(10, 99)}"
            body = dict(VALID_APPLICATION, applicant=dict(VALID_APPLICATION["applicant"], phone=phone))
            try:
                r = call("POST", f"{args.api}/v1/applications", body)
                r["submitted_at"] = time.monotonic()
                with lock:
                    receipts.append(r)
            except urllib.error.HTTPError as exc:
                try:
                    reason = f"{exc.code} {json.loads(exc.read())['error']['code']}"
                except Exception:  # noqa: BLE001 - not our JSON error
                    reason = str(exc.code)
                with lock:
                    errors[reason] = errors.get(reason, 0) + 1
            except (urllib.error.URLError, ConnectionError, TimeoutError) as exc:
                reason = type(getattr(exc, "reason", exc)).__name__
                with lock:
                    errors[reason] = errors.get(reason, 0) + 1

    t0 = time.monotonic()
    threads = [threading.Thread(target=worker, args=(c,)) for c in per_thread]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    submitted_s = time.monotonic() - t0
    print(f"submitted {len(receipts)}/{args.n} in {submitted_s:.1f} s from {args.t} threads; "
          f"errors: {errors or 'none'}")

    # watch the cases themselves, by key (BatchGetItem of each pending case's status, 100
    # keys a call, once a second): a Scan of the whole table would load the stand-in more
    # than the burst does, and grows with everything the stack has ever stored
    import boto3
    from chalicelib.adapters.dynamodb.itemkeys import case_key
    ddb = boto3.client("dynamodb", endpoint_url=args.moto, region_name="eu-central-1",
                       aws_access_key_id="testing", aws_secret_access_key="testing")
    pending = {r["application_no"].replace("-", ""): r["submitted_at"] for r in receipts}
    left_at: dict[str, float] = {}
    while pending and time.monotonic() - t0 < args.deadline:
        still = set()
        nos = sorted(pending)
        for start in range(0, len(nos), 100):
            keys = [dict(zip(("pk", "sk"), ({"S": k} for k in case_key(no)))) for no in nos[start:start + 100]]
            request = {args.table: {"Keys": keys, "ProjectionExpression": "application_no, #s",
                                    "ExpressionAttributeNames": {"#s": "status"}}}
            while request:
                got = ddb.batch_get_item(RequestItems=request)
                still |= {i["application_no"]["S"] for i in got["Responses"].get(args.table, [])
                          if i["status"]["S"] == "received"}
                request = got.get("UnprocessedKeys") or None
        now = time.monotonic()
        for no in [n for n in pending if n not in still]:
            left_at[no] = now - pending.pop(no)
        time.sleep(1)
    times = sorted(left_at.values())
    if times:
        print(f"left 'received': {len(times)}/{len(receipts)}; after its own submission: median "
              f"{statistics.median(times):.1f} s, max {times[-1]:.1f} s; all done {time.monotonic() - t0:.1f} s "
              f"after the burst began")
    stuck = len(receipts) - len(times)
    if stuck:
        print(f"{stuck} still 'received' after {args.deadline:.0f} s")
    return 1 if stuck or errors else 0


if __name__ == "__main__":
    sys.exit(main())
