"""IAM policy shapes, and the least-privilege grants derived from a state machine's own tasks."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

Statement = dict[str, Any]

# Step Functions' CloudWatch Logs delivery needs these on "*" (they act on log deliveries, not groups).
LOG_DELIVERY_ACTIONS = [
    "logs:CreateLogDelivery", "logs:DeleteLogDelivery", "logs:DescribeLogGroups", "logs:DescribeResourcePolicies",
    "logs:GetLogDelivery", "logs:ListLogDeliveries", "logs:PutResourcePolicy", "logs:UpdateLogDelivery",
]
# Athena runs a query with the caller's permissions: it reads the Glue table and the landed objects
# and writes the results; GetQueryResults reads the results back.
GLUE_READ_ACTIONS = ["glue:GetDatabase", "glue:GetTable", "glue:GetPartition", "glue:GetPartitions"]
BUCKET_READ_ACTIONS = ["s3:ListBucket", "s3:GetBucketLocation"]
OBJECT_READ_ACTIONS = ["s3:GetObject"]
RESULT_WRITE_ACTIONS = ["s3:PutObject", "s3:AbortMultipartUpload"]
TOPIC_KEY_ACTIONS = ["kms:GenerateDataKey", "kms:Decrypt"]


def deny_insecure_transport(action: str, resources: list[Any]) -> Statement:
    return {
        "Sid": "DenyInsecureTransport",
        "Effect": "Deny",
        "Principal": "*",
        "Action": action,
        "Resource": resources,
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }


def assume_role_policy(service: str, account_id: str) -> dict[str, Any]:
    return {
        "Version": "2012-10-17",
        "Statement": [{
            "Effect": "Allow",
            "Principal": {"Service": service},
            "Action": "sts:AssumeRole",
            "Condition": {"StringEquals": {"aws:SourceAccount": account_id}},
        }],
    }


@dataclass(frozen=True)
class PipelineArns:
    """Every resource a state machine may touch, as resolved ARNs."""

    table: str
    topic: str
    topic_key: str
    connector: str
    workgroup: str
    glue_catalog: str
    glue_database: str
    glue_table: str
    landing_bucket: str
    landing_prefix: str
    results_bucket: str
    notifier: str = ""  # only the launcher starts the notifier

    def with_notifier(self, notifier_arn: str) -> PipelineArns:
        return replace(self, notifier=notifier_arn)


def _allow(actions: list[str], resources: list[str], **extra: Any) -> Statement:
    return {"Effect": "Allow", "Action": sorted(set(actions)), "Resource": resources, **extra}


def grants_for(actions: set[str], arns: PipelineArns) -> list[Statement]:
    """Statements granting exactly `actions` on the resources each one acts on.

    An action with no known resource raises, so a new task cannot ship without a deliberate grant.
    """
    by_resource: dict[str, list[str] | None] = {
        "dynamodb:": [arns.table],
        "sns:Publish": [arns.topic],
        "transfer:": [arns.connector],
        "athena:": [arns.workgroup],
        "states:StartExecution": [arns.notifier] if arns.notifier else None,
    }
    grouped: dict[tuple[str, ...], list[str]] = {}
    for action in sorted(actions):
        resources = next((r for prefix, r in by_resource.items() if action.startswith(prefix) and r), None)
        if resources is None:
            raise ValueError(f"no resource is known for {action}: add it to components/policy.py grants_for")
        grouped.setdefault(tuple(resources), []).append(action)
    statements = [_allow(acts, list(resources)) for resources, acts in grouped.items()]

    if "sns:Publish" in actions:
        statements.append(_allow(TOPIC_KEY_ACTIONS, [arns.topic_key]))
    if "athena:StartQueryExecution" in actions:
        statements += [
            _allow(GLUE_READ_ACTIONS, [arns.glue_catalog, arns.glue_database, arns.glue_table]),
            _allow(OBJECT_READ_ACTIONS, [f"{arns.landing_bucket}/{arns.landing_prefix}*"]),
            _allow(["s3:ListBucket"], [arns.landing_bucket],  # only the landing prefix, not the whole bucket
                   Condition={"StringLike": {"s3:prefix": [f"{arns.landing_prefix}*"]}}),
            _allow(["s3:GetBucketLocation"], [arns.landing_bucket]),
            _allow(OBJECT_READ_ACTIONS + RESULT_WRITE_ACTIONS, [f"{arns.results_bucket}/*"]),
            _allow(BUCKET_READ_ACTIONS, [arns.results_bucket]),
        ]
    elif "athena:GetQueryResults" in actions:
        statements += [
            _allow(OBJECT_READ_ACTIONS, [f"{arns.results_bucket}/*"]),
            _allow(BUCKET_READ_ACTIONS, [arns.results_bucket]),
        ]
    statements.append(_allow(LOG_DELIVERY_ACTIONS, ["*"]))
    return statements


def policy_document(statements: list[Statement]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": statements}
