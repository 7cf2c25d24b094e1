"""Submit and track latency on the running local stack (`make run` first).

    .venv/bin/python bench/api_latency.py [--api http://127.0.0.1:8000] [-n 200]

Prints percentiles. These are local figures (moto over HTTP on this machine), useful
to compare changes, not to predict AWS latency.
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.conftest import VALID_APPLICATION  # noqa: E402


def call(method, url, body=None, headers=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method,
                                 headers={"Content-Type": "application/json", **(headers or {})})
    started = time.perf_counter()
    with urllib.request.urlopen(req, timeout=30) as resp:
        payload = json.loads(resp.read())
    return (time.perf_counter() - started) * 1000, payload


def report(name, samples):
    samples = sorted(samples)
    pct = lambda p: samples[min(len(samples) - 1, int(len(samples) * p))]  # noqa: E731
    print(f"{name:<8} n={len(samples):<5} p50={pct(.5):7.1f} ms  p95={pct(.95):7.1f} ms  "
          f"p99={pct(.99):7.1f} ms  mean={statistics.mean(samples):7.1f} ms")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--api", default="http://127.0.0.1:8000")
    parser.add_argument("-n", type=int, default=200)
    args = parser.parse_args()
    submit, track = [], []
    for _ in range(args.n):
        ms, receipt = call("POST", f"{args.api}/v1/applications", VALID_APPLICATION)
        submit.append(ms)
        ms, _ = call("GET", f"{args.api}/v1/applications/{receipt['application_no']}",
                     headers={"X-Access-Code": receipt["access_code"]})
        track.append(ms)
    report("submit", submit)
    report("track", track)


if __name__ == "__main__":
    main()
