"""`make package STAGE=dev|prod`: Chalice's SAM output merged with infra/template.json.

The queue names that app.py subscribes to are resolved from the template for the stage
(the same names CloudFormation creates), and the template's Stage parameter defaults to
the packaged stage.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from infra.template import Resolver, load_template  # noqa: E402


def package(stage: str, out: Path) -> Path:
    template = load_template()
    r = Resolver(template, stage, os.environ.get("AWS_DEFAULT_REGION", "eu-central-1"))
    env = dict(os.environ)
    env.setdefault("AWS_DEFAULT_REGION", "eu-central-1")
    for var, logical in (("ROUTING_QUEUE_NAME", "RoutingQueue"), ("NOTIFICATION_QUEUE_NAME", "NotificationQueue")):
        env[var] = r.value(template["Resources"][logical]["Properties"]["QueueName"])
    out.mkdir(parents=True, exist_ok=True)
    chalice = str(Path(sys.executable).parent / "chalice")
    subprocess.run([chalice, "package", "--stage", stage, "--merge-template", str(ROOT / "infra" / "template.json"),
                    str(out)], cwd=ROOT, env=env, check=True)
    sam = out / "sam.json"
    doc = json.loads(sam.read_text())
    doc["Parameters"]["Stage"]["Default"] = stage
    sam.write_text(json.dumps(doc, indent=1, ensure_ascii=False))
    return sam


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--stage", choices=["dev", "prod"], required=True)
    parser.add_argument("--out", default=None)
    args = parser.parse_args()
    path = package(args.stage, Path(args.out or ROOT / "build" / args.stage))
    print(f"packaged {args.stage}: {path}")
