"""`make rehearse`: the production path, run offline on every `make test`.

1. **Package** the prod stage as `make package` does (build/rehearsal/sam.json and the code zip).
2. **Transform** it into plain CloudFormation with aws-sam-translator, as CloudFormation's
   `AWS::Serverless` transform would (infra/sam_transform.py, in .venv-sam).
3. **Resolve** every reference (`Ref`, `Fn::GetAtt`, `Fn::Sub`, `DependsOn`, conditions): a
   name the template does not define fails here, naming the resource and the property.
4. **Create** the stack on a fresh CloudFormation stand-in (moto in server mode, on its own
   free port, stopped at the end). What moto's CloudFormation cannot create is listed once,
   below, with why: the Cognito pool, client and groups and the secrets are created through
   their own service APIs (moto has those), from the template's properties; the rest is
   replaced by a placeholder value, and the references to it are rewritten to that value.
5. **Check** what matters against what the stand-in created: every table, index and
   projection; every queue and its redrive; every function's handler, memory, timeout, role
   and environment; the event source mappings; the schedules; the user pool's second factor
   and password policy. Every difference is named; the properties the stand-in does not
   apply are listed once, below.
6. **Run the packaged code** (app.py and chalicelib from the zip; third-party packages from
   the virtualenv, since the zip holds arm64 wheels) with each function's environment as the
   stack set it: the API answers health, readiness and a submission; the routing worker
   routes the queued message; after the README's first-run steps (reference data, the first
   admin), a staff member signs in with two factors. Every AWS call each function makes is
   checked against its role's policy in the created stack: a call the role does not allow
   fails, naming the function, the action and the resource.

    .venv/bin/python infra/rehearse.py                # what `make rehearse` runs
    .venv/bin/python infra/rehearse.py --template F   # rehearse another infra template (the tests break one)
"""
from __future__ import annotations

import argparse
import fnmatch
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from infra.template import Resolver  # noqa: E402

REGION = "eu-central-1"
ACCOUNT = "123456789012"             # moto's account
STAGE = "prod"
STACK = "acikkapi-prod"
CODE_BUCKET, CODE_KEY = "acikkapi-rehearsal-code", "deployment.zip"
SAM_PYTHON = ROOT / ".venv-sam" / "bin" / "python"

# Resource types moto's CloudFormation cannot create, and why each is safe to stand in for.
# Each is replaced by a placeholder (its Ref and attributes become `rehearsal-<logical id>`).
STAND_INS = {
    "AWS::ApiGateway::Deployment": "moto's CloudFormation does not import the RestApi's OpenAPI body, so there "
                                   "is no method to deploy; test_template.py checks the API definition",
    "AWS::ApiGateway::GatewayResponse": "moto has no CloudFormation handler; test_template.py checks the headers",
    "AWS::ApiGateway::Stage": "moto has no CloudFormation handler; the functions never read the stage",
    "AWS::CloudFront::Distribution": "CloudFront is global and not in moto's CloudFormation; test_template.py "
                                     "checks its behaviours and headers",
    "AWS::CloudFront::KeyGroup": "CloudFront (as above)",
    "AWS::CloudFront::OriginAccessControl": "CloudFront (as above)",
    "AWS::CloudFront::OriginRequestPolicy": "CloudFront (as above)",
    "AWS::CloudFront::PublicKey": "CloudFront (as above)",
    "AWS::CloudFront::ResponseHeadersPolicy": "CloudFront (as above); test_template.py checks the CSP",
    "AWS::CloudWatch::Alarm": "moto has no CloudFormation handler; test_template.py checks one per function and queue",
    "AWS::S3::BucketPolicy": "moto has no CloudFormation handler; test_template.py checks TLS-only and the CDN grant",
    "AWS::SES::EmailIdentity": "moto has no CloudFormation handler; the sender is verified by e-mail in AWS",
    "AWS::SNS::Subscription": "moto has no CloudFormation handler; an alarm address confirms by e-mail in AWS",
    "AWS::WAFv2::WebACL": "moto has no CloudFormation handler; test_template.py checks the rate rules",
    "AWS::WAFv2::WebACLAssociation": "WAF (as above)",
}
# Created through the service's own API (moto implements it) from the template's properties,
# so that the functions run against a real pool and real secrets.
THROUGH_API = ("AWS::Cognito::UserPool", "AWS::Cognito::UserPoolClient", "AWS::Cognito::UserPoolGroup",
               "AWS::SecretsManager::Secret")
