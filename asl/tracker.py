"""Tracker: one execution per connector file event (Retrieve Completed or Failed).

The batch id travels in the event itself: every batch lands under its own directory
`.../batch_id=<id>`, which the connector echoes as `local-directory-path`. So an event that arrives
milliseconds after StartFileTransfer returned is still matched, with no lookup by transfer id.
"""

from __future__ import annotations

from typing import Any

from asl.builders import chain, choice, machine
from asl.ledger import Deployment, publish, record_outcome, settle_batch
from asl.texts import alert_subject

BATCH_DIRECTORY = r"/batch_id=([A-Za-z0-9._-]+)\/?$/"


def read_event() -> dict[str, Any]:
    detail = "$states.input.detail"
    return {
        "Type": "Pass",
        "Assign": {
            "batchId": "{% ($m := $match(" + detail + ".`local-directory-path`, " + BATCH_DIRECTORY + "); "
                       "$exists($m) ? $m.groups[0] : null) %}",
            "outcome": {
                "landed": "{% " + detail + ".`status-code` = 'COMPLETED' %}",
                "path": "{% " + detail + ".`file-path` %}",
                "bytes": "{% $exists(" + detail + ".bytes) ? " + detail + ".bytes : 0 %}",
                "code": "{% $exists(" + detail + ".`failure-code`) ? " + detail + ".`failure-code` : " + detail + ".`status-code` %}",
                "message": "{% $exists(" + detail + ".`failure-message`) ? " + detail + ".`failure-message` : '' %}",
                "at": "{% $exists(" + detail + ".`end-timestamp`) ? " + detail + ".`end-timestamp` : $states.input.time %}",
            },
        },
    }


def tracker_definition(d: Deployment) -> dict[str, Any]:
    failed_file_alert = publish(
        d,
        alert_subject(d.stack, "'file failed in batch ' & $batchId & ': ' & $outcome.path"),
        "$join(['A file of batch ' & $batchId & ' failed to transfer.', '',"
        " 'File:    ' & $outcome.path, 'Code:    ' & $outcome.code, 'Message: ' & $outcome.message,"
        " 'Time:    ' & $outcome.at, '', 'The batch goes on; its digest will list this failure.'], '\\n')",
    )
    return machine(
        "Counts a batch down as the connector reports each file, and starts the batch query exactly once.",
        chain(
            ("Read the connector event", read_event()),
            ("Check the transfer belongs to one of our batches", choice(
                [("$batchId != null", "Check whether the file landed")], "Ignore a transfer started elsewhere")),
            ("Ignore a transfer started elsewhere", {"Type": "Succeed"}),
            *record_outcome(d, outcome="$outcome", after_landed="Claim the batch once its last file is in",
                            after_failed="Alert that the file failed", stale="Ignore a repeated or unknown event"),
            ("Alert that the file failed", {**failed_file_alert, "Next": "Claim the batch once its last file is in"}),
            *settle_batch(d, not_complete="Leave the batch to its other files", then=None),
            ("Leave the batch to its other files", {"Type": "Succeed"}),
            ("Ignore a repeated or unknown event", {"Type": "Succeed"}),
        ),
    )
