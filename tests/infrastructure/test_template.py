"""The deployment, checked offline: `chalice package` merged with infra/template.json,
cfn-lint, the invariants, the IAM policy files, and the local stack agreeing with the
template."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import boto3
import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def sam(tmp_path_factory, worker_id):
    """One package per test session, shared by the xdist workers under a lock: two
    `chalice package` runs at once share .chalice/deployments, and one of them fails."""
    import fcntl
    shared = tmp_path_factory.getbasetemp() if worker_id == "master" else tmp_path_factory.getbasetemp().parent
    out = shared / "package" / "prod"
    with open(shared / "package.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (out / "sam.json").exists():
            result = subprocess.run([sys.executable, str(ROOT / "infra" / "package.py"), "--stage", "prod",
                                     "--out", str(out)], cwd=ROOT, capture_output=True, text=True, timeout=600,
                                    env={**os.environ, "AWS_DEFAULT_REGION": "eu-central-1",
                                         "TRANSFER_BASIS": "standard_contract:2026-01-15"})
            assert result.returncode == 0, result.stderr[-2000:]
    path = out / "sam.json"
    return path, json.loads(path.read_text())


def resources(doc, kind):
    return {k: r for k, r in doc["Resources"].items() if r.get("Type") == kind}


def test_cfn_lint_finds_no_errors(sam):
    path, _ = sam
    result = subprocess.run([str(Path(sys.executable).parent / "cfn-lint"), str(path)], capture_output=True,
                            text=True, timeout=300)
    assert result.returncode & 2 == 0, result.stdout[-3000:]  # bit 2: errors (4: warnings, 8: informational)


def test_every_sqs_event_source_reports_batch_item_failures(sam):
    _, doc = sam
    sources = [(name, e) for name, fn in resources(doc, "AWS::Serverless::Function").items()
               for e in fn["Properties"].get("Events", {}).values() if e["Type"] == "SQS"]
    assert len(sources) == 2
    for name, e in sources:
        assert e["Properties"]["FunctionResponseTypes"] == ["ReportBatchItemFailures"], name


def test_the_notification_worker_gathers_an_events_messages_into_one_invocation(sam):
    """Notifications of one event are sent in one batch; the one-second window lets the
    event source hand them to one invocation (one receive, one batched delete). Routing
    has none: a new application is routed at once."""
    _, doc = sam
    windows = {e["Properties"]["Queue"]["Fn::Sub"].rsplit(":", 1)[1].replace("acikkapi-prod-", ""):
               (e["Properties"]["BatchSize"], e["Properties"].get("MaximumBatchingWindowInSeconds", 0))
               for fn in resources(doc, "AWS::Serverless::Function").values()
               for e in fn["Properties"].get("Events", {}).values() if e["Type"] == "SQS"}
    assert windows == {"notifications": (10, 1), "routing": (10, 0)}


def test_event_sources_point_at_the_template_queues(sam):
    _, doc = sam
    names = {r["Properties"]["QueueName"]["Fn::Sub"].replace("${Stage}", "prod")
             for r in resources(doc, "AWS::SQS::Queue").values()}
    for fn in resources(doc, "AWS::Serverless::Function").values():
        for e in fn["Properties"].get("Events", {}).values():
            if e["Type"] == "SQS":
                assert e["Properties"]["Queue"]["Fn::Sub"].rsplit(":", 1)[1] in names


def test_every_queue_has_a_dlq_and_a_long_enough_visibility_timeout(sam):
    _, doc = sam
    queues = resources(doc, "AWS::SQS::Queue")
    dlqs = {q["Properties"]["RedrivePolicy"]["deadLetterTargetArn"]["Fn::GetAtt"][0]
            for q in queues.values() if "RedrivePolicy" in q["Properties"]}
    timeouts = [fn["Properties"].get("Timeout", 60) for fn in resources(doc, "AWS::Serverless::Function").values()]
    for name, q in queues.items():
        if name in dlqs:
            continue
        policy = q["Properties"]["RedrivePolicy"]
        assert policy["maxReceiveCount"] == 5, name
        assert q["Properties"]["VisibilityTimeout"] >= 6 * max(timeouts), name
    assert len(dlqs) == 2


def test_every_table_has_pitr_encryption_and_prod_deletion_protection(sam):
    _, doc = sam
    tables = resources(doc, "AWS::DynamoDB::Table")
    assert set(tables) == {"MainTable", "AuditTable"}
    for name, t in tables.items():
        p = t["Properties"]
        assert p["BillingMode"] == "PAY_PER_REQUEST"
        assert p["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"] is True, name
        assert p["SSESpecification"] == {"SSEEnabled": True, "SSEType": "KMS", "KMSMasterKeyId": {"Ref": "PiiKey"}}
        assert p["DeletionProtectionEnabled"] == {"Fn::If": ["IsProd", True, False]}
    assert doc["Conditions"]["IsProd"] == {"Fn::Equals": [{"Ref": "Stage"}, "prod"]}
    assert doc["Parameters"]["Stage"]["Default"] == "prod"
    # the audit trail is written on every action and read rarely, and kept for years (issue 39):
    # Standard-IA storage costs 60 % less; the main table, written and read all day, stays Standard
    assert tables["AuditTable"]["Properties"]["TableClass"] == "STANDARD_INFREQUENT_ACCESS"
    assert tables["MainTable"]["Properties"].get("TableClass", "STANDARD") == "STANDARD"


def _statements(doc):
    for role in resources(doc, "AWS::IAM::Role").values():
        for policy in role["Properties"].get("Policies", []):
            yield from policy["PolicyDocument"]["Statement"]
    for path in (ROOT / ".chalice").glob("policy-*.json"):
        yield from json.loads(path.read_text())["Statement"]


def test_no_iam_statement_allows_every_action(sam):
    _, doc = sam
    statements = list(_statements(doc))
    assert statements
    for s in statements:
        actions = s["Action"] if isinstance(s["Action"], list) else [s["Action"]]
        assert "*" not in actions and not any(a.endswith(":*") for a in actions), s


def test_policy_files_are_generated_and_used_by_every_function(sam):
    result = subprocess.run([sys.executable, str(ROOT / "infra" / "policies.py"), "--check"], capture_output=True,
                            text=True)
    assert result.returncode == 0, result.stdout
    config = json.loads((ROOT / ".chalice" / "config.json").read_text())
    assert config["autogen_policy"] is False
    _, doc = sam
    roles = resources(doc, "AWS::IAM::Role")
    assert len(roles) == 9
    for stage in ("dev", "prod"):
        assert set(config["stages"][stage]["lambda_functions"]) == {
            "api_handler", "routing_worker", "notification_worker", "deadline_sweep", "daily_watch", "staff_authorizer",
            "kvkk_sweep", "stats_rollup", "archive_sweep"}


def test_the_attachment_bucket_is_private_encrypted_and_cleans_up(sam):
    _, doc = sam
    p = doc["Resources"]["AttachmentsBucket"]["Properties"]
    assert p["PublicAccessBlockConfiguration"] == {"BlockPublicAcls": True, "BlockPublicPolicy": True,
                                                   "IgnorePublicAcls": True, "RestrictPublicBuckets": True}
    assert p["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    assert any("AbortIncompleteMultipartUpload" in r for r in p["LifecycleConfiguration"]["Rules"])
    assert p["CorsConfiguration"]["CorsRules"][0]["AllowedMethods"] == ["POST", "GET"]
    web = doc["Resources"]["WebBucket"]["Properties"]["PublicAccessBlockConfiguration"]
    assert all(web.values())


def test_every_function_has_an_error_alarm_and_log_retention(sam):
    _, doc = sam
    functions = set(resources(doc, "AWS::Serverless::Function"))
    alarms = resources(doc, "AWS::CloudWatch::Alarm").values()
    alarmed = {d["Value"]["Ref"] for a in alarms if a["Properties"]["MetricName"] == "Errors"
               for d in a["Properties"]["Dimensions"]}
    assert alarmed == functions
    logs = {g["Properties"]["LogGroupName"]["Fn::Sub"] for g in resources(doc, "AWS::Logs::LogGroup").values()}
    assert logs == {f"/aws/lambda/${{{f}}}" for f in functions}
    metrics = {a["Properties"]["MetricName"] for a in alarms}
    assert {"ApproximateNumberOfMessagesVisible", "ApproximateAgeOfOldestMessage", "5XXError", "Errors"} <= metrics


def test_the_rest_of_the_stack_is_there(sam):
    _, doc = sam
    kinds = {r.get("Type") for r in doc["Resources"].values()}
    assert {"AWS::Cognito::UserPool", "AWS::Cognito::UserPoolClient", "AWS::Cognito::UserPoolGroup", "AWS::KMS::Key",
            "AWS::SecretsManager::Secret", "AWS::SES::EmailIdentity", "AWS::CloudFront::Distribution"} <= kinds
    groups = {r["Properties"]["GroupName"] for r in resources(doc, "AWS::Cognito::UserPoolGroup").values()}
    assert groups == {"desk", "supervisor", "province", "admin"}
    schedules = [e["Properties"]["Schedule"] for fn in resources(doc, "AWS::Serverless::Function").values()
                 for e in fn["Properties"].get("Events", {}).values() if e["Type"] == "Schedule"]
    # the monthly KVKK destruction run, the daily watch, the nightly roll-up, the 15-minute
    # deadline sweep and archive run
    assert sorted(schedules) == ["cron(0 1 1 * ? *)", "cron(0 5 * * ? *)", "cron(30 0 * * ? *)", "rate(15 minutes)",
                                 "rate(15 minutes)"]


def test_the_api_definition_is_one_api_gateway_accepts_with_the_open311_catch_all(sam):
    """API Gateway allows one variable child per resource (`{resource}` beside `{proxy+}`
    is refused at deploy), and a greedy resource must declare its parameter by the name
    without `+`, which is how it passes it to the function."""
    _, doc = sam
    [api] = resources(doc, "AWS::Serverless::Api").values()
    paths = api["Properties"]["DefinitionBody"]["paths"]
    variables: dict[str, set[str]] = {}
    for path in paths:
        parent, _, last = path.rpartition("/")
        if last.startswith("{"):
            variables.setdefault(parent, set()).add(last)
    assert {parent: names for parent, names in variables.items() if len(names) > 1} == {}
    greedy = paths["/open311/v2/{proxy+}"]
    assert set(greedy) >= {"get", "post"}
    for method in ("get", "post"):
        assert {"name": "proxy", "in": "path", "required": True, "type": "string"} in greedy[method]["parameters"]
    assert "get" in paths["/open311/v2"]


def test_the_local_stack_and_the_template_agree(aws):
    """Same tables, key schemas, indexes and queues: the local stack provisions from the template."""
    from devstack.provision import Resolver, load_template, queues, tables
    template = load_template()
    r = Resolver(template, "local", "eu-central-1")
    ddb = boto3.client("dynamodb", region_name="eu-central-1")
    sqs = boto3.client("sqs", region_name="eu-central-1")
    assert sorted(ddb.list_tables()["TableNames"]) == sorted(r.value(t["Properties"]["TableName"])
                                                            for t in tables(template).values())
    for t in tables(template).values():
        p = t["Properties"]
        live = ddb.describe_table(TableName=r.value(p["TableName"]))["Table"]
        assert live["KeySchema"] == p["KeySchema"]
        want = {g["IndexName"]: g["KeySchema"] for g in p.get("GlobalSecondaryIndexes", [])}
        assert {g["IndexName"]: g["KeySchema"] for g in live.get("GlobalSecondaryIndexes", [])} == want
        assert live["BillingModeSummary"]["BillingMode"] == p["BillingMode"]
    urls = sqs.list_queues()["QueueUrls"]
    assert sorted(u.rsplit("/", 1)[1] for u in urls) == sorted(r.value(q["Properties"]["QueueName"])
                                                                for q in queues(template).values())
    for q in queues(template).values():
        if "RedrivePolicy" in q["Properties"]:
            url = sqs.get_queue_url(QueueName=r.value(q["Properties"]["QueueName"]))["QueueUrl"]
            live = json.loads(sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["RedrivePolicy"])
                              ["Attributes"]["RedrivePolicy"])
            assert int(live["maxReceiveCount"]) == q["Properties"]["RedrivePolicy"]["maxReceiveCount"]


def test_no_app_client_can_write_an_attribute_that_grants_access():
    """Role and district come from the staff directory, but the pool's attributes must
    not be self-editable either: they are what a token carries."""
    t = json.loads((ROOT / "infra" / "template.json").read_text())
    pool_attrs = {f"custom:{a['Name']}" for r in t["Resources"].values() if r.get("Type") == "AWS::Cognito::UserPool"
                  for a in r["Properties"].get("Schema", [])}
    assert {"custom:district", "custom:province"} <= pool_attrs
    clients = [r["Properties"] for r in t["Resources"].values() if r.get("Type") == "AWS::Cognito::UserPoolClient"]
    assert clients
    for c in clients:
        assert "WriteAttributes" in c, "without WriteAttributes a client may write more than it should"
        writable = set(c["WriteAttributes"])
        assert not writable & (pool_attrs | {"email", "email_verified", "phone_number"}), writable


def test_every_staff_sign_in_needs_an_authenticator_app_and_a_strong_password():
    """Issue 38: a supervisor can reveal national ids and export names, so no staff role
    signs in with a password alone: MFA is required (not optional) and the only factor is
    a TOTP app (no SMS to a phone number nobody verified); the temporary password of an
    invitation matches the platform's e-mail (services/staff_admin.TEMPORARY_PASSWORD_DAYS)."""
    from chalicelib.services.staff_admin import TEMPORARY_PASSWORD_DAYS
    t = json.loads((ROOT / "infra" / "template.json").read_text())
    [pool] = [r["Properties"] for r in t["Resources"].values() if r.get("Type") == "AWS::Cognito::UserPool"]
    assert pool["MfaConfiguration"] == "ON"
    assert pool["EnabledMfas"] == ["SOFTWARE_TOKEN_MFA"]
    policy = pool["Policies"]["PasswordPolicy"]
    assert policy["MinimumLength"] >= 12 and policy["RequireUppercase"] and policy["RequireLowercase"] \
        and policy["RequireNumbers"]
    assert policy["TemporaryPasswordValidityDays"] == TEMPORARY_PASSWORD_DAYS
    assert pool["AdminCreateUserConfig"]["AllowAdminCreateUserOnly"] is True      # nobody signs themselves up


