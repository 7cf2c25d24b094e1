"""The platform's cost per 1 M applications, from one measured lifecycle.

    .venv/bin/python bench/cost.py [--closed 0]

It runs one application's whole life on in-process moto through the real routes and
handlers: submit, routing, notifications, 5 tracks, 2 institution views and an answer,
6 office views and actions, 2 queue pages, and the sweeps' share. Every DynamoDB call
is sized from the real items, before and after each write (moto's own item sizes), with
the copies each global secondary index takes (by its projection), the way DynamoDB
bills: writes per 1 KB (×2 in a transaction), reads per 4 KB of items *evaluated* (×2
in a transaction, ×½ when eventually consistent). Requests to SQS, Lambda and API
Gateway are counted over the same lifecycle: the SQS sends the code makes (a batch is one
request), and a receive and a delete per message consumed. Lambda time is the measured
wall time of each handler here (moto in-process), an upper-bound stand-in for DynamoDB's
latency. A first application, another citizen's, warms every handler up; the second is
measured, and cold starts are a line of their own (COLD_START_SECONDS, measured by
bench/cold_start.py).

Prices: AWS list prices for eu-central-1 (Frankfurt), on demand, as published in
November 2026 (edit PRICES to reprice). Besides the lifecycle it prices what runs beside it
(issue 39): the WAF in front of the API, CloudWatch Logs (the bytes the lifecycle logs,
measured, and Lambda's own lines), the production memory of each function (.chalice/config.json,
stage prod), and, beside the platform's cost, the messages each application sends (SMS and
e-mail, counted from the outbox) at their own prices. Retained data is priced as it is kept:
a year in the DynamoDB Standard table, then archived by the archive run (services/archive.py),
which this bench runs on the measured case: one compressed S3 object, and a small index item
left in DynamoDB, measured after the move (every item counted with the 100 bytes DynamoDB adds
to it). Beside it, for comparison: all in the Standard table, and a Standard-IA table.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import tests.conftest  # noqa: E402,F401 - the environment the app reads at import

PRICES = {
    "dynamodb_wru": 0.7625 / 1e6,       # on-demand write request unit
    "dynamodb_rru": 0.1525 / 1e6,       # on-demand read request unit
    "dynamodb_gb_month": 0.306,         # standard table class storage
    "lambda_request": 0.20 / 1e6,
    "lambda_gb_second_arm64": 0.0000133334,
    "sqs_request": 0.40 / 1e6,          # standard queue, per 64 KB request
    "api_gateway_rest_request": 3.70 / 1e6,   # REST API, first 333 M a month
    "dynamodb_ia_gb_month": 0.1224,     # Standard-Infrequent Access table class storage (the audit table)
    "dynamodb_ia_wru": 0.953 / 1e6,     # its on-demand write and read units: a quarter dearer
    "dynamodb_ia_rru": 0.1906 / 1e6,
    "s3_gb_month": 0.0245,              # S3 Standard storage (an archived case's object)
    "s3_ia_gb_month": 0.0135,           # S3 Standard-IA storage (not used: 128 KB billed per object at least)
    "s3_put": 0.0054 / 1000,            # S3 Standard PUT (moving a case out)
    "waf_request": 0.60 / 1e6,          # AWS WAF, per request inspected
    "waf_acl_month": 5.00,              # AWS WAF, per web ACL a month
    "waf_rule_month": 1.00,             # AWS WAF, per rule a month
    "logs_ingest_gb": 0.63,             # CloudWatch Logs ingestion (standard)
    "logs_gb_month": 0.0324,            # CloudWatch Logs storage
    "ses_email": 0.10 / 1000,           # SES outbound e-mail
    "sms_turkey": 0.0317,               # SNS SMS to a Turkish mobile number (transactional); edit to the contract's
}
ARCHIVE_AFTER_MONTHS = 12               # closed cases past a year leave the Standard table (the tiered options)
LOG_RETENTION_MONTHS = 12               # the log groups' retention (infra/package.py)
LAMBDA_LOG_LINES_BYTES = 350            # START, END and REPORT lines Lambda writes per invocation


def _production_memory() -> dict:
    """Each function's memory in production (.chalice/config.json, stage prod): the stage's
    default and each function's own setting."""
    config = json.loads((Path(__file__).resolve().parents[1] / ".chalice" / "config.json").read_text())
    prod = config["stages"]["prod"]
    default = prod.get("lambda_memory_size", config.get("lambda_memory_size", 512))
    functions = prod.get("lambda_functions", {})
    own = {"api": "api_handler", "routing": "routing_worker", "notifications": "notification_worker",
           "authorizer": "staff_authorizer"}
    sweeps = [v.get("lambda_memory_size", default) for k, v in functions.items() if k.startswith("sweep")]
    memory = {role: functions.get(name, {}).get("lambda_memory_size", default) for role, name in own.items()}
    memory["sweeps"] = max(sweeps) if sweeps else default
    return memory


