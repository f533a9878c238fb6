"""The IAM actions a state machine definition calls, read from its Task states."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

_OPTIMIZED_SERVICES = {"dynamodb", "sns", "states", "sqs", "athena"}
# DynamoDB authorizes each item of a transaction by the underlying single-item action.
_TRANSACTION_ITEM_ACTIONS = {"Put": "PutItem", "Update": "UpdateItem", "Delete": "DeleteItem",
                             "ConditionCheck": "ConditionCheckItem"}


def task_states(definition: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for state in definition["States"].values():
        if state["Type"] == "Task":
            yield state
        processor = state.get("ItemProcessor") or state.get("Iterator")
        if processor:
            yield from task_states(processor)
        for branch in state.get("Branches", []):
            yield from task_states(branch)


def actions_for(state: dict[str, Any]) -> set[str]:
    """`arn:aws:states:::aws-sdk:transfer:startFileTransfer` -> {`transfer:StartFileTransfer`}."""
    resource = state["Resource"]
    parts = resource.split(":")
    if resource.startswith("arn:aws:states:::aws-sdk:"):
        service, api = parts[6], parts[7]
    elif parts[5] in _OPTIMIZED_SERVICES:
        service, api = parts[5], parts[6]
    else:
        raise ValueError(f"no IAM action known for task resource {resource}")
    api = api.split(".")[0]  # .sync / .waitForTaskToken suffixes
    if (service, api) == ("dynamodb", "transactWriteItems"):
        return {f"dynamodb:{_TRANSACTION_ITEM_ACTIONS[kind]}"
                for item in state["Arguments"]["TransactItems"] for kind in item}
    return {f"{service}:{api[0].upper()}{api[1:]}"}


def task_actions(definition: dict[str, Any]) -> set[str]:
    return set().union(*(actions_for(state) for state in task_states(definition)))
