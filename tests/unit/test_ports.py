"""The store ports cannot drift: every method a store port declares has a contract test
that runs its fake and its DynamoDB adapter alike, and every fake and adapter
implements every method of its port."""
from __future__ import annotations

import ast
import inspect
import re
from pathlib import Path

from chalicelib.services import ports as P

CONTRACT = Path(__file__).resolve().parents[1] / "contract"

# port -> (its Ports field, the fake's class path, the DynamoDB adapter's class path)
STORES = {
    P.CaseRepository: ("cases", "tests.fakes.cases.FakeCases", "chalicelib.adapters.dynamodb.cases.DynamoCases"),
    P.StaffDirectory: ("directory", "tests.fakes.stores.FakeStaffDirectory",
                       "chalicelib.adapters.dynamodb.directory.DynamoStaffDirectory"),
    P.PartnerKeys: ("partners", "tests.fakes.stores.FakePartnerKeys",
                    "chalicelib.adapters.dynamodb.partners.DynamoPartnerKeys"),
    P.PhoneCodes: ("phone_codes", "tests.fakes.stores.FakePhoneCodes",
                   "chalicelib.adapters.dynamodb.phone_codes.DynamoPhoneCodes"),
    P.SubjectRequests: ("subject_requests", "tests.fakes.stores.FakeSubjectRequests",
                        "chalicelib.adapters.dynamodb.subject_requests.DynamoSubjectRequests"),
    P.Statistics: ("statistics", "tests.fakes.statistics.FakeStatistics",
                   "chalicelib.adapters.dynamodb.statistics.DynamoStatistics"),
    P.ReferenceData: ("reference", "tests.fakes.stores.FakeReferenceData",
                      "chalicelib.adapters.dynamodb.reference.DynamoReferenceData"),
    P.Counters: ("counters", "tests.fakes.stores.FakeCounters", "chalicelib.adapters.dynamodb.counters.DynamoCounters"),
    P.AuditLog: ("audit", "tests.fakes.stores.FakeAudit", "chalicelib.adapters.dynamodb.audit.DynamoAuditLog"),
    P.NotificationClaims: ("claims", "tests.fakes.stores.FakeClaims",
                           "chalicelib.adapters.dynamodb.claims.DynamoNotificationClaims"),
}


def _methods(protocol) -> set[str]:
    return {name for name, value in vars(protocol).items() if inspect.isfunction(value) and not name.startswith("_")}


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def _called_on(path: Path, field: str) -> set[str]:
    """Methods called as `<x>.<field>.<method>(` in a contract test module."""
    called = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            owner = node.func.value
            if isinstance(owner, ast.Attribute) and owner.attr == field:
                called.add(node.func.attr)
    return called


def _load(dotted: str):
    import importlib
    module, _, name = dotted.rpartition(".")
    return getattr(importlib.import_module(module), name)


def test_every_store_port_method_has_a_contract_test():
    missing = {}
    for port, (field, _, _) in STORES.items():
        path = CONTRACT / f"test_{_snake(port.__name__)}_contract.py"
        assert path.exists(), f"{port.__name__}: no contract module {path.name}"
        untested = _methods(port) - _called_on(path, field)
        if untested:
            missing[port.__name__] = sorted(untested)
    assert missing == {}


def test_every_store_port_is_a_field_of_ports_and_every_fake_and_adapter_implements_it():
    fields = {f: t for f, t in P.Ports.__annotations__.items()}
    for port, (field, fake, adapter) in STORES.items():
        assert fields[field] == port.__name__
        for impl in (_load(fake), _load(adapter)):
            assert not _methods(port) - {n for n in dir(impl) if callable(getattr(impl, n, None))}, impl


def test_the_type_checker_refuses_a_service_that_calls_what_its_port_does_not_declare(tmp_path):
    """`make test` runs mypy over chalicelib/ (mypy.ini): a call the port does not declare
    fails it, as a method the fake has and the port lacks would."""
    from mypy import api
    root = Path(__file__).resolve().parents[2]
    drifted = tmp_path / "drifted.py"
    drifted.write_text("from chalicelib.services.ports import Ports\n\n\n"
                       "def count(ports: Ports) -> int:\n    return ports.cases.count_everything()\n")
    out, _, status = api.run(["--config-file", str(root / "mypy.ini"), "--cache-dir", str(tmp_path / "cache"),
                              str(drifted)])
    assert status == 1 and '"CaseRepository" has no attribute "count_everything"' in out
