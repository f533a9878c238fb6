"""The notifier, run in moto's interpreter: one readable digest per batch query."""


from moto.athena.models import athena_backends

from tests.sfn_harness import ACCOUNT, REGION, connector_event

FILES = ["/home/sftpuser/sec1.csv", "/home/sftpuser/sec2.csv"]


def athena_event(query_id, state="SUCCEEDED", workgroup="transfer-digest-dev"):
    return {"version": "0", "source": "aws.athena", "detail-type": "Athena Query State Change",
            "detail": {"queryExecutionId": query_id, "currentState": state, "previousState": "RUNNING",
                       "workgroupName": workgroup, "statementType": "DML", "versionId": "0"}}


def batch_with_query(cloud, batch_id="b-1", failed=()):
    """A batch the launcher registered and whose files the tracker counted in."""
    cloud.start("launcher", {"files": FILES, "batchId": batch_id})
    cloud.wait_for_transfers(1)
    for path in FILES:
        cloud.run("tracker", connector_event(batch_id, path, status="FAILED" if path in failed else "COMPLETED"))
    return cloud.item(f"batch#{batch_id}")["queryExecutionId"]["S"]


def digests(cloud):
    return [e for e in cloud.emails() if " query " in e["subject"]]


def test_the_digest_holds_the_batch_summary_and_an_aligned_result_table(cloud):
    cloud.answer_next_query_with([["kind", "DataCount"], ["sec", "20"], ["total rows", "7"]])
    query_id = batch_with_query(cloud)
    result = cloud.run("notifier", athena_event(query_id))
    assert result["status"] == "SUCCEEDED"
    [digest] = digests(cloud)
    assert digest["subject"] == "[dev] batch b-1: 2 files, 0 failed, query SUCCEEDED"
    body = digest["body"]
    assert "Files:    2 requested, 2 landed, 0 failed" in body
    assert "Bytes:    32 landed" in body
    assert "Failures: none" in body
    assert "kind        DataCount\n----------  ---------\nsec         20\ntotal rows  7" in body
    assert cloud.item("batch#b-1")["state"]["S"] == "DONE"


def test_a_long_result_is_cut_and_says_so(cloud):
    cloud.answer_next_query_with([["n"]] + [[str(i)] for i in range(80)])
    query_id = batch_with_query(cloud)
    cloud.run("notifier", athena_event(query_id))
    body = digests(cloud)[0]["body"]
    assert "\n49\n" in body and "\n50\n" not in body
    assert "(showing the first 50 rows" in body


def test_an_event_delivered_twice_sends_one_digest(cloud):
    query_id = batch_with_query(cloud)
    runs = [cloud.start("notifier", athena_event(query_id)) for _ in range(3)]
    assert {cloud.wait(r)["status"] for r in runs} == {"SUCCEEDED"}
    assert len(digests(cloud)) == 1


def test_a_query_that_is_not_a_batch_query_is_ignored(cloud):
    batch_with_query(cloud)
    adhoc = cloud.athena.start_query_execution(QueryString="SELECT 1", WorkGroup="transfer-digest-dev")
    result = cloud.run("notifier", athena_event(adhoc["QueryExecutionId"]))
    assert result["status"] == "SUCCEEDED"
    assert digests(cloud) == []
    assert cloud.item("batch#b-1")["state"]["S"] == "QUERYING"


def test_a_failed_query_sends_athenas_error(cloud):
    query_id = batch_with_query(cloud, failed=[FILES[0]])
    execution = athena_backends[ACCOUNT][REGION].executions[query_id]
    execution.status = "FAILED"
    result = cloud.run("notifier", athena_event(query_id, state="FAILED"))
    assert result["status"] == "SUCCEEDED"
    [digest] = digests(cloud)
    assert digest["subject"] == "[dev] batch b-1: 2 files, 1 failed, query FAILED"
    assert f"Query {query_id} FAILED:" in digest["body"]
    assert "  - /home/sftpuser/sec1.csv: FILE_NOT_FOUND" in digest["body"]


def test_an_unreadable_result_still_sends_the_digest_with_the_reason(cloud, monkeypatch):
    query_id = batch_with_query(cloud)
    backend = athena_backends[ACCOUNT][REGION]

    def refuse(exec_id):
        from moto.athena.exceptions import InvalidArgumentException

        raise InvalidArgumentException("Access denied when reading the query output")

    monkeypatch.setattr(backend, "get_query_results", refuse)
    cloud.run("notifier", athena_event(query_id))
    [digest] = digests(cloud)
    assert digest["subject"] == "[dev] batch b-1: 2 files, 0 failed, query SUCCEEDED, result unreadable"
    assert "Access denied when reading the query output" in digest["body"]
    assert cloud.item("batch#b-1")["state"]["S"] == "DONE"