# Properties the stand-in accepts but does not apply, so they cannot be read back;
# test_template.py checks them in the template.
NOT_APPLIED = {
    ("AWS::DynamoDB::Table", "TimeToLiveSpecification"): "moto's CloudFormation ignores it",
    ("AWS::DynamoDB::Table", "PointInTimeRecoverySpecification"): "moto's CloudFormation ignores it",
    ("AWS::DynamoDB::Table", "SSESpecification"): "moto's CloudFormation ignores it",
    ("AWS::DynamoDB::Table", "TableClass"): "moto accepts it and reports no class",
    ("AWS::Lambda::Function", "Architectures"): "moto records x86_64 whatever is asked",
    ("AWS::SecretsManager::Secret", "KmsKeyId"): "the secrets are made before the stack's key exists (the "
                                                 "functions need their ARNs); moto's default key instead",
}
PSEUDO = {"AWS::Region", "AWS::AccountId", "AWS::StackName", "AWS::Partition", "AWS::URLSuffix", "AWS::NoValue",
          "AWS::StackId", "AWS::NotificationARNs"}

def readme_submission() -> dict:
    """The README's own example of a submission (its `curl -X POST …/v1/applications`)."""
    text = (ROOT / "README.md").read_text("utf-8")
    m = re.search(r"curl -s -X POST \S+/v1/applications .*?-d '(\{.*?\})'", text, re.S)
    if not m:
        raise Failed("README.md has no `curl -s -X POST …/v1/applications … -d '{…}'` example to submit")
    return json.loads(m.group(1))


class Failed(Exception):
    """The rehearsal found what would break the deployment; the message names it."""


# --- references -------------------------------------------------------------------------

def _walk(value, path: str):
    yield path, value
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _walk(v, f"{path}.{k}")
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _walk(v, f"{path}[{i}]")


def unresolved(doc: dict) -> list[str]:
    """Every reference that points at nothing the template defines, named by where it is."""
    resources = doc.get("Resources", {})
    names = set(resources) | set(doc.get("Parameters", {})) | PSEUDO
    conditions = set(doc.get("Conditions", {}))
    problems = []
    for section in ("Resources", "Outputs", "Conditions"):
        for logical, body in doc.get(section, {}).items():
            if section == "Resources":
                depends = body.get("DependsOn", [])
                for target in [depends] if isinstance(depends, str) else depends:
                    if target not in resources:
                        problems.append(f"{logical}.DependsOn: '{target}' is not a resource of the template")
                if body.get("Condition") and body["Condition"] not in conditions:
                    problems.append(f"{logical}.Condition: '{body['Condition']}' is not a condition of the template")
            for where, node in _walk(body, logical):
                if not isinstance(node, dict) or len(node) != 1:
                    continue
                (fn, arg), = node.items()
                if fn == "Ref" and isinstance(arg, str) and arg not in names:
                    problems.append(f"{where}: Ref to '{arg}', which the template does not define")
                elif fn == "Fn::GetAtt":
                    target = arg[0] if isinstance(arg, list) else str(arg).split(".", 1)[0]
                    if target not in resources:
                        problems.append(f"{where}: Fn::GetAtt of '{target}', which the template does not define")
                elif fn == "Fn::Sub":
                    text, local = (arg, {}) if isinstance(arg, str) else (arg[0], arg[1])
                    for ref in re.findall(r"\$\{([^!][^}]*)\}", text):
                        if ref.split(".", 1)[0] not in names and ref not in local:
                            problems.append(f"{where}: Fn::Sub names '${{{ref}}}', which the template does not define")
                elif fn in ("Fn::If", "Condition"):
                    cond = arg[0] if fn == "Fn::If" and isinstance(arg, list) else arg
                    if isinstance(cond, str) and cond not in conditions:
                        problems.append(f"{where}: condition '{cond}' is not defined")
    return problems


class _Placeholder(dict):
    """What a stood-in resource's Ref and every attribute resolve to: `rehearsal-<id>`,
    `rehearsal-<id>-<attribute>`; the same wherever it is asked for."""
    def __init__(self, logical: str):
        super().__init__(Ref=f"rehearsal-{logical}")
        self.logical = logical

    def __missing__(self, attr: str) -> str:
        return f"rehearsal-{self.logical}-{attr}"


def _rewrite(value, swaps: dict[str, dict[str, str]]):
    """Replaces the references to stood-in or API-created resources by their values."""
    if isinstance(value, dict):
        if len(value) == 1:
            (fn, arg), = value.items()
            if fn == "Ref" and isinstance(arg, str) and arg in swaps:
                return swaps[arg]["Ref"]
            if fn == "Fn::GetAtt":
                target, attr = arg if isinstance(arg, list) else str(arg).split(".", 1)
                if target in swaps:
                    return swaps[target][attr]
            if fn == "Fn::Sub":
                text, local = (arg, None) if isinstance(arg, str) else (arg[0], arg[1])

                def swap(m):
                    target, _, attr = m.group(1).partition(".")
                    if target in swaps:
                        return swaps[target][attr or "Ref"]
                    return m.group(0)
                text = re.sub(r"\$\{([^!}][^}]*)\}", swap, text)
                return {"Fn::Sub": text if local is None else [text, _rewrite(local, swaps)]}
        return {k: _rewrite(v, swaps) for k, v in value.items()}
    if isinstance(value, list):
        return [_rewrite(v, swaps) for v in value]
    return value


