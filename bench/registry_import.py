"""A national import of the institution registry: every place of the country (1,054), about
15,000 institutions, as `python -m tools.ops registry import` runs it.

    .venv/bin/python bench/registry_import.py [--writes-per-second 50]

On in-process moto: exports the registry (the standard rows), gives every institution a
confirmed liaison address, and imports it: a dry run, the import, then the same file again.
Prints the rows, the time of each step, the DynamoDB calls, and the write units the
import consumes (1 WCU per KB of each place's item, plus the audit entries), with the
time it takes at the pace set (a national import stays far below an on-demand table's
default 40,000 WCU a second, and paced, below a provisioned table's capacity).
"""
from __future__ import annotations

import argparse
import json
import math
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import tests.conftest  # noqa: E402,F401 - the environment the app reads at import
from tests.conftest import AWS_CALLS  # noqa: E402


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--writes-per-second", type=float, default=0.0,
                        help="pace of the import (0: as fast as moto goes; the tool's default is 50)")
    args = parser.parse_args()
    import os

    from moto import mock_aws
    with mock_aws():
        from devstack.provision import provision
        os.environ.update(provision("local", "eu-central-1"))
        from chalicelib import bootstrap
        bootstrap.reset()
        from chalicelib.adapters.dynamodb.mapping import district_to_item
        from chalicelib.bootstrap import ports
        from chalicelib.services import registry
        p = ports()
        t0 = time.perf_counter()
        text = registry.export(p)
        exported = time.perf_counter() - t0
        lines = text.splitlines()
        confirmed = [lines[0]] + [
            line.replace(",,0,", f",irtibat@{line.split(',')[1].replace('.', '-')}.example,1,", 1) for line in lines[1:]]
        text = "\n".join(confirmed) + "\n"
        print(f"registry: {len(lines) - 1} institutions in {len(set(l.split(',')[0] for l in lines[1:]))} places; "
              f"export {exported:.1f} s")
        AWS_CALLS.reset()
        t0 = time.perf_counter()
        dry = registry.import_csv(p, text, actor="bench", apply=False)
        print(f"dry run: {dry.lines()[0]} in {time.perf_counter() - t0:.1f} s; "
              f"DynamoDB {AWS_CALLS.count('dynamodb')} calls ({', '.join(sorted(set(AWS_CALLS.operations('dynamodb'))))})")
        AWS_CALLS.reset()
        t0 = time.perf_counter()
        done = registry.import_csv(p, text, actor="bench", apply=True, writes_per_second=args.writes_per_second)
        took = time.perf_counter() - t0
        sizes = [len(json.dumps(district_to_item(s).serialize(), ensure_ascii=False).encode("utf-8")) + 100
                 for s in p.reference.districts(sorted(done.plan.places)).values()]
        wcu = sum(math.ceil(b / 1024) for b in sizes) + done.applied        # each place's item, and its audit entry
        print(f"import: {done.applied} places written in {took:.1f} s ({done.applied / took:.0f} a second); "
              f"DynamoDB {AWS_CALLS.count('dynamodb')} calls; {wcu} WCU "
              f"(items {min(sizes)}-{max(sizes)} bytes, mean {sum(sizes) / len(sizes):.0f})")
        for pace in (50, 200):
            print(f"  at the tool's pace of {pace} places a second: {done.applied / pace:.0f} s, "
                  f"{math.ceil(wcu / (done.applied / pace))} WCU a second")
        t0 = time.perf_counter()
        again = registry.import_csv(p, text, actor="bench", apply=True)
        print(f"the same file again: {again.lines()[0]}; {again.applied} places written "
              f"in {time.perf_counter() - t0:.1f} s")


if __name__ == "__main__":
    main()
