"""Launcher: takes a batch of remote paths, starts the transfers and watches the batch's deadline.

Input: {"files": ["/home/sftpuser/sec1.csv", ...], "batchId"?: "...", "timeoutSeconds"?: N}.
A bad request fails before the ledger is touched or any transfer starts; a file another open batch
still waits for fails before any transfer starts and leaves no claim behind. At the deadline the
launcher asks the connector for each file's outcome (a lost event must not hang the batch), gives
up on files with none, and then makes sure the digest goes out even if the Athena event is lost.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from asl.builders import (
    catch,
    chain,
    choice,
    ddb_n,
    ddb_s,
    inline_map,
    jsonata,
    machine,
    optimized,
    quote,
    retry_on,
    sdk,
    task,
)
from asl.ledger import (
    CONDITION_FAILED,
    DONE,
    OPEN,
    PENDING,
    QUERYING,
    Deployment,
    batch_key,
    dynamodb,
    expires_at,
    file_key,
    publish,
    read_batch,
    record_outcome,
    settle_batch,
)
from asl.texts import alert_subject

TRANSFER_CHUNK = 10  # StartFileTransfer accepts 1-10 RetrieveFilePaths
TRANSFER_RETRYABLE = ("Transfer.ThrottlingException", "Transfer.ServiceUnavailableException",
                      "Transfer.InternalServiceError")
DIGEST_CHECKS = 30
BATCH_ID = r"/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/"


@dataclass(frozen=True)
class LaunchSettings:
    landing_bucket: str
    landing_prefix: str
    timeout_seconds: int
    max_files: int
    transfer_concurrency: int
    notifier_arn: str
    digest_check_seconds: int = 60  # how often the launcher looks for a lost digest after the deadline


def request_problem(s: LaunchSettings) -> str:
    """JSONata: the first thing wrong with the request as {error, cause}, or null."""
    rules = [
        ("$type($files) != 'array' or $count($files) = 0", "EmptyBatch",
         "'files must list at least one absolute remote path, e.g. {\"files\": [\"/home/sftpuser/sec1.csv\"]}'"),
        ("$count($filter($files, function($p) { $type($p) != 'string' or $length($p) = 0 })) > 0", "InvalidFilePath",
         "'every entry of files must be a non-empty string path'"),
        ("$count($relative) > 0", "RelativeFilePath",
         "'files lists ' & $string($relative[0]) & ', which is relative: give the absolute path on the SFTP server, "
         "e.g. /home/sftpuser/' & $relative[0]"),
        ("$count($distinct($files)) != $count($files)", "DuplicateFiles",
         "'files lists ' & $join($filter($distinct($files), function($p) { $count($filter($files, function($q) "
         "{ $q = $p })) > 1 }), ', ') & ' more than once: list each file once per batch'"),
        (f"$count($files) > {s.max_files}", "TooManyFiles",
         f"'files has ' & $string($count($files)) & ' paths; a batch holds at most {s.max_files} (maxFilesPerBatch): "
         "split it into smaller batches'"),
        (f"$type($batchId) = 'string' ? $not($contains($batchId, {BATCH_ID})) : true", "InvalidBatchId",
         "'batchId ' & $string($batchId) & ' is invalid: use 1-64 letters, digits, dots, underscores or hyphens, "
         "starting with a letter or digit'"),
        ("$type($timeout) = 'number' ? ($timeout < 1 or $timeout > 86400 or $timeout != $floor($timeout)) : true",
         "InvalidTimeout", "'timeoutSeconds ' & $string($timeout) & ' is invalid: use a whole number of seconds from 1 to 86400'"),
    ]
    expression = "null"
    for condition, error, cause in reversed(rules):
        expression = f"({condition}) ? {{'error': '{error}', 'cause': {cause}}} : {expression}"
    return ("($relative := $type($files) = 'array' ? $filter($files, function($p) "
            "{ $type($p) = 'string' and $substring($p, 0, 1) != '/' }) : []; " + expression + ")")


def name_the_batch(s: LaunchSettings) -> dict[str, Any]:
    given = "$states.input"
    default_id = ("$now('[Y0001]-[M01]-[D01]') & '-' & "
                  "$lowercase($substring($replace($states.context.Execution.Name, /[^A-Za-z0-9]/, ''), 0, 8))")
    return {
        "Type": "Pass",
        "Assign": {
            "files": f"{{% $exists({given}.files) ? {given}.files : null %}}",
            "batchId": f"{{% $exists({given}.batchId) ? {given}.batchId : {default_id} %}}",
            "timeout": f"{{% $exists({given}.timeoutSeconds) ? {given}.timeoutSeconds : {s.timeout_seconds} %}}",
        },
    }


def landing_directory(s: LaunchSettings) -> str:
    """JSONata: where the connector writes this batch, `/bucket/prefix/batch_id=<id>` (a Hive partition)."""
    return f"{quote(f'/{s.landing_bucket}/{s.landing_prefix}batch_id=')} & $batchId"


def register_batch(d: Deployment, s: LaunchSettings) -> dict[str, Any]:
    return dynamodb(
        "putItem",
        {
            "TableName": d.table,
            "Item": {
                **batch_key(),
                "batchId": ddb_s("$batchId"),
                "state": {"S": OPEN},
                "total": ddb_n("$count($files)"),
                "remaining": ddb_n("$count($files)"),
                "landed": {"N": "0"},
                "failed": {"N": "0"},
                "bytes": {"N": "0"},
                "failures": {"L": []},
                "startedAt": ddb_s("$now()"),
                "deadline": ddb_s("$fromMillis($toMillis($now()) + $timeout * 1000)"),
                "landingDirectory": ddb_s(landing_directory(s)),
                "expiresAt": expires_at(d),
            },
            "ConditionExpression": "attribute_not_exists(pk)",
        },
        Catch=catch([CONDITION_FAILED], "Reject a batch id already used"),
    )


def claim_files(d: Deployment) -> dict[str, Any]:
    claim = dynamodb(
        "putItem",
        {
            "TableName": d.table,
            "Item": {**file_key("$states.input"), "path": ddb_s("$states.input"), "batchId": ddb_s("$batchId"),
                     "state": {"S": PENDING}, "expiresAt": expires_at(d)},
            "ConditionExpression": "attribute_not_exists(pk) OR #state <> :pending",
            "ExpressionAttributeNames": {"#state": "state"},
            "ExpressionAttributeValues": {":pending": {"S": PENDING}},
        },
        Catch=catch([CONDITION_FAILED], "Find the batch holding the file", Assign={"takenPath": "{% $states.input %}"}),
        End=True,
    )
    holder = dynamodb("getItem", {"TableName": d.table, "Key": file_key("$takenPath"), "ConsistentRead": True})
    taken = {
        "Type": "Fail",
        "Error": "FileAlreadyClaimed",
        "Cause": jsonata("$takenPath & ' is still being transferred for open batch ' & "
                         "($exists($states.input.Item.batchId.S) ? $states.input.Item.batchId.S : '(finishing now)') & "
                         "': leave it out, or wait for that batch to finish'"),
    }
    return inline_map("$files", chain(
        ("Claim the file for this batch", claim),
        ("Find the batch holding the file", holder),
        ("Reject a file another batch waits for", taken),
    ), concurrency=10, Catch=catch(["FileAlreadyClaimed"], "Release the claims this batch made",
                                   Assign={"rejection": "{% $states.errorOutput %}"}))


def release_claims(d: Deployment) -> list[tuple[str, dict[str, Any]]]:
    release = dynamodb(
        "deleteItem",
        {"TableName": d.table, "Key": file_key("$states.input"),
         "ConditionExpression": "batchId = :batchId AND #state = :pending",
         "ExpressionAttributeNames": {"#state": "state"},
         "ExpressionAttributeValues": {":batchId": ddb_s("$batchId"), ":pending": {"S": PENDING}}},
        Catch=catch([CONDITION_FAILED], "Skip a claim this batch does not hold"),
        End=True,
    )
    return [
        ("Release the claims this batch made", inline_map("$files", chain(
            ("Release the claim on the file", release),
            ("Skip a claim this batch does not hold", {"Type": "Succeed"}),
        ), concurrency=10)),
        ("Withdraw the batch", dynamodb("deleteItem", {"TableName": d.table, "Key": batch_key()})),
        ("Stop with the rejection", {"Type": "Fail", "Error": jsonata("$rejection.Error"),
                                     "Cause": jsonata("$rejection.Cause")}),
    ]


def start_transfers(d: Deployment, s: LaunchSettings) -> dict[str, Any]:
    start = task(
        sdk("transfer", "startFileTransfer"),
        {"ConnectorId": d.connector_id, "RetrieveFilePaths": jsonata("$states.input"),
         "LocalDirectoryPath": jsonata(landing_directory(s))},
        Output="{% $states.result.TransferId %}",
        Retry=retry_on(*TRANSFER_RETRYABLE, attempts=8, interval=2),
        End=True,
    )
    return inline_map(
        f"$partition($files, {TRANSFER_CHUNK})",
        {"Start a transfer of up to ten files": start},
        concurrency=s.transfer_concurrency,
        Assign={"transferIds": "{% $states.result %}"},
        Catch=catch(["States.ALL"], "Alert that the transfers could not start",
                    Assign={"rejection": "{% $states.errorOutput %}"}),
    )


def reconcile_files(d: Deployment) -> list[tuple[str, dict[str, Any]]]:
    """Ask the connector about every file, record what the events missed, give up on the rest."""
    list_results = task(
        sdk("transfer", "listFileTransferResults"),
        {"ConnectorId": d.connector_id, "TransferId": jsonata("$states.input"), "MaxResults": TRANSFER_CHUNK},
        Output="{% $states.result.FileTransferResults %}",
        Retry=retry_on(*TRANSFER_RETRYABLE),
        End=True,
    )
    look_up = {
        "Type": "Pass",
        "Assign": {
            "outcome": jsonata(
                "($path := $states.input; $r := $filter($connectorResults, function($x) { $x.FilePath = $path })[0];"
                " $known := $exists($r) and $r.StatusCode in ['COMPLETED', 'FAILED'];"
                " {'path': $path, 'bytes': 0, 'at': $now(), 'landed': $known and $r.StatusCode = 'COMPLETED',"
                " 'code': $known ? ($exists($r.FailureCode) ? $r.FailureCode : $r.StatusCode) : 'TIMED_OUT',"
                " 'message': $known ? ($exists($r.FailureMessage) ? $r.FailureMessage : '')"
                " : 'no outcome from the connector by the batch deadline'"
                " & ($exists($r) ? ' (connector status ' & $r.StatusCode & ')' : '')})"),
        },
    }
    recorded = {"Type": "Pass", "Output": jsonata("{'recorded': true, 'outcome': $outcome}"), "End": True}
    already = {"Type": "Pass", "Output": jsonata("{'recorded': false}"), "End": True}
    per_file = chain(
        ("Look up the connector result for the file", look_up),
        *record_outcome(d, outcome="$outcome", after_landed="Note the file was recorded now",
                        after_failed="Note the file was recorded now", stale="Note the file was already recorded"),
        ("Note the file was recorded now", recorded),
        ("Note the file was already recorded", already),
    )
    return [
        ("Ask the connector for each transfer result", inline_map(
            "$transferIds", {"List the file results of the transfer": list_results}, concurrency=5,
            Assign={"connectorResults": "{% $reduce($states.result, $append, []) %}"},
            Catch=catch(["States.ALL"], "Record what the connector reports for each file",
                        Assign={"connectorResults": "{% [] %}"}))),
        ("Record what the connector reports for each file", inline_map(
            "$files", per_file, concurrency=10,
            Assign={"reconciled": "{% $states.result[recorded].outcome %}"})),
        ("Check whether files were missing at the deadline", choice(
            [("$count($reconciled) > 0", "Alert that the batch stalled")], "Claim the batch once its last file is in")),
        ("Alert that the batch stalled", publish(
            d,
            alert_subject(d.stack, "'batch ' & $batchId & ' stalled: ' & $string($count($reconciled))"
                                   " & ' files had no event by the deadline'"),
            "$join(['Batch ' & $batchId & ' reached its deadline with files whose events never arrived.',"
            " 'The connector was asked directly; these files are now recorded as:', '',"
            " $map($reconciled, function($o) { '  - ' & $o.path & ': ' & ($o.landed ? 'landed (event lost)'"
            " : $o.code & ' ' & $o.message) }), '', 'The batch now settles with what landed.'], '\\n')",
            Next="Claim the batch once its last file is in",
        )),
    ]


def ensure_digest(d: Deployment, s: LaunchSettings) -> list[tuple[str, dict[str, Any]]]:
    """After the deadline: if the batch's query finished but no digest went out (the Athena event is
    best effort), hand the query to the notifier, whose claim keeps the digest to one."""
    synthetic_event = {
        "source": "transfer-digest.launcher",
        "detail-type": "Athena Query State Change",
        "detail": {"queryExecutionId": jsonata("$batch.queryExecutionId.S"),
                   "currentState": jsonata("$queryState"), "workgroupName": d.workgroup},
    }
    return [
        ("Wait before checking on the digest", {"Type": "Wait", "Seconds": s.digest_check_seconds}),
        ("Read the batch after its deadline", read_batch(
            d, Assign={"batch": "{% $states.result.Item %}", "checks": "{% $checks + 1 %}"})),
        ("Check whether the digest went out", choice([
            (f"$batch.state.S = '{DONE}'", "Finish now the batch is reported"),
            (f"$batch.state.S = '{QUERYING}' and $exists($batch.queryExecutionId.S)", "Look up the batch query"),
            (f"$batch.state.S = '{QUERYING}' and $checks >= 2", "Start the batch query"),
            (f"$checks < {DIGEST_CHECKS}", "Wait before checking on the digest"),
        ], "Alert that the digest is overdue")),
        ("Look up the batch query", task(
            sdk("athena", "getQueryExecution"), {"QueryExecutionId": jsonata("$batch.queryExecutionId.S")},
            Assign={"queryState": "{% $states.result.QueryExecution.Status.State %}"},
            Retry=retry_on("Athena.TooManyRequestsException", "Athena.InternalServerException"))),
        ("Check whether the batch query finished", choice(
            [("$queryState in ['SUCCEEDED', 'FAILED', 'CANCELLED']", "Hand the finished query to the notifier"),
             (f"$checks < {DIGEST_CHECKS}", "Wait before checking on the digest")],
            "Alert that the digest is overdue")),
        ("Hand the finished query to the notifier", task(
            optimized("states", "startExecution"),
            {"StateMachineArn": s.notifier_arn, "Input": synthetic_event,
             "Name": jsonata("$substring('digest-' & $replace($batchId, '.', '-'), 0, 80)")},
            Catch=catch(["StepFunctions.ExecutionAlreadyExistsException", "SFN.ExecutionAlreadyExistsException"],
                        "Finish now the batch is reported"),
            Next="Wait before checking on the digest")),
        ("Alert that the digest is overdue", publish(
            d,
            alert_subject(d.stack, "'batch ' & $batchId & ': digest overdue'"),
            f"'Batch ' & $batchId & ' is ' & $batch.state.S & ' {DIGEST_CHECKS} checks after its deadline and no "
            "digest has gone out. Check the tracker and notifier executions and the Athena query history.'",
            End=True)),
        ("Finish now the batch is reported", {"Type": "Succeed"}),
    ]


def launcher_definition(d: Deployment, s: LaunchSettings) -> dict[str, Any]:
    return machine(
        "Starts a batch of SFTP connector transfers, registers it in the ledger and watches its deadline.",
        chain(
            ("Name the batch", name_the_batch(s)),
            ("Find problems in the batch request", {"Type": "Pass", "Assign": {"problem": jsonata(request_problem(s)),
                                                                    "checks": 0}}),
            ("Check the batch request is valid", choice([("$problem = null", "Register the batch")],
                                                   "Reject the batch request")),
            ("Reject the batch request", {"Type": "Fail", "Error": jsonata("$problem.error"),
                                          "Cause": jsonata("$problem.cause")}),
            ("Register the batch", register_batch(d, s)),
            ("Claim every file for this batch", claim_files(d)),
            ("Start the transfers", start_transfers(d, s)),
            ("Wait for the batch deadline", {"Type": "Wait", "Seconds": jsonata("$timeout")}),
            ("Read the batch at its deadline", read_batch(d, Assign={"batch": "{% $states.result.Item %}"})),
            ("Check whether the batch is still open", choice(
                [(f"$batch.state.S = '{OPEN}'", "Ask the connector for each transfer result")],
                "Wait before checking on the digest")),
            *reconcile_files(d),
            *settle_batch(d, not_complete="Wait before checking on the digest", then="Wait before checking on the digest"),
            *ensure_digest(d, s),
            ("Reject a batch id already used", {"Type": "Fail", "Error": "BatchExists",
                                                "Cause": jsonata("'batchId ' & $batchId & ' was used before: choose a new one or leave it out'")}),
            ("Alert that the transfers could not start", publish(
                d,
                alert_subject(d.stack, "'batch ' & $batchId & ': transfers could not start'"),
                "'The connector refused the transfers of batch ' & $batchId & ': ' & $rejection.Error & ' ' & $rejection.Cause",
                Next="Release the claims this batch made")),
            *release_claims(d),
        ),
    )