# --- the stand-in ----------------------------------------------------------------------

def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _session_env(endpoint: str) -> dict:
    return {"AWS_ACCESS_KEY_ID": "rehearsal", "AWS_SECRET_ACCESS_KEY": "rehearsal", "AWS_SESSION_TOKEN": "rehearsal",
            "AWS_DEFAULT_REGION": REGION, "AWS_REGION": REGION, "AWS_ENDPOINT_URL": endpoint}


def _client(service: str, endpoint: str):
    import boto3
    return boto3.client(service, region_name=REGION, endpoint_url=endpoint, aws_access_key_id="rehearsal",
                        aws_secret_access_key="rehearsal")


def _through_api(doc: dict, resolver: Resolver, endpoint: str) -> dict[str, dict[str, str]]:
    """Creates the pool, its client and groups, and the secrets, from the template's
    properties through the services' APIs; what each reference to them resolves to."""
    idp, sm = _client("cognito-idp", endpoint), _client("secretsmanager", endpoint)
    made: dict[str, dict[str, str]] = {}
    order = sorted(((k, r) for k, r in doc["Resources"].items() if r["Type"] in THROUGH_API),
                   key=lambda kr: THROUGH_API.index(kr[1]["Type"]))
    for logical, resource in order:
        kind = resource["Type"]
        props = {k: v for k, v in resource.get("Properties", {}).items() if (kind, k) not in NOT_APPLIED}
        props = _drop_novalue(resolver.value(_rewrite(props, made)))
        try:
            if kind == "AWS::Cognito::UserPool":
                props.pop("UserPoolTags", None)
                props["PoolName"] = props.pop("UserPoolName")
                enabled = props.pop("EnabledMfas", [])
                pool = idp.create_user_pool(**props)["UserPool"]
                if "SOFTWARE_TOKEN_MFA" in enabled:
                    idp.set_user_pool_mfa_config(UserPoolId=pool["Id"], MfaConfiguration=props["MfaConfiguration"],
                                                 SoftwareTokenMfaConfiguration={"Enabled": True})
                made[logical] = {"Ref": pool["Id"], "Arn": pool["Arn"], "ProviderName": f"cognito-idp.{REGION}."
                                 f"amazonaws.com/{pool['Id']}"}
            elif kind == "AWS::Cognito::UserPoolClient":
                client = idp.create_user_pool_client(**props)["UserPoolClient"]
                made[logical] = {"Ref": client["ClientId"]}
            elif kind == "AWS::Cognito::UserPoolGroup":
                idp.create_group(**props)
                made[logical] = {"Ref": props["GroupName"]}
            else:
                generate = props.pop("GenerateSecretString", None)
                if generate and "SecretString" not in props:
                    template = json.loads(generate.get("SecretStringTemplate") or "{}")
                    if generate.get("GenerateStringKey"):
                        template[generate["GenerateStringKey"]] = os.urandom(24).hex()
                    props["SecretString"] = json.dumps(template) if template else os.urandom(24).hex()
                props.pop("Tags", None)
                secret = sm.create_secret(**props)
                made[logical] = {"Ref": secret["ARN"], "Id": secret["ARN"]}
        except Exception as exc:  # noqa: BLE001 - any refusal is named
            raise Failed(f"{logical} ({kind}): the service refused the template's properties: {exc}") from None
    return made


def _drop_novalue(value):
    if isinstance(value, dict):
        return {k: _drop_novalue(v) for k, v in value.items() if v != "AWS::NoValue"}
    if isinstance(value, list):
        return [_drop_novalue(v) for v in value if v != "AWS::NoValue"]
    return value


def stand_in_template(doc: dict, made: dict[str, dict[str, str]]) -> dict:
    """The template moto's CloudFormation creates: the stood-in and API-made resources out,
    every reference to them rewritten to its value."""
    doc = json.loads(json.dumps(doc))
    swaps: dict = dict(made)
    for logical, resource in list(doc["Resources"].items()):
        if resource["Type"] in STAND_INS:
            swaps[logical] = _Placeholder(logical)
    out_resources = {}
    for logical, resource in doc["Resources"].items():
        if logical in swaps:
            continue
        resource = _rewrite(resource, swaps)
        depends = resource.get("DependsOn")
        if depends:
            kept = [d for d in ([depends] if isinstance(depends, str) else depends) if d not in swaps]
            if kept:
                resource["DependsOn"] = kept
            else:
                resource.pop("DependsOn")
        if resource["Type"] == "AWS::ApiGateway::RestApi":
            resource["Properties"].setdefault("Name", f"{STACK}-api")    # moto needs one; SAM leaves it out
        out_resources[logical] = resource
    doc["Resources"] = out_resources
    doc["Outputs"] = _rewrite(doc.get("Outputs", {}), swaps)
    return doc


