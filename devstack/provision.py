"""Provision tables and queues from infra/template.json: the only definition of them.

Used by the local stack (against moto in server mode) and by the tests (against moto
in-process). Returns the environment the functions get in AWS through the template's
`Globals.Function.Environment`, resolved for this stack.
"""
from __future__ import annotations

import json
from pathlib import Path

import boto3

TEMPLATE = Path(__file__).resolve().parent.parent / "infra" / "template.json"


def load_template(path: Path = TEMPLATE) -> dict:
    return json.loads(path.read_text("utf-8"))


class Resolver:
    def __init__(self, template: dict, stage: str, region: str, account: str = "123456789012"):
        self.template = template
        defaults = {k: v.get("Default") for k, v in template.get("Parameters", {}).items()}
        self.params = {**defaults, "Stage": stage, "AWS::Region": region, "AWS::AccountId": account,
                       "AWS::StackName": f"acikkapi-{stage}", "AWS::Partition": "aws",
                       "AWS::URLSuffix": "amazonaws.com"}
        self.physical: dict[str, dict] = {}  # logical id -> {"Ref": ..., attr: ...}

    def condition(self, name: str) -> bool:
        return bool(self.value(self.template.get("Conditions", {})[name]))

    def value(self, v):
        if isinstance(v, dict) and len(v) == 1:
            (fn, arg), = v.items()
            if fn == "Ref":
                return self.params[arg] if arg in self.params else self.physical[arg]["Ref"]
            if fn == "Fn::Sub":
                text = arg if isinstance(arg, str) else arg[0]
                for key, val in {**self.params, **{k: p["Ref"] for k, p in self.physical.items()}}.items():
                    text = text.replace("${" + key + "}", str(val))
                if "${" in text:
                    raise KeyError(text)  # refers to something this stack does not have
                return text
            if fn == "Fn::GetAtt":
                logical, attr = arg if isinstance(arg, list) else arg.split(".", 1)
                return self.physical[logical][attr]
            if fn == "Fn::Not":
                return not self.value(arg[0])
            if fn == "Fn::If":
                cond, yes, no = arg
                return self.value(yes if self.condition(cond) else no)
            if fn == "Fn::Equals":
                return self.value(arg[0]) == self.value(arg[1])
        if isinstance(v, dict):
            return {k: self.value(x) for k, x in v.items()}
        if isinstance(v, list):
            return [self.value(x) for x in v]
        return v


def of_type(template: dict, kind: str) -> dict[str, dict]:
    """Resources of one type. Entries without a type are patches merged into Chalice's
    own resources (functions); the local stack has no use for them."""
    return {k: r for k, r in template["Resources"].items() if r.get("Type") == kind}


def tables(template: dict) -> dict[str, dict]:
    return of_type(template, "AWS::DynamoDB::Table")


def queues(template: dict) -> dict[str, dict]:
    return of_type(template, "AWS::SQS::Queue")


