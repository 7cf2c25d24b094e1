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

from infra.template import TEMPLATE, Resolver, load_template  # noqa: E402


def transfer_basis(region: str) -> str:
    """KVKK art. 9: a region outside Türkiye needs the basis of the transfer abroad. It is
    read from TRANSFER_BASIS and written into the template (the functions read it; the
    notice names it); without one, packaging stops here, naming the variable."""
    from chalicelib.domain.hosting import NoTransferBasis, data_location
    raw = os.environ.get("TRANSFER_BASIS", "")
    try:
        data_location(region, stage="prod", transfer_basis=raw)
    except (NoTransferBasis, ValueError) as exc:
        raise SystemExit(f"make package: {exc}") from None
    return raw


def package(stage: str, out: Path, template_path: Path = TEMPLATE) -> Path:
    template = load_template(template_path)
    region = os.environ.get("AWS_DEFAULT_REGION", "eu-central-1")
    basis = transfer_basis(region)
    r = Resolver(template, stage, region)
    env = dict(os.environ)
    env.setdefault("AWS_DEFAULT_REGION", "eu-central-1")
    for var, logical in (("ROUTING_QUEUE_NAME", "RoutingQueue"), ("NOTIFICATION_QUEUE_NAME", "NotificationQueue")):
        env[var] = r.value(template["Resources"][logical]["Properties"]["QueueName"])
    out.mkdir(parents=True, exist_ok=True)
    chalice = str(Path(sys.executable).parent / "chalice")
    # two `chalice package` runs at once share .chalice/deployments and one of them fails:
    # the tests and the deploy rehearsal package in parallel, so each run takes a lock
    import fcntl
    (ROOT / "build").mkdir(exist_ok=True)
    with open(ROOT / "build" / ".package.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        subprocess.run([chalice, "package", "--stage", stage, "--merge-template", str(template_path),
                        str(out)], cwd=ROOT, env=env, check=True)
    sam = out / "sam.json"
    doc = json.loads(sam.read_text())
    doc["Parameters"]["Stage"]["Default"] = stage
    doc["Parameters"]["TransferBasis"]["Default"] = basis
    add_function_logs_and_alarms(doc)
    sam.write_text(json.dumps(doc, indent=1, ensure_ascii=False))
    compiled = add_bytecode(out / "deployment.zip")
    print(f"deployment.zip: {(out / 'deployment.zip').stat().st_size / 1e6:.1f} MB, {compiled} modules precompiled")
    return sam


def add_function_logs_and_alarms(doc: dict) -> None:
    """Every function Chalice generates (the API, the workers, the authorizer and each job
    of chalicelib/schedules.py) gets its log group, kept LogRetentionDays and retained
    when the stack goes, and an alarm on its errors to the alarm topic: written here
    once, not by hand for each function in the template."""
    functions = [name for name, r in doc["Resources"].items() if r.get("Type") == "AWS::Serverless::Function"]
    for name in functions:
        doc["Resources"][f"{name}LogGroup"] = {
            "Type": "AWS::Logs::LogGroup", "DeletionPolicy": "Retain", "UpdateReplacePolicy": "Retain",
            "Properties": {"LogGroupName": {"Fn::Sub": f"/aws/lambda/${{{name}}}"},
                           "RetentionInDays": {"Ref": "LogRetentionDays"}}}
        doc["Resources"][f"{name}ErrorsAlarm"] = {
            "Type": "AWS::CloudWatch::Alarm",
            "Properties": {"AlarmDescription": f"{name} raised errors", "Namespace": "AWS/Lambda",
                           "MetricName": "Errors", "Dimensions": [{"Name": "FunctionName", "Value": {"Ref": name}}],
                           "Statistic": "Sum", "Period": 300, "EvaluationPeriods": 1, "Threshold": 1,
                           "ComparisonOperator": "GreaterThanOrEqualToThreshold", "TreatMissingData": "notBreaching",
                           "AlarmActions": [{"Ref": "AlarmTopic"}], "OKActions": [{"Ref": "AlarmTopic"}]}}


def add_bytecode(zip_path: Path) -> int:
    """Adds compiled bytecode beside every module of the code zip. Lambda's code directory
    is read-only, so without it every cold start compiles every module it imports from
    source. Unchecked-hash .pyc (PEP 552): valid whatever the files' times in the zip;
    compiled by the Python that runs the packaging, which is the runtime's (Chalice
    deploys the Python it runs on)."""
    import copy
    import importlib.util
    import py_compile
    import tempfile
    import zipfile
    tag = sys.implementation.cache_tag          # cpython-311
    added = 0
    with tempfile.TemporaryDirectory() as tmp, zipfile.ZipFile(zip_path) as src:
        todo = [n for n in src.namelist() if n.endswith(".py")]
        rebuilt = Path(tmp) / "deployment.zip"
        def pyc_of(name: str) -> str:
            folder, _, file = name.rpartition("/")
            return f"{folder + '/' if folder else ''}__pycache__/{file[:-3]}.{tag}.pyc"
        replaced = {pyc_of(n) for n in todo}   # a pyc copied from a work tree checks file times: made anew
        with zipfile.ZipFile(rebuilt, "w", zipfile.ZIP_DEFLATED) as dst:
            for info in src.infolist():
                if info.filename not in replaced:   # a copy: writestr() moves the ZipInfo's offsets
                    dst.writestr(copy.copy(info), src.read(info.filename))
            for name in todo:
                target = pyc_of(name)
                source = Path(tmp) / "src.py"
                source.write_bytes(src.read(name))
                try:
                    py_compile.compile(str(source), cfile=str(Path(tmp) / "out.pyc"), dfile=name, doraise=True,
                                       invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH)
                except py_compile.PyCompileError:
                    continue   # a file not meant for this Python (a vendored test, a template): left as it is
                dst.write(Path(tmp) / "out.pyc", target)
                added += 1
        assert importlib.util.MAGIC_NUMBER   # the running interpreter's: what the runtime will check
        rebuilt.replace(zip_path)
    return added


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--stage", choices=["dev", "prod"], required=True)
    parser.add_argument("--out", default=None)
    parser.add_argument("--template", default=str(TEMPLATE), help="the infrastructure template to merge "
                        "(the deploy rehearsal's tests pass a broken copy)")
    args = parser.parse_args()
    path = package(args.stage, Path(args.out or ROOT / "build" / args.stage), Path(args.template).resolve())
    print(f"packaged {args.stage}: {path}")
