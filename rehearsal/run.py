"""One batch through the whole pipeline on this machine, from a real SFTP folder to the digest email."""

from __future__ import annotations

import datetime
import json
import os
import re
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
from moto import mock_aws
from rich.console import Console
from rich.markup import escape
from rich.panel import Panel
from rich.text import Text

from rehearsal import connector_api, moto_fixes
from rehearsal.athena_engine import AthenaEngine
from rehearsal.bus import EventBus
from rehearsal.connector import EmulatedConnector
from rehearsal.deploy import ACCOUNT, deploy, stack_config, stop_executions
from rehearsal.outbox import Email, Outbox
from rehearsal.sftp import REMOTE_HOME, SftpServer


@dataclass
class RunOptions:
    serve: Path
    files: list[str] = field(default_factory=list)
    shuffle: int | None = None
    duplicate_events: bool = False
    drop_events: list[str] = field(default_factory=list)
    query: str | None = None
    batch_timeout_seconds: int = 20
    outbox: Path = Path("outbox")
    stack: str = "dev"
    give_up_seconds: float = 180


@dataclass
class RunReport:
    batch_id: str
    files: list[dict[str, Any]]
    queries: list[str]
    emails: list[dict[str, str]]
    elapsed_seconds: float
    reached_digest: bool
    reason: str
    not_emulated: list[str]
    deliveries: list[dict[str, str]]
    state_transitions: dict[str, int]

    def as_json(self) -> dict[str, Any]:
        return {"batchId": self.batch_id, "files": self.files, "queries": self.queries, "emails": self.emails,
                "elapsedSeconds": round(self.elapsed_seconds, 2), "reachedDigest": self.reached_digest,
                "reason": self.reason, "notEmulated": self.not_emulated, "deliveries": self.deliveries,
                "stateTransitions": self.state_transitions}


def _isolate_from_real_aws() -> None:
    """Nothing here may reach an AWS account, whatever credentials the machine has."""
    for variable in [v for v in os.environ if v.startswith("AWS_")]:
        del os.environ[variable]
    os.environ.update({"AWS_ACCESS_KEY_ID": "rehearsal", "AWS_SECRET_ACCESS_KEY": "rehearsal"})


def rehearse(options: RunOptions, console: Console) -> RunReport:
    started = time.monotonic()

    def log(message: str) -> None:  # paths and SQL may hold [brackets]: print them as they are
        console.print(message, markup=False)

    _isolate_from_real_aws()
    moto_fixes.apply()
    names = sorted(p.name for p in options.serve.iterdir() if p.is_file())
    files = [f"{REMOTE_HOME}/{name}" for name in (options.files or names)]
    overrides = {"transfer-digest:query": options.query} if options.query else {}
    config = stack_config(options.stack, overrides)
    region = config.get("aws:region", "ap-northeast-1")
    os.environ["AWS_DEFAULT_REGION"] = region
    batch_id = f"{datetime.date.today():%Y-%m-%d}-{uuid.uuid4().hex[:4]}"

    with mock_aws(config=moto_fixes.MOTO_CONFIG), SftpServer(options.serve) as sftp:
        log(f"sftp: serving {options.serve} as {REMOTE_HOME} on 127.0.0.1:{sftp.port}")
        if config.get("transfer-digest:landingBucket"):  # an existing bucket exists before the stack
            boto3.client("s3", region_name=region).create_bucket(
                Bucket=config["transfer-digest:landingBucket"],
                CreateBucketConfiguration={"LocationConstraint": region})
        deployed = deploy(options.stack, overrides)
        not_emulated = [f"{typ} {name}" for typ, name in deployed.not_emulated]
        log(f"deploy: `{options.stack}` stack, {len(deployed.created)} resources created in the emulator")
        for line in not_emulated:
            log(f"deploy: not emulated: {line}")

        bus = EventBus(region, duplicate=options.duplicate_events, log=log)
        connector = EmulatedConnector(sftp, bus.put, connector_id=config["transfer-digest:connectorId"],
                                      region=region, account=ACCOUNT, shuffle_seed=options.shuffle,
                                      drop=frozenset(options.drop_events), log=log)
        connector_api.install(connector)
        athena = AthenaEngine(region, bus.put, log=log)
        athena.install()
        outbox = Outbox(options.outbox, region, deployed.outputs["topicArn"])
        sfn = boto3.client("stepfunctions", region_name=region)
        ddb = boto3.client("dynamodb", region_name=region)
        table = deployed.outputs["ledgerTable"]

        launcher = sfn.start_execution(
            stateMachineArn=deployed.outputs["launcherArn"], name=f"rehearsal-{uuid.uuid4()}",
            input=json.dumps({"files": files, "batchId": batch_id,
                              "timeoutSeconds": options.batch_timeout_seconds}))["executionArn"]
        log(f"launcher: batch {batch_id} with {len(files)} files")

        try:
            reached, reason = _watch(options, console, batch_id, launcher, outbox, sfn, ddb, table)
            report_files = [_file_report(ddb, table, path, batch_id, connector) for path in files]
            transitions = _state_transitions(sfn)
        finally:
            stop_executions(sfn)
            connector.close()
            athena.close()

    return RunReport(
        batch_id=batch_id,
        files=report_files,
        queries=list(athena.started),
        emails=[{"subject": m.subject, "body": m.body} for m in outbox.emails],
        elapsed_seconds=time.monotonic() - started,
        reached_digest=reached,
        reason=reason,
        not_emulated=not_emulated,
        state_transitions=transitions,
        deliveries=[{"detailType": d.detail_type, "subject": d.subject, "target": d.target} for d in bus.deliveries],
    )