LAMBDA_MEMORY_MB = _production_memory()
RETENTION_MONTHS = 120                  # personal data kept 10 years (issue 15's default)
APPLICATIONS_PER_DAY = 17_000           # national peak
# Cold starts are measured by bench/cold_start.py, not here (this lifecycle is measured warm):
# about a second of extra work each (a cold process's first submit), charged as if every
# function ran two containers, each replaced every ten minutes, all day: 288 a day each.
COLD_START_SECONDS = 1.0
COLD_STARTS_PER_FUNCTION_PER_DAY = 2 * 24 * 6
DISTRICTS = 973


def _size_of(av) -> int:
    """DynamoDB's size of an attribute value (wire format)."""
    (kind, v), = av.items()
    if kind in ("S", "B"):
        return len(v.encode("utf-8")) if kind == "S" else len(v)
    if kind == "N":
        return (len(v.strip("-").replace(".", "").lstrip("0")) + 1) // 2 + 1
    if kind in ("BOOL", "NULL"):
        return 1
    if kind in ("SS", "NS", "BS"):
        return sum(_size_of({kind[0]: x}) for x in v)
    if kind == "L":
        return 3 + sum(1 + _size_of(x) for x in v)
    if kind == "M":
        return 3 + sum(1 + len(k.encode()) + _size_of(x) for k, x in v.items())
    return 0


def item_size(attrs: dict | None) -> int:
    return sum(len(k.encode()) + _size_of(v) for k, v in (attrs or {}).items())


