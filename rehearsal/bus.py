"""EventBridge delivery to Step Functions, which moto does not do itself.

Each event is matched against every deployed rule with moto's own EventBridge pattern matcher (the
real pattern semantics, not ours) and starts the Step Functions targets of the rules it matches.
"""

from __future__ import annotations

import itertools
import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import boto3
from moto.events.models import EventPattern


@dataclass
class Delivery:
    rule: str
    target: str
    execution_arn: str
    detail_type: str
    subject: str  # the file path or the query id


@dataclass
class EventBus:
    region: str
    duplicate: bool = False
    log: Callable[[str], None] = print
    deliveries: list[Delivery] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._events = boto3.client("events", region_name=self.region)
        self._sfn = boto3.client("stepfunctions", region_name=self.region)
        self._lock = threading.Lock()
        self._names = itertools.count(1)

    def put(self, event: dict[str, Any]) -> None:
        with self._lock:
            for rule in self._events.list_rules()["Rules"]:
                if "EventPattern" not in rule or not EventPattern.load(rule["EventPattern"]).matches_event(event):
                    continue
                for target in self._events.list_targets_by_rule(Rule=rule["Name"])["Targets"]:
                    if ":states:" not in target["Arn"]:
                        continue
                    for _ in range(2 if self.duplicate else 1):
                        self._deliver(rule["Name"], target["Arn"], event)

    def _deliver(self, rule: str, target: str, event: dict[str, Any]) -> None:
        name = f"event-{next(self._names):05d}"
        execution = self._sfn.start_execution(stateMachineArn=target, name=name, input=json.dumps(event))
        subject = event["detail"].get("file-path") or event["detail"].get("queryExecutionId", "")
        self.deliveries.append(Delivery(rule, target, execution["executionArn"], event["detail-type"], subject))
        self.log(f"eventbridge: {event['detail-type']} ({subject}) -> {target.rsplit(':', 1)[-1]}")
