"""A soak of the running local stack (`make run` first): N submissions, routed by the
pump, with moto's memory, the submit latency and the queues' backlog for every block
(`--block`, 1,000 by default).
`--rate` spaces the submissions (per second, over all threads); without it each thread
submits as fast as it can, far above what two cores route (the queues then back up).

    .venv/bin/python bench/soak.py [-n 10000] [-t 4] [--rate 0] [--api http://127.0.0.1:8000]

moto's memory is the resident set of the process listening on the moto port (from
/proc); the pump's is that of moto's parent, the `devstack run` process that also saves
the state. Each submission has its own phone number (no receipt is held back) and comes
from one of `--citizens` national ids (2,500 by default: about four applications each over
10,000; `--citizens 1` is one citizen filing them all, whose repeat check at routing then
reads the last 100 of them for every one). At the end
it tracks 200 of the receipts (every 50th, and the last ones) until none is still
`received`, i.e. the pump routed them. Target (issue 13): memory growth at most
300 MB over 10,000 submissions and a flat p50.
"""
from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import threading
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.conftest import VALID_APPLICATION  # noqa: E402


def _rss(pid) -> int:
    status = Path(f"/proc/{pid}/status").read_text()
    return next(int(x.split()[1]) for x in status.splitlines() if x.startswith("VmRSS:")) * 1024


def pump_rss(port: int) -> int:
    """Resident memory (bytes) of the parent of moto's process: the stack's own process
    (the pump and the state saver)."""
    pid = pid_of_port(port)
    if not pid:
        return 0
    ppid = next(line.split()[1] for line in Path(f"/proc/{pid}/status").read_text().splitlines()
                if line.startswith("PPid:"))
    return _rss(ppid)


def rss_of_port(port: int) -> int:
    pid = pid_of_port(port)
    return _rss(pid) if pid else 0


def pid_of_port(port: int) -> int | None:
    """The process that listens on 127.0.0.1:port."""
    inode = None
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        parts = line.split()
        local, state = parts[1], parts[3]
        if state == "0A" and int(local.split(":")[1], 16) == port:
            inode = parts[9]
            break
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            for fd in (proc / "fd").iterdir():
                if str(fd.readlink()) == f"socket:[{inode}]":
                    return int(proc.name)
        except (PermissionError, FileNotFoundError, ProcessLookupError, OSError):
            continue
    return None


def citizens(count: int, seed: int = 13) -> list[str]:
    """`count` distinct national ids that pass the domain's checksum (about one random
    11-digit number in 100 does), the first of them the test application's own."""
    from chalicelib.domain.identity import is_valid_national_id
    rng = random.Random(seed)
    ids = dict.fromkeys([VALID_APPLICATION["applicant"]["national_id"]])
    while len(ids) < count:
        candidate = str(rng.randrange(10**10, 10**11))
        if is_valid_national_id(candidate):
            ids.setdefault(candidate)
    return list(ids)[:count]


def submit(api: str, receipts: list, national_ids: list[str] | None = None) -> float:
    phone = f"0533 {random.randint(100, 999)} {random.randint(10, 99)} {random.randint(10, 99)}"
    applicant = dict(VALID_APPLICATION["applicant"], phone=phone)
    if national_ids:
        applicant["national_id"] = random.choice(national_ids)
    body = dict(VALID_APPLICATION, applicant=applicant)
    req = urllib.request.Request(f"{api}/v1/applications", data=json.dumps(body).encode(), method="POST",
                                 headers={"Content-Type": "application/json"})
    t0 = time.perf_counter()
    with urllib.request.urlopen(req, timeout=60) as resp:
        receipt = json.loads(resp.read())
    elapsed = time.perf_counter() - t0
    receipts.append((receipt["application_no"], receipt["access_code"]))
    return elapsed


