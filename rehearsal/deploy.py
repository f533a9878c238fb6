"""Deploy the real Pulumi program into moto: `pulumi up`, with Pulumi's mocks as the engine.

`__main__.py` runs unchanged under `MotoDeployment`, a `pulumi.runtime.Mocks` that creates each
registered resource in moto through boto3 and answers with what moto returns (ARNs, names, URLs).
The state machines therefore run with exactly the ASL the program deploys. A resource type with no
emulation is listed, never silently dropped.
"""

from __future__ import annotations

import json
import runpy
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
import pulumi
import yaml

ROOT = Path(__file__).resolve().parent.parent
ACCOUNT = "123456789012"

Outputs = dict[str, Any]


def aws_invoke(token: str, region: str) -> Outputs:
    """What the program's three invokes (account, partition, region) answer in an emulated account."""
    return {
        "aws:index/getCallerIdentity:getCallerIdentity": {
            "accountId": ACCOUNT, "arn": f"arn:aws:iam::{ACCOUNT}:user/rehearsal", "userId": "rehearsal", "id": ACCOUNT},
        "aws:index/getPartition:getPartition": {"partition": "aws", "dnsSuffix": "amazonaws.com", "id": "aws"},
        "aws:index/getRegion:getRegion": {"region": region, "name": region, "id": region},
    }[token]


def stop_executions(sfn: Any) -> None:
    """Stop what is still running (a launcher waiting on its deadline) before moto goes away."""
    for machine in sfn.list_state_machines()["stateMachines"]:
        for execution in sfn.list_executions(stateMachineArn=machine["stateMachineArn"],
                                             statusFilter="RUNNING")["executions"]:
            sfn.stop_execution(executionArn=execution["executionArn"])