class Meter:
    """Capacity units of every DynamoDB call, from moto's stored items."""

    def __init__(self):
        self.wru = 0.0
        self.rru = 0.0
        self.by_op: Counter = Counter()
        self.wru_by_table: Counter = Counter()
        self.rru_by_table: Counter = Counter()
        self.calls: Counter = Counter()
        self.indexes: dict[str, list] = {}
        self.writes: list[tuple] = []     # (operation, [(item key, bytes, WRU)]) of every write
        self.sqs_sends = 0                # SendMessage and SendMessageBatch requests (a batch is one)

    # --- moto's items --------------------------------------------------------------
    def _table(self, name):
        from moto.dynamodb.models import dynamodb_backends
        return dynamodb_backends["123456789012"]["eu-central-1"].get_table(name)

    def _indexes(self, table_name):
        if table_name not in self.indexes:
            t = self._table(table_name)
            self.indexes[table_name] = [(g.name, [k["AttributeName"] for k in g.schema], g.projection)
                                        for g in t.global_indexes]
        return self.indexes[table_name]

    def _get(self, table_name, key) -> dict | None:
        from moto.dynamodb.models.dynamo_type import DynamoType
        t = self._table(table_name)
        h = DynamoType(key[t.hash_key_attr])
        r = DynamoType(key[t.range_key_attr]) if t.range_key_attr else None
        item = t.get_item(h, r)
        return item.to_json()["Attributes"] if item else None

    def _key_of(self, table_name, item_or_key) -> dict:
        t = self._table(table_name)
        return {k: item_or_key[k] for k in (t.hash_key_attr, t.range_key_attr) if k}

    # --- writes -----------------------------------------------------------------------
    def _projected(self, item, keys, projection, table_keys):
        if item is None or not all(k in item for k in keys):
            return None
        kind = projection.get("ProjectionType", "ALL")
        if kind == "ALL":
            return item
        keep = set(keys) | set(table_keys) | set(projection.get("NonKeyAttributes", []) if kind == "INCLUDE" else [])
        return {k: v for k, v in item.items() if k in keep}

    def write_cost(self, table_name, before, after, transactional: bool) -> float:
        base = math.ceil(max(item_size(before), item_size(after), 1) / 1024)
        cost = base * (2 if transactional else 1)
        table_keys = list(self._key_of(table_name, after or before).keys())
        for _, keys, projection in self._indexes(table_name):
            old = self._projected(before, keys, projection, table_keys)
            new = self._projected(after, keys, projection, table_keys)
            if old is None and new is None:
                continue
            if old is None or new is None:
                cost += math.ceil(item_size(new or old) / 1024)
            elif any(old.get(k) != new.get(k) for k in keys):
                cost += math.ceil(item_size(old) / 1024) + math.ceil(item_size(new) / 1024)
            elif old != new:
                cost += math.ceil(max(item_size(old), item_size(new)) / 1024)
        return cost

    def targets(self, op, params):
        """(table, key, transactional) of every item a write touches."""
        out = []
        if op in ("PutItem",):
            out.append((params["TableName"], self._key_of(params["TableName"], params["Item"]), False))
        elif op in ("UpdateItem", "DeleteItem"):
            out.append((params["TableName"], params["Key"], False))
        elif op == "TransactWriteItems":
            for entry in params["TransactItems"]:
                (kind, body), = entry.items()
                key = body.get("Key") or self._key_of(body["TableName"], body["Item"])
                out.append((body["TableName"], key, True))
        elif op == "BatchWriteItem":
            for table, reqs in params["RequestItems"].items():
                for r in reqs:
                    body = r.get("PutRequest") or r.get("DeleteRequest")
                    out.append((table, body.get("Key") or self._key_of(table, body["Item"]), False))
        return out

    # --- reads ------------------------------------------------------------------------------
    def read_cost(self, op, params, parsed) -> float:
        if op == "GetItem":
            factor = 1 if params.get("ConsistentRead") else 0.5
            return factor * max(1, math.ceil(item_size(parsed.get("Item")) / 4096))
        if op == "BatchGetItem":
            total = 0.0
            for table, rows in (parsed.get("Responses") or {}).items():
                factor = 1 if params["RequestItems"].get(table, {}).get("ConsistentRead") else 0.5
                total += sum(factor * max(1, math.ceil(item_size(r) / 4096)) for r in rows)
            return max(total, 0.5)
        if op == "TransactGetItems":
            return sum(2 * max(1, math.ceil(item_size((r or {}).get("Item")) / 4096))
                       for r in parsed.get("Responses", []))
        if op in ("Query", "Scan"):
            items = parsed.get("Items", [])
            returned = sum(item_size(i) for i in items)
            scanned = parsed.get("ScannedCount", len(items))
            evaluated = returned / len(items) * scanned if items else 0   # the filtered-out ones, at the mean
            factor = 1 if params.get("ConsistentRead") else 0.5
            return factor * max(1, math.ceil(evaluated / 4096))
        return 0.0

    def install(self):
        import botocore.session
        original = botocore.session.Session.create_client
        meter = self

        def create_client(session, *args, **kwargs):
            client = original(session, *args, **kwargs)
            if client.meta.service_model.endpoint_prefix == "sqs":
                def sent(**_):
                    meter.sqs_sends += 1
                client.meta.events.register("after-call.sqs.SendMessage", sent)
                client.meta.events.register("after-call.sqs.SendMessageBatch", sent)
            if client.meta.service_model.endpoint_prefix != "dynamodb":
                return client
            def provide(params=None, model=None, **_):
                snapshots = None
                if model.name in ("PutItem", "UpdateItem", "DeleteItem", "TransactWriteItems", "BatchWriteItem"):
                    snapshots = [(t, k, tx, meter._get(t, k)) for t, k, tx in meter.targets(model.name, params)]
                meter._last = (model.name, params, snapshots)

            def done(http_response=None, parsed=None, model=None, **_):
                name, params, snapshots = meter._last
                ok = http_response is not None and http_response.status_code < 300
                if snapshots is not None:
                    touched = []
                    for t, k, tx, old in snapshots:
                        new = meter._get(t, k) if ok else old
                        cost = meter.write_cost(t, old, new, tx) if ok else (2 if tx else 1)
                        meter.wru += cost
                        meter.wru_by_table[t] += cost
                        meter.by_op[f"w:{name}"] += cost
                        label = "/".join(v.get("S", "?").split("#")[0] for v in k.values())
                        touched.append((label, max(item_size(old), item_size(new)), cost))
                    meter.writes.append((name, touched))
                else:
                    cost = meter.read_cost(name, params, parsed or {})
                    meter.rru += cost
                    meter.rru_by_table[params.get("TableName", "")] += cost
                    meter.by_op[f"r:{name}"] += cost
                meter.calls[name] += 1

            client.meta.events.register("provide-client-params.dynamodb.*", provide)
            client.meta.events.register("after-call.dynamodb.*", done)
            return client

        botocore.session.Session.create_client = create_client


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--writes", action="store_true", help="list every write: the items and their WRU")
    args = parser.parse_args()

    meter = Meter()
    meter.install()
    from moto import mock_aws
    with mock_aws():
        result = lifecycle(meter)
    if args.json:
        print(json.dumps(result, indent=1))
    else:
        report(result)
    if args.writes:
        print("\nThe concluded case item, every attribute (bytes):",
              ", ".join(f"{k} {n}" for k, n in sorted(result["case_item"].items(), key=lambda kv: -kv[1])))
        print("\nEvery write (item key prefixes, bytes, WRU with index copies):")
        for stage_name, writes in result["writes"].items():
            for op, touched in writes:
                items = ", ".join(f"{label} {size} B {cost:g}" for label, size, cost in touched)
                print(f"  {stage_name:30s} {op:18s} {sum(c for _, _, c in touched):4g} WRU  {items}")


