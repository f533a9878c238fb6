"""Batch ledger: the DynamoDB table where batches count down and files are claimed."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

TTL_ATTRIBUTE = "expiresAt"


@dataclass(frozen=True)
class BatchLedgerArgs:
    protect: bool = False  # set for production stacks so a `pulumi destroy` cannot drop open batches


class BatchLedger(pulumi.ComponentResource):
    table_name: pulumi.Output[str]
    table_arn: pulumi.Output[str]

    def __init__(self, name: str, args: BatchLedgerArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("transfer-digest:ledger:BatchLedger", name, None, opts)
        table = aws.dynamodb.Table(
            f"{name}-table",
            billing_mode="PAY_PER_REQUEST",
            hash_key="pk",
            attributes=[{"name": "pk", "type": "S"}],
            ttl={"attribute_name": TTL_ATTRIBUTE, "enabled": True},
            point_in_time_recovery={"enabled": True},
            server_side_encryption={"enabled": True},
            opts=pulumi.ResourceOptions(parent=self, protect=args.protect),
        )
        self.table_name, self.table_arn = table.name, table.arn
        self.register_outputs({"table_name": self.table_name, "table_arn": self.table_arn})
