"""The rules' patterns, checked with moto's EventBridge pattern matcher (not a re-implementation)."""

import copy
import json

import pytest
from moto.events.models import EventPattern

from asl.triggers import athena_query_finished, connector_file_events

CONNECTOR = "c-0123456789abcdef0"
# The seed's captured Retrieve Completed event, verbatim but for the connector id.
SEED_EVENT = {
    "version": "0",
    "id": "xxxxx",
    "detail-type": "SFTP Connector File Retrieve Completed",
    "source": "aws.transfer",
    "account": "xxxxx",
    "time": "2024-02-26T04:09:23Z",
    "region": "ap-northeast-1",
    "resources": ["arn:aws:transfer:ap-northeast-1:xxxxx:connector/c-xxxxx"],
    "detail": {
        "operation": "RETRIEVE",
        "connector-id": CONNECTOR,
        "transfer-id": "xxxxx",
        "file-transfer-id": "xxxxx",
        "url": "sftp://xxx.xxx.xxx.xxx",
        "file-path": "/home/sftpuser/test1.txt",
        "status-code": "COMPLETED",
        "local-directory-path": "/xxxxxx/receive",
        "bytes": 16,
        "start-timestamp": "2024-02-26T04:09:22.931482Z",
        "end-timestamp": "2024-02-26T04:09:22.941393Z",
        "local-file-location": {"domain": "S3", "bucket": "xxxxxx", "key": "receive/test1.txt"},
    },
}
ATHENA_EVENT = {
    "version": "0", "id": "e", "detail-type": "Athena Query State Change", "source": "aws.athena",
    "account": "123456789012", "time": "2026-12-03T04:10:00Z", "region": "ap-northeast-1", "resources": [],
    "detail": {"currentState": "SUCCEEDED", "previousState": "RUNNING", "queryExecutionId": "q-1",
               "sequenceNumber": "3", "statementType": "DML", "versionId": "0",
               "workgroupName": "transfer-digest-dev"},
}


def matches(pattern, event):
    return EventPattern.load(json.dumps(pattern)).matches_event(event)


def variant(event, **detail):
    changed = copy.deepcopy(event)
    changed["detail"].update(detail)
    return changed


def test_the_seed_event_starts_the_tracker():
    assert matches(connector_file_events(CONNECTOR), SEED_EVENT)


def test_the_failed_variant_starts_the_tracker():
    failed = variant(SEED_EVENT, **{"status-code": "FAILED", "failure-code": "FILE_NOT_FOUND",
                                    "failure-message": "not found"})
    failed["detail-type"] = "SFTP Connector File Retrieve Failed"
    assert matches(connector_file_events(CONNECTOR), failed)


@pytest.mark.parametrize("change", [
    {"detail": {"connector-id": "c-ffffffffffffffff0"}},
    {"detail-type": "SFTP Connector File Send Completed"},
    {"source": "aws.s3"},
])
def test_other_connectors_and_other_events_do_not(change):
    event = copy.deepcopy(SEED_EVENT)
    event["detail"].update(change.pop("detail", {}))
    event.update(change)
    assert not matches(connector_file_events(CONNECTOR), event)


@pytest.mark.parametrize("state", ["SUCCEEDED", "FAILED", "CANCELLED"])
def test_a_finished_query_of_the_workgroup_starts_the_notifier(state):
    assert matches(athena_query_finished("transfer-digest-dev"), variant(ATHENA_EVENT, currentState=state))


@pytest.mark.parametrize("detail", [{"currentState": "RUNNING"}, {"currentState": "QUEUED"},
                                    {"workgroupName": "primary"}])
def test_running_queries_and_other_workgroups_do_not(detail):
    assert not matches(athena_query_finished("transfer-digest-dev"), variant(ATHENA_EVENT, **detail))