def test_a_removed_user_loses_access_within_two_minutes():
    from app import app
    from chalicelib.services import staff
    [authorizer] = app.builtin_auth_handlers
    ttl = authorizer.ttl_seconds              # API Gateway caches the authorizer's answer this long
    assert ttl == staff.AUTHORIZER_TTL_SECONDS
    assert ttl + staff.RECORD_TTL.total_seconds() <= 120


def test_the_api_is_throttled_per_stage_and_rate_limited_per_address_in_prod(sam):
    _, doc = sam
    api = doc["Resources"]["RestAPI"]["Properties"]
    [settings] = api["MethodSettings"]
    assert settings["ResourcePath"] == "/*" and settings["HttpMethod"] == "*"
    assert 0 < settings["ThrottlingRateLimit"] <= settings["ThrottlingBurstLimit"]
    [acl] = resources(doc, "AWS::WAFv2::WebACL").values()
    assert acl["Properties"]["Scope"] == "REGIONAL" and acl["Properties"]["DefaultAction"] == {"Allow": {}}
    rules = {r["Name"]: r for r in acl["Properties"]["Rules"]}
    assert all("Block" in r["Action"] and r["Statement"]["RateBasedStatement"]["AggregateKeyType"] == "IP"
               for r in rules.values())
    submissions = rules["submissions-per-address"]["Statement"]["RateBasedStatement"]
    assert submissions["Limit"] < rules["per-address"]["Statement"]["RateBasedStatement"]["Limit"]
    assert "/v1/applications" in json.dumps(submissions["ScopeDownStatement"])
    # keyless Open311 reads by number (issue 36): their own, lower limit; a partner's keyed reads are not in it
    keyless = rules["open311-keyless-reads-per-address"]["Statement"]["RateBasedStatement"]
    scope = json.dumps(keyless["ScopeDownStatement"])
    assert keyless["Limit"] < rules["per-address"]["Statement"]["RateBasedStatement"]["Limit"]
    assert "/open311/" in scope and "NotStatement" in scope and "api_key=" in scope
    [assoc] = resources(doc, "AWS::WAFv2::WebACLAssociation").values()
    assert assoc["Properties"]["WebACLArn"] == {"Fn::GetAtt": ["ApiWebAcl", "Arn"]}
    assert "${RestAPI}/stages/api" in assoc["Properties"]["ResourceArn"]["Fn::Sub"]


