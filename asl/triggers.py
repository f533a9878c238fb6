"""The EventBridge patterns that start the tracker and the notifier."""

from __future__ import annotations

from typing import Any

FILE_RETRIEVE_EVENTS = ["SFTP Connector File Retrieve Completed", "SFTP Connector File Retrieve Failed"]
QUERY_TERMINAL_STATES = ["SUCCEEDED", "FAILED", "CANCELLED"]


def connector_file_events(connector_id: str) -> dict[str, Any]:
    """Per-file retrieve outcomes of this stack's connector only."""
    return {
        "source": ["aws.transfer"],
        "detail-type": FILE_RETRIEVE_EVENTS,
        "detail": {"connector-id": [connector_id], "operation": ["RETRIEVE"]},
    }


def athena_query_finished(workgroup: str) -> dict[str, Any]:
    """Terminal state changes of queries in this stack's workgroup only."""
    return {
        "source": ["aws.athena"],
        "detail-type": ["Athena Query State Change"],
        "detail": {"workgroupName": [workgroup], "currentState": QUERY_TERMINAL_STATES},
    }
