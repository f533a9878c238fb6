"""Notifications: a KMS-encrypted SNS topic with one email subscription per configured address."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components.policy import policy_document


@dataclass(frozen=True)
class NotificationsArgs:
    emails: tuple[str, ...]
    account_id: str
    partition: str


class Notifications(pulumi.ComponentResource):
    topic_arn: pulumi.Output[str]
    key_arn: pulumi.Output[str]

    def __init__(self, name: str, args: NotificationsArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("transfer-digest:notifications:Notifications", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        key = aws.kms.Key(
            f"{name}-key",
            description="Encrypts the transfer-digest topic",
            enable_key_rotation=True,
            deletion_window_in_days=30,
            # The account root delegates to IAM: the state machine roles get kms:GenerateDataKey/Decrypt there.
            policy=pulumi.Output.json_dumps(policy_document([{
                "Sid": "AccountAdministersThroughIam",
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:{args.partition}:iam::{args.account_id}:root"},
                "Action": "kms:*",
                "Resource": "*",
            }])),
            opts=child,
        )
        topic = aws.sns.Topic(f"{name}-topic", kms_master_key_id=key.arn, opts=child)
        for email in args.emails:
            aws.sns.TopicSubscription(f"{name}-email-{email}", topic=topic.arn, protocol="email", endpoint=email,
                                      opts=child)
        self.topic_arn, self.key_arn = topic.arn, key.arn
        self.register_outputs({"topic_arn": self.topic_arn, "key_arn": self.key_arn})