def create_stack(template: dict, endpoint: str, zip_path: Path) -> dict[str, str]:
    """Creates the stack; the physical id of every resource."""
    s3, cfn = _client("s3", endpoint), _client("cloudformation", endpoint)
    s3.create_bucket(Bucket=CODE_BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION})
    s3.upload_file(str(zip_path), CODE_BUCKET, CODE_KEY)
    cfn.create_stack(StackName=STACK, TemplateBody=json.dumps(template), Capabilities=["CAPABILITY_IAM"],
                     Parameters=[{"ParameterKey": "Stage", "ParameterValue": STAGE}])
    for _ in range(600):
        status = cfn.describe_stacks(StackName=STACK)["Stacks"][0]["StackStatus"]
        if not status.endswith("IN_PROGRESS"):
            break
        time.sleep(0.1)
    if status != "CREATE_COMPLETE":
        reasons = [f"{e['LogicalResourceId']}: {e.get('ResourceStatusReason')}"
                   for e in cfn.describe_stack_events(StackName=STACK)["StackEvents"] if "FAILED" in e["ResourceStatus"]]
        raise Failed(f"the stack ended {status}: " + "; ".join(reasons or ["no reason given"]))
    return {r["LogicalResourceId"]: r["PhysicalResourceId"]
            for r in cfn.list_stack_resources(StackName=STACK)["StackResourceSummaries"]}


# --- what the stand-in created, against the template --------------------------------------

class Checks:
    def __init__(self):
        self.matched = 0
        self.problems: list[str] = []

    def same(self, where: str, expected, actual) -> None:
        if _norm(expected) == _norm(actual):
            self.matched += 1
        else:
            self.problems.append(f"{where}: the template says {json.dumps(expected, ensure_ascii=False)}, "
                                 f"the created stack has {json.dumps(actual, ensure_ascii=False)}")


