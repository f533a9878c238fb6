"""The Pulumi program under mocks: what `pulumi up` would create, for the dev stack and a minimal one."""

import json

import pytest

from asl.permissions import task_actions
from components.policy import (
    BUCKET_READ_ACTIONS,
    GLUE_READ_ACTIONS,
    LOG_DELIVERY_ACTIONS,
    OBJECT_READ_ACTIONS,
    RESULT_WRITE_ACTIONS,
    TOPIC_KEY_ACTIONS,
)
from tests.pulumi_harness import config_from_stack_file, run_program

MINIMAL = {"transfer-digest:connectorId": "c-0123456789abcdef0",
           "transfer-digest:notificationEmails": ["ops@example.com"]}
EXPECTED_TYPES = {
    "aws:athena/namedQuery:NamedQuery", "aws:athena/workgroup:Workgroup", "aws:cloudwatch/eventRule:EventRule",
    "aws:cloudwatch/eventTarget:EventTarget", "aws:cloudwatch/logGroup:LogGroup", "aws:dynamodb/table:Table",
    "aws:glue/catalogDatabase:CatalogDatabase", "aws:glue/catalogTable:CatalogTable", "aws:iam/role:Role",
    "aws:iam/rolePolicy:RolePolicy", "aws:kms/key:Key", "aws:s3/bucket:Bucket",
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls", "aws:s3/bucketPolicy:BucketPolicy",
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    "aws:sfn/stateMachine:StateMachine", "aws:sns/topic:Topic", "aws:sns/topicSubscription:TopicSubscription",
    "aws:sqs/queue:Queue", "aws:sqs/queuePolicy:QueuePolicy",
    "transfer-digest:ledger:BatchLedger", "transfer-digest:notifications:Notifications",
    "transfer-digest:query:QueryEngine", "transfer-digest:storage:LandingStorage",
    "transfer-digest:trigger:EventTrigger", "transfer-digest:workflow:Workflow",
}
MACHINES = ("launcher", "tracker", "notifier")


@pytest.fixture(scope="module")
def dev():
    return run_program(config_from_stack_file("dev"))


@pytest.fixture(scope="module")
def minimal():
    return run_program(MINIMAL, stack="staging")


@pytest.mark.parametrize("stack", ["dev", "minimal"])
def test_the_program_registers_every_concern(stack, request):
    run = request.getfixturevalue(stack)
    assert {r.type for r in run.resources.resources} == EXPECTED_TYPES
    assert len(run.resources.of_type("aws:sfn/stateMachine:StateMachine")) == 3
    assert len(run.resources.of_type("aws:cloudwatch/eventRule:EventRule")) == 2
    assert len(run.resources.of_type("aws:iam/role:Role")) == 5  # one per state machine, one per rule


def test_stack_outputs_give_ops_what_they_need(dev):
    assert set(dev.exports) == {"launcherArn", "trackerArn", "notifierArn", "ledgerTable", "topicArn", "workgroup",
                                "database", "table", "landingBucket", "landingPrefix", "resultsBucket",
                                "startBatchExample"}
    assert dev.exports["startBatchExample"].startswith(
        f"aws stepfunctions start-execution --state-machine-arn {dev.exports['launcherArn']} --input '")
    example_input = dev.exports["startBatchExample"].split("--input '", 1)[1].rstrip("'")
    assert json.loads(example_input)["files"][0].startswith("/")
    assert (dev.exports["database"], dev.exports["table"]) == ("transfer_digest_dev", "daily_batches")


def test_minimal_config_uses_the_seed_defaults(minimal):
    table = minimal.resources.one("aws:glue/catalogTable:CatalogTable")
    assert [c["name"] for c in table.inputs["storageDescriptor"]["columns"]] == ["seq", "hash", "created_at"]
    assert minimal.exports["database"] == "transfer_digest_staging"
    assert minimal.exports["workgroup"] == "transfer-digest-staging"