def _watch(options: RunOptions, console: Console, batch_id: str, launcher: str, outbox: Outbox, sfn: Any,
           ddb: Any, table: str) -> tuple[bool, str]:
    """Print each email as it goes out, until the batch's digest has (or the launcher failed)."""
    digest = re.compile(rf"^\[{re.escape(options.stack)}\] batch {re.escape(batch_id)}: \d+ files, ")
    give_up = time.monotonic() + options.batch_timeout_seconds + options.give_up_seconds
    try:
        while time.monotonic() < give_up:
            for mail in outbox.collect():
                _show(console, mail)
            launched = sfn.describe_execution(executionArn=launcher)
            if launched["status"] == "FAILED":
                return False, f"the launcher failed: {launched.get('error')}: {launched.get('cause')}"
            batch = ddb.get_item(TableName=table, Key={"pk": {"S": f"batch#{batch_id}"}}, ConsistentRead=True)
            if batch.get("Item", {}).get("state", {}).get("S") == "DONE" and any(
                    digest.match(m.subject) for m in outbox.emails):
                return True, "the digest was sent"
            time.sleep(0.1)
        return False, "the batch did not reach its digest in time"
    finally:
        for mail in outbox.collect():
            _show(console, mail)


def _show(console: Console, mail: Email) -> None:
    console.print(Panel(Text(mail.body), title=escape(mail.subject), title_align="left",
                        subtitle=escape(str(mail.files[0]) if mail.files else ""), expand=False))


def _file_report(ddb: Any, table: str, path: str, batch_id: str, connector: EmulatedConnector) -> dict[str, Any]:
    item = ddb.get_item(TableName=table, Key={"pk": {"S": f"file#{path}"}}, ConsistentRead=True).get("Item", {})
    if item.get("batchId", {}).get("S") != batch_id:
        return {"path": path, "status": "NOT_CLAIMED", "bytes": 0}
    return {"path": path, "status": item["state"]["S"], "bytes": connector.landed.get(path, 0)}


def _state_transitions(sfn: Any) -> dict[str, int]:
    """States entered so far, per state machine: what Step Functions Standard bills for."""
    counts: dict[str, int] = {}
    for machine in sfn.list_state_machines()["stateMachines"]:
        name = machine["name"].removesuffix("-machine-rehearsal")
        counts[name] = 0
        for execution in sfn.list_executions(stateMachineArn=machine["stateMachineArn"])["executions"]:
            for page in sfn.get_paginator("get_execution_history").paginate(executionArn=execution["executionArn"]):
                counts[name] += sum(e["type"].endswith("StateEntered") for e in page["events"])
    return counts


