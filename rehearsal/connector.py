"""The SFTP connector, emulated: StartFileTransfer really downloads over SFTP and lands in S3.

Each file is fetched on a worker after the call has returned, written where LocalDirectoryPath
says, and reported with the connector's per-file event (the seed's captured shape). Options reproduce
what the real service may do to events: reorder them, or lose one.
"""

from __future__ import annotations

import datetime
import random
import threading
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import asyncssh
import boto3
from moto.core.exceptions import JsonRESTError

from rehearsal.sftp import SftpServer

Event = dict[str, Any]


def _now() -> str:
    return datetime.datetime.now(datetime.UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


class EmulatedConnector:
    def __init__(self, sftp: SftpServer, publish: Callable[[Event], None], *, connector_id: str, region: str,
                 account: str, shuffle_seed: int | None = None, drop: frozenset[str] = frozenset(),
                 log: Callable[[str], None] = print) -> None:
        self.sftp = sftp
        self.publish = publish
        self.connector_id = connector_id
        self.region = region
        self.account = account
        self.shuffle = random.Random(shuffle_seed) if shuffle_seed is not None else None
        self.drop = drop
        self.log = log
        self.s3 = boto3.client("s3", region_name=region)
        self.results: dict[str, dict[str, dict[str, Any]]] = {}  # transfer id -> path -> result
        self.landed: dict[str, int] = {}  # remote path -> bytes
        self._held: list[Event] = []
        self._in_flight = 0
        self._lock = threading.Lock()
        self._workers = ThreadPoolExecutor(max_workers=4, thread_name_prefix="connector")

    # connector_api.Connector
    def start_file_transfer(self, connector_id: str, retrieve_file_paths: list[str], local_directory_path: str) -> str:
        if connector_id != self.connector_id:
            raise JsonRESTError("ResourceNotFoundException", f"Unknown connector: {connector_id}")
        transfer_id = str(uuid.uuid4())
        with self._lock:
            self.results[transfer_id] = {p: {"FilePath": p, "StatusCode": "QUEUED"} for p in retrieve_file_paths}
            self._in_flight += len(retrieve_file_paths)
        for path in retrieve_file_paths:
            self._workers.submit(self._transfer_or_report, transfer_id, path, local_directory_path)
        return transfer_id

    def list_file_transfer_results(self, connector_id: str, transfer_id: str) -> list[dict[str, Any]]:
        with self._lock:
            return [dict(r) for r in self.results.get(transfer_id, {}).values()]

    def close(self) -> None:
        self._workers.shutdown(wait=True, cancel_futures=True)

    def _transfer_or_report(self, transfer_id: str, path: str, local_directory: str) -> None:
        try:
            self._transfer(transfer_id, path, local_directory)
        except Exception as error:  # never leave a file QUEUED without an outcome
            self.log(f"connector: {path} broke the emulator: {error}")
            raise

    def _transfer(self, transfer_id: str, path: str, local_directory: str) -> None:
        self._set(transfer_id, path, StatusCode="IN_PROGRESS")
        bucket, _, prefix = local_directory.lstrip("/").partition("/")
        key = f"{prefix.rstrip('/')}/{path.rsplit('/', 1)[-1]}".lstrip("/")
        started = _now()
        detail: dict[str, Any] = {
            "operation": "RETRIEVE",
            "connector-id": self.connector_id,
            "transfer-id": transfer_id,
            "file-transfer-id": f"{transfer_id}/{uuid.uuid4()}",
            "url": f"sftp://127.0.0.1:{self.sftp.port}",
            "file-path": path,
            "local-directory-path": local_directory,
            "start-timestamp": started,
        }
        try:
            body = self.sftp.run(self.sftp.download(path))
        except asyncssh.SFTPNoSuchFile:
            self._fail(transfer_id, detail, "FILE_NOT_FOUND", f"File {path} not found on the remote server")
            return
        except Exception as error:  # a broken connection is the connector's failure, not ours
            self._fail(transfer_id, detail, "UNKNOWN_ERROR", str(error))
            return
        self.s3.put_object(Bucket=bucket, Key=key, Body=body)
        detail.update({"status-code": "COMPLETED", "bytes": len(body), "end-timestamp": _now(),
                       "local-file-location": {"domain": "S3", "bucket": bucket, "key": key}})
        with self._lock:
            self.landed[path] = len(body)
        self._set(transfer_id, path, StatusCode="COMPLETED")
        self.log(f"connector: {path} landed in s3://{bucket}/{key} ({len(body)} bytes)")
        self._emit(detail)

    def _fail(self, transfer_id: str, detail: dict[str, Any], code: str, message: str) -> None:
        detail.update({"status-code": "FAILED", "failure-code": code, "failure-message": message,
                       "end-timestamp": _now()})
        self._set(transfer_id, detail["file-path"], StatusCode="FAILED", FailureCode=code, FailureMessage=message)
        self.log(f"connector: {detail['file-path']} FAILED {code}")
        self._emit(detail)

    def _set(self, transfer_id: str, path: str, **fields: str) -> None:
        with self._lock:
            self.results[transfer_id][path].update(fields)

    def _emit(self, detail: dict[str, Any]) -> None:
        outcome = "Completed" if detail["status-code"] == "COMPLETED" else "Failed"
        event = {
            "version": "0",
            "id": str(uuid.uuid4()),
            "detail-type": f"SFTP Connector File Retrieve {outcome}",
            "source": "aws.transfer",
            "account": self.account,
            "time": _now()[:19] + "Z",
            "region": self.region,
            "resources": [f"arn:aws:transfer:{self.region}:{self.account}:connector/{self.connector_id}"],
            "detail": detail,
        }
        name = detail["file-path"].rsplit("/", 1)[-1]
        with self._lock:
            self._in_flight -= 1
            if name in self.drop or detail["file-path"] in self.drop:
                self.log(f"connector: the event for {name} is lost (--drop-event)")
                release: list[Event] = []
            elif self.shuffle is None:
                release = [event]
            else:
                self._held.append(event)
                release = []
            if self.shuffle is not None and self._in_flight == 0 and self._held:
                # Hold events until the queue is empty, then release them in a seeded order.
                # Sorted first, so one seed gives one order whatever order the downloads finished in.
                release = sorted(self._held, key=lambda e: e["detail"]["file-path"])
                self._held = []
                self.shuffle.shuffle(release)
        for held in release:
            self.publish(held)
