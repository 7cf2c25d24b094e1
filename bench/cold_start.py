"""A cold process's first submit, against a cold bare Chalice + boto3 app's first
PutItem + SendMessage, side by side, both against the same moto server: the local stack's
own (`devstack.motoserver`, what `make run` starts).

    .venv/bin/python bench/cold_start.py [-n 5]

The application's modules are compiled first, as the package ships them (.pyc). Each
run is a new Python process that imports its app and serves one request the way Lambda
calls a handler: the app object with an API Gateway proxy event and a context (neither side
imports chalice.test or chalice.local, which Lambda never does), with AWS_LAMBDA_FUNCTION_NAME
set as Lambda sets it; the time is from spawning the process to its answer, so interpreter
start-up is in both. Prints the medians and the ratio (target ≤ 1.5×), the time to the
process's exit beside it, and the size of the packaged code zip if `make package` ran.
Each process then serves the same request once more, warm: a submit does more than one
PutItem (a transaction of the case, its counters and its idempotency record), so the
time a cold start adds, first minus warm, is printed beside the plain ratio.

The bench ran against moto's own `moto_server` before. That copies a whole table for each
item of a TransactWriteItems, so on a table grown by the runs before, each submit waited
longer than the one before it, and the ratio depended on -n; the local stack's server
writes a transaction as DynamoDB does (devstack/motoserver.py). Every pair of processes
also meets the stand-in as a new deployment has it (moto reset, the template's tables and
queues, the registry), so no run is measured against what the runs before it left.

Each process times its waits for the stand-in's answers (botocore's HTTP send); the
process's own time, without them, is printed beside the ratio. The peak memory is the
process's own (VmHWM), not the bench's, which a spawned process's ru_maxrss would include.
"""
from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

# How Lambda calls a handler: the module's `app` object with an API Gateway proxy event and
# a context (no chalice.test, no chalice.local: Lambda imports neither).
EVENT = r"""
def event(path, body, source_ip):
    return {"resource": path, "path": path, "httpMethod": "POST",
            "headers": {"Content-Type": "application/json", "Host": "api.example"},
            "multiValueHeaders": {"Content-Type": ["application/json"], "Host": ["api.example"]},
            "queryStringParameters": None, "multiValueQueryStringParameters": None, "pathParameters": None,
            "stageVariables": None, "isBase64Encoded": False, "body": body,
            "requestContext": {"resourcePath": path, "httpMethod": "POST", "stage": "api", "requestId": "bench",
                               "identity": {"sourceIp": source_ip}}}

class Context:
    function_name, memory_limit_in_mb, aws_request_id = "acikkapi-bench", 512, "bench"
    invoked_function_arn = "arn:aws:lambda:eu-central-1:123456789012:function:acikkapi-bench"
    def get_remaining_time_in_millis(self):
        return 10_000
"""

# The time a process waits for AWS's answers (botocore's HTTP send, from the request's
# sending to its answer's arrival): the stand-in's own time, which is no part of a cold start.
WAITED = r"""
import botocore.endpoint as _endpoint
_waited, _send = [0.0], _endpoint.Endpoint._send
def _timed_send(self, request):
    started = time.perf_counter()
    try:
        return _send(self, request)
    finally:
        _waited[0] += time.perf_counter() - started
_endpoint.Endpoint._send = _timed_send
"""

APP = EVENT + r"""
import json, sys, time
spawned = float(sys.argv[3])
from chalicelib import coldstart
coldstart.pause_collector()             # what app.py does first: botocore is imported as it would be
""" + WAITED + r"""
import app
body = json.loads(sys.argv[1])
r = app.app(event("/v1/applications", json.dumps(body), "10.0.0.1"), Context())
assert r["statusCode"] == 201, r
print(time.time() - spawned)                                    # the first answer, from the spawn
print(_waited[0])                                               # of which waiting for AWS
# the process's peak resident memory, in KiB (VmHWM: getrusage's ru_maxrss would count the
# bench's own size, which a spawned process inherits before it starts Python)
peak = next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM:"))
started = time.perf_counter()                                   # the same work, warm: another citizen
body = dict(body, applicant=dict(body["applicant"], phone="0532" + sys.argv[2]),
            description=body["description"] + " (ikinci)")
r = app.app(event("/v1/applications", json.dumps(body), "10.0.0.2"), Context())
assert r["statusCode"] == 201, r
print(time.perf_counter() - started)
print(peak)
"""

