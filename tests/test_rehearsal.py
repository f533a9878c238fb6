"""End to end on one machine: `python -m rehearsal run` with a real SFTP server, moto, DuckDB."""

import email
import json
import subprocess
import sys
from pathlib import Path

import pytest

from rehearsal.seed_data import write_seed_files

ROOT = Path(__file__).resolve().parent.parent


def rehearse(tmp_path, *args, expect_exit=0):
    served = tmp_path / "served"
    if not served.exists():
        write_seed_files(served)
    outbox = tmp_path / "outbox"
    done = subprocess.run(
        [sys.executable, "-m", "rehearsal", "run", "--serve", str(served), "--outbox", str(outbox), "--json", *args],
        cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == expect_exit, done.stdout[-3000:] + done.stderr[-3000:]
    report = json.loads(done.stdout.strip().splitlines()[-1])
    report["outbox"] = sorted(outbox.glob("*.eml"))
    report["stdout"] = done.stdout
    return report


def digests(report):
    return [e for e in report["emails"] if " query " in e["subject"] or "no query" in e["subject"]]


def test_the_seed_batch_counts_20_rows_in_one_digest(tmp_path):
    report = rehearse(tmp_path)
    assert [(f["path"], f["status"]) for f in report["files"]] == [
        ("/home/sftpuser/sec1.csv", "LANDED"), ("/home/sftpuser/sec2.csv", "LANDED")]
    assert all(f["bytes"] > 0 for f in report["files"])
    assert len(report["queries"]) == 1
    [digest] = digests(report)
    assert digest["subject"] == f"[dev] batch {report['batchId']}: 2 files, 0 failed, query SUCCEEDED"
    assert digest["body"].endswith("DataCount\n---------\n20")
    # each configured address got the email as an .eml file
    assert len(report["outbox"]) == 2
    message = email.message_from_bytes(report["outbox"][0].read_bytes())
    assert message["Subject"] == digest["subject"]
    assert "DataCount" in message.get_payload(decode=True).decode()


def test_a_missing_file_alerts_once_and_the_digest_covers_the_rest(tmp_path):
    report = rehearse(tmp_path, "--file", "sec1.csv", "--file", "missing.csv")
    assert {f["path"]: f["status"] for f in report["files"]} == {
        "/home/sftpuser/sec1.csv": "LANDED", "/home/sftpuser/missing.csv": "FAILED"}
    alerts = [e for e in report["emails"] if e["subject"].startswith("[dev] file failed")]
    assert len(alerts) == 1 and "FILE_NOT_FOUND" in alerts[0]["body"]
    [digest] = digests(report)
    assert digest["subject"].endswith("2 files, 1 failed, query SUCCEEDED")
    assert digest["body"].endswith("DataCount\n---------\n10")


@pytest.mark.parametrize("seed", ["1", "7"])
def test_shuffled_and_duplicated_events_start_one_query(tmp_path, seed):
    served = tmp_path / "served"
    write_seed_files(served)
    for n in range(3, 7):
        (served / f"sec{n}.csv").write_text((served / "sec1.csv").read_text())
    report = rehearse(tmp_path, "--shuffle", seed, "--duplicate-events")
    assert len(report["queries"]) == 1
    [digest] = digests(report)
    assert digest["body"].endswith("DataCount\n---------\n60")
    to_tracker = [d for d in report["deliveries"] if d["detailType"].startswith("SFTP Connector File Retrieve")]
    assert len(to_tracker) == 12  # six files, every event delivered twice
    assert [d["subject"] for d in to_tracker[::2]] != sorted(d["subject"] for d in to_tracker[::2])


def test_a_dropped_event_is_reconciled_at_the_deadline(tmp_path):
    report = rehearse(tmp_path, "--drop-event", "sec2.csv", "--batch-timeout-seconds", "3")
    stalled = [e for e in report["emails"] if "stalled" in e["subject"]]
    assert len(stalled) == 1 and "/home/sftpuser/sec2.csv: landed (event lost)" in stalled[0]["body"]
    [digest] = digests(report)
    assert digest["subject"].endswith("2 files, 0 failed, query SUCCEEDED")
    assert digest["body"].endswith("DataCount\n---------\n20")


def test_a_failing_query_sends_athenas_error(tmp_path):
    report = rehearse(tmp_path, "--query", "SELECT SUM(no_such_column) AS total FROM {table}")
    [digest] = digests(report)
    assert digest["subject"].endswith("query FAILED")
    assert "no_such_column" in digest["body"]


def test_a_query_over_the_batch_columns(tmp_path):
    report = rehearse(tmp_path, "--query",
                      "SELECT date(created_at) AS day, COUNT(*) AS n, MIN(seq) AS first FROM {table} "
                      "GROUP BY date(created_at) ORDER BY day")
    [digest] = digests(report)
    assert digest["body"].endswith(
        "day         n   first\n----------  --  -----\n2022-11-25  19  1\n2022-11-26  1   10")


def test_a_rejected_batch_exits_non_zero_with_the_reason(tmp_path):
    (tmp_path / "served").mkdir()
    report = rehearse(tmp_path, "--file", "a.csv", "--file", "a.csv", expect_exit=1)
    assert "DuplicateFiles" in report["reason"]
    assert report["queries"] == [] and report["emails"] == []
