"""The batch ledger's shared shapes: keys, the atomic per-file countdown and settling a batch.

Two kinds of item live in one DynamoDB table, both with the TTL attribute `expiresAt`:
- `batch#<id>`: the batch's counters (total, remaining, landed, failed, bytes), its failures,
  its state (OPEN -> QUERYING -> DONE) and its query execution id.
- `file#<remote path>`: the file's claim: the batch waiting for it and its state (PENDING, LANDED,
  FAILED). A PENDING claim keeps any other batch from requesting the same file.

Recording an outcome is one DynamoDB transaction: the file's claim moves out of PENDING and the
batch counts down, or neither happens. A repeated or unknown event fails the claim's condition and
changes nothing. The event that brings `remaining` to zero is then the one that can claim the
batch's query (state OPEN -> QUERYING), which makes the query start exactly once; the Athena
client request token guards the start itself against retries.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from asl.builders import (
    State,
    catch,
    choice,
    ddb_n,
    ddb_s,
    jsonata,
    optimized,
    quote,
    retry_on,
    sdk,
    task,
)
from asl.texts import batch_summary, subject

CONDITION_FAILED = "DynamoDB.ConditionalCheckFailedException"
TRANSACTION_CANCELLED = "DynamoDb.TransactionCanceledException"
ATHENA_THROTTLED = "Athena.TooManyRequestsException"
PENDING, LANDED, FAILED = "PENDING", "LANDED", "FAILED"
OPEN, QUERYING, DONE = "OPEN", "QUERYING", "DONE"


@dataclass(frozen=True)
class Deployment:
    """Names of the deployed resources the state machines talk to (plain strings)."""

    stack: str
    table: str
    topic_arn: str
    workgroup: str
    connector_id: str
    batch_query: str  # SQL with one `?` per batch reference
    retention_days: int


# DynamoDB's transient refusals, including a single write that met another execution's transaction.
DYNAMODB_TRANSIENT = ("DynamoDB.TransactionConflictException", "DynamoDB.ProvisionedThroughputExceededException",
                      "DynamoDB.ThrottlingException", "DynamoDB.InternalServerErrorException")


def dynamodb(action: str, arguments: dict[str, Any], **fields: Any) -> State:
    """An optimized DynamoDB task that retries DynamoDB's transient refusals."""
    return task(optimized("dynamodb", action), arguments, Retry=retry_on(*DYNAMODB_TRANSIENT), **fields)


def batch_key(batch_id: str = "$batchId") -> dict[str, Any]:
    return {"pk": ddb_s(f"'batch#' & {batch_id}")}


def file_key(path: str) -> dict[str, Any]:
    return {"pk": ddb_s(f"'file#' & {path}")}


def expires_at(d: Deployment) -> dict[str, str]:
    return ddb_n(f"$floor($toMillis($now()) / 1000) + {d.retention_days * 86400}")


def read_batch(d: Deployment, **fields: Any) -> State:
    return dynamodb("getItem", {"TableName": d.table, "Key": batch_key(), "ConsistentRead": True}, **fields)


def update_batch(d: Deployment, expression: str, values: dict[str, Any], **fields: Any) -> State:
    arguments: dict[str, Any] = {
        "TableName": d.table,
        "Key": batch_key(),
        "UpdateExpression": expression,
        **fields.pop("arguments", {}),
    }
    # DynamoDB rejects names and values that the expressions do not use.
    if "#state" in expression + arguments.get("ConditionExpression", ""):
        arguments["ExpressionAttributeNames"] = {"#state": "state"}
    if values:
        arguments["ExpressionAttributeValues"] = values
    return dynamodb("updateItem", arguments, **fields)


def publish(d: Deployment, subject_expression: str, message_expression: str, **fields: Any) -> State:
    return task(
        optimized("sns", "publish"),
        {"TopicArn": d.topic_arn, "Subject": jsonata(subject_expression), "Message": jsonata(message_expression)},
        Retry=retry_on("SNS.ThrottledException", "SNS.InternalErrorException", "SNS.KMSThrottlingException"),
        **fields,
    )


RECORDED_BEFORE = "Check whether the file was recorded before"
CONFLICT_WAIT_SECONDS = 1


def record_outcome(d: Deployment, *, outcome: str, after_landed: str, after_failed: str,
                   stale: str) -> list[tuple[str, State]]:
    """Mark one file LANDED or FAILED and count its batch down, atomically and at most once.

    `outcome` is a JSONata reference to {path, landed, bytes, code, message, at}. A repeated or
    unknown file fails the transaction's conditions and goes to `stale`; a transaction that lost a
    race with another execution writing the same batch (TransactionConflict) is tried again.
    """
    def record(landed: bool, after: str) -> State:
        return _outcome_transaction(d, outcome, landed, Next=after, Catch=catch(
            [TRANSACTION_CANCELLED], RECORDED_BEFORE, Assign={"ledgerError": "{% $states.errorOutput %}"}))

    return [
        ("Check whether the file landed", choice([(f"{outcome}.landed", "Record the file as landed")],
                                                 "Record the file as failed")),
        ("Record the file as landed", record(True, after_landed)),
        ("Record the file as failed", record(False, after_failed)),
        (RECORDED_BEFORE, choice([("$contains($ledgerError.Cause, 'ConditionalCheckFailed')", stale)],
                                 "Wait out a concurrent write to the batch")),
        ("Wait out a concurrent write to the batch", {"Type": "Wait", "Seconds": CONFLICT_WAIT_SECONDS,
                                                      "Next": "Check whether the file landed"}),
    ]


