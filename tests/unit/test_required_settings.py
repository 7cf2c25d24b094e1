"""A deployed function without a variable the code needs says which one, at once: it
never falls back to the local stack's table or queue names (issue 43)."""
from __future__ import annotations

import pytest

from chalicelib import config

FULL = {name: "x" for name in config.REQUIRED_IN_AWS} | {"STAGE": "prod", "AWS_LAMBDA_FUNCTION_NAME": "acikkapi-prod"}


def test_a_deployed_function_lacking_a_variable_is_told_which():
    env = {k: v for k, v in FULL.items() if k != "MAIN_TABLE"}
    assert config.missing_in_aws(env) == ["MAIN_TABLE"]
    assert config.missing_in_aws(FULL) == []
    assert config.missing_in_aws({**FULL, "TRANSFER_BASIS": ""}) == []      # present, if empty, is given


def test_the_local_stack_and_the_tests_keep_their_defaults():
    assert config.missing_in_aws({"STAGE": "local", "AWS_LAMBDA_FUNCTION_NAME": "bench"}) == []
    assert config.missing_in_aws({}) == []
    # in Lambda without a stage, every variable is asked for: no silent "local"
    assert "STAGE" in config.missing_in_aws({"AWS_LAMBDA_FUNCTION_NAME": "acikkapi-prod"})


def test_settings_refuse_to_start_without_them(monkeypatch):
    for name in config.REQUIRED_IN_AWS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", "acikkapi-prod")
    monkeypatch.setenv("STAGE", "prod")
    config.settings.cache_clear()
    try:
        with pytest.raises(config.MissingSetting, match="MAIN_TABLE"):
            config.settings()
    finally:
        config.settings.cache_clear()