BARE = EVENT + r"""
import json, os, sys, time, uuid
spawned = float(sys.argv[1])
""" + WAITED + r"""
import boto3
from chalice import Chalice
bare = Chalice(app_name="bare")

@bare.route("/x", methods=["POST"])
def x():
    boto3.client("dynamodb").put_item(TableName=os.environ["MAIN_TABLE"],
                                      Item={"pk": {"S": f"BARE#{uuid.uuid4()}"}, "sk": {"S": "X"}})
    boto3.client("sqs").send_message(QueueUrl=os.environ["ROUTING_QUEUE_URL"], MessageBody="{}")
    return {"ok": True}

assert bare(event("/x", "{}", "10.0.0.1"), Context())["statusCode"] == 200
print(time.time() - spawned)
print(_waited[0])
started = time.perf_counter()
assert bare(event("/x", "{}", "10.0.0.2"), Context())["statusCode"] == 200
print(time.perf_counter() - started)
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def timed(code: str, env: dict, *args) -> tuple[float, str]:
    """Runs `code` in a new process (the spawn time is its last argument); returns the
    time to its exit and its output."""
    t0 = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", code, *args, repr(time.time())], cwd=ROOT, env=env, check=True,
                         capture_output=True, text=True).stdout
    return time.perf_counter() - t0, out.strip()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("-n", type=int, default=5)
    args = parser.parse_args()
    import tests.conftest  # noqa: F401 - the test environment: keys, table names
    from tests.conftest import VALID_APPLICATION
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "devstack.motoserver", "--port", str(port)], cwd=ROOT,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        endpoint = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        from devstack.provision import provision
        from chalicelib import bootstrap
        from chalicelib.services import reference

        def fresh_stand_in() -> dict:
            """The stand-in as a new deployment has it: the tables and queues of the template,
            and the registry. Each pair of processes starts from it."""
            urllib.request.urlopen(urllib.request.Request(f"{endpoint}/moto-api/reset", method="POST")).close()
            made = {**os.environ, **provision("local", "eu-central-1", endpoint_url=endpoint),
                    "AWS_ENDPOINT_URL": endpoint}
            os.environ.update(made)
            bootstrap.reset()
            reference.seed(bootstrap.ports())
            return made
        env = fresh_stand_in()
        body = json.dumps(VALID_APPLICATION)
        # compiled as the package ships it (infra/package.py: a .pyc for every module), even
        # where PYTHONDONTWRITEBYTECODE keeps Python from writing its own
        import compileall
        compileall.compile_dir(str(ROOT / "chalicelib"), quiet=1)
        compileall.compile_file(str(ROOT / "app.py"), quiet=1)
        # as Lambda sets it, in both: app.py pauses the garbage collector until a container's
        # first invocation is served (chalicelib/coldstart.py); the bare app has no such code
        lambda_env = {**env, "AWS_LAMBDA_FUNCTION_NAME": "acikkapi-bench"}
        app_first, app_exit, bare_first, bare_exit, peaks, app_warm, bare_warm = [], [], [], [], [], [], []
        app_waited, bare_waited = [], []
        for i in range(args.n):
            if i:
                fresh_stand_in()
            seconds, out = timed(APP, lambda_env, body, f"{1000000 + i:07d}")
            lines = [line for line in out.splitlines() if not line.startswith("{")]   # not the JSON logs
            app_exit.append(seconds)
            app_first.append(float(lines[-4]))
            app_waited.append(float(lines[-3]))
            app_warm.append(float(lines[-2]))
            peaks.append(int(lines[-1]) / 1024)
            seconds, out = timed(BARE, lambda_env)
            lines = out.splitlines()
            bare_exit.append(seconds)
            bare_first.append(float(lines[-3]))
            bare_waited.append(float(lines[-2]))
            bare_warm.append(float(lines[-1]))
    finally:
        server.terminate()
    a, b = statistics.median(app_first), statistics.median(bare_first)
    print(f"cold process, spawn to the first submit's answer:       median {a * 1000:6.0f} ms  (n={args.n})")
    print(f"cold bare Chalice, spawn to PutItem + SendMessage's answer: median {b * 1000:6.0f} ms")
    print(f"ratio: {a / b:.2f}x (target <= 1.5x)")
    own_a = statistics.median(f - w for f, w in zip(app_first, app_waited))
    own_b = statistics.median(f - w for f, w in zip(bare_first, bare_waited))
    print(f"of which waiting for the stand-in's answers: submit {statistics.median(app_waited) * 1000:.0f} ms "
          f"(GetItem, TransactWriteItems, SendMessage), bare {statistics.median(bare_waited) * 1000:.0f} ms "
          f"(PutItem, SendMessage); the process's own time: {own_a * 1000:.0f} against {own_b * 1000:.0f} ms, "
          f"{own_a / own_b:.2f}x")
    ae, be = statistics.median(app_exit), statistics.median(bare_exit)
    print(f"spawn to the process's exit (with a second, warm request and the interpreter's shutdown): "
          f"{ae * 1000:.0f} ms against {be * 1000:.0f} ms, {ae / be:.2f}x")
    aw, bw = statistics.median(app_warm), statistics.median(bare_warm)
    print(f"the same request warm, in the same process: submit {aw * 1000:.0f} ms, bare {bw * 1000:.0f} ms; "
          f"the time a cold start adds: submit {(a - aw) * 1000:.0f} ms, bare {(b - bw) * 1000:.0f} ms, "
          f"ratio {(a - aw) / (b - bw):.2f}x")
    print(f"peak memory of a cold process's first submit (max RSS): median {statistics.median(peaks):.0f} MiB, "
          f"max {max(peaks):.0f} MiB; Lambda's limit for the API function is 512 MB (dev), 1024 MB (prod)")
    zips = sorted((ROOT / "build").glob("*/deployment.zip")) if (ROOT / "build").exists() else []
    for z in zips:
        print(f"{z.relative_to(ROOT)}: {z.stat().st_size / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
