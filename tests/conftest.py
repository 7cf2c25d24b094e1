"""Test set-up shared by every layer.

The environment is set before anything imports `app` or the pynamodb models (whose
table names are read at import; chalice.test.Client only sets the stage environment
during a call). Table names are resolved from infra/template.json, never repeated here.
"""
from __future__ import annotations

import base64
import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from devstack.provision import Resolver, load_template  # noqa: E402

_template = load_template()
_resolver = Resolver(_template, "local", "eu-central-1")
for _key in ("AWS_ENDPOINT_URL", "AWS_PROFILE"):
    os.environ.pop(_key, None)
os.environ.update({
    "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": "eu-central-1", "AWS_REGION": "eu-central-1", "STAGE": "local",
    "ACIKKAPI_MASTER_KEY": base64.b64encode(b"k" * 32).decode(),
    "MAIN_TABLE": _resolver.value(_template["Resources"]["MainTable"]["Properties"]["TableName"]),
    "AUDIT_TABLE": _resolver.value(_template["Resources"]["AuditTable"]["Properties"]["TableName"]),
    "ROUTING_QUEUE_NAME": _resolver.value(_template["Resources"]["RoutingQueue"]["Properties"]["QueueName"]),
    "NOTIFICATION_QUEUE_NAME": _resolver.value(
        _template["Resources"]["NotificationQueue"]["Properties"]["QueueName"]),
    "POWERTOOLS_SERVICE_NAME": "acik-kapi", "LOG_LEVEL": "INFO",
    "MAIL_FROM": "bildirim@acikkapi.example",
    "PUBLIC_BASE_URL": "http://web.test",
    # the stand-in's Cognito checks two-factor codes for real (with its one fixed secret)
    "MOTO_COGNITO_IDP_USER_POOL_ENABLE_TOTP": "true",
})
from chalicelib.domain.crypto import new_signing_keys_document  # noqa: E402

os.environ["LINK_SIGNING_KEYS"] = new_signing_keys_document("k1")


def _moto_jwks_file() -> str:
    """moto signs Cognito tokens with a key pair it ships; the verifier reads the public
    half from a file URL here, from moto's HTTP endpoint on the local stack, and from
    Cognito in AWS. The verification code is the same."""
    import gzip
    import tempfile

    import moto.cognitoidp as cognito

    src = Path(cognito.__file__).parent / "resources" / "jwks-public.json.gz"
    target = Path(tempfile.gettempdir()) / "acikkapi-test-jwks.json"
    target.write_bytes(gzip.decompress(src.read_bytes()))
    return target.as_uri()


os.environ["COGNITO_JWKS_URL"] = _moto_jwks_file()


class AwsCalls:
    """Every AWS call made through botocore, recorded by an `after-call` event hook on
    every client (pynamodb's and ours)."""

    def __init__(self):
        self.calls: list[tuple[str, str, dict]] = []
        self.requests: list[tuple[str, str, dict]] = []    # (service, operation, the call's parameters)

    def reset(self):
        self.calls.clear()
        self.requests.clear()

    def count(self, service: str, operation: str | None = None) -> int:
        return sum(1 for s, o, _ in self.calls if s == service and (operation is None or o == operation))

    def operations(self, service: str) -> list[str]:
        return [o for s, o, _ in self.calls if s == service]

    def items_evaluated(self, service: str = "dynamodb") -> int:
        """Items DynamoDB read to answer (what it bills): ScannedCount for a Query or Scan,
        which counts the items a FilterExpression then dropped; the items of the gets."""
        total = 0
        for s, op, parsed in self.calls:
            if s != service:
                continue
            if op in ("Query", "Scan"):
                total += int(parsed.get("ScannedCount", len(parsed.get("Items", []))))
            elif "Item" in parsed:
                total += 1
            elif isinstance(parsed.get("Responses"), dict):
                total += sum(len(rows) for rows in parsed["Responses"].values())
            elif isinstance(parsed.get("Responses"), list):
                total += sum(1 for r in parsed["Responses"] if r.get("Item"))
        return total


AWS_CALLS = AwsCalls()