def _norm(value):
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(int(value)) if float(value).is_integer() else str(value)
    if isinstance(value, dict):
        return {k: _norm(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_norm(v) for v in value]
    return value


def attributes(doc: dict, physical: dict[str, str], made: dict, endpoint: str) -> dict[str, dict]:
    """What each logical id's Ref and attributes resolve to in the created stack."""
    sqs, ddb, lam, iam = (_client(s, endpoint) for s in ("sqs", "dynamodb", "lambda", "iam"))
    out: dict[str, dict] = {k: dict(v) for k, v in made.items()}
    for logical, resource in doc["Resources"].items():
        if resource["Type"] in STAND_INS:
            out[logical] = _Placeholder(logical)
    for logical, pid in physical.items():
        kind = doc["Resources"][logical]["Type"]
        attrs = {"Ref": pid}
        if kind == "AWS::SQS::Queue":
            attrs["Arn"] = sqs.get_queue_attributes(QueueUrl=pid, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
            attrs["QueueName"], attrs["QueueUrl"] = pid.rsplit("/", 1)[-1], pid
        elif kind == "AWS::DynamoDB::Table":
            table = ddb.describe_table(TableName=pid)["Table"]
            attrs["Arn"] = table["TableArn"]
            attrs["StreamArn"] = table.get("LatestStreamArn", "")
        elif kind == "AWS::Lambda::Function":
            attrs["Arn"] = lam.get_function_configuration(FunctionName=pid)["FunctionArn"]
        elif kind == "AWS::IAM::Role":
            attrs["Arn"] = iam.get_role(RoleName=pid)["Role"]["Arn"]
        elif kind == "AWS::S3::Bucket":
            attrs.update(Arn=f"arn:aws:s3:::{pid}", DomainName=f"{pid}.s3.amazonaws.com",
                         RegionalDomainName=f"{pid}.s3.{REGION}.amazonaws.com")
        elif kind == "AWS::KMS::Key":
            attrs["Arn"] = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/{pid}"
        elif kind == "AWS::SNS::Topic":
            attrs["TopicName"] = pid.rsplit(":", 1)[-1]
        out[logical] = attrs
    return out


CHECKED = ("AWS::DynamoDB::Table", "AWS::SQS::Queue", "AWS::Lambda::Function", "AWS::Lambda::EventSourceMapping",
           "AWS::Events::Rule", "AWS::IAM::Role", "AWS::Cognito::UserPool")


def check_stack(doc: dict, resolver: Resolver, physical: dict[str, str], endpoint: str) -> Checks:
    checks = Checks()
    ddb, sqs, lam, events, idp, iam = (_client(s, endpoint) for s in
                                       ("dynamodb", "sqs", "lambda", "events", "cognito-idp", "iam"))
    for logical, resource in doc["Resources"].items():
        kind = resource["Type"]
        name = f"{logical} ({kind})"
        if kind not in STAND_INS and kind not in THROUGH_API and logical not in physical:
            checks.problems.append(f"{name}: not created")
            continue
        if kind not in CHECKED:
            continue
        props = _drop_novalue(resolver.value({k: v for k, v in resource.get("Properties", {}).items()
                                              if (kind, k) not in NOT_APPLIED}))
        if kind == "AWS::DynamoDB::Table":
            table = ddb.describe_table(TableName=physical[logical])["Table"]
            checks.same(f"{name}.KeySchema", props["KeySchema"], table["KeySchema"])
            checks.same(f"{name}.AttributeDefinitions", sorted(props["AttributeDefinitions"], key=str),
                        sorted(table["AttributeDefinitions"], key=str))
            checks.same(f"{name}.BillingMode", props.get("BillingMode", "PROVISIONED"),
                        table.get("BillingModeSummary", {}).get("BillingMode", "PROVISIONED"))
            created = {g["IndexName"]: g for g in table.get("GlobalSecondaryIndexes", [])}
            checks.same(f"{name}.GlobalSecondaryIndexes (names)",
                        sorted(g["IndexName"] for g in props.get("GlobalSecondaryIndexes", [])), sorted(created))
            for gsi in props.get("GlobalSecondaryIndexes", []):
                got = created.get(gsi["IndexName"], {})
                where = f"{name}.GlobalSecondaryIndexes[{gsi['IndexName']}]"
                checks.same(f"{where}.KeySchema", gsi["KeySchema"], got.get("KeySchema"))
                want_projection = dict(gsi["Projection"])
                got_projection = dict(got.get("Projection", {}))
                for p in (want_projection, got_projection):
                    if "NonKeyAttributes" in p:
                        p["NonKeyAttributes"] = sorted(p["NonKeyAttributes"])
                checks.same(f"{where}.Projection", want_projection, got_projection)
        elif kind == "AWS::SQS::Queue":
            got = sqs.get_queue_attributes(QueueUrl=physical[logical], AttributeNames=["All"])["Attributes"]
            for key, want in props.items():
                if key == "QueueName":
                    checks.same(f"{name}.QueueName", want, physical[logical].rsplit("/", 1)[-1])
                elif key == "RedrivePolicy":
                    checks.same(f"{name}.RedrivePolicy", want, json.loads(got.get("RedrivePolicy", "{}")))
                elif key != "Tags":
                    checks.same(f"{name}.{key}", want, got.get(key))
        elif kind == "AWS::Lambda::Function":
            got = lam.get_function_configuration(FunctionName=physical[logical])
            for key in ("Handler", "MemorySize", "Timeout", "Runtime", "Role"):
                checks.same(f"{name}.{key}", props.get(key), got.get(key))
            want_env = props.get("Environment", {}).get("Variables", {})
            got_env = got.get("Environment", {}).get("Variables", {})
            from chalicelib.config import missing_in_aws
            for var in missing_in_aws({**got_env, "AWS_LAMBDA_FUNCTION_NAME": logical}):
                checks.problems.append(f"{name}.Environment: {var} is not set, and chalicelib/config.py "
                                       "(REQUIRED_IN_AWS) requires it of every deployed function")
            for var in sorted(set(want_env) | set(got_env)):
                checks.same(f"{name}.Environment.{var}", want_env.get(var), got_env.get(var))
        elif kind == "AWS::Lambda::EventSourceMapping":
            got = lam.get_event_source_mapping(UUID=physical[logical])
            checks.same(f"{name}.EventSourceArn", props["EventSourceArn"], got.get("EventSourceArn"))
            fn = props["FunctionName"]
            checks.same(f"{name}.FunctionName", fn if fn.startswith("arn:") else
                        lam.get_function_configuration(FunctionName=fn)["FunctionArn"], got.get("FunctionArn"))
            for key in ("BatchSize", "MaximumBatchingWindowInSeconds", "FunctionResponseTypes"):
                if key in props:
                    checks.same(f"{name}.{key}", props[key], got.get(key))
        elif kind == "AWS::Events::Rule":
            got = events.describe_rule(Name=physical[logical].rsplit("/", 1)[-1].split("|")[-1])
            checks.same(f"{name}.ScheduleExpression", props.get("ScheduleExpression"), got.get("ScheduleExpression"))
            targets = events.list_targets_by_rule(Rule=got["Name"])["Targets"]
            checks.same(f"{name}.Targets", sorted(t["Arn"] for t in props.get("Targets", [])),
                        sorted(t["Arn"] for t in targets))
        elif kind == "AWS::IAM::Role":
            role = physical[logical]
            for policy in props.get("Policies", []):
                got = iam.get_role_policy(RoleName=role, PolicyName=policy["PolicyName"])["PolicyDocument"]
                checks.same(f"{name}.Policies[{policy['PolicyName']}]", policy["PolicyDocument"], _document(got))
        elif kind == "AWS::Cognito::UserPool":
            pool_id = resolver.physical[logical]["Ref"]
            got = idp.describe_user_pool(UserPoolId=pool_id)["UserPool"]
            checks.same(f"{name}.MfaConfiguration", props.get("MfaConfiguration"), got.get("MfaConfiguration"))
            for key, want in props.get("Policies", {}).get("PasswordPolicy", {}).items():
                checks.same(f"{name}.Policies.PasswordPolicy.{key}", want,
                            got.get("Policies", {}).get("PasswordPolicy", {}).get(key))
            mfa = idp.get_user_pool_mfa_config(UserPoolId=pool_id)
            checks.same(f"{name}.EnabledMfas", props.get("EnabledMfas", []),
                        ["SOFTWARE_TOKEN_MFA"] if mfa.get("SoftwareTokenMfaConfiguration", {}).get("Enabled") else [])
    return checks


# --- the calls each function made, against its role -------------------------------------------

# authorised by the caller's own password, session or token, not by IAM
PUBLIC_CALLS = {"cognito-idp:InitiateAuth", "cognito-idp:RespondToAuthChallenge",
                "cognito-idp:AssociateSoftwareToken", "cognito-idp:VerifySoftwareToken"}
ITEM_ACTIONS = {"Put": "PutItem", "Update": "UpdateItem", "Delete": "DeleteItem", "ConditionCheck": "ConditionCheckItem",
                "Get": "GetItem"}


def needed(service: str, operation: str, params: dict, pool_arns: dict[str, str]) -> list[tuple[str, str]]:
    """The IAM (action, resource) pairs one call is authorised as."""
    table_arn = f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/"
    if service == "dynamodb":
        if operation in ("TransactWriteItems", "TransactGetItems"):
            return [(f"dynamodb:{ITEM_ACTIONS[kind]}", table_arn + body["TableName"])
                    for item in params.get("TransactItems", []) for kind, body in item.items()]
        if operation in ("BatchGetItem", "BatchWriteItem"):
            return [(f"dynamodb:{operation}", table_arn + t) for t in params.get("RequestItems", {})]
        resource = table_arn + params.get("TableName", "*")
        if params.get("IndexName"):
            resource += "/index/" + params["IndexName"]
        return [(f"dynamodb:{operation}", resource)]
    if service == "sqs":
        name = params.get("QueueUrl", "").rsplit("/", 1)[-1]
        action = {"SendMessageBatch": "SendMessage", "DeleteMessageBatch": "DeleteMessage"}.get(operation, operation)
        return [(f"sqs:{action}", f"arn:aws:sqs:{REGION}:{ACCOUNT}:{name}")]
    if service == "s3":
        bucket, key = params.get("Bucket", ""), params.get("Key", "")
        if operation in ("ListObjectsV2", "ListObjects"):
            return [("s3:ListBucket", f"arn:aws:s3:::{bucket}")]
        action = {"HeadObject": "GetObject", "DeleteObjects": "DeleteObject"}.get(operation, operation)
        return [(f"s3:{action}", f"arn:aws:s3:::{bucket}/{key}")]
    if service == "secretsmanager":
        return [(f"secretsmanager:{operation}", params.get("SecretId", "*"))]
    if service == "cognito-idp":
        if f"cognito-idp:{operation}" in PUBLIC_CALLS:
            return []
        return [(f"cognito-idp:{operation}", pool_arns.get(params.get("UserPoolId", ""), "*"))]
    return [(f"{service}:{operation}", "*")]


def allows(statements: list[dict], action: str, resource: str) -> bool:
    for s in statements:
        if s.get("Effect") != "Allow":
            continue
        actions = s["Action"] if isinstance(s["Action"], list) else [s["Action"]]
        resources = s["Resource"] if isinstance(s["Resource"], list) else [s["Resource"]]
        if any(fnmatch.fnmatchcase(action.lower(), a.lower()) for a in actions) and \
                any(fnmatch.fnmatchcase(resource, r) for r in resources):
            return True
    return False


def _document(got) -> dict:
    """A role policy as the stand-in returns it: a dict, JSON, or (moto's CloudFormation
    stores what it was given) the text of a Python dict."""
    if isinstance(got, dict):
        return got
    from urllib.parse import unquote
    text = unquote(got)
    try:
        return json.loads(text)
    except ValueError:
        import ast
        return ast.literal_eval(text)


def role_statements(doc: dict, function: str, physical: dict[str, str], endpoint: str) -> list[dict]:
    role = doc["Resources"][function]["Properties"]["Role"]["Fn::GetAtt"][0]
    iam = _client("iam", endpoint)
    out: list[dict] = []
    for name in iam.list_role_policies(RoleName=physical[role])["PolicyNames"]:
        got = iam.get_role_policy(RoleName=physical[role], PolicyName=name)["PolicyDocument"]
        out += _document(got)["Statement"]
    return out


# --- the run -------------------------------------------------------------------------------

def transform(sam: Path, cfn: Path) -> dict:
    if not SAM_PYTHON.exists():
        raise Failed(f"{SAM_PYTHON.relative_to(ROOT)} is missing: `make rehearse` creates it "
                     "(infra/requirements-rehearse.txt)")
    result = subprocess.run([str(SAM_PYTHON), str(ROOT / "infra" / "sam_transform.py"), str(sam), str(cfn),
                             f"s3://{CODE_BUCKET}/{CODE_KEY}"], capture_output=True, text=True, timeout=120)
    if result.returncode != 0:
        raise Failed(result.stderr.strip()[-3000:] or "the SAM transform failed")
    return json.loads(cfn.read_text("utf-8"))


def package(template: Path | None, out: Path) -> Path:
    env = {**os.environ, "AWS_DEFAULT_REGION": REGION, "TRANSFER_BASIS": "standard_contract:2026-01-15"}
    cmd = [sys.executable, str(ROOT / "infra" / "package.py"), "--stage", STAGE, "--out", str(out)]
    if template is not None:
        cmd += ["--template", str(template)]
    result = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    if result.returncode != 0:
        raise Failed("make package failed: " + (result.stderr.strip() or result.stdout.strip())[-3000:])
    return out / "sam.json"


def run_function(role: str, code_dir: Path, env: dict, *args: str) -> tuple[list[dict], list[dict]]:
    result = subprocess.run([sys.executable, str(ROOT / "infra" / "rehearse_run.py"), role, str(code_dir), *args],
                            env=env, capture_output=True, text=True, timeout=180, cwd=code_dir)
    lines = [json.loads(x[len("REHEARSAL "):]) for x in result.stdout.splitlines() if x.startswith("REHEARSAL ")]
    steps = [x for x in lines if x["kind"] == "step"]
    if not steps:
        raise Failed(f"the packaged code did not start for {role}: {result.stderr.strip()[-2000:]}")
    return steps, [x for x in lines if x["kind"] == "call"]


def rehearse(template: Path | None = None, work: Path | None = None) -> list[str]:
    """Runs every step; the lines it prints. Raises Failed, naming what broke."""
    report: list[str] = []
    started = time.monotonic()
    work = work or ROOT / "build" / "rehearsal"
    if work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True)
    sam = package(template, work)
    doc = transform(sam, work / "cfn.json")
    report.append(f"packaged and transformed: {len(doc['Resources'])} CloudFormation resources "
                  f"({time.monotonic() - started:.1f} s)")
    problems = unresolved(doc)
    if problems:
        raise Failed("references the template does not resolve:\n  " + "\n  ".join(problems))
    port = _free_port()
    endpoint = f"http://127.0.0.1:{port}"
    server = subprocess.Popen([str(Path(sys.executable).parent / "moto_server"), "-H", "127.0.0.1", "-p", str(port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(200):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.05)
        os.environ.update(_session_env(endpoint))
        resolver = Resolver(doc, STAGE, REGION, ACCOUNT)
        resolver.params["AWS::NoValue"] = "AWS::NoValue"
        made = _through_api(doc, resolver, endpoint)
        standin = stand_in_template(doc, made)
        physical = create_stack(standin, endpoint, work / "deployment.zip")
        resolver.physical = attributes(doc, physical, made, endpoint)
        stood_in = sorted({r["Type"] for r in doc["Resources"].values() if r["Type"] in STAND_INS})
        report.append(f"created on the stand-in: {len(physical)} resources by CloudFormation, "
                      f"{len(made)} through their APIs, "
                      f"{sum(r['Type'] in STAND_INS for r in doc['Resources'].values())} stood in for "
                      f"({len(stood_in)} types)")
        checks = check_stack(doc, resolver, physical, endpoint)
        if checks.problems:
            raise Failed("the created stack differs from the template:\n  " + "\n  ".join(checks.problems))
        report.append(f"{checks.matched} properties of tables, indexes, queues, functions, event sources, "
                      "schedules, roles and the user pool match the template")
        report += run_code(doc, physical, endpoint, work)
    finally:
        server.terminate()
        server.wait(timeout=10)
    report.append(f"rehearsal passed in {time.monotonic() - started:.1f} s")
    return report


def _function_env(logical: str, physical: dict[str, str], endpoint: str) -> dict:
    got = _client("lambda", endpoint).get_function_configuration(FunctionName=physical[logical])
    env = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "SYSTEMROOT")}
    env.update(_session_env(endpoint))
    env.update({k: str(v) for k, v in got.get("Environment", {}).get("Variables", {}).items()})
    env.update(AWS_LAMBDA_FUNCTION_NAME=physical[logical], PYTHONDONTWRITEBYTECODE="1")
    return env


def run_code(doc: dict, physical: dict[str, str], endpoint: str, work: Path) -> list[str]:
    code = work / "code"
    with zipfile.ZipFile(work / "deployment.zip") as z:
        z.extractall(code, members=[n for n in z.namelist() if n == "app.py" or n.startswith("chalicelib/")])
    functions = {r["Properties"]["Handler"]: k for k, r in doc["Resources"].items()
                 if r["Type"] == "AWS::Lambda::Function"}
    api_fn, routing_fn = functions["app.app"], functions["app.routing_worker"]
    envs = {fn: _function_env(fn, physical, endpoint) for fn in (api_fn, routing_fn)}
    api_env = envs[api_fn]
    # the README's first-run steps, as an operator runs them from a checkout against the stage
    table = physical["MainTable"]
    operator_env = {**os.environ, **_session_env(endpoint), "MAIN_TABLE": table,
                    **{k: api_env[k] for k in ("ACIKKAPI_MASTER_SECRET_ARN", "LINK_SIGNING_SECRET_ARN")}}
    for args in (["seed", table], ["first-admin", table, "yonetici"]):
        result = subprocess.run([sys.executable, "-m", "tools.ops", *args], cwd=ROOT, env=operator_env,
                                capture_output=True, text=True, timeout=300)
        if result.returncode != 0:
            raise Failed(f"tools.ops {args[0]} (the README's first-run step) failed: {result.stderr.strip()[-1500:]}")
    idp = _client("cognito-idp", endpoint)
    pool = api_env["COGNITO_USER_POOL_ID"]
    password = "Rehearsal-First-2026"
    idp.admin_create_user(UserPoolId=pool, Username="yonetici", TemporaryPassword=password, MessageAction="SUPPRESS",
                          UserAttributes=[{"Name": "name", "Value": "Sistem Yöneticisi"}])
    idp.admin_add_user_to_group(UserPoolId=pool, Username="yonetici", GroupName="admin")
    pool_arns = {pool: idp.describe_user_pool(UserPoolId=pool)["UserPool"]["Arn"]}
    lines = []
    for logical, role, args in ((api_fn, "api", (password, json.dumps(readme_submission()))), (routing_fn, "routing", ())):
        steps, calls = run_function(role, code, envs[logical], *args)
        for s in steps:
            if not s["ok"]:
                raise Failed(f"{logical}: {s['name']} failed: {json.dumps(s['detail'], ensure_ascii=False)[:1500]}")
            lines.append(f"{logical}: {s['name']}: ok")
        statements = role_statements(doc, logical, physical, endpoint)
        refused = sorted({f"{action} on {resource}" for c in calls
                          for action, resource in needed(c["service"], c["operation"], c["params"], pool_arns)
                          if not allows(statements, action, resource)})
        if refused:
            role_name = doc["Resources"][logical]["Properties"]["Role"]["Fn::GetAtt"][0]
            raise Failed(f"{logical}: its role {role_name} does not allow what the function does:\n  "
                         + "\n  ".join(refused))
        lines.append(f"{logical}: {len(calls)} AWS calls, each allowed by its role")
    return lines


def gaps() -> list[str]:
    out = ["what the stand-in cannot check (each checked elsewhere, as said):"]
    out += [f"  {kind}: stood in for; {why}" for kind, why in sorted(STAND_INS.items())]
    out += [f"  {kind}.{prop}: not applied; {why}" for (kind, prop), why in sorted(NOT_APPLIED.items())]
    out += ["  IAM conditions (LeadingKeys, kms:ViaService, s3:prefix) are not evaluated; actions and resources are",
            "  the functions run on this machine's CPU and Python; Lambda's arm64 runtime is not run"]
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--template", type=Path, help="an infra template other than infra/template.json")
    parser.add_argument("--work", type=Path, help="where to build (default build/rehearsal)")
    args = parser.parse_args()
    try:
        for line in rehearse(args.template, args.work):
            print(line)
    except Failed as exc:
        print(f"make rehearse: FAILED\n{exc}", file=sys.stderr)
        return 1
    for line in gaps():
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
