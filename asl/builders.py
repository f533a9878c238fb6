"""Small helpers for writing Amazon States Language (JSONata mode) as plain dicts.

The state machines use JSONata rather than JSONPath because the pipeline needs real expressions
without Lambda: epoch seconds for DynamoDB TTL, chunking, validation with readable messages and an
aligned text table in the email. Everything here is pure: strings in, dicts out.
"""

from __future__ import annotations

from typing import Any

State = dict[str, Any]
States = dict[str, State]

TERMINAL_TYPES = {"Succeed", "Fail", "Choice"}


def jsonata(expression: str) -> str:
    return "{% " + expression + " %}"


def quote(text: str) -> str:
    """A JSONata string literal."""
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def sdk(service: str, action: str) -> str:
    """The ARN of an AWS SDK integration, e.g. sdk('transfer', 'startFileTransfer')."""
    return f"arn:aws:states:::aws-sdk:{service}:{action}"


def optimized(service: str, action: str) -> str:
    """The ARN of an optimized integration, e.g. optimized('dynamodb', 'updateItem')."""
    return f"arn:aws:states:::{service}:{action}"


def task(resource: str, arguments: dict[str, Any], **fields: Any) -> State:
    """A Task state; extra fields (Assign, Output, Retry, Catch, Next ...) are passed through."""
    return {"Type": "Task", "Resource": resource, "Arguments": arguments, **fields}


def retry_on(*errors: str, attempts: int = 6, interval: int = 1) -> list[dict[str, Any]]:
    return [{
        "ErrorEquals": list(errors),
        "IntervalSeconds": interval,
        "BackoffRate": 2,
        "MaxAttempts": attempts,
        "JitterStrategy": "FULL",
    }]


def catch(errors: list[str], next_state: str, **fields: Any) -> list[dict[str, Any]]:
    return [{"ErrorEquals": errors, "Next": next_state, **fields}]


def choice(branches: list[tuple[str, str]], default: str) -> State:
    """A Choice state from (JSONata condition, next state) pairs."""
    return {
        "Type": "Choice",
        "Choices": [{"Condition": jsonata(condition), "Next": target} for condition, target in branches],
        "Default": default,
    }


def chain(*steps: tuple[str, State]) -> States:
    """Link states in order: each state without a Next (and not terminal) flows into the following one."""
    states: States = {}
    for index, (name, state) in enumerate(steps):
        if name in states:
            raise ValueError(f"state {name!r} is defined twice")
        state = dict(state)
        if state["Type"] not in TERMINAL_TYPES and "Next" not in state and not state.get("End"):
            if index + 1 < len(steps):
                state["Next"] = steps[index + 1][0]
            else:
                state["End"] = True
        states[name] = state
    return states


def machine(comment: str, states: States) -> dict[str, Any]:
    return {"Comment": comment, "QueryLanguage": "JSONata", "StartAt": next(iter(states)), "States": states}


def inline_map(items: str, states: States, *, concurrency: int = 0, **fields: Any) -> State:
    return {
        "Type": "Map",
        "Items": jsonata(items),
        "MaxConcurrency": concurrency,
        "ItemProcessor": {
            "ProcessorConfig": {"Mode": "INLINE"},
            "StartAt": next(iter(states)),
            "States": states,
        },
        **fields,
    }


# DynamoDB attribute values from JSONata expressions.
def ddb_s(expression: str) -> dict[str, str]:
    return {"S": jsonata(expression)}


def ddb_n(expression: str) -> dict[str, str]:
    return {"N": jsonata(f"$string({expression})")}