def _install_hook():
    import botocore.session

    original = botocore.session.Session.create_client

    def create_client(self, *args, **kwargs):
        client = original(self, *args, **kwargs)

        def record(http_response=None, parsed=None, model=None, **_):
            AWS_CALLS.calls.append((model.service_model.endpoint_prefix, model.name, parsed or {}))

        def remember(params=None, model=None, **_):
            AWS_CALLS.requests.append((model.service_model.endpoint_prefix, model.name, params or {}))

        client.meta.events.register("after-call.*.*", record)
        client.meta.events.register("provide-client-params.*.*", remember)
        return client

    botocore.session.Session.create_client = create_client


_install_hook()


# The local server's patches of moto (devstack/motoserver.py), applied as the local stack
# applies them. ACIKKAPI_UNPATCHED_MOTO=1 leaves moto as it ships: the store contract suite
# runs that way too (tests/infrastructure/test_local_moto.py), so that no patch can be what
# makes the DynamoDB adapters pass it.
UNPATCHED_MOTO = os.environ.get("ACIKKAPI_UNPATCHED_MOTO") == "1"
if not UNPATCHED_MOTO:
    from devstack.motoserver import (bound_sqs_walks, intern_attribute_names, pack_items_at_rest,  # noqa: E402
                                     serialise_dynamodb_writes)

    serialise_dynamodb_writes()
    bound_sqs_walks()
    intern_attribute_names()
    pack_items_at_rest(interval=0.0)   # as the local server does, packing after every write: every test reads packed items


@pytest.fixture
def aws():
    """A fresh moto account with the template's tables and queues, and seeded reference data."""
    from moto import mock_aws

    with mock_aws():
        from devstack.provision import provision
        env = provision("local", "eu-central-1")
        import boto3
        boto3.client("ses", region_name="eu-central-1").verify_email_identity(EmailAddress=os.environ["MAIL_FROM"])
        old = {k: os.environ.get(k) for k in env}
        os.environ.update(env)
        from chalicelib import bootstrap
        bootstrap.reset()
        from chalicelib.bootstrap import ports
        from chalicelib.services import reference
        reference.seed(ports())
        AWS_CALLS.reset()
        yield env
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
        bootstrap.reset()


@pytest.fixture
def aws_calls():
    AWS_CALLS.reset()
    return AWS_CALLS


@pytest.fixture
def client(aws):
    from chalice.test import Client

    from app import app
    from devstack import gateway
    gateway.install()     # API Gateway's greedy `{proxy+}` routing, as the local stack has it

    with Client(app, stage_name="local") as c:
        yield c


VALID_APPLICATION = {
    "type": "sikayet",
    "category": "yol_kaldirim",
    "district": "34-maltepe",
    "subject": "Kaldırım çökmüş",
    "description": "Bağdat Caddesi üzerinde kaldırım çöktü, yayalar yola inmek zorunda kalıyor.",
    "applicant": {
        "national_id": "10000000146",
        "first_name": "Ayşe",
        "last_name": "Yılmaz",
        "phone": "0532 123 45 67",
        "email": "ayse@example.com",
        "address": "Bağdat Cad. No:1 Maltepe / İstanbul",
    },
    "kvkk_acknowledged": True,
    "channel": "web",
}


@pytest.fixture
def application():
    import copy
    return copy.deepcopy(VALID_APPLICATION)


@pytest.fixture
def staff(aws):
    """Demo staff users in moto's Cognito; `staff.token(username)` signs one in through
    the API, like the web client does."""
    from devstack.users import demo_users, seed_users
    seed_users(aws["COGNITO_USER_POOL_ID"])

    class Staff:
        password = demo_users()["password"]

        def __init__(self):
            self._tokens = {}

        def sign_in(self, username: str) -> dict:
            """A fresh sign-in with the password and the code of the user's authenticator app:
            the provider's tokens."""
            import boto3

            from devstack.users import DEMO_TOTP_SECRET, sign_in
            idp = boto3.client("cognito-idp", region_name="eu-central-1")
            return sign_in(idp, aws["COGNITO_USER_POOL_ID"], username, self.password, DEMO_TOTP_SECRET[0])

        def token(self, username: str) -> str:
            if username not in self._tokens:
                self._tokens[username] = self.sign_in(username)["IdToken"]
            return self._tokens[username]

        def headers(self, username: str) -> dict:
            return {"Authorization": f"Bearer {self.token(username)}", "Content-Type": "application/json"}

    return Staff()


@pytest.fixture
def fake():
    """Every port as an in-memory fake, at a fixed clock (Mon 5 Jan 2026, 12:00 in İstanbul)."""
    from tests.fakes import fake_ports
    return fake_ports()