def test_attachment_downloads_are_served_with_nosniff_through_signed_cloudfront_urls(sam):
    _, doc = sam
    r = doc["Resources"]
    dist = r["AttachmentsDistribution"]
    behaviour = dist["Properties"]["DistributionConfig"]["DefaultCacheBehavior"]
    assert behaviour["ResponseHeadersPolicyId"] == {"Ref": "AttachmentsHeadersPolicy"}
    assert behaviour["TrustedKeyGroups"] == [{"Ref": "DownloadsKeyGroup"}]       # signed URLs only
    assert behaviour["ViewerProtocolPolicy"] == "https-only" and behaviour["AllowedMethods"] == ["GET", "HEAD"]
    security = r["AttachmentsHeadersPolicy"]["Properties"]["ResponseHeadersPolicyConfig"]["SecurityHeadersConfig"]
    assert security["ContentTypeOptions"] == {"Override": True}                 # X-Content-Type-Options: nosniff
    forwarded = r["AttachmentsOriginRequestPolicy"]["Properties"]["OriginRequestPolicyConfig"]["QueryStringsConfig"]
    assert sorted(forwarded["QueryStrings"]) == ["response-content-disposition", "response-content-type"]
    [origin] = dist["Properties"]["DistributionConfig"]["Origins"]
    assert origin["DomainName"] == {"Fn::GetAtt": ["AttachmentsBucket", "RegionalDomainName"]}
    # the bucket lets this distribution read uploads, nothing else is public
    grants = [s for s in r["AttachmentsBucketPolicy"]["Properties"]["PolicyDocument"]["Statement"] if "Fn::If" in s]
    [[condition, grant, _]] = [g["Fn::If"] for g in grants]
    assert condition == "HasDownloadsKey" and grant["Action"] == "s3:GetObject"
    assert "${AttachmentsDistribution}" in grant["Condition"]["StringEquals"]["AWS:SourceArn"]["Fn::Sub"]
    # prod cannot deploy without it
    [assertion] = doc["Rules"]["ProdServesDownloadsWithNosniff"]["Assertions"]
    assert assertion["Assert"] == {"Fn::Not": [{"Fn::Equals": [{"Ref": "DownloadsPublicKey"}, ""]}]}
    env = doc["Globals"]["Function"]["Environment"]["Variables"]
    assert {"DOWNLOADS_BASE_URL", "DOWNLOADS_KEY_ID", "DOWNLOADS_SIGNING_SECRET_ID"} <= set(env)


