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


def _modules() -> dict[str, Path]:
    found = {}
    for path in (ROOT / "chalicelib").rglob("*.py"):
        parts = path.relative_to(ROOT).with_suffix("").parts
        found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    found["app"] = ROOT / "app.py"
    return found


def _import_graph() -> dict[str, set[str]]:
    """Module -> the chalicelib modules it imports, at the top or inside a function alike
    (an import inside a function is still an arrow: it only hides the circle), and the
    packages whose __init__ runs on the way."""
    modules = _modules()
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
        deps = set()
        for node in ast.walk(ast.parse(path.read_text())):
            targets = []
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = ".".join(package[:len(package) - node.level + 1] + ([node.module] if node.module else [])) \
                    if node.level else node.module or ""
                targets = [base] + [f"{base}.{a.name}" for a in node.names]
            for t in targets:      # importing a.b.c runs the package a.b's __init__ first
                parts = t.split(".")
                deps |= {".".join(parts[:i]) for i in range(2, len(parts) + 1)}
        graph[name] = {d for d in deps if d in modules and d != name and not name.startswith(d + ".")}
    return graph


def _circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_no_module_imports_its_way_back_to_itself():
    assert _circles(_import_graph()) == []


def test_the_circle_finder_finds_a_circle():
    assert _circles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _circles({"a": {"b"}, "b": set()}) == []


def test_only_the_composition_root_builds_adapters():
    """api/, services/, domain/ and app.py import no adapter: they take their ports from
    bootstrap.ports() (or are handed them). Adapters import each other and the domain."""
    offenders = [(name, dep) for name, deps in _import_graph().items()
                 if not name.startswith("chalicelib.adapters") and name != "chalicelib.bootstrap"
                 for dep in deps if dep.startswith("chalicelib.adapters")]
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
    """Services return domain events; services/notification_map.py alone turns them into
    notifications (an institution's, through its delivery method's module) and publishes
    them, so who is told what stays in one place."""
    offenders = [(path.name, needle) for path in SERVICES.rglob("*.py")
                 if path.name != "notification_map.py" and path.parent.name != "delivery_methods"
                 for needle in ("Notification(", "dedup_key(", "publisher.notify(") if needle in path.read_text()]
    assert offenders == []


def test_every_declared_schedule_is_a_function_with_its_cadence_and_policy():
    """A scheduled job is one entry in chalicelib/schedules.py: app.py registers it, named
    as declared; infra/policies.py gives its function its role's policy; infra/package.py
    its log group and alarm (tests/infrastructure)."""
    import os
    os.environ.setdefault("ROUTING_QUEUE_NAME", "q1")
    os.environ.setdefault("NOTIFICATION_QUEUE_NAME", "q2")
    import json
    from chalice.app import Cron, Rate, ScheduledEventConfig

    import app
    from chalicelib.schedules import SCHEDULES
    sources = {s.name: s for s in app.app.event_sources if isinstance(s, ScheduledEventConfig)}
    assert set(sources) == {s.name for s in SCHEDULES}
    config = json.loads((ROOT / ".chalice" / "config.json").read_text())
    for s in SCHEDULES:
        expression = sources[s.name].schedule_expression
        if s.expression[0] == "rate":
            assert isinstance(expression, Rate) and expression.value == s.expression[1]
        else:
            assert isinstance(expression, Cron) and expression.minutes == s.expression[1]
        assert sources[s.name].handler_string == f"app.{s.name}" and callable(getattr(app, s.name))
        assert callable(s.target())
        for stage in ("dev", "prod"):
            assert config["stages"][stage]["lambda_functions"][s.name] == {
                "iam_policy_file": f"policy-{stage}-{s.role}.json"}


HEAVY_LIBRARIES = {"pydantic", "pydantic_core", "pynamodb", "boto3", "botocore", "cryptography", "PIL", "pypdf",
                   "pillow_heif", "rapidfuzz", "jwt", "aws_lambda_powertools", "holidays", "chalice", "segno", "fpdf"}
# What a cold start imports before it serves anything: app.py and what it imports at the
# top. Here an import inside a function is how a container pays only for what it serves
# (docs/architecture.md, bench/cold_start.py).
COLD_PATH = ("app", "chalicelib.api", "chalicelib.bootstrap", "chalicelib.config", "chalicelib.coldstart",
             "chalicelib.logs", "chalicelib.schedules", "chalicelib.lazymodules")


def _top_and_inner_imports() -> tuple[dict[str, list[str]], list[tuple[str, int, list[str]]]]:
    modules = _modules()
    top: dict[str, list[str]] = {}
    inner: list[tuple[str, int, list[str]]] = []
    for name, path in modules.items():
        package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
        tree = ast.parse(path.read_text())

        def targets(node) -> list[str]:
            if isinstance(node, ast.Import):
                return [a.name for a in node.names]
            base = ".".join(package[:len(package) - node.level + 1] + ([node.module] if node.module else [])) \
                if node.level else node.module or ""
            return [base] + [f"{base}.{a.name}" for a in node.names]
        in_functions = set()
        for fn in ast.walk(tree):
            if isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
                for node in ast.walk(fn):
                    if isinstance(node, (ast.Import, ast.ImportFrom)) and id(node) not in in_functions:
                        in_functions.add(id(node))
                        inner.append((name, node.lineno, targets(node)))
        top[name] = [t for node in ast.walk(tree) if isinstance(node, (ast.Import, ast.ImportFrom))
                     and id(node) not in in_functions for t in targets(node)]
    return top, inner


def test_an_import_inside_a_function_is_of_something_that_costs_a_cold_start():
    """Outside the cold path, a function imports inside itself only a heavy library
    (pydantic, pynamodb, boto3, cryptography, Pillow...) or a module that imports one at
    its top; a cheap module is imported at the top, where the reader sees it."""
    top, inner = _top_and_inner_imports()
    memo: dict[str, bool] = {}

    def heavy(module: str, seen: frozenset = frozenset()) -> bool:
        if module.split(".")[0] in HEAVY_LIBRARIES:
            return True
        if module not in top or module in seen:
            return False
        if module not in memo:
            memo[module] = any(heavy(t, seen | {module}) for t in top[module] if t != module)
        return memo[module]
    offenders = [(name, line, targets[0]) for name, line, targets in inner
                 if not any(name == c or name.startswith(c + ".") for c in COLD_PATH)
                 and not any(heavy(t) for t in targets)]
    assert offenders == []
