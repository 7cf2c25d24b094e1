"""Provision tables and queues from infra/template.json: the only definition of them.

Used by the local stack (against moto in server mode) and by the tests (against moto
in-process). Returns the environment the functions get in AWS through the template's
`Globals.Function.Environment`, resolved for this stack.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

import boto3

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from infra.template import TEMPLATE, Resolver, load_template  # noqa: E402,F401 - re-exported


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
                                          "TableClass", "GlobalSecondaryIndexes", "TimeToLiveSpecification")
             if k in raw}
        kwargs = {k: p[k] for k in ("TableName", "AttributeDefinitions", "KeySchema", "BillingMode", "TableClass")
                  if k in p}
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
        # two-factor sign-in as the template sets it (an authenticator app for every staff member)
        idp.set_user_pool_mfa_config(UserPoolId=pool["Id"], MfaConfiguration=p["MfaConfiguration"],
                                     SoftwareTokenMfaConfiguration={
                                         "Enabled": "SOFTWARE_TOKEN_MFA" in p.get("EnabledMfas", [])})
        r.physical[logical] = {"Ref": pool["Id"], "Arn": pool["Arn"]}
    for logical, res in template["Resources"].items():
        if res.get("Type") == "AWS::Cognito::UserPoolClient":
            p = r.value(res["Properties"])
            client = idp.create_user_pool_client(
                UserPoolId=p["UserPoolId"], ClientName=p["ClientName"], GenerateSecret=p["GenerateSecret"],
                ExplicitAuthFlows=p["ExplicitAuthFlows"], ReadAttributes=p["ReadAttributes"],
                WriteAttributes=p["WriteAttributes"])["UserPoolClient"]
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
