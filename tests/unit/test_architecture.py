"""The domain core stays pure: no AWS SDK, no pynamodb, no Chalice."""
import ast
from pathlib import Path

DOMAIN = Path(__file__).resolve().parents[2] / "chalicelib" / "domain"
FORBIDDEN = ("boto3", "botocore", "pynamodb", "chalice")


def test_the_domain_imports_no_adapters():
    offenders = []
    for path in DOMAIN.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
                if node.level and (node.module or "").startswith(("adapters", "services", "api")):
                    offenders.append((path.name, node.module))
            offenders += [(path.name, n) for n in names if n.split(".")[0] in FORBIDDEN]
    assert offenders == []
    assert len(list(DOMAIN.glob("*.py"))) >= 10


def test_every_event_handler_lives_in_app_py():
    import os
    os.environ.setdefault("ROUTING_QUEUE_NAME", "q1")
    os.environ.setdefault("NOTIFICATION_QUEUE_NAME", "q2")
    from app import app
    for source in app.event_sources:
        assert source.handler_string.startswith("app."), source.handler_string


def test_importing_the_app_does_not_import_the_heavy_libraries():
    """Cold starts pay for every module imported at the top level: the authorizer and
    the workers must not pay for pydantic, pynamodb or boto3 before they need them."""
    import subprocess
    import sys
    code = ("import sys, app; heavy = [m for m in ('pydantic', 'pynamodb', 'boto3', 'botocore', 'cryptography', "
            "'aws_lambda_powertools', 'holidays', 'jwt') if m in sys.modules]; print(','.join(heavy))")
    env = {"ROUTING_QUEUE_NAME": "q1", "NOTIFICATION_QUEUE_NAME": "q2", "PATH": "/usr/bin:/bin"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                         cwd=str(Path(__file__).resolve().parents[2]))
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == ""


ROOT = Path(__file__).resolve().parents[2]
SERVICES = ROOT / "chalicelib" / "services"
AWS_LIBRARIES = ("boto3", "botocore", "pynamodb", "chalice")


def _imports(path: Path) -> list[tuple[str, int]]:
    """(module, level) of every import in a file, relative ones as written."""
    out = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            out += [(a.name, 0) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            out.append((node.module or "", node.level))
    return out


def test_services_reach_the_outside_world_only_through_the_ports():
    offenders = []
    for path in SERVICES.rglob("*.py"):
        for module, level in _imports(path):
            if level == 0 and module.split(".")[0] in AWS_LIBRARIES:
                offenders.append((path.name, module))
            if "adapters" in module.split(".") or module.startswith("chalicelib.adapters"):
                offenders.append((path.name, module))
            if module.split(".")[-1] in ("bootstrap", "security", "auth"):
                offenders.append((path.name, module))
    assert offenders == []
    assert len(list(SERVICES.rglob("*.py"))) >= 10


def test_no_key_format_or_index_name_appears_in_the_services():
    """Key formats and index names live in adapters/itemkeys.py only."""
    import re
    pattern = re.compile(r"""["'](CASE|ASSIGN|IDEM|THR|NOTE|DISTRICT|DIGEST|SURVEY|ROUTE|REF|D|P|A)#|gsi\d|"""
                         r"""by_district|by_province|by_applicant|sweep_pk|sweep_sk|\bpk\b|\bsk\b""")
    offenders = [(p.name, n + 1, line.strip()) for p in SERVICES.rglob("*.py")
                 for n, line in enumerate(p.read_text().splitlines()) if pattern.search(line)]
    assert offenders == []


def test_the_blueprints_and_workers_take_their_ports_from_the_composition_root():
    """One wiring style: api/ and app.py build no adapter themselves."""
    offenders = []
    for path in [*(ROOT / "chalicelib" / "api").glob("*.py"), ROOT / "app.py"]:
        text = path.read_text()
        for name in ("DynamoStore", "SqsPublisher", "S3Storage", "ConfiguredKeys", "adapters.store",
                     "adapters.storage", "adapters.secrets"):
            if name in text:
                offenders.append((path.name, name))
    assert offenders == []


def test_operator_tooling_and_the_stack_stay_out_of_the_lambda_bundle():
    """chalicelib/ is what Chalice packages: no ops, no devstack, no infra inside it;
    infra/ is built from the template alone and never imports devstack/."""
    assert not (ROOT / "chalicelib" / "ops.py").exists()
    for path in (ROOT / "chalicelib").rglob("*.py"):
        assert not [m for m, _ in _imports(path) if m.split(".")[0] in ("devstack", "tools", "infra", "tests")], path
    for path in (ROOT / "infra").glob("*.py"):
        assert not [m for m, _ in _imports(path) if m.split(".")[0] == "devstack"], path


def test_only_the_notification_map_builds_messages():
    """Services return domain events; services/notifications.py alone turns them into
    notifications (an institution's, through its delivery method's module) and publishes
    them, so who is told what stays in one place."""
    offenders = [(path.name, needle) for path in SERVICES.rglob("*.py")
                 if path.name != "notifications.py" and path.parent.name != "delivery_methods"
                 for needle in ("Notification(", "dedup_key(", "publisher.notify(") if needle in path.read_text()]
    assert offenders == []
