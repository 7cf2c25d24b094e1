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