def lifecycle(meter: Meter) -> dict:
    from datetime import datetime, timedelta

    import boto3
    from chalice.test import Client

    from devstack.provision import provision
    from devstack.users import demo_users, seed_users
    env = provision("local", "eu-central-1")
    os.environ.update(env)
    boto3.client("ses", region_name="eu-central-1").verify_email_identity(EmailAddress=os.environ["MAIL_FROM"])
    from chalicelib import bootstrap
    bootstrap.reset()
    from app import app
    from chalicelib.bootstrap import ports
    from chalicelib.services import reference, sweeps
    from tests.conftest import VALID_APPLICATION
    from tests.integration import helpers as h
    reference.seed(ports())
    seed_users(env["COGNITO_USER_POOL_ID"])
    from devstack.users import DEMO_TOTP_SECRET, sign_in
    token = sign_in(boto3.client("cognito-idp", region_name="eu-central-1"), env["COGNITO_USER_POOL_ID"],
                    "masa.maltepe", demo_users()["password"], DEMO_TOTP_SECRET[0])["IdToken"]
    staff = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    # what the functions log, in bytes: every stream handler's writes while measuring (the
    # app's Powertools logger writes JSON lines to the stream it was given at import)
    import logging
    log_bytes = [0]

    class Counted:
        def __init__(self, stream):
            self.stream = stream

        def write(self, text):
            if measuring[0]:
                log_bytes[0] += len(text.encode("utf-8"))
            return self.stream.write(text)

        def flush(self):
            self.stream.flush()
    from chalicelib.logs import logger as app_logger
    app_logger()                           # made on first use: made now, to count what it writes
    streams = [h for lg in [logging.getLogger(), *logging.Logger.manager.loggerDict.values()]
               if isinstance(lg, logging.Logger) for h in lg.handlers if isinstance(h, logging.StreamHandler)]
    for handler in streams:
        handler.stream = Counted(handler.stream)

    counts: Counter = Counter()
    seconds: dict[str, float] = defaultdict(float)
    runs: Counter = Counter()
    stage: dict[str, tuple[float, float]] = {}

    def timed(role, fn, *a, **kw):
        t0 = time.perf_counter()
        out = fn(*a, **kw)
        seconds[role] += time.perf_counter() - t0
        runs[role] += 1
        counts[f"lambda:{role}"] += 1
        return out

    writes_by_stage: dict[str, list] = {}
    audit_at: dict[str, tuple] = {}       # the audit table's units at each mark (its own table class)
    measuring = [False]
    seen = [0]

    def mark(name):
        if not measuring[0]:
            return
        stage[name] = (meter.wru, meter.rru)
        audit_at[name] = (meter.wru_by_table[os.environ["AUDIT_TABLE"]], meter.rru_by_table[os.environ["AUDIT_TABLE"]])
        writes_by_stage[name] = meter.writes[seen[0]:]
        seen[0] = len(meter.writes)

    with Client(app, stage_name="local") as client:
        http = client.http

        def api(method, path, **kw):
            counts["api_gateway"] += 1
            if "Authorization" in (kw.get("headers") or {}):
                counts["lambda:authorizer"] += 0.5       # the authorizer's 60 s cache: about every other call
            return timed("api", getattr(http, method), path, **kw)

        def pump():
            routing = h.drain(env["ROUTING_QUEUE_URL"])
            for m in routing:
                counts["sqs"] += 2                       # the event source's receive and delete
                timed("routing", h.run_routing, [m])
            notes = h.drain(env["NOTIFICATION_QUEUE_URL"])
            # one event's notifications, sent in one batch, reach one invocation (the
            # worker's one-second batching window, app.py): one receive, one batch delete
            for start in range(0, len(notes), 10):
                counts["sqs"] += 2
                timed("notifications", h.run_notifications, notes[start:start + 10])
            return len(routing), len(notes)

        def one(application):
            """One application's life, from the submission to the conclusion."""
            mark("start")
            # the web client sends an Idempotency-Key with every submission (issue 39: +2 WRU)
            r = api("post", "/v1/applications", headers={**h.H, "Idempotency-Key": f"bench-{time.time_ns()}"},
                    body=json.dumps(application)).json_body
            mark("submit")
            pump()
            mark("routing+notifications")
            no = r["application_no"]
            for _ in range(5):
                api("get", f"/v1/applications/{no}", headers={"X-Access-Code": r["access_code"]})
            mark("5 tracks")
            [mail] = [m for m in h.outbox()["email"] if no in m["subject"]]
            link = mail["links"][0].split("#t=", 1)[1]
            api("get", "/v1/institution/assignment", headers={"X-Link-Token": link})
            api("get", "/v1/institution/assignment", headers={"X-Link-Token": link})
            api("post", "/v1/institution/answer", headers={**h.H, "X-Link-Token": link}, body=json.dumps(h.ANSWER))
            pump()
            mark("institution: 2 views + answer")
            api("get", "/v1/staff/cases?district=34-maltepe", headers=staff)
            api("get", "/v1/staff/cases?district=34-maltepe&overdue=1", headers=staff)
            mark("2 queue pages")
            v = api("get", f"/v1/staff/cases/{no}", headers=staff).json_body
            v = api("post", f"/v1/staff/cases/{no}/evaluate", headers=staff,
                    body=json.dumps({"institution_id": "34-maltepe.belediye", "decision": "accept",
                                     "version": v["version"]})).json_body
            api("get", f"/v1/staff/cases/{no}", headers=staff)
            api("get", "/v1/staff/dashboard", headers=staff)
            v = api("get", f"/v1/staff/cases/{no}", headers=staff).json_body
            api("post", f"/v1/staff/cases/{no}/conclude", headers=staff,
                body=json.dumps({"outcome": "positive", "answer": "Kaldırım onarıldı; gerekçeli cevabımız budur.",
                                 "version": v["version"]}))
            pump()
            mark("office: 6 views and actions")
            return no

        # A first application warms every handler up (imports, clients): a container serves
        # thousands of requests, so its first one's cost is a cold start, counted on its own
        # line (report()); the second, another citizen's, is the one measured.
        one({**VALID_APPLICATION, "subject": "Sokak lambası yanmıyor",
             "description": "Sokağımızdaki aydınlatma direği iki haftadır yanmıyor, akşamları yol karanlık.",
             "applicant": {**VALID_APPLICATION["applicant"], "national_id": "12345678950", "phone": "0533 765 43 21",
                           "first_name": "Mehmet", "email": "mehmet@example.com"}})
        counts.clear()
        seconds.clear()
        runs.clear()
        sends_before = meter.sqs_sends
        measuring[0] = True
        seen[0] = len(meter.writes)
        meter.by_op.clear()
        meter.calls.clear()
        outbox_before = h.outbox(receipts=True)
        no = one(VALID_APPLICATION)
        counts["sqs"] += meter.sqs_sends - sends_before   # what the code sent (a batch is one request)
        outbox_after = h.outbox(receipts=True)
        messages = {kind: len(outbox_after[kind]) - len(outbox_before[kind]) for kind in ("sms", "email")}
        # the sweeps' share: this case's reminder (its own), plus a day of empty runs and one
        # district digest, divided by the applications a district gets a day at the national peak
        before = (meter.wru, meter.rru)
        now = datetime.now().astimezone()
        timed("sweeps", sweeps.deadline, ports(), now + timedelta(days=1))
        empty = (meter.wru - before[0], meter.rru - before[1])
        before = (meter.wru, meter.rru)
        timed("sweeps", sweeps.digest, ports(), now + timedelta(days=1))
        digest = (meter.wru - before[0], meter.rru - before[1])
        per_app_runs = 96 / APPLICATIONS_PER_DAY         # a 15-minute sweep, 96 runs a day
        per_app_digest = 1 / (APPLICATIONS_PER_DAY / DISTRICTS)
        sweep_share = (empty[0] * per_app_runs + digest[0] * per_app_digest,
                       empty[1] * per_app_runs + digest[1] * per_app_digest)
        counts["lambda:sweeps"] = (96 + 1) / APPLICATIONS_PER_DAY
        # what stays for years: the case, its assignments and survey, and the audit trail
        # (idempotency records, claims, counters and markers expire by TTL)
        from chalicelib.domain.numbers import normalise_application_no
        stored_no = normalise_application_no(no)
        ours = (f"CASE#{stored_no}", f"SURVEY#{stored_no}")   # the measured application's, not the warm-up's
        kept_live = _kept(meter, ours)
        case_attrs = {}
        for i in meter._table(os.environ["MAIN_TABLE"]).all_items():
            if i.hash_key.value == ours[0] and i.range_key.value == "CASE":
                case_attrs = {k: len(k) + _size_of(v) for k, v in i.to_json()["Attributes"].items()}
        # a year on, the archive run moves the case (services/archive.py): measured, not modelled
        from chalicelib.services import archive
        before = (meter.wru, meter.rru)
        started = time.perf_counter()
        moved = archive.sweep(ports(), now + timedelta(days=400))
        archive_seconds = time.perf_counter() - started
        n = moved["archived"]          # the warm-up application's and the measured one's
        assert n == 2, moved
        archive_units = ((meter.wru - before[0]) / n, (meter.rru - before[1]) / n)
        archive_seconds /= n
        kept_archived = _kept(meter, ours)
        import boto3
        s3 = boto3.client("s3", region_name="eu-central-1")
        objects = s3.list_objects_v2(Bucket=os.environ["ATTACHMENTS_BUCKET"],
                                     Prefix=f"archive/cases/{stored_no}/").get("Contents", [])
        archive_bytes = sum(o["Size"] for o in objects)
    stages = {}
    prev = stage["start"]
    for name, val in stage.items():
        if name == "start":
            continue
        stages[name] = {"wru": round(val[0] - prev[0], 1), "rru": round(val[1] - prev[1], 1)}
        prev = val
    wru = stage["office: 6 views and actions"][0] - stage["start"][0] + sweep_share[0]
    rru = stage["office: 6 views and actions"][1] - stage["start"][1] + sweep_share[1]
    stages["sweeps (share)"] = {"wru": round(sweep_share[0], 2), "rru": round(sweep_share[1], 2)}
    for handler in streams:
        handler.stream = handler.stream.stream
    return {"wru": wru, "rru": rru, "stages": stages, "counts": dict(counts), "seconds": {k: v / runs[k] for k, v in seconds.items()},
            "writes": writes_by_stage, "kept_live": kept_live, "kept_archived": kept_archived,
            "archive_bytes": archive_bytes, "archive_objects": len(objects), "archive_units": archive_units,
            "archive_seconds": archive_seconds,
            "log_bytes": log_bytes[0], "messages": messages,
            "audit_wru": audit_at["office: 6 views and actions"][0] - audit_at["start"][0],
            "audit_rru": audit_at["office: 6 views and actions"][1] - audit_at["start"][1],
            "case_item": case_attrs, "by_op": dict(meter.by_op), "calls": dict(meter.calls)}


