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
    from chalicelib import config
    config.reset()
    yield sm, links
    config.reset()


def test_personal_data_keys_from_secrets_manager(aws_keys):
    from chalicelib import security
    sealed = security.encrypt("10000000146", "AAAAAAAAAA")
    assert security.decrypt(sealed, "AAAAAAAAAA") == "10000000146"
    with pytest.raises(Exception):
        security.decrypt(sealed, "BBBBBBBBBB")  # bound to its case


def test_link_key_rotation_keeps_old_links_valid(aws_keys):
    from datetime import datetime, timezone
    from chalicelib import config, security
    from chalicelib.domain.tokens import LinkClaims, TokenError, sign, verify
    sm, arn = aws_keys
    now = int(datetime.now(timezone.utc).timestamp())
    old = sign(LinkClaims("inst", "A.b", "b", 1, now + 3600), *security.signing_keys().active_key())
    sm.put_secret_value(SecretId=arn, SecretString=json.dumps({"active": "k2", "k1": "a" * 64, "k2": "b" * 64}))
    config.reset()
    keys = security.signing_keys()
    assert keys.active == "k2"
    assert verify(old, keys.keys, now=now, purpose="inst").subject == "A.b"
    new = sign(LinkClaims("inst", "A.b", "b", 1, now + 3600), *keys.active_key())
    assert new.split(".")[1] == "k2"
    sm.put_secret_value(SecretId=arn, SecretString=json.dumps({"active": "k2", "k2": "b" * 64}))
    config.reset()
    with pytest.raises(TokenError) as exc:
        verify(old, security.signing_keys().keys, now=now, purpose="inst")
    assert exc.value.reason == "unknown_key"
