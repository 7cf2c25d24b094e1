"""Keys in AWS come from Secrets Manager (encrypted under the personal-data KMS key):
the same code paths, against moto."""
import json

import boto3
import pytest


@pytest.fixture
def aws_keys(aws, monkeypatch):
    sm = boto3.client("secretsmanager", region_name="eu-central-1")
    kms = boto3.client("kms", region_name="eu-central-1")
    key_id = kms.create_key(Description="pii")["KeyMetadata"]["KeyId"]
    master = sm.create_secret(Name="acikkapi-local/pii-master-key", KmsKeyId=key_id,
                              SecretString="x" * 64)["ARN"]
    links = sm.create_secret(Name="acikkapi-local/link-signing-keys", KmsKeyId=key_id,
                             SecretString=json.dumps({"active": "k1", "k1": "a" * 64}))["ARN"]
    monkeypatch.delenv("ACIKKAPI_MASTER_KEY")
    monkeypatch.delenv("LINK_SIGNING_KEYS")
    monkeypatch.setenv("ACIKKAPI_MASTER_SECRET_ARN", master)
    monkeypatch.setenv("LINK_SIGNING_SECRET_ARN", links)
    from chalicelib import bootstrap
    bootstrap.reset()
    yield sm, links
    bootstrap.reset()


def test_personal_data_keys_from_secrets_manager(aws_keys):
    from chalicelib.bootstrap import ports
    keys = ports().keys
    sealed = keys.seal("10000000146", "AAAAAAAAAA")
    assert keys.unseal(sealed, "AAAAAAAAAA") == "10000000146"
    with pytest.raises(Exception):
        keys.unseal(sealed, "BBBBBBBBBB")  # bound to its case


def test_link_key_rotation_keeps_old_links_valid(aws_keys):
    from datetime import datetime, timezone
    from chalicelib import bootstrap
    from chalicelib.bootstrap import ports
    from chalicelib.domain.tokens import LinkClaims, TokenError, sign, verify
    sm, arn = aws_keys
    now = int(datetime.now(timezone.utc).timestamp())
    old = sign(LinkClaims("inst", "A.b", "b", 1, now + 3600), *ports().keys.signing_keys().active_key())
    sm.put_secret_value(SecretId=arn, SecretString=json.dumps({"active": "k2", "k1": "a" * 64, "k2": "b" * 64}))
    bootstrap.reset()
    keys = ports().keys.signing_keys()
    assert keys.active == "k2"
    assert verify(old, keys.keys, now=now, purpose="inst").subject == "A.b"
    new = sign(LinkClaims("inst", "A.b", "b", 1, now + 3600), *keys.active_key())
    assert new.split(".")[1] == "k2"
    sm.put_secret_value(SecretId=arn, SecretString=json.dumps({"active": "k2", "k2": "b" * 64}))
    bootstrap.reset()
    with pytest.raises(TokenError) as exc:
        verify(old, ports().keys.signing_keys().keys, now=now, purpose="inst")
    assert exc.value.reason == "unknown_key"


def test_a_link_signed_with_a_newly_activated_key_verifies_in_a_warm_container(aws_keys):
    """The container read k1 at start; k2 is activated later (another container signs
    with it). The first token naming k2 makes this container read the keys again."""
    from datetime import datetime, timezone
    from chalicelib.bootstrap import ports
    from chalicelib.domain.tokens import LinkClaims, sign
    from chalicelib.services.links import verify_link
    sm, arn = aws_keys
    now = datetime.now(timezone.utc)
    warm = ports().keys
    assert warm.signing_keys().active == "k1"      # loaded once, cached
    sm.put_secret_value(SecretId=arn, SecretString=json.dumps({"active": "k2", "k1": "a" * 64, "k2": "b" * 64}))
    token = sign(LinkClaims("inst", "A.b", "b", 1, int(now.timestamp()) + 3600), "k2", b"b" * 64)
    assert verify_link(warm, token, now=now, purpose="inst").subject == "A.b"
    assert warm.signing_keys().active == "k2"