def _kept(meter: Meter, ours: tuple) -> dict:
    """What the tables keep of one application: its items' bytes (main and audit tables),
    their count (DynamoDB adds 100 bytes to each) and the index copies they make."""
    main = os.environ["MAIN_TABLE"]
    kept = [i for i in meter._table(main).all_items() if i.hash_key.value in ours]
    audit = [i for i in meter._table(os.environ["AUDIT_TABLE"]).all_items() if i.hash_key.value in ours]
    index_bytes = 0
    for i in kept:   # every index keeps its own copy of what it projects
        attrs = i.to_json()["Attributes"]
        for _, keys, projection in meter._indexes(main):
            copy = meter._projected(attrs, keys, projection, ["pk", "sk"])
            index_bytes += item_size(copy) + 100 if copy else 0   # + DynamoDB's 100 bytes per index item
    item_bytes = sum(i.size() for i in kept + audit)
    return {"item_bytes": item_bytes, "items": len(kept) + len(audit), "index_bytes": index_bytes,
            "bytes": item_bytes + 100 * (len(kept) + len(audit)) + index_bytes,
            "audit_bytes": sum(i.size() + 100 for i in audit), "audit_items": len(audit)}


def _waf_rules() -> int:
    """The rules of the production web ACL (infra/template.json)."""
    t = json.loads((Path(__file__).resolve().parents[1] / "infra" / "template.json").read_text())
    return sum(len(res["Properties"].get("Rules", [])) for res in t["Resources"].values()
               if res.get("Type") == "AWS::WAFv2::WebACL")


