"""Generates the least-privilege IAM policy file of every function and stage
(.chalice/policy-<stage>-<role>.json) and each stage's `lambda_functions` in
.chalice/config.json, which points every function at its policy. Chalice's automatic
policy generation misses chalicelib/, boto3.resource and pynamodb, so `autogen_policy`
is false and these files are the policies. Resources are scoped by the stage's resource
names (region and account are left open: one template serves any account). The
scheduled jobs come from their one declaration, chalicelib/schedules.py.

    python infra/policies.py          # rewrite the files
    python infra/policies.py --check  # exit 1 if a file is out of date (run by the tests)
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHALICE = ROOT / ".chalice"
STAGES = ("dev", "prod")
sys.path.insert(0, str(ROOT))
from chalicelib.schedules import (
    SCHEDULES,  # noqa: E402  (a declaration: imports nothing heavy)
)

# function name in app.py -> role
FUNCTIONS = {"api_handler": "api", "routing_worker": "routing", "notification_worker": "notifications",
             "staff_authorizer": "authorizer", **{s.name: s.role for s in SCHEDULES}}


def _arns(stage: str) -> dict:
    p = f"acikkapi-{stage}"
    table = f"arn:aws:dynamodb:*:*:table/{p}-main"
    return {
        "table": [table, f"{table}/index/*"],
        "audit": [f"arn:aws:dynamodb:*:*:table/{p}-audit"],
        "routing_queue": f"arn:aws:sqs:*:*:{p}-routing",
        "notification_queue": f"arn:aws:sqs:*:*:{p}-notifications",
        "uploads": f"arn:aws:s3:::{p}-attachments-*/uploads/*",
        "files": f"arn:aws:s3:::{p}-attachments-*/files/*",
        "bucket": f"arn:aws:s3:::{p}-attachments-*",
        "exports": f"arn:aws:s3:::{p}-attachments-*/exports/*",
        "archive": f"arn:aws:s3:::{p}-attachments-*/archive/*",
        "secrets": f"arn:aws:secretsmanager:*:*:secret:{p}/*",
        "logs": f"arn:aws:logs:*:*:log-group:/aws/lambda/{p}*",
        "kms_alias": f"alias/{p}-pii",
        # the pool's id is generated at deploy time; the API may only use the admin
        # actions listed below on user pools of this account and region
        "user_pools": "arn:aws:cognito-idp:*:*:userpool/*",
    }


def _statement(sid: str, actions: list[str], resources, **extra) -> dict:
    return {"Sid": sid, "Effect": "Allow", "Action": sorted(actions),
            "Resource": resources if isinstance(resources, list) else [resources], **extra}


def policy(stage: str, role: str) -> dict:
    a = _arns(stage)
    logs = _statement("Logs", ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"], a["logs"])
    keys = [_statement("ReadKeys", ["secretsmanager:GetSecretValue"], a["secrets"]),
            _statement("DecryptPersonalData", ["kms:Decrypt"], "*",
                       Condition={"StringLike": {"kms:ViaService": "secretsmanager.*.amazonaws.com"},
                                  "ForAnyValue:StringEquals": {"kms:ResourceAliases": a["kms_alias"]}})]
    # BatchGetItem is an IAM action of its own (the sweeps read case statuses with it, the
    # queue's names and exports their pages); transactions are checked per item action.
    # Each role's grant on the main table is what its function performs, recorded by
    # tests/integration/test_policies_cover_calls.py (no function describes the table or
    # puts a condition check in a transaction, so none may).
    read = ["dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:Query"]
    write = ["dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"]
    statements = [logs]
    if role == "api":
        statements += [
            _statement("CasesTable", read + write, a["table"]),
            _statement("AuditAppendOnly", ["dynamodb:PutItem", "dynamodb:Query"], a["audit"]),
            _statement("Queues", ["sqs:SendMessage", "sqs:GetQueueAttributes"],
                       [a["routing_queue"], a["notification_queue"]]),
            _statement("Attachments", ["s3:PutObject", "s3:GetObject", "s3:DeleteObject"], [a["uploads"], a["files"]]),
            # large CSV exports are written to exports/ and fetched through a presigned GET
            _statement("Exports", ["s3:PutObject", "s3:GetObject"], a["exports"]),
            # a closed case a year old is read from the archive, and brought back by a write
            # (its object then goes); an early erasure deletes every archived copy
            _statement("ArchivedCases", ["s3:GetObject", "s3:DeleteObject"], a["archive"]),
            # an early erasure (KVKK art. 11) lists the case's prefixes to delete what they hold
            _statement("ListCaseUploads", ["s3:ListBucket"], a["bucket"],
                       Condition={"StringLike": {"s3:prefix": ["uploads/*", "files/*", "archive/*"]}}),
            # staff administration (issue 38): invitations create users, a lost phone re-creates
            # one, the sign-in turns the authenticator app on (the sign-in steps themselves,
            # InitiateAuth, RespondToAuthChallenge and the software token calls, are public)
            _statement("StaffAdmin", ["cognito-idp:AdminGetUser", "cognito-idp:AdminUpdateUserAttributes",
                                      "cognito-idp:AdminDeleteUserAttributes", "cognito-idp:AdminListGroupsForUser",
                                      "cognito-idp:AdminAddUserToGroup", "cognito-idp:AdminRemoveUserFromGroup",
                                      "cognito-idp:AdminEnableUser", "cognito-idp:AdminDisableUser",
                                      "cognito-idp:AdminUserGlobalSignOut", "cognito-idp:AdminCreateUser",
                                      "cognito-idp:AdminDeleteUser", "cognito-idp:AdminSetUserMFAPreference"],
                       a["user_pools"]),
            *keys]
    elif role == "routing":
        # what routing does, recorded by tests/integration/test_policies_cover_calls.py (a new
        # application with its repeat check, an office's digest, a phone code): reads, and
        # transactions of puts and updates; never a delete, a condition check or a describe
        statements += [
            _statement("CasesTable", ["dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:Query",
                                      "dynamodb:PutItem", "dynamodb:UpdateItem"], a["table"]),
            _statement("ConsumeRouting", ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes",
                                          "sqs:ChangeMessageVisibility"], a["routing_queue"]),
            _statement("PublishNotifications", ["sqs:SendMessage"], a["notification_queue"]),
            *keys]
    elif role == "notifications":
        statements += [
            # claims, the daily SMS budget (an update of its counter) and held markers, all
            # under NOTE#; GetItem reads a budget back when a redelivery is refused
            _statement("NotificationClaims", ["dynamodb:PutItem", "dynamodb:DeleteItem", "dynamodb:UpdateItem",
                                              "dynamodb:GetItem"], a["table"][0],
                       Condition={"ForAllValues:StringLike": {"dynamodb:LeadingKeys": ["NOTE#*"]}}),
            _statement("ConsumeNotifications", ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes",
                                                "sqs:ChangeMessageVisibility"], a["notification_queue"]),
            _statement("SendEmail", ["ses:SendEmail"], ["arn:aws:ses:*:*:identity/*",
                                                        "arn:aws:ses:*:*:configuration-set/*"]),
            # SMS goes to phone numbers, which have no ARN: publish is the only action allowed.
            _statement("SendSms", ["sns:Publish"], "*"),
            *keys]
    elif role == "sweeps":
        statements += [
            _statement("CasesTable", read + write, a["table"]),
            _statement("PublishNotifications", ["sqs:SendMessage"], [a["notification_queue"], a["routing_queue"]]),
            *keys]
    elif role == "retention":
        # the monthly KVKK destruction run: anonymise due cases, delete their attachments;
        # it finds them through the retention index and reads each by its partition, never
        # item by item. The archive run (tiering) shares the role: it reads a case's
        # partition, leaves an index item and deletes the rest in one transaction
        statements += [
            _statement("CasesTable", ["dynamodb:Query"] + write, a["table"]),
            _statement("AuditAppendOnly", ["dynamodb:PutItem"], a["audit"]),
            _statement("DeleteAttachments", ["s3:DeleteObject"], [a["uploads"], a["files"]]),
            # the archive run writes a closed case's file to archive/; the destruction reads it
            # back and deletes every archived copy
            _statement("ArchivedCases", ["s3:PutObject", "s3:GetObject", "s3:DeleteObject"], a["archive"]),
            _statement("ListCaseUploads", ["s3:ListBucket"], a["bucket"],
                       Condition={"StringLike": {"s3:prefix": ["uploads/*", "files/*", "archive/*"]}}),
            *keys]
    elif role == "stats":
        # the daily roll-up of the open statistics: reads the month's cells, writes the
        # published rows; nothing else, and no personal data to decrypt
        # (the rows go in one BatchWriteItem; no single put: test_policies_cover_calls.py)
        statements.append(_statement("OpenStatistics", ["dynamodb:Query", "dynamodb:GetItem", "dynamodb:BatchWriteItem"],
                                     a["table"][0],
                                     Condition={"ForAllValues:StringLike": {"dynamodb:LeadingKeys": [
                                         "MSTATS#*", "OPENSTATS", "OPENSTATS#*"]}}))
    elif role == "authorizer":
        # verifies tokens against the pool's public JWKS over HTTPS, then reads the staff
        # member's access record: GetItem on STAFF# items only
        statements.append(_statement("StaffDirectory", ["dynamodb:GetItem"], a["table"][0],
                                     Condition={"ForAllValues:StringLike": {"dynamodb:LeadingKeys": ["STAFF#*"]}}))
    else:
        raise ValueError(role)
    return {"Version": "2012-10-17", "Statement": statements}


def chalice_config() -> str:
    """.chalice/config.json with every function of each stage pointed at its policy file."""
    config = json.loads((CHALICE / "config.json").read_text("utf-8"))
    for stage in STAGES:
        config["stages"][stage]["lambda_functions"] = {
            name: {"iam_policy_file": f"policy-{stage}-{role}.json"} for name, role in FUNCTIONS.items()}
    return json.dumps(config, indent=2, ensure_ascii=False) + "\n"


def files() -> dict[Path, str]:
    out = {}
    for stage in STAGES:
        for role in sorted(set(FUNCTIONS.values())):
            out[CHALICE / f"policy-{stage}-{role}.json"] = json.dumps(policy(stage, role), indent=2) + "\n"
    out[CHALICE / "config.json"] = chalice_config()
    return out


if __name__ == "__main__":
    stale = [p for p, text in files().items() if not p.exists() or p.read_text() != text]
    if "--check" in sys.argv:
        for p in stale:
            print(f"out of date: {p}")
        sys.exit(1 if stale else 0)
    for p, text in files().items():
        p.write_text(text)
    print(f"wrote {len(files())} policy files")