def test_the_code_zip_ships_bytecode_for_every_module_so_cold_starts_do_not_compile(sam):
    """Lambda's code directory is read-only: without .pyc in the zip, every cold start
    compiles each module it imports. Unchecked-hash .pyc (PEP 552 flags = 1) hold
    whatever the file times in the zip are."""
    import importlib.util
    import zipfile
    path, _ = sam
    tag = sys.implementation.cache_tag
    with zipfile.ZipFile(path.parent / "deployment.zip") as z:
        names = set(z.namelist())
        ours = [n for n in names if n.endswith(".py") and (n == "app.py" or n.startswith("chalicelib/"))]
        assert len(ours) > 40
        for n in ours:
            folder, _, file = n.rpartition("/")
            pyc = f"{folder + '/' if folder else ''}__pycache__/{file[:-3]}.{tag}.pyc"
            assert pyc in names, pyc
        header = z.read(f"chalicelib/domain/__pycache__/case.{tag}.pyc")[:8]
        assert header[:4] == importlib.util.MAGIC_NUMBER and int.from_bytes(header[4:8], "little") == 1
        assert any(n.startswith("pydantic_core/") and n.endswith(".so") for n in names) or \
            any(n.startswith("pydantic/") for n in names)


def test_packaging_for_a_region_outside_turkiye_stops_without_a_transfer_basis(tmp_path):
    """KVKK art. 9 (Law 7499): an AWS region is outside Türkiye, so the deployment names the
    basis of the transfer; without TRANSFER_BASIS `make package` stops before building
    anything, and says which variable to set."""
    env = {k: v for k, v in os.environ.items() if k != "TRANSFER_BASIS"}
    for basis in ("", "contract:2026-01-15"):
        result = subprocess.run([sys.executable, str(ROOT / "infra" / "package.py"), "--stage", "prod",
                                 "--out", str(tmp_path / "out")], cwd=ROOT, capture_output=True, text=True,
                                timeout=120, env={**env, "AWS_DEFAULT_REGION": "eu-central-1",
                                                  **({"TRANSFER_BASIS": basis} if basis else {})})
        assert result.returncode != 0 and "TRANSFER_BASIS" in result.stderr, (basis, result.stderr[-500:])
        assert not (tmp_path / "out").exists()


