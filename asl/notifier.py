"""Notifier: one execution per finished Athena query of this stack's workgroup.

It also runs for a synthetic event from the launcher when the real Athena event never came, so
claiming the digest (QUERYING -> DONE, conditioned on the query id) is what keeps it to one email.
"""

from __future__ import annotations

from typing import Any

from asl.builders import catch, chain, choice, jsonata, machine, retry_on, sdk, task
from asl.ledger import CONDITION_FAILED, DONE, QUERYING, Deployment, ddb_s, publish, update_batch
from asl.texts import batch_summary, result_table, subject


def notifier_definition(d: Deployment, *, max_rows: int) -> dict[str, Any]:
    claim_digest = update_batch(
        d,
        "SET #state = :done, queryExecutionId = :query, reportedAt = :now",
        {":done": {"S": DONE}, ":querying": {"S": QUERYING}, ":query": ddb_s("$query.QueryExecutionId"),
         ":now": ddb_s("$now()")},
        arguments={
            "ConditionExpression": "#state = :querying AND (attribute_not_exists(queryExecutionId) OR queryExecutionId = :query)",
            "ReturnValues": "ALL_NEW",
        },
        Assign={"batch": "{% $states.result.Attributes %}"},
        Catch=catch([CONDITION_FAILED], "Ignore a query already reported or not of the batch"),
    )
    query_state = "$query.Status.State"

    def report(subject_tail: str, heading_tail: str, *lines: str) -> dict[str, Any]:
        """The batch summary, a line naming the query and its state, then `lines` (JSONata)."""
        return publish(
            d,
            subject(d.stack, "$batch", f"'query ' & {query_state}{subject_tail}"),
            f"$join([{batch_summary('$batch')}, '', 'Query ' & $query.QueryExecutionId & ' ' & {query_state}"
            f" & {heading_tail}, {', '.join(lines)}], '\\n')",
            End=True,
        )
    return machine(
        "Sends one readable digest per batch query: the batch summary and the result table, or Athena's error.",
        chain(
            ("Look up the finished query", task(
                sdk("athena", "getQueryExecution"),
                {"QueryExecutionId": jsonata("$states.input.detail.queryExecutionId")},
                Assign={
                    "query": "{% $states.result.QueryExecution %}",
                    "batchId": "{% ($p := $states.result.QueryExecution.ExecutionParameters;"
                               " $exists($p) ? $replace($p[0], \"'\", '') : null) %}",
                },
                Retry=retry_on("Athena.TooManyRequestsException", "Athena.InternalServerException"),
            )),
            ("Check the query is one of our batch queries", choice(
                [(f"$batchId != null and $query.WorkGroup = '{d.workgroup}'", "Claim the digest of the batch")],
                "Ignore a query we did not start")),
            ("Ignore a query we did not start", {"Type": "Succeed"}),
            ("Claim the digest of the batch", claim_digest),
            ("Check whether the query succeeded", choice(
                [(f"{query_state} = 'SUCCEEDED'", "Fetch the query result")], "Send the query failure")),
            ("Fetch the query result", task(
                sdk("athena", "getQueryResults"),
                {"QueryExecutionId": jsonata("$query.QueryExecutionId"), "MaxResults": max_rows + 1},
                Assign={"result": "{% $states.result %}"},
                Retry=retry_on("Athena.TooManyRequestsException", "Athena.InternalServerException"),
                Catch=catch(["States.ALL"], "Send the digest without its result",
                            Assign={"resultError": "{% $states.errorOutput %}"}),
            )),
            ("Send the digest", report("", "':'", "''", result_table("$result", max_rows))),
            ("Send the digest without its result", report(
                " & ', result unreadable'", "', but its result could not be read:'",
                "$resultError.Error & ': ' & $resultError.Cause",
                "'Output: ' & $query.ResultConfiguration.OutputLocation")),
            ("Send the query failure", report(
                "", "':'",
                "($exists($query.Status.StateChangeReason) ? $query.Status.StateChangeReason : 'no reason given')",
                "($query.Status.AthenaError.ErrorMessage != $query.Status.StateChangeReason"
                " ? $query.Status.AthenaError.ErrorMessage : [])")),
            ("Ignore a query already reported or not of the batch", {"Type": "Succeed"}),
        ),
    )