def report(r: dict) -> None:
    million = 1e6
    c = r["counts"]
    lambda_gb_s = 0.0
    per_role = {}
    for key, n in c.items():
        if not key.startswith("lambda:"):
            continue
        role = key.split(":", 1)[1]
        mean = r["seconds"].get(role, 0.05)   # measured mean per invocation (authorizer: assumed)
        per_role[role] = (n, mean)
        lambda_gb_s += n * max(mean, 0.001) * LAMBDA_MEMORY_MB[role] / 1024
    lambda_requests = sum(n for n, _ in per_role.values())
    cold_gb_s = sum(COLD_STARTS_PER_FUNCTION_PER_DAY * COLD_START_SECONDS * mb / 1024
                    for mb in LAMBDA_MEMORY_MB.values()) / APPLICATIONS_PER_DAY
    requests = c.get("api_gateway", 0)
    log_gb = (r["log_bytes"] + lambda_requests * LAMBDA_LOG_LINES_BYTES) / 1e9
    waf_rules = _waf_rules()
    monthly_applications = APPLICATIONS_PER_DAY * 30
    costs = {
        "DynamoDB writes": r["wru"] * PRICES["dynamodb_wru"] * million,
        "DynamoDB reads": r["rru"] * PRICES["dynamodb_rru"] * million,
        "Audit table's units in Standard-IA": (r["audit_wru"] * (PRICES["dynamodb_ia_wru"] - PRICES["dynamodb_wru"])
                                               + r["audit_rru"] * (PRICES["dynamodb_ia_rru"] - PRICES["dynamodb_rru"]))
        * million,
        "Lambda requests": lambda_requests * PRICES["lambda_request"] * million,
        "Lambda duration (arm64)": lambda_gb_s * PRICES["lambda_gb_second_arm64"] * million,
        "Lambda cold starts (estimate)": cold_gb_s * PRICES["lambda_gb_second_arm64"] * million,
        "SQS": c.get("sqs", 0) * PRICES["sqs_request"] * million,
        "API Gateway (REST)": requests * PRICES["api_gateway_rest_request"] * million,
        "WAF (requests)": requests * PRICES["waf_request"] * million,
        "WAF (web ACL and rules, monthly)": (PRICES["waf_acl_month"] + waf_rules * PRICES["waf_rule_month"])
        / monthly_applications * million,
        "CloudWatch Logs (ingestion)": log_gb * PRICES["logs_ingest_gb"] * million,
        "CloudWatch Logs (kept a year)": log_gb * PRICES["logs_gb_month"] * LOG_RETENTION_MONTHS * million,
    }
    print("One application's lifecycle (per application):")
    for name, s in r["stages"].items():
        print(f"  {name:34s} {s['wru']:7.1f} WRU {s['rru']:7.1f} RRU")
    print(f"  {'total':34s} {r['wru']:7.1f} WRU {r['rru']:7.1f} RRU")
    print(f"  stored: {r['kept_live']['item_bytes']:,} bytes in the main and audit tables")
    print(f"  API Gateway requests: {c.get('api_gateway', 0)}; SQS requests: {c.get('sqs', 0)}")
    for role, (n, mean) in sorted(per_role.items()):
        how = "measured" if role in r["seconds"] else "assumed"
        print(f"  Lambda {role:14s} {n:6.2f} invocations, {mean * 1000:6.1f} ms {how}, "
              f"{LAMBDA_MEMORY_MB[role]} MB")
    print("\nCost per 1 M applications over their lifecycle (eu-central-1 list prices, on demand; the messages "
          "follow):")
    for name, usd in costs.items():
        print(f"  {name:30s} ${usd:9.2f}")
    print(f"  {'total':30s} ${sum(costs.values()):9.2f}   (WRU per application: {r['wru']:.1f})")
    print(f"  log lines: {r['log_bytes']:,} bytes from the app, {lambda_requests * LAMBDA_LOG_LINES_BYTES:,.0f} "
          f"from Lambda ({lambda_requests:.1f} invocations); WAF: {waf_rules} rules")

    m = r["messages"]
    sms_usd, mail_usd = m["sms"] * PRICES["sms_turkey"] * million, m["email"] * PRICES["ses_email"] * million
    print(f"\nMessages per application (outbox of the measured lifecycle): {m['sms']} SMS, {m['email']} e-mails "
          f"(to the citizen, the institution and the office)")
    print(f"  SMS ${sms_usd:,.2f} and e-mail ${mail_usd:,.2f} per 1 M applications, beside the platform's "
          f"${sum(costs.values()):,.2f}: SMS is {sms_usd / sum(costs.values()):.0f}x the platform")

    # retained data, with the 100 bytes DynamoDB adds to every item (index copies: counted above)
    live, archived = r["kept_live"], r["kept_archived"]
    years = RETENTION_MONTHS / 12
    rest = RETENTION_MONTHS - ARCHIVE_AFTER_MONTHS
    gb_live, gb_object = live["bytes"] / 1e9, r["archive_bytes"] / 1e9
    gb_audit = live["audit_bytes"] / 1e9                     # the same before and after the move
    gb_main_live, gb_main_archived = gb_live - gb_audit, archived["bytes"] / 1e9 - gb_audit
    standard = gb_live * PRICES["dynamodb_gb_month"] * RETENTION_MONTHS * million
    ia_table = (gb_live * PRICES["dynamodb_gb_month"] * ARCHIVE_AFTER_MONTHS
                + gb_live * PRICES["dynamodb_ia_gb_month"] * rest) * million
    move_wru, move_rru = r["archive_units"]
    moving = (move_wru * PRICES["dynamodb_wru"] + move_rru * PRICES["dynamodb_rru"]
              + r["archive_objects"] * PRICES["s3_put"]
              + r["archive_seconds"] * LAMBDA_MEMORY_MB["sweeps"] / 1024 * PRICES["lambda_gb_second_arm64"]
              + 96 / APPLICATIONS_PER_DAY * PRICES["lambda_request"]) * million     # a run every 15 minutes
    audit = gb_audit * PRICES["dynamodb_ia_gb_month"] * RETENTION_MONTHS * million
    main_first = gb_main_live * PRICES["dynamodb_gb_month"] * ARCHIVE_AFTER_MONTHS * million
    main_rest = (gb_main_archived * PRICES["dynamodb_gb_month"] + gb_object * PRICES["s3_gb_month"]) * rest * million
    built = audit + main_first + main_rest + moving
    s3_ia_floor = max(r["archive_bytes"], 128 * 1024) / 1e9 * PRICES["s3_ia_gb_month"] * rest * million
    print(f"\nKept afterwards: {live['bytes']:,} bytes per application ({live['item_bytes']:,} in the items, "
          f"{100 * live['items']:,} of DynamoDB's per-item overhead for {live['items']} items, "
          f"{live['index_bytes']:,} in index copies); {live['audit_bytes']:,} of them are the audit trail "
          f"({live['audit_items']} entries, in the Standard-IA audit table).")
    print(f"A year after closing the archive run moves the case (services/archive.py, measured): "
          f"{archived['bytes'] - archived['audit_bytes']:,} bytes stay in the main table (the index item and the "
          f"survey, {archived['index_bytes']:,} of them index copies), one {r['archive_bytes']:,}-byte object goes "
          f"to S3 Standard; the move costs {move_wru:.1f} WRU and {move_rru:.1f} RRU.")
    print(f"Over the {years:.0f}-year retention, per 1 M applications:")
    print(f"  everything in DynamoDB Standard                 ${standard:8.2f}  (${standard / years:.2f} a year)")
    print(f"  as built: the audit table in Standard-IA        ${audit:8.2f}")
    print(f"            the case a year in Standard           ${main_first:8.2f}")
    print(f"            then its index item and object        ${main_rest:8.2f}")
    print(f"            the move                              ${moving:8.2f}")
    print(f"            total                                 ${built:8.2f}  "
          f"(and the audit table's units: see the lifecycle)")
    print(f"  for comparison: a year in Standard, then a whole Standard-IA table ${ia_table:8.2f}  (not built)")
    print(f"  (S3 Standard-IA for the objects would bill 128 KB each: ${s3_ia_floor:,.2f} for the objects alone)")
    top = sorted(r["case_item"].items(), key=lambda kv: -kv[1])
    print(f"\nThe concluded case item: {sum(r['case_item'].values()):,} bytes; largest attributes:",
          ", ".join(f"{k} {n}" for k, n in top[:8]))
    print("\nDynamoDB units by operation:", {k: round(v, 1) for k, v in sorted(r["by_op"].items())})


if __name__ == "__main__":
    main()
