"""Run the real state machine definitions in moto's Step Functions interpreter."""

from __future__ import annotations

import itertools
import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import boto3
from moto import mock_aws
from moto.athena.models import QueryResults, athena_backends
from moto.sns.models import sns_backends

from rehearsal import connector_api, moto_fixes
from rehearsal.deploy import stop_executions
from tests.definitions import DEPLOYMENT, LAUNCH, all_definitions

ACCOUNT, REGION = "123456789012", "ap-northeast-1"


@dataclass
class RecordingConnector:
    """Records StartFileTransfer calls; the test decides what ListFileTransferResults says."""

    started: list[dict[str, Any]] = field(default_factory=list)
    results: dict[str, dict[str, Any]] = field(default_factory=dict)  # by file path
    _ids: Any = field(default_factory=lambda: itertools.count(1))

    def start_file_transfer(self, connector_id, retrieve_file_paths, local_directory_path):
        transfer_id = f"t-{next(self._ids):04d}"
        self.started.append({"connector": connector_id, "paths": retrieve_file_paths,
                             "directory": local_directory_path, "transferId": transfer_id})
        return transfer_id

    def list_file_transfer_results(self, connector_id, transfer_id):
        paths = next(s["paths"] for s in self.started if s["transferId"] == transfer_id)
        return [self.results.get(p, {"FilePath": p, "StatusCode": "IN_PROGRESS"}) for p in paths]


class Cloud:
    """moto with the ledger table, the topic and the three state machines deployed."""

    def __init__(self, launch=LAUNCH) -> None:
        self.connector = RecordingConnector()
        connector_api.install(self.connector)
        self.sfn = boto3.client("stepfunctions", region_name=REGION)
        self.ddb = boto3.client("dynamodb", region_name=REGION)
        self.athena = boto3.client("athena", region_name=REGION)
        self.ddb.create_table(TableName=DEPLOYMENT.table, BillingMode="PAY_PER_REQUEST",
                              KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                              AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}])
        boto3.client("sns", region_name=REGION).create_topic(Name=DEPLOYMENT.topic_arn.rsplit(":", 1)[1])
        self.athena.create_work_group(Name=DEPLOYMENT.workgroup)
        self.arns = {
            name: self.sfn.create_state_machine(
                name=name, definition=json.dumps(definition),
                roleArn=f"arn:aws:iam::{ACCOUNT}:role/{name}")["stateMachineArn"]
            for name, definition in all_definitions(launch=launch).items()
        }
        self._names = itertools.count(1)

    def wait_for_transfers(self, files: int, timeout: float = 30) -> None:
        """Until the launcher has handed `files` paths to the connector."""
        deadline = time.monotonic() + timeout
        while sum(len(s["paths"]) for s in self.connector.started) < files:
            assert time.monotonic() < deadline, "the launcher did not start the transfers"
            time.sleep(0.05)

    def start(self, machine: str, payload: dict[str, Any]) -> str:
        name = f"{machine}-{next(self._names):04d}-a1b2c3d4"
        return self.sfn.start_execution(stateMachineArn=self.arns[machine], name=name,
                                        input=json.dumps(payload))["executionArn"]

    def wait(self, execution_arn: str, timeout: float = 60) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            described = self.sfn.describe_execution(executionArn=execution_arn)
            if described["status"] != "RUNNING":
                return described
            time.sleep(0.05)
        raise TimeoutError(f"{execution_arn} still running after {timeout}s")

    def run(self, machine: str, payload: dict[str, Any]) -> dict[str, Any]:
        return self.wait(self.start(machine, payload))

    def executions(self, machine: str) -> list[dict[str, Any]]:
        return self.sfn.list_executions(stateMachineArn=self.arns[machine])["executions"]

    def item(self, pk: str) -> dict[str, Any] | None:
        return self.ddb.get_item(TableName=DEPLOYMENT.table, Key={"pk": {"S": pk}}, ConsistentRead=True).get("Item")

    def items(self) -> list[dict[str, Any]]:
        return self.ddb.scan(TableName=DEPLOYMENT.table)["Items"]

    def emails(self) -> list[dict[str, str]]:
        topic = sns_backends[ACCOUNT][REGION].topics[DEPLOYMENT.topic_arn]
        return [{"subject": subject, "body": message} for _, message, subject, *_ in topic.sent_notifications]

    def queries(self) -> list[str]:
        return list(athena_backends[ACCOUNT][REGION].executions)

    def answer_next_query_with(self, rows: list[list[str]]) -> None:
        athena_backends[ACCOUNT][REGION].query_results_queue.append(QueryResults(
            rows=[{"Data": [{"VarCharValue": v} for v in row]} for row in rows], column_info=[]))


def connector_event(batch_id: str, path: str, *, status: str = "COMPLETED", bytes_: int = 16,
                    directory: str | None = None, failure_code: str = "FILE_NOT_FOUND") -> dict[str, Any]:
    """The connector's per-file event, in the shape of the seed's captured sample."""
    directory = directory or f"/{LAUNCH.landing_bucket}/{LAUNCH.landing_prefix}batch_id={batch_id}"
    detail: dict[str, Any] = {
        "operation": "RETRIEVE",
        "connector-id": DEPLOYMENT.connector_id,
        "transfer-id": "t-0001",
        "file-transfer-id": f"ft-{path}",
        "url": "sftp://192.0.2.10",
        "file-path": path,
        "status-code": status,
        "local-directory-path": directory,
        "start-timestamp": "2026-12-03T04:09:22.931482Z",
        "end-timestamp": "2026-12-03T04:09:22.941393Z",
    }
    if status == "COMPLETED":
        detail["bytes"] = bytes_
        detail["local-file-location"] = {"domain": "S3", "bucket": LAUNCH.landing_bucket,
                                         "key": f"{directory.split('/', 2)[2]}/{path.rsplit('/', 1)[1]}"}
    else:
        detail["failure-code"] = failure_code
        detail["failure-message"] = f"{path} does not exist on the remote server"
    return {
        "version": "0", "id": f"evt-{path}", "source": "aws.transfer", "account": ACCOUNT,
        "detail-type": f"SFTP Connector File Retrieve {'Completed' if status == 'COMPLETED' else 'Failed'}",
        "time": "2026-12-03T04:09:23Z", "region": REGION,
        "resources": [f"arn:aws:transfer:{REGION}:{ACCOUNT}:connector/{DEPLOYMENT.connector_id}"],
        "detail": detail,
    }


@contextmanager
def moto_cloud(launch=LAUNCH) -> Iterator[Cloud]:
    moto_fixes.apply()
    with mock_aws(config=moto_fixes.MOTO_CONFIG):
        cloud = Cloud(launch)
        yield cloud
        stop_executions(cloud.sfn)