def test_an_existing_landing_bucket_is_used_not_created():
    run = run_program({**MINIMAL, "transfer-digest:landingBucket": "partner-drop"})
    assert [b.name for b in run.resources.of_type("aws:s3/bucket:Bucket")] == ["storage-results"]
    assert run.exports["landingBucket"] == "partner-drop"
    table = run.resources.one("aws:glue/catalogTable:CatalogTable")
    assert table.inputs["storageDescriptor"]["location"] == "s3://partner-drop/receive/"


def test_every_created_bucket_is_encrypted_private_and_tls_only(dev):
    buckets = {b.outputs["bucket"] for b in dev.resources.of_type("aws:s3/bucket:Bucket")}
    assert len(buckets) == 2
    for kind in ("bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
                 "bucketPublicAccessBlock:BucketPublicAccessBlock", "bucketPolicy:BucketPolicy",
                 "bucketOwnershipControls:BucketOwnershipControls"):
        assert {r.inputs["bucket"] for r in dev.resources.of_type(f"aws:s3/{kind}")} == buckets, kind
    for block in dev.resources.of_type("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"):
        assert all(block.inputs[k] for k in ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls",
                                             "restrictPublicBuckets"))
    for policy in dev.resources.of_type("aws:s3/bucketPolicy:BucketPolicy"):
        [statement] = json.loads(policy.inputs["policy"])["Statement"]
        assert statement["Effect"] == "Deny" and statement["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    expiry = dev.resources.one("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration")
    assert expiry.inputs["bucket"].startswith("storage-results")
    assert expiry.inputs["rules"][0]["expiration"]["days"] == 30


def test_the_ledger_expires_items_and_is_recoverable_and_encrypted(dev):
    table = dev.resources.one("aws:dynamodb/table:Table").inputs
    assert table["ttl"] == {"enabled": True, "attributeName": "expiresAt"}
    assert table["pointInTimeRecovery"] == {"enabled": True}
    assert table["serverSideEncryption"] == {"enabled": True}
    assert table["billingMode"] == "PAY_PER_REQUEST"


def test_the_topic_is_encrypted_and_every_address_is_subscribed(dev):
    topic = dev.resources.one("aws:sns/topic:Topic")
    key = dev.resources.one("aws:kms/key:Key")
    assert topic.inputs["kmsMasterKeyId"] == key.outputs["arn"]
    assert key.inputs["enableKeyRotation"] is True
    subscriptions = dev.resources.of_type("aws:sns/topicSubscription:TopicSubscription")
    assert sorted((s.inputs["protocol"], s.inputs["endpoint"]) for s in subscriptions) == [
        ("email", "data-team@example.com"), ("email", "ops-oncall@example.com")]


def test_the_workgroup_enforces_encrypted_results_and_a_scan_cutoff(dev):
    configuration = dev.resources.one("aws:athena/workgroup:Workgroup").inputs["configuration"]
    assert configuration["enforceWorkgroupConfiguration"] is True
    assert configuration["bytesScannedCutoffPerQuery"] == 1024 * 1024 * 1024
    assert configuration["resultConfiguration"]["outputLocation"] == f"s3://{dev.exports['resultsBucket']}/athena/"
    assert configuration["resultConfiguration"]["encryptionConfiguration"] == {"encryptionOption": "SSE_S3"}


def test_rules_start_their_machine_with_retries_and_an_encrypted_dead_letter_queue(dev):
    queues = {q.outputs["arn"]: q for q in dev.resources.of_type("aws:sqs/queue:Queue")}
    targets = {t.name: t.inputs for t in dev.resources.of_type("aws:cloudwatch/eventTarget:EventTarget")}
    assert targets["file-events-target"]["arn"] == dev.exports["trackerArn"]
    assert targets["query-events-target"]["arn"] == dev.exports["notifierArn"]
    for target in targets.values():
        assert target["retryPolicy"]["maximumRetryAttempts"] > 0
        assert queues[target["deadLetterConfig"]["arn"]].inputs["sqsManagedSseEnabled"] is True


def test_each_machine_logs_to_its_own_group_with_retention(dev):
    groups = {g.name: g for g in dev.resources.of_type("aws:cloudwatch/logGroup:LogGroup")}
    for machine in MACHINES:
        logging = dev.resources.one("aws:sfn/stateMachine:StateMachine", f"{machine}-machine").inputs["loggingConfiguration"]
        group = groups[f"{machine}-logs"]
        assert logging["logDestination"] == group.outputs["arn"] + ":*"
        assert group.inputs["retentionInDays"] == 30


def policy_of(run, machine):
    return json.loads(run.resources.one("aws:iam/rolePolicy:RolePolicy", f"{machine}-permissions").inputs["policy"])


def definition_of(run, machine):
    return json.loads(run.resources.one("aws:sfn/stateMachine:StateMachine", f"{machine}-machine").inputs["definition"])


@pytest.mark.parametrize("machine", MACHINES)
def test_each_role_grants_exactly_the_actions_its_tasks_call(dev, machine):
    called = task_actions(definition_of(dev, machine))
    implied = set(LOG_DELIVERY_ACTIONS)
    if "sns:Publish" in called:
        implied |= set(TOPIC_KEY_ACTIONS)
    if "athena:StartQueryExecution" in called:  # Athena reads the table and data, writes results as the caller
        implied |= set(GLUE_READ_ACTIONS + BUCKET_READ_ACTIONS + OBJECT_READ_ACTIONS + RESULT_WRITE_ACTIONS)
    if "athena:GetQueryResults" in called:
        implied |= set(BUCKET_READ_ACTIONS + OBJECT_READ_ACTIONS)
    statements = policy_of(dev, machine)["Statement"]
    granted = {a for s in statements for a in s["Action"]}
    assert granted == called | implied


@pytest.mark.parametrize("machine", MACHINES)
def test_each_grant_names_its_resources(dev, machine):
    for statement in policy_of(dev, machine)["Statement"]:
        if statement["Resource"] == ["*"]:
            assert set(statement["Action"]) <= set(LOG_DELIVERY_ACTIONS), statement
        for action in statement["Action"]:
            if action.startswith("dynamodb:"):
                assert statement["Resource"] == [f"arn:aws:dynamodb:ap-northeast-1:123456789012:table/{dev.exports['ledgerTable']}"]
            if action.startswith("transfer:"):
                assert statement["Resource"] == [
                    "arn:aws:transfer:ap-northeast-1:123456789012:connector/c-0123456789abcdef0"]
            if action == "states:StartExecution":
                assert statement["Resource"] == [dev.exports["notifierArn"]]


def test_roles_are_not_shared_between_machines(dev):
    roles = {dev.resources.one("aws:sfn/stateMachine:StateMachine", f"{m}-machine").inputs["roleArn"] for m in MACHINES}
    assert len(roles) == 3


def test_the_deployed_definitions_are_the_asl_builders_output_for_this_stack(dev):
    launcher = definition_of(dev, "launcher")
    start = launcher["States"]["Start the transfers"]["ItemProcessor"]["States"]["Start a transfer of up to ten files"]
    assert start["Arguments"]["ConnectorId"] == "c-0123456789abcdef0"
    assert f"/{dev.exports['landingBucket']}/receive/batch_id=" in start["Arguments"]["LocalDirectoryPath"]
    assert launcher["States"]["Wait for the batch deadline"]["Seconds"] == "{% $timeout %}"
    assert "3600" in launcher["States"]["Name the batch"]["Assign"]["timeout"]
    tracker = definition_of(dev, "tracker")
    query = tracker["States"]["Start the batch query"]["Arguments"]
    assert query["QueryString"] == (
        'SELECT COUNT(*) AS DataCount FROM (SELECT * FROM "transfer_digest_dev"."daily_batches" WHERE batch_id = ?)')
    assert query["WorkGroup"] == dev.exports["workgroup"]


def test_athena_may_read_only_the_landing_prefix(dev):
    statements = policy_of(dev, "tracker")["Statement"]
    landing = f"arn:aws:s3:::{dev.exports['landingBucket']}"
    [listing] = [s for s in statements if s["Resource"] == [landing] and "s3:ListBucket" in s["Action"]]
    assert listing["Condition"] == {"StringLike": {"s3:prefix": ["receive/*"]}}
    [objects] = [s for s in statements if s["Resource"] == [f"{landing}/receive/*"]]
    assert objects["Action"] == ["s3:GetObject"]
