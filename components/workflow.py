"""Workflow: one Step Functions state machine with its own least-privilege role and log group."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws

from asl.permissions import task_actions
from components.policy import PipelineArns, assume_role_policy, grants_for, policy_document


@dataclass(frozen=True)
class WorkflowArgs:
    definition: pulumi.Input[dict[str, Any]]
    arns: pulumi.Input[PipelineArns]
    account_id: str
    log_retention_days: int


class Workflow(pulumi.ComponentResource):
    state_machine_arn: pulumi.Output[str]
    role_arn: pulumi.Output[str]

    def __init__(self, name: str, args: WorkflowArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("transfer-digest:workflow:Workflow", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        definition = pulumi.Output.from_input(args.definition)
        role = aws.iam.Role(
            f"{name}-role",
            assume_role_policy=json.dumps(assume_role_policy("states.amazonaws.com", args.account_id)),
            opts=child,
        )
        aws.iam.RolePolicy(
            f"{name}-permissions",
            role=role.id,
            policy=pulumi.Output.all(definition, args.arns).apply(
                lambda resolved: json.dumps(policy_document(grants_for(task_actions(resolved[0]), resolved[1])))),
            opts=child,
        )
        logs = aws.cloudwatch.LogGroup(
            f"{name}-logs",
            name=f"/aws/vendedlogs/states/transfer-digest-{pulumi.get_stack()}-{name}",
            retention_in_days=args.log_retention_days,
            opts=child,
        )
        machine = aws.sfn.StateMachine(
            f"{name}-machine",
            type="STANDARD",
            role_arn=role.arn,
            definition=definition.apply(json.dumps),
            logging_configuration={
                "log_destination": pulumi.Output.concat(logs.arn, ":*"),
                "include_execution_data": False,
                "level": "ERROR",
            },
            opts=child,
        )
        self.state_machine_arn, self.role_arn = machine.arn, role.arn
        self.register_outputs({"state_machine_arn": self.state_machine_arn, "role_arn": self.role_arn})
