"""The tracker, run in moto's interpreter against a batch the real launcher registered."""

import random
import time

import pytest

from tests.sfn_harness import connector_event

FILES = ["/home/sftpuser/sec1.csv", "/home/sftpuser/sec2.csv"]


def launch_batch(cloud, files=FILES, batch_id="b-1"):
    """Start the launcher and return once it has handed every file to the connector."""
    cloud.start("launcher", {"files": files, "batchId": batch_id})
    cloud.wait_for_transfers(len(files))


def deliver(cloud, events):
    """Start one tracker execution per event, all at once, and wait for every one."""
    executions = [cloud.start("tracker", event) for event in events]
    return [cloud.wait(e) for e in executions]


def number(item, attribute):
    return int(item[attribute]["N"])


def test_the_last_file_of_the_batch_starts_the_query_once(cloud):
    launch_batch(cloud)
    results = deliver(cloud, [connector_event("b-1", FILES[0])])
    assert results[0]["status"] == "SUCCEEDED"
    assert cloud.queries() == [], "one file of two must not start the query"

    deliver(cloud, [connector_event("b-1", FILES[1], bytes_=20)])
    batch = cloud.item("batch#b-1")
    assert len(cloud.queries()) == 1
    assert batch["state"]["S"] == "QUERYING"
    assert batch["queryExecutionId"]["S"] == cloud.queries()[0]
    assert (number(batch, "remaining"), number(batch, "landed"), number(batch, "bytes")) == (0, 2, 36)
    assert [cloud.item(f"file#{p}")["state"]["S"] for p in FILES] == ["LANDED", "LANDED"]
    execution = cloud.athena.get_query_execution(QueryExecutionId=cloud.queries()[0])["QueryExecution"]
    assert execution["ExecutionParameters"] == ["'b-1'"]
    assert execution["WorkGroup"] == "transfer-digest-dev"


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_duplicated_shuffled_concurrent_events_start_one_query(cloud, seed):
    files = [f"/home/sftpuser/part{n}.tsv" for n in range(6)]
    launch_batch(cloud, files)
    events = [connector_event("b-1", p) for p in files] * 2
    random.Random(seed).shuffle(events)
    results = deliver(cloud, events)
    assert {r["status"] for r in results} == {"SUCCEEDED"}
    batch = cloud.item("batch#b-1")
    assert (number(batch, "remaining"), number(batch, "landed"), number(batch, "failed")) == (0, 6, 0)
    assert len(cloud.queries()) == 1


def test_an_event_for_an_unknown_batch_or_another_directory_changes_nothing(cloud):
    launch_batch(cloud)
    before = sorted(map(str, cloud.items()))
    results = deliver(cloud, [
        connector_event("no-such-batch", FILES[0]),
        connector_event("b-1", FILES[0], directory="/landing/elsewhere"),
        connector_event("b-1", "/home/sftpuser/not-in-batch.csv"),
    ])
    assert {r["status"] for r in results} == {"SUCCEEDED"}
    assert sorted(map(str, cloud.items())) == before
    assert cloud.queries() == [] and cloud.emails() == []


def test_a_failed_file_alerts_at_once_and_the_batch_goes_on(cloud):
    launch_batch(cloud)
    deliver(cloud, [connector_event("b-1", FILES[0], status="FAILED")])
    alerts = cloud.emails()
    assert len(alerts) == 1
    assert alerts[0]["subject"] == "[dev] file failed in batch b-1: /home/sftpuser/sec1.csv"
    assert "FILE_NOT_FOUND" in alerts[0]["body"] and "does not exist" in alerts[0]["body"]
    assert cloud.queries() == []

    deliver(cloud, [connector_event("b-1", FILES[1])])
    batch = cloud.item("batch#b-1")
    assert len(cloud.queries()) == 1
    assert (number(batch, "landed"), number(batch, "failed")) == (1, 1)
    assert batch["failures"]["L"][0]["M"]["code"]["S"] == "FILE_NOT_FOUND"


def test_a_batch_where_nothing_landed_sends_a_failure_digest_and_no_query(cloud):
    launch_batch(cloud)
    deliver(cloud, [connector_event("b-1", p, status="FAILED") for p in FILES])
    batch = cloud.item("batch#b-1")
    assert cloud.queries() == []
    assert batch["state"]["S"] == "DONE"
    digests = [e for e in cloud.emails() if "nothing landed" in e["subject"]]
    assert len(digests) == 1
    assert digests[0]["subject"] == "[dev] batch b-1: 2 files, 2 failed, no query: nothing landed"
    assert "  - /home/sftpuser/sec1.csv: FILE_NOT_FOUND" in digests[0]["body"]


def test_every_ledger_item_carries_its_expiry(cloud):
    launch_batch(cloud)
    deliver(cloud, [connector_event("b-1", p) for p in FILES])
    now = time.time()
    for item in cloud.items():
        assert 29 * 86400 < int(item["expiresAt"]["N"]) - now <= 30 * 86400, item["pk"]


def test_a_transaction_that_lost_a_race_is_tried_again_not_dropped(cloud, monkeypatch):
    from moto.dynamodb.exceptions import TransactionCanceledException
    from moto.dynamodb.models import DynamoDBBackend

    launch_batch(cloud)
    real = DynamoDBBackend.transact_write_items
    conflicts = []

    def conflict_once(self, *args, **kwargs):
        if not conflicts:
            conflicts.append(1)
            raise TransactionCanceledException([(None, None, None), ("TransactionConflict", "conflict", None)])
        return real(self, *args, **kwargs)

    monkeypatch.setattr(DynamoDBBackend, "transact_write_items", conflict_once)
    deliver(cloud, [connector_event("b-1", p) for p in FILES])
    assert conflicts == [1]
    batch = cloud.item("batch#b-1")
    assert (number(batch, "remaining"), number(batch, "landed")) == (0, 2)
    assert len(cloud.queries()) == 1