def provision(stage: str = "local", region: str = "eu-central-1", endpoint_url: str | None = None,
              template: dict | None = None) -> dict[str, str]:
    template = template or load_template()
    r = Resolver(template, stage, region)
    ddb = boto3.client("dynamodb", region_name=region, endpoint_url=endpoint_url)
    sqs = boto3.client("sqs", region_name=region, endpoint_url=endpoint_url)

    for logical, res in tables(template).items():
        raw = res["Properties"]
        p = {k: r.value(raw[k]) for k in ("TableName", "AttributeDefinitions", "KeySchema", "BillingMode",
                                          "GlobalSecondaryIndexes", "TimeToLiveSpecification") if k in raw}
        kwargs = {k: p[k] for k in ("TableName", "AttributeDefinitions", "KeySchema", "BillingMode") if k in p}
        if p.get("GlobalSecondaryIndexes"):
            kwargs["GlobalSecondaryIndexes"] = p["GlobalSecondaryIndexes"]
        # encryption with the personal-data KMS key, PITR, deletion protection: AWS only
        ddb.create_table(**kwargs)
        ttl = p.get("TimeToLiveSpecification")
        if ttl:
            ddb.update_time_to_live(TableName=p["TableName"], TimeToLiveSpecification={
                "AttributeName": ttl["AttributeName"], "Enabled": ttl["Enabled"]})
        r.physical[logical] = {"Ref": p["TableName"],
                               "Arn": f"arn:aws:dynamodb:{region}:123456789012:table/{p['TableName']}"}

    # Dead-letter queues first: the others refer to them.
    ordered = sorted(queues(template).items(), key=lambda kv: "RedrivePolicy" in kv[1]["Properties"])
    for logical, res in ordered:
        p = r.value(res["Properties"])
        attributes = {}
        for key in ("VisibilityTimeout", "MessageRetentionPeriod", "DelaySeconds"):
            if key in p:
                attributes[key] = str(p[key])
        if "RedrivePolicy" in p:
            attributes["RedrivePolicy"] = json.dumps(p["RedrivePolicy"])
        url = sqs.create_queue(QueueName=p["QueueName"], Attributes=attributes)["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        r.physical[logical] = {"Ref": url, "Arn": arn, "QueueName": p["QueueName"], "QueueUrl": url}

    s3 = boto3.client("s3", region_name=region, endpoint_url=endpoint_url)
    for logical, res in of_type(template, "AWS::S3::Bucket").items():
        if logical != "AttachmentsBucket":
            continue  # the web site is served by the local stack itself
        p = r.value(res["Properties"])
        name = p["BucketName"]
        s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": region})
        if "CorsConfiguration" in p:
            rules = [{("MaxAgeSeconds" if k == "MaxAge" else k): v for k, v in rule.items()}
                     for rule in p["CorsConfiguration"]["CorsRules"]]
            s3.put_bucket_cors(Bucket=name, CORSConfiguration={"CORSRules": rules})
        if "PublicAccessBlockConfiguration" in p:
            s3.put_public_access_block(Bucket=name, PublicAccessBlockConfiguration=p["PublicAccessBlockConfiguration"])
        r.physical[logical] = {"Ref": name, "Arn": f"arn:aws:s3:::{name}"}

    idp = boto3.client("cognito-idp", region_name=region, endpoint_url=endpoint_url)
    for logical, res in of_type(template, "AWS::Cognito::UserPool").items():
        p = r.value(res["Properties"])
        pool = idp.create_user_pool(
            PoolName=p["UserPoolName"], Policies=p["Policies"], AdminCreateUserConfig=p["AdminCreateUserConfig"],
            Schema=p["Schema"], UsernameConfiguration=p["UsernameConfiguration"])["UserPool"]
        r.physical[logical] = {"Ref": pool["Id"], "Arn": pool["Arn"]}
    for logical, res in template["Resources"].items():
        if res.get("Type") == "AWS::Cognito::UserPoolClient":
            p = r.value(res["Properties"])
            client = idp.create_user_pool_client(
                UserPoolId=p["UserPoolId"], ClientName=p["ClientName"], GenerateSecret=p["GenerateSecret"],
                ExplicitAuthFlows=p["ExplicitAuthFlows"], ReadAttributes=p["ReadAttributes"])["UserPoolClient"]
            r.physical[logical] = {"Ref": client["ClientId"]}
        elif res.get("Type") == "AWS::Cognito::UserPoolGroup":
            p = r.value(res["Properties"])
            idp.create_group(GroupName=p["GroupName"], UserPoolId=p["UserPoolId"], Description=p["Description"])
            r.physical[logical] = {"Ref": p["GroupName"]}

    variables = template.get("Globals", {}).get("Function", {}).get("Environment", {}).get("Variables", {})
    env = {}
    for name, value in variables.items():
        try:
            env[name] = str(r.value(value))
        except KeyError:
            pass  # refers to an AWS-only resource (secrets, CloudFront); the local stack sets its own
    return env