@dataclass
class MotoDeployment(pulumi.runtime.Mocks):
    region: str
    created: list[tuple[str, str]] = field(default_factory=list)
    not_emulated: list[tuple[str, str]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._clients: dict[str, Any] = {}
        self._handlers: dict[str, Callable[[str, dict[str, Any]], Outputs]] = {
            "aws:s3/bucket:Bucket": self._bucket,
            "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": self._bucket_encryption,
            "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": self._public_access_block,
            "aws:s3/bucketOwnershipControls:BucketOwnershipControls": self._ownership,
            "aws:s3/bucketPolicy:BucketPolicy": self._bucket_policy,
            "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": self._lifecycle,
            "aws:dynamodb/table:Table": self._table,
            "aws:kms/key:Key": self._key,
            "aws:sns/topic:Topic": self._topic,
            "aws:sns/topicSubscription:TopicSubscription": self._subscription,
            "aws:iam/role:Role": self._role,
            "aws:iam/rolePolicy:RolePolicy": self._role_policy,
            "aws:cloudwatch/logGroup:LogGroup": self._log_group,
            "aws:sfn/stateMachine:StateMachine": self._state_machine,
            "aws:sqs/queue:Queue": self._queue,
            "aws:sqs/queuePolicy:QueuePolicy": self._queue_policy,
            "aws:cloudwatch/eventRule:EventRule": self._rule,
            "aws:cloudwatch/eventTarget:EventTarget": self._target,
            "aws:glue/catalogDatabase:CatalogDatabase": self._glue_database,
            "aws:glue/catalogTable:CatalogTable": self._glue_table,
            "aws:athena/workgroup:Workgroup": self._workgroup,
            "aws:athena/namedQuery:NamedQuery": self._named_query,
        }

    def client(self, service: str) -> Any:
        if service not in self._clients:
            self._clients[service] = boto3.client(service, region_name=self.region)
        return self._clients[service]

    # pulumi.runtime.Mocks
    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, Outputs]:
        if args.typ.startswith("transfer-digest:"):  # components create nothing themselves
            return f"{args.name}-component", {}
        handler = self._handlers.get(args.typ)
        if handler is None:
            self.not_emulated.append((args.typ, args.name))
            return f"{args.name}-not-emulated", dict(args.inputs)
        outputs = {**args.inputs, **handler(args.name, args.inputs)}
        self.created.append((args.typ, args.name))
        return str(outputs.get("id") or outputs.get("arn") or outputs.get("name")), outputs

    def call(self, args: pulumi.runtime.MockCallArgs) -> Outputs:
        return aws_invoke(args.token, self.region)

    # S3
    def _bucket(self, name: str, inputs: dict[str, Any]) -> Outputs:
        bucket = inputs.get("bucket") or f"{name}-rehearsal"
        create: dict[str, Any] = {"Bucket": bucket}
        if self.region != "us-east-1":
            create["CreateBucketConfiguration"] = {"LocationConstraint": self.region}
        self.client("s3").create_bucket(**create)
        return {"bucket": bucket, "id": bucket, "arn": f"arn:aws:s3:::{bucket}"}

    def _bucket_encryption(self, name: str, inputs: dict[str, Any]) -> Outputs:
        rules = [{"ApplyServerSideEncryptionByDefault": {
            "SSEAlgorithm": r["applyServerSideEncryptionByDefault"]["sseAlgorithm"]},
            "BucketKeyEnabled": bool(r.get("bucketKeyEnabled"))} for r in inputs["rules"]]
        self.client("s3").put_bucket_encryption(
            Bucket=inputs["bucket"], ServerSideEncryptionConfiguration={"Rules": rules})
        return {"id": inputs["bucket"]}

    def _public_access_block(self, name: str, inputs: dict[str, Any]) -> Outputs:
        keys = ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets")
        self.client("s3").put_public_access_block(
            Bucket=inputs["bucket"],
            PublicAccessBlockConfiguration={k: bool(inputs.get(k[0].lower() + k[1:])) for k in keys})
        return {"id": inputs["bucket"]}

    def _ownership(self, name: str, inputs: dict[str, Any]) -> Outputs:
        self.client("s3").put_bucket_ownership_controls(
            Bucket=inputs["bucket"],
            OwnershipControls={"Rules": [{"ObjectOwnership": inputs["rule"]["objectOwnership"]}]})
        return {"id": inputs["bucket"]}

    def _bucket_policy(self, name: str, inputs: dict[str, Any]) -> Outputs:
        self.client("s3").put_bucket_policy(Bucket=inputs["bucket"], Policy=inputs["policy"])
        return {"id": inputs["bucket"]}

    def _lifecycle(self, name: str, inputs: dict[str, Any]) -> Outputs:
        rules = [{
            "ID": r["id"], "Status": r["status"], "Filter": {"Prefix": r["filter"].get("prefix", "")},
            "Expiration": {"Days": int(r["expiration"]["days"])},
            "AbortIncompleteMultipartUpload": {
                "DaysAfterInitiation": int(r["abortIncompleteMultipartUpload"]["daysAfterInitiation"])},
        } for r in inputs["rules"]]
        self.client("s3").put_bucket_lifecycle_configuration(
            Bucket=inputs["bucket"], LifecycleConfiguration={"Rules": rules})
        return {"id": inputs["bucket"]}

    # DynamoDB
    def _table(self, name: str, inputs: dict[str, Any]) -> Outputs:
        table = inputs.get("name") or f"{name}-rehearsal"
        ddb = self.client("dynamodb")
        description = ddb.create_table(
            TableName=table,
            BillingMode=inputs["billingMode"],
            KeySchema=[{"AttributeName": inputs["hashKey"], "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": a["name"], "AttributeType": a["type"]} for a in inputs["attributes"]],
            SSESpecification={"Enabled": bool(inputs.get("serverSideEncryption", {}).get("enabled"))},
        )["TableDescription"]
        ttl = inputs.get("ttl")
        if ttl and ttl.get("enabled"):
            ddb.update_time_to_live(TableName=table, TimeToLiveSpecification={
                "Enabled": True, "AttributeName": ttl["attributeName"]})
        if inputs.get("pointInTimeRecovery", {}).get("enabled"):
            ddb.update_continuous_backups(TableName=table, PointInTimeRecoverySpecification={
                "PointInTimeRecoveryEnabled": True})
        return {"name": table, "id": table, "arn": description["TableArn"]}

    # KMS, SNS
    def _key(self, name: str, inputs: dict[str, Any]) -> Outputs:
        metadata = self.client("kms").create_key(Description=inputs.get("description", name),
                                                 Policy=inputs["policy"])["KeyMetadata"]
        if inputs.get("enableKeyRotation"):
            self.client("kms").enable_key_rotation(KeyId=metadata["KeyId"])
        return {"arn": metadata["Arn"], "keyId": metadata["KeyId"], "id": metadata["KeyId"]}

    def _topic(self, name: str, inputs: dict[str, Any]) -> Outputs:
        attributes = {"KmsMasterKeyId": inputs["kmsMasterKeyId"]} if inputs.get("kmsMasterKeyId") else {}
        arn = self.client("sns").create_topic(Name=inputs.get("name") or f"{name}-rehearsal",
                                              Attributes=attributes)["TopicArn"]
        return {"arn": arn, "id": arn, "name": arn.rsplit(":", 1)[1]}

    def _subscription(self, name: str, inputs: dict[str, Any]) -> Outputs:
        arn = self.client("sns").subscribe(TopicArn=inputs["topic"], Protocol=inputs["protocol"],
                                           Endpoint=inputs["endpoint"])["SubscriptionArn"]
        return {"arn": arn, "id": arn}

    # IAM, logs
    def _role(self, name: str, inputs: dict[str, Any]) -> Outputs:
        role = self.client("iam").create_role(RoleName=f"{name}-rehearsal",
                                              AssumeRolePolicyDocument=inputs["assumeRolePolicy"])["Role"]
        return {"arn": role["Arn"], "name": role["RoleName"], "id": role["RoleName"]}

    def _role_policy(self, name: str, inputs: dict[str, Any]) -> Outputs:
        self.client("iam").put_role_policy(RoleName=inputs["role"], PolicyName=name, PolicyDocument=inputs["policy"])
        return {"id": f"{inputs['role']}:{name}"}

    def _log_group(self, name: str, inputs: dict[str, Any]) -> Outputs:
        logs = self.client("logs")
        logs.create_log_group(logGroupName=inputs["name"])
        logs.put_retention_policy(logGroupName=inputs["name"], retentionInDays=int(inputs["retentionInDays"]))
        arn = f"arn:aws:logs:{self.region}:{ACCOUNT}:log-group:{inputs['name']}"
        return {"arn": arn, "id": inputs["name"]}

    # Step Functions
    def _state_machine(self, name: str, inputs: dict[str, Any]) -> Outputs:
        logging = inputs["loggingConfiguration"]
        arn = self.client("stepfunctions").create_state_machine(
            name=f"{name}-rehearsal",
            definition=inputs["definition"],
            roleArn=inputs["roleArn"],
            type=inputs.get("type", "STANDARD"),
            loggingConfiguration={
                "level": logging["level"],
                "includeExecutionData": bool(logging["includeExecutionData"]),
                "destinations": [{"cloudWatchLogsLogGroup": {"logGroupArn": logging["logDestination"]}}],
            },
        )["stateMachineArn"]
        return {"arn": arn, "id": arn, "name": f"{name}-rehearsal"}

    # SQS, EventBridge
    def _queue(self, name: str, inputs: dict[str, Any]) -> Outputs:
        sqs = self.client("sqs")
        url = sqs.create_queue(QueueName=f"{name}-rehearsal", Attributes={
            "SqsManagedSseEnabled": str(bool(inputs.get("sqsManagedSseEnabled"))).lower(),
            "MessageRetentionPeriod": str(int(inputs["messageRetentionSeconds"])),
        })["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        return {"url": url, "arn": arn, "id": url}

    def _queue_policy(self, name: str, inputs: dict[str, Any]) -> Outputs:
        self.client("sqs").set_queue_attributes(QueueUrl=inputs["queueUrl"], Attributes={"Policy": inputs["policy"]})
        return {"id": inputs["queueUrl"]}

    def _rule(self, name: str, inputs: dict[str, Any]) -> Outputs:
        rule = f"{name}-rehearsal"
        arn = self.client("events").put_rule(Name=rule, EventPattern=inputs["eventPattern"],
                                             Description=inputs.get("description", ""))["RuleArn"]
        return {"arn": arn, "name": rule, "id": rule}

    def _target(self, name: str, inputs: dict[str, Any]) -> Outputs:
        retry = inputs["retryPolicy"]
        self.client("events").put_targets(Rule=inputs["rule"], Targets=[{
            "Id": name,
            "Arn": inputs["arn"],
            "RoleArn": inputs["roleArn"],
            "RetryPolicy": {"MaximumRetryAttempts": int(retry["maximumRetryAttempts"]),
                            "MaximumEventAgeInSeconds": int(retry["maximumEventAgeInSeconds"])},
            "DeadLetterConfig": {"Arn": inputs["deadLetterConfig"]["arn"]},
        }])
        return {"id": name}

    # Glue, Athena
    def _glue_database(self, name: str, inputs: dict[str, Any]) -> Outputs:
        self.client("glue").create_database(DatabaseInput={"Name": inputs["name"]})
        return {"name": inputs["name"], "id": inputs["name"]}

    def _glue_table(self, name: str, inputs: dict[str, Any]) -> Outputs:
        storage = inputs["storageDescriptor"]
        self.client("glue").create_table(DatabaseName=inputs["databaseName"], TableInput={
            "Name": inputs["name"],
            "TableType": inputs["tableType"],
            "Parameters": inputs["parameters"],
            "PartitionKeys": [{"Name": k["name"], "Type": k["type"]} for k in inputs["partitionKeys"]],
            "StorageDescriptor": {
                "Location": storage["location"],
                "InputFormat": storage["inputFormat"],
                "OutputFormat": storage["outputFormat"],
                "SerdeInfo": {"SerializationLibrary": storage["serDeInfo"]["serializationLibrary"],
                              "Parameters": storage["serDeInfo"]["parameters"]},
                "Columns": [{"Name": c["name"], "Type": c["type"]} for c in storage["columns"]],
            },
        })
        return {"name": inputs["name"], "id": f"{inputs['databaseName']}:{inputs['name']}"}

    def _workgroup(self, name: str, inputs: dict[str, Any]) -> Outputs:
        configuration = inputs["configuration"]
        results = configuration["resultConfiguration"]
        self.client("athena").create_work_group(Name=inputs["name"], Configuration={
            "ResultConfiguration": {
                "OutputLocation": results["outputLocation"],
                "EncryptionConfiguration": {"EncryptionOption": results["encryptionConfiguration"]["encryptionOption"]},
            },
            "EnforceWorkGroupConfiguration": bool(configuration["enforceWorkgroupConfiguration"]),
            "PublishCloudWatchMetricsEnabled": bool(configuration["publishCloudwatchMetricsEnabled"]),
            "BytesScannedCutoffPerQuery": int(configuration["bytesScannedCutoffPerQuery"]),
        })
        return {"name": inputs["name"], "id": inputs["name"],
                "arn": f"arn:aws:athena:{self.region}:{ACCOUNT}:workgroup/{inputs['name']}"}

    def _named_query(self, name: str, inputs: dict[str, Any]) -> Outputs:
        query_id = self.client("athena").create_named_query(
            Name=name, Database=inputs["database"], QueryString=inputs["query"], WorkGroup=inputs["workgroup"],
            Description=inputs.get("description", ""))["NamedQueryId"]
        return {"id": query_id}


def stack_config(stack: str, overrides: dict[str, Any]) -> dict[str, Any]:
    path = ROOT / f"Pulumi.{stack}.yaml"
    if not path.exists():
        raise SystemExit(f"no Pulumi.{stack}.yaml in {ROOT}: pass --stack with an existing stack file")
    config = dict(yaml.safe_load(path.read_text())["config"])
    config.update(overrides)
    return config


@dataclass
class Deployed:
    region: str
    outputs: dict[str, Any]
    created: list[tuple[str, str]]
    not_emulated: list[tuple[str, str]]


def run_program(engine: pulumi.runtime.Mocks, config: dict[str, Any], stack: str) -> dict[str, Any]:
    """Run `__main__.py` under `engine` with `config` (keys as in Pulumi.<stack>.yaml); return the exports."""
    pulumi.runtime.set_mocks(engine, project="transfer-digest", stack=stack, preview=False)
    pulumi.runtime.set_all_config({k: v if isinstance(v, str) else json.dumps(v) for k, v in config.items()})
    exports: dict[str, Any] = {}

    @pulumi.runtime.test
    def program() -> pulumi.Output:
        runpy.run_path(str(ROOT / "__main__.py"), run_name="transfer_digest_program")
        return pulumi.Output.all(**pulumi.runtime.get_root_resource().outputs).apply(exports.update)

    try:
        program()
    finally:
        pulumi.runtime.set_all_config({})
        pulumi.runtime.reset_options()
    return exports


def deploy(stack: str, overrides: dict[str, Any]) -> Deployed:
    """Deploy `Pulumi.<stack>.yaml` (plus overrides) into the active moto mock."""
    config = stack_config(stack, overrides)
    engine = MotoDeployment(config.get("aws:region", "ap-northeast-1"))
    exports = run_program(engine, config, stack)
    return Deployed(engine.region, exports, engine.created, engine.not_emulated)