def test_the_package_carries_the_transfer_basis_to_the_functions(sam):
    _, doc = sam
    assert "DataRegionLabel" not in doc["Parameters"]
    assert doc["Parameters"]["TransferBasis"]["Default"] == "standard_contract:2026-01-15"
    variables = doc["Globals"]["Function"]["Environment"]["Variables"]
    assert variables["TRANSFER_BASIS"] == {"Ref": "TransferBasis"}


def test_the_pages_are_served_with_a_content_security_policy_and_never_framed(sam):
    """Issue 36: no CSP on the web pages, neither locally nor from the CDN. The CDN's policy
    states the local server's directives (devstack/web.py), with the stack's API and
    attachment store as the only other origins the pages may call."""
    from devstack.web import CSP_DIRECTIVES
    _, doc = sam
    r = doc["Resources"]
    behaviour = r["WebDistribution"]["Properties"]["DistributionConfig"]["DefaultCacheBehavior"]
    assert behaviour["ResponseHeadersPolicyId"] == {"Ref": "WebHeadersPolicy"}
    security = r["WebHeadersPolicy"]["Properties"]["ResponseHeadersPolicyConfig"]["SecurityHeadersConfig"]
    csp = security["ContentSecurityPolicy"]["ContentSecurityPolicy"]["Fn::Sub"]
    directives = [d.strip() for d in csp.split(";")]
    assert directives[:len(CSP_DIRECTIVES)] == list(CSP_DIRECTIVES)
    [connect] = [d for d in directives if d.startswith("connect-src")]
    # the API by its regional host (a reference to the API itself would be a circular
    # dependency: the functions are told the site's address), the attachment bucket by its name
    assert connect.split()[1] == "'self'" and ".execute-api.${AWS::Region}.amazonaws.com" in connect
    assert "acikkapi-${Stage}-attachments-${AWS::AccountId}.s3." in connect
    assert "'unsafe-inline'" not in csp and "'unsafe-eval'" not in csp
    assert security["FrameOptions"]["FrameOption"] == "DENY" and security["ContentTypeOptions"]["Override"] is True


def test_answers_api_gateway_gives_itself_are_not_sniffed_or_stored_either(sam):
    """A refusal by the authorizer or the throttle never reaches the app's middleware (which
    adds nosniff and no-store to every answer): API Gateway's own responses carry them."""
    _, doc = sam
    responses = {r["Properties"]["ResponseType"]: r["Properties"] for r in
                 resources(doc, "AWS::ApiGateway::GatewayResponse").values()}
    assert set(responses) >= {"DEFAULT_4XX", "DEFAULT_5XX"}
    for r in responses.values():
        assert r["RestApiId"] == {"Ref": "RestAPI"}
        assert r["ResponseParameters"]["gatewayresponse.header.X-Content-Type-Options"] == "'nosniff'"
        assert r["ResponseParameters"]["gatewayresponse.header.Cache-Control"] == "'no-store'"