def _outcome_transaction(d: Deployment, outcome: str, landed: bool, **fields: Any) -> State:
    if landed:
        batch_update = "ADD remaining :minusOne, landed :one, bytes :bytes SET lastOutcomeAt = :at"
        batch_values: dict[str, Any] = {":bytes": ddb_n(f"{outcome}.bytes")}
    else:
        batch_update = "ADD remaining :minusOne, failed :one SET failures = list_append(failures, :failure), lastOutcomeAt = :at"
        batch_values = {":failure": {"L": [{"M": {
            "path": ddb_s(f"{outcome}.path"),
            "code": ddb_s(f"{outcome}.code"),
            "message": ddb_s(f"{outcome}.message"),
        }}]}}
    return task(
        sdk("dynamodb", "transactWriteItems"),
        {"TransactItems": [
            {"Update": {
                "TableName": d.table,
                "Key": file_key(f"{outcome}.path"),
                "UpdateExpression": "SET #state = :outcome, bytes = :bytes, resolvedAt = :at",
                "ConditionExpression": "batchId = :batchId AND #state = :pending",
                "ExpressionAttributeNames": {"#state": "state"},
                "ExpressionAttributeValues": {
                    ":outcome": {"S": LANDED if landed else FAILED},
                    ":bytes": ddb_n(f"{outcome}.bytes"),
                    ":at": ddb_s(f"{outcome}.at"),
                    ":batchId": ddb_s("$batchId"),
                    ":pending": {"S": PENDING},
                },
            }},
            {"Update": {
                "TableName": d.table,
                "Key": batch_key(),
                "UpdateExpression": batch_update,
                "ConditionExpression": "attribute_exists(pk)",
                "ExpressionAttributeValues": {
                    ":minusOne": {"N": "-1"},
                    ":one": {"N": "1"},
                    ":at": ddb_s(f"{outcome}.at"),
                    **batch_values,
                },
            }},
        ]},
        Retry=retry_on("DynamoDb.ProvisionedThroughputExceededException", "DynamoDb.ThrottlingException",
                       "DynamoDb.InternalServerErrorException"),
        **fields,
    )


def query_token(d: Deployment) -> str:
    """Athena's idempotency token for the batch's query: 32-128 characters, unique per stack and batch."""
    return f"$substring($pad({quote(f'transfer-digest:{d.workgroup}:')} & $batchId, 32, '0'), 0, 128)"


def start_batch_query(d: Deployment) -> State:
    parameters = ["{% \"'\" & $batchId & \"'\" %}"] * d.batch_query.count("?")
    return task(
        sdk("athena", "startQueryExecution"),
        {
            "QueryString": d.batch_query,
            "WorkGroup": d.workgroup,
            "ExecutionParameters": parameters,
            "ClientRequestToken": jsonata(query_token(d)),
        },
        Assign={"queryExecutionId": "{% $states.result.QueryExecutionId %}"},
        Retry=retry_on(ATHENA_THROTTLED, "Athena.InternalServerException"),
    )


def settle_batch(d: Deployment, *, not_complete: str, then: str | None) -> list[tuple[str, State]]:
    """Once no file is pending, claim the batch (once) and start its query, or report a batch
    where nothing landed. `not_complete` is where every other caller goes."""
    after = {"Next": then} if then else {"End": True}
    return [
        ("Claim the batch once its last file is in", update_batch(
            d,
            "SET #state = :querying, settledAt = :now",
            {":open": {"S": OPEN}, ":querying": {"S": QUERYING}, ":zero": {"N": "0"}, ":now": ddb_s("$now()")},
            arguments={"ConditionExpression": "#state = :open AND remaining = :zero", "ReturnValues": "ALL_NEW"},
            Assign={"batch": "{% $states.result.Attributes %}"},
            Catch=catch([CONDITION_FAILED], not_complete),
        )),
        ("Check whether any file landed", choice([("$number($batch.landed.N) > 0", "Start the batch query")],
                                      "Send the nothing-landed digest")),
        ("Start the batch query", start_batch_query(d)),
        ("Remember the batch query", update_batch(
            d, "SET queryExecutionId = :query", {":query": ddb_s("$queryExecutionId")}, **after)),
        ("Send the nothing-landed digest", publish(
            d,
            subject(d.stack, "$batch", "'no query: nothing landed'"),
            f"'No file of this batch landed, so no query ran.\\n\\n' & {batch_summary('$batch')}",
        )),
        ("Mark the batch done", update_batch(d, "SET #state = :done", {":done": {"S": DONE}}, **after)),
    ]
