"""Event trigger: an EventBridge rule that starts a state machine, with retries and a dead-letter queue."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws

from components.policy import assume_role_policy, deny_insecure_transport, policy_document


@dataclass(frozen=True)
class EventTriggerArgs:
    description: str
    event_pattern: dict[str, Any]
    state_machine_arn: pulumi.Input[str]
    account_id: str


class EventTrigger(pulumi.ComponentResource):
    rule_arn: pulumi.Output[str]
    dead_letter_queue_url: pulumi.Output[str]

    def __init__(self, name: str, args: EventTriggerArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("transfer-digest:trigger:EventTrigger", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        rule = aws.cloudwatch.EventRule(
            f"{name}-rule", description=args.description, event_pattern=json.dumps(args.event_pattern), opts=child,
        )
        dead_letters = aws.sqs.Queue(
            f"{name}-dead-letters", sqs_managed_sse_enabled=True, message_retention_seconds=14 * 24 * 3600, opts=child,
        )
        aws.sqs.QueuePolicy(
            f"{name}-dead-letters-policy",
            queue_url=dead_letters.url,
            policy=pulumi.Output.json_dumps(policy_document([
                {
                    "Sid": "RuleSendsUndeliveredEvents",
                    "Effect": "Allow",
                    "Principal": {"Service": "events.amazonaws.com"},
                    "Action": "sqs:SendMessage",
                    "Resource": dead_letters.arn,
                    "Condition": {"ArnEquals": {"aws:SourceArn": rule.arn}},
                },
                deny_insecure_transport("sqs:*", [dead_letters.arn]),
            ])),
            opts=child,
        )
        role = aws.iam.Role(
            f"{name}-role",
            assume_role_policy=json.dumps(assume_role_policy("events.amazonaws.com", args.account_id)),
            opts=child,
        )
        aws.iam.RolePolicy(
            f"{name}-start-execution",
            role=role.id,
            policy=pulumi.Output.json_dumps(policy_document([
                {"Effect": "Allow", "Action": ["states:StartExecution"], "Resource": [args.state_machine_arn]},
            ])),
            opts=child,
        )
        aws.cloudwatch.EventTarget(
            f"{name}-target",
            rule=rule.name,
            arn=args.state_machine_arn,
            role_arn=role.arn,
            retry_policy={"maximum_event_age_in_seconds": 24 * 3600, "maximum_retry_attempts": 185},
            dead_letter_config={"arn": dead_letters.arn},
            opts=child,
        )
        self.rule_arn, self.dead_letter_queue_url = rule.arn, dead_letters.url
        self.register_outputs({"rule_arn": self.rule_arn, "dead_letter_queue_url": self.dead_letter_queue_url})
