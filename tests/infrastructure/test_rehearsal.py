"""The deploy rehearsal (infra/rehearse.py, `make rehearse`, run by `make test` before the
suite) fails on what would break a deployment, and says what broke: a reference to
nothing, a function without a variable the code needs, a role without an action its
function performs. Each case rehearses a broken copy of infra/template.json."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from infra import rehearse
from infra.policies import policy

ROOT = Path(__file__).resolve().parents[2]


def _rehearse(tmp_path: Path, template: dict) -> subprocess.CompletedProcess:
    assert rehearse.SAM_PYTHON.exists(), ".venv-sam is missing: `make test` creates it (make rehearse)"
    path = tmp_path / "template.json"
    path.write_text(json.dumps(template, ensure_ascii=False), "utf-8")
    return subprocess.run([sys.executable, str(ROOT / "infra" / "rehearse.py"), "--template", str(path),
                           "--work", str(tmp_path / "work")], cwd=ROOT, capture_output=True, text=True, timeout=600)


def _template() -> dict:
    return json.loads((ROOT / "infra" / "template.json").read_text("utf-8"))


def test_a_reference_to_nothing_fails_naming_the_resource_and_the_property(tmp_path):
    broken = _template()
    broken["Resources"]["RoutingQueue"]["Properties"]["RedrivePolicy"]["deadLetterTargetArn"] = {
        "Fn::GetAtt": ["RoutingDeadLetterQueu", "Arn"]}
    result = _rehearse(tmp_path, broken)
    assert result.returncode == 1, result.stdout
    assert ("RoutingQueue.Properties.RedrivePolicy.deadLetterTargetArn: Fn::GetAtt of 'RoutingDeadLetterQueu', "
            "which the template does not define") in result.stderr


def test_a_function_without_a_variable_the_code_needs_fails_naming_it(tmp_path):
    broken = _template()
    del broken["Globals"]["Function"]["Environment"]["Variables"]["NOTIFICATION_QUEUE_URL"]
    result = _rehearse(tmp_path, broken)
    assert result.returncode == 1, result.stdout
    assert ("RoutingWorker (AWS::Lambda::Function).Environment: NOTIFICATION_QUEUE_URL is not set"
            in result.stderr)


def test_a_role_without_an_action_its_function_performs_fails_naming_the_action_and_resource(tmp_path):
    """The API's role without PutItem on the main table (a submission's transaction puts
    the case): the packaged API's own calls are refused, by name."""
    narrowed = policy("prod", "api")
    for statement in narrowed["Statement"]:
        if statement["Sid"] == "CasesTable":
            statement["Action"] = [a for a in statement["Action"] if a != "dynamodb:PutItem"]
    broken = _template()
    broken["Resources"]["ApiHandlerRole"] = {"Properties": {"Policies": [
        {"PolicyName": "ApiHandlerRolePolicy", "PolicyDocument": narrowed}]}}
    result = _rehearse(tmp_path, broken)
    assert result.returncode == 1, result.stdout
    assert "APIHandler: its role ApiHandlerRole does not allow what the function does" in result.stderr
    assert "dynamodb:PutItem on arn:aws:dynamodb:eu-central-1:123456789012:table/acikkapi-prod-main" in result.stderr


# --- the pure parts ----------------------------------------------------------------------------

def test_every_kind_of_reference_is_resolved_or_named():
    doc = {"Parameters": {"Stage": {}}, "Conditions": {"IsProd": {"Fn::Equals": [{"Ref": "Stage"}, "prod"]}},
           "Resources": {
               "Table": {"Type": "AWS::DynamoDB::Table", "Properties": {"TableName": {"Fn::Sub": "t-${Stage}"}}},
               "Fn": {"Type": "AWS::Lambda::Function", "DependsOn": ["Table", "Gone"], "Condition": "IsDev",
                      "Properties": {"A": {"Ref": "Tabel"}, "B": {"Fn::GetAtt": ["Table", "Arn"]},
                                     "C": {"Fn::Sub": "${Table.Arn}/${Missing}/${!Literal}"},
                                     "D": {"Fn::If": ["IsProd", {"Ref": "AWS::Region"}, {"Ref": "AWS::NoValue"}]},
                                     "E": {"Fn::Sub": ["${x}-${Stage}", {"x": "y"}]}}}}}
    assert sorted(rehearse.unresolved(doc)) == sorted([
        "Fn.DependsOn: 'Gone' is not a resource of the template",
        "Fn.Condition: 'IsDev' is not a condition of the template",
        "Fn.Properties.A: Ref to 'Tabel', which the template does not define",
        "Fn.Properties.C: Fn::Sub names '${Missing}', which the template does not define",
    ])


@pytest.mark.parametrize("service,operation,params,expected", [
    ("dynamodb", "TransactWriteItems", {"TransactItems": [{"Put": {"TableName": "m"}}, {"Update": {"TableName": "m"}},
                                                          {"ConditionCheck": {"TableName": "a"}}]},
     [("dynamodb:PutItem", "arn:aws:dynamodb:eu-central-1:123456789012:table/m"),
      ("dynamodb:UpdateItem", "arn:aws:dynamodb:eu-central-1:123456789012:table/m"),
      ("dynamodb:ConditionCheckItem", "arn:aws:dynamodb:eu-central-1:123456789012:table/a")]),
    ("dynamodb", "Query", {"TableName": "m", "IndexName": "gsi1"},
     [("dynamodb:Query", "arn:aws:dynamodb:eu-central-1:123456789012:table/m/index/gsi1")]),
    ("sqs", "SendMessageBatch", {"QueueUrl": "http://x/123456789012/q"},
     [("sqs:SendMessage", "arn:aws:sqs:eu-central-1:123456789012:q")]),
    ("s3", "HeadObject", {"Bucket": "b", "Key": "files/k"}, [("s3:GetObject", "arn:aws:s3:::b/files/k")]),
    ("cognito-idp", "InitiateAuth", {"UserPoolId": "p"}, []),
])
def test_each_call_is_checked_as_the_iam_actions_it_is_authorised_as(service, operation, params, expected):
    assert rehearse.needed(service, operation, params, {}) == expected


def test_a_policy_allows_by_action_and_resource_patterns():
    statements = [{"Effect": "Allow", "Action": ["dynamodb:GetItem", "sqs:Send*"],
                   "Resource": ["arn:aws:dynamodb:*:*:table/acikkapi-prod-main", "arn:aws:sqs:*:*:acikkapi-prod-*"]}]
    assert rehearse.allows(statements, "dynamodb:GetItem", "arn:aws:dynamodb:eu-central-1:1:table/acikkapi-prod-main")
    assert not rehearse.allows(statements, "dynamodb:GetItem", "arn:aws:dynamodb:eu-central-1:1:table/other")
    assert not rehearse.allows(statements, "dynamodb:PutItem", "arn:aws:dynamodb:eu-central-1:1:table/acikkapi-prod-main")
    assert rehearse.allows(statements, "sqs:SendMessage", "arn:aws:sqs:eu-central-1:1:acikkapi-prod-routing")
