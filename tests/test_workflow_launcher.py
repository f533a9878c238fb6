"""The launcher, run in moto's interpreter: rejection before any transfer, chunking, the deadline."""

import dataclasses
import time

import pytest

from tests.definitions import LAUNCH
from tests.sfn_harness import connector_event, moto_cloud

FILES = ["/home/sftpuser/sec1.csv", "/home/sftpuser/sec2.csv"]


@pytest.fixture
def quick_cloud():
    """A launcher that checks on the digest every second instead of every minute."""
    with moto_cloud(dataclasses.replace(LAUNCH, digest_check_seconds=1)) as cloud:
        yield cloud


@pytest.mark.parametrize(("request_", "error", "cause_part"), [
    ({"files": []}, "EmptyBatch", "at least one absolute remote path"),
    ({}, "EmptyBatch", "at least one absolute remote path"),
    ({"files": "/home/sftpuser/sec1.csv"}, "EmptyBatch", "at least one"),
    ({"files": ["/home/sftpuser/sec1.csv", 7]}, "InvalidFilePath", "non-empty string"),
    ({"files": ["/home/sftpuser/sec1.csv", "sec2.csv"]}, "RelativeFilePath",
     "sec2.csv, which is relative: give the absolute path on the SFTP server, e.g. /home/sftpuser/sec2.csv"),
    ({"files": [*FILES, FILES[0]]}, "DuplicateFiles", "/home/sftpuser/sec1.csv more than once"),
    ({"files": [f"/data/f{n}.tsv" for n in range(101)]}, "TooManyFiles", "101 paths; a batch holds at most 100"),
    ({"files": FILES, "batchId": "../etc"}, "InvalidBatchId", "batchId ../etc is invalid"),
    ({"files": FILES, "batchId": 42}, "InvalidBatchId", "batchId 42 is invalid"),
    ({"files": FILES, "timeoutSeconds": 0}, "InvalidTimeout", "timeoutSeconds 0 is invalid"),
])
def test_a_bad_request_fails_before_anything_is_written_or_transferred(cloud, request_, error, cause_part):
    result = cloud.run("launcher", request_)
    assert result["status"] == "FAILED"
    assert result["error"] == error
    assert cause_part in result["cause"]
    assert cloud.connector.started == []
    assert cloud.items() == []


def test_a_valid_batch_is_registered_and_transferred_in_chunks_of_ten(cloud):
    files = [f"/home/sftpuser/part{n:02}.tsv" for n in range(25)]
    execution = cloud.start("launcher", {"files": files, "batchId": "daily-1"})
    cloud.wait_for_transfers(25)
    assert sorted(len(s["paths"]) for s in cloud.connector.started) == [5, 10, 10]
    assert sorted(p for s in cloud.connector.started for p in s["paths"]) == files
    assert {s["directory"] for s in cloud.connector.started} == {"/landing/receive/batch_id=daily-1"}
    assert {s["connector"] for s in cloud.connector.started} == {"c-0123456789abcdef0"}
    batch = cloud.item("batch#daily-1")
    assert (batch["state"]["S"], batch["total"]["N"], batch["remaining"]["N"]) == ("OPEN", "25", "25")
    assert all(cloud.item(f"file#{p}")["batchId"]["S"] == "daily-1" for p in files)
    assert cloud.sfn.describe_execution(executionArn=execution)["status"] == "RUNNING"  # watching the deadline


def test_a_batch_without_an_id_gets_a_dated_one(cloud):
    cloud.start("launcher", {"files": FILES})
    cloud.wait_for_transfers(1)
    directory = cloud.connector.started[0]["directory"]
    batch_id = directory.rsplit("batch_id=", 1)[1]
    assert batch_id.startswith(time.strftime("%Y-%m-%d-", time.gmtime()))
    assert cloud.item(f"batch#{batch_id}")["state"]["S"] == "OPEN"


def test_a_file_another_open_batch_waits_for_is_refused_and_leaves_no_claim(cloud):
    cloud.start("launcher", {"files": [FILES[0]], "batchId": "first"})
    cloud.wait_for_transfers(1)

    result = cloud.run("launcher", {"files": ["/home/sftpuser/other.csv", FILES[0]], "batchId": "second"})
    assert result["status"] == "FAILED"
    assert result["error"] == "FileAlreadyClaimed"
    assert "/home/sftpuser/sec1.csv is still being transferred for open batch first" in result["cause"]
    assert len(cloud.connector.started) == 1, "the second batch must not start any transfer"
    assert cloud.item("batch#second") is None
    assert cloud.item("file#/home/sftpuser/other.csv") is None
    assert cloud.item(f"file#{FILES[0]}")["batchId"]["S"] == "first"


def test_a_landed_file_can_be_requested_again_by_a_new_batch(cloud):
    cloud.start("launcher", {"files": FILES, "batchId": "first"})
    cloud.wait_for_transfers(1)
    cloud.run("tracker", connector_event("first", FILES[0]))
    cloud.start("launcher", {"files": [FILES[0]], "batchId": "second"})
    cloud.wait_for_transfers(3)
    assert cloud.item(f"file#{FILES[0]}")["batchId"]["S"] == "second"


def test_a_reused_batch_id_is_refused(cloud):
    cloud.start("launcher", {"files": [FILES[0]], "batchId": "same"})
    time.sleep(0.5)
    result = cloud.run("launcher", {"files": [FILES[1]], "batchId": "same"})
    assert (result["status"], result["error"]) == ("FAILED", "BatchExists")


def test_at_the_deadline_lost_events_are_reconciled_and_the_digest_still_goes_out(quick_cloud):
    cloud = quick_cloud
    files = [*FILES, "/home/sftpuser/sec3.csv"]
    cloud.answer_next_query_with([["DataCount"], ["10"]])
    execution = cloud.start("launcher", {"files": files, "batchId": "late", "timeoutSeconds": 2})
    cloud.wait_for_transfers(1)
    # sec1's event arrives; sec2 landed but its event is lost; sec3 never finishes.
    cloud.run("tracker", connector_event("late", files[0]))
    cloud.connector.results[files[1]] = {"FilePath": files[1], "StatusCode": "COMPLETED"}

    result = cloud.wait(execution, timeout=60)
    assert result["status"] == "SUCCEEDED"
    batch = cloud.item("batch#late")
    assert (batch["landed"]["N"], batch["failed"]["N"], batch["remaining"]["N"]) == ("2", "1", "0")
    assert batch["failures"]["L"][0]["M"]["code"]["S"] == "TIMED_OUT"
    subjects = [e["subject"] for e in cloud.emails()]
    assert "[dev] batch late stalled: 2 files had no event by the deadline" in subjects
    stalled = next(e["body"] for e in cloud.emails() if "stalled" in e["subject"])
    assert "/home/sftpuser/sec2.csv: landed (event lost)" in stalled
    assert "/home/sftpuser/sec3.csv: TIMED_OUT" in stalled
    # No Athena event reaches moto's EventBridge: the launcher handed the finished query to the notifier.
    assert len(cloud.queries()) == 1
    assert batch["state"]["S"] == "DONE"
    assert subjects.count("[dev] batch late: 3 files, 1 failed, query SUCCEEDED") == 1