def backlog(moto_port: int) -> str:
    """Messages waiting in the routing and notification queues: a pump that keeps up holds
    them near zero; a growing backlog slows every SQS call in moto, which walks them all."""
    import boto3
    sqs = boto3.client("sqs", endpoint_url=f"http://127.0.0.1:{moto_port}", region_name="eu-central-1",
                       aws_access_key_id="local", aws_secret_access_key="local")
    out = []
    for url in sqs.list_queues().get("QueueUrls", []):
        if not url.endswith("-dlq"):
            n = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"])
            out.append(f"{url.rsplit('-', 1)[1]} {n['Attributes']['ApproximateNumberOfMessages']}")
    return ", ".join(out)


def status_of(api: str, no: str, code: str) -> str:
    req = urllib.request.Request(f"{api}/v1/applications/{no}", headers={"X-Access-Code": code})
    with urllib.request.urlopen(req, timeout=60) as resp:
        return json.loads(resp.read())["status"]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--api", default="http://127.0.0.1:8000")
    parser.add_argument("--moto-port", type=int, default=5001)
    parser.add_argument("-n", type=int, default=10_000)
    parser.add_argument("-t", type=int, default=4)
    parser.add_argument("--block", type=int, default=1000, help="figures printed every this many")
    parser.add_argument("--rate", type=float, default=0,
                        help="submissions per second in all (0: each thread as fast as it can)")
    parser.add_argument("--citizens", type=int, default=2500,
                        help="how many national ids the submissions come from (1: all from one citizen)")
    args = parser.parse_args()
    national_ids = citizens(max(1, args.citizens))
    start_rss, start_pump = rss_of_port(args.moto_port), pump_rss(args.moto_port)
    print(f"moto at start: {start_rss / 2**20:.0f} MiB; pump {start_pump / 2**20:.0f} MiB; "
          f"{len(national_ids)} citizens, {args.rate or 'unpaced'} per second")
    receipts: list = []
    lock = threading.Lock()
    latencies: list[float] = []
    errors = 0
    done = 0

    paced = {"next": time.monotonic()}

    def wait_turn():
        """With --rate, submissions are spaced 1/rate apart over all threads."""
        if not args.rate:
            return
        with lock:
            at = paced["next"] = max(paced["next"] + 1 / args.rate, time.monotonic())
        time.sleep(max(0.0, at - time.monotonic()))

    def worker(count):
        nonlocal errors, done
        for _ in range(count):
            wait_turn()
            try:
                ms = submit(args.api, receipts, national_ids)
                with lock:
                    latencies.append(ms)
            except Exception:  # noqa: BLE001 - counted, the soak goes on
                with lock:
                    errors += 1
            with lock:
                done += 1

    t0 = time.monotonic()
    block = args.block
    for start in range(0, args.n, block):
        size = min(block, args.n - start)
        per = [size // args.t + (1 if i < size % args.t else 0) for i in range(args.t)]
        latencies.clear()
        threads = [threading.Thread(target=worker, args=(c,)) for c in per]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        q = statistics.quantiles(latencies, n=20) if len(latencies) > 1 else [0] * 19
        print(f"{start + size:6d} submitted  p50 {statistics.median(latencies) * 1000:6.0f} ms  "
              f"p95 {q[18] * 1000:6.0f} ms  moto {rss_of_port(args.moto_port) / 2**20:6.0f} MiB  "
              f"pump {pump_rss(args.moto_port) / 2**20:5.0f} MiB  "
              f"queued {backlog(args.moto_port)}  errors {errors}  ({time.monotonic() - t0:.0f} s)", flush=True)
    sample = receipts[::50] + receipts[-100:]
    waited = time.monotonic()
    while True:
        waiting = [no for no, code in sample if status_of(args.api, no, code) == "received"]
        if not waiting or time.monotonic() - waited > 900:
            break
        time.sleep(10)
    print(f"routed: {len(sample) - len(waiting)} of {len(sample)} tracked receipts ({len(waiting)} still "
          f"'received', {time.monotonic() - waited:.0f} s after the last submission)")
    end_rss = rss_of_port(args.moto_port)
    print(f"moto grew {(end_rss - start_rss) / 2**20:.0f} MiB over {args.n} submissions (target <= 300 MB); "
          f"the pump {(pump_rss(args.moto_port) - start_pump) / 2**20:.0f} MiB")
    return 1 if errors or waiting else 0


if __name__ == "__main__":
    sys.exit(main())
