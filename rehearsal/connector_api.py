"""Teach moto the SFTP connector's file-transfer calls, which it does not implement.

moto knows Transfer Family connectors as resources but not `StartFileTransfer` or
`ListFileTransferResults`. `install(connector)` adds both operations to moto's Transfer responses and
routes them to `connector`, so the launcher's `aws-sdk:transfer:*` tasks reach it unchanged.
"""

from __future__ import annotations

import json
from typing import Any, Protocol

from moto.core.exceptions import JsonRESTError
from moto.transfer.responses import TransferResponse


class Connector(Protocol):
    def start_file_transfer(self, connector_id: str, retrieve_file_paths: list[str], local_directory_path: str) -> str:
        """Queue the files and return the TransferId; outcomes follow asynchronously."""

    def list_file_transfer_results(self, connector_id: str, transfer_id: str) -> list[dict[str, Any]]:
        """Each file's {FilePath, StatusCode, FailureCode?, FailureMessage?}."""


def install(connector: Connector) -> None:
    def start_file_transfer(self: TransferResponse) -> str:
        paths = self._get_param("RetrieveFilePaths") or []
        if not 1 <= len(paths) <= 10:
            raise JsonRESTError("ValidationException", f"RetrieveFilePaths must hold 1-10 paths, got {len(paths)}")
        transfer_id = connector.start_file_transfer(
            self._get_param("ConnectorId"), paths, self._get_param("LocalDirectoryPath"))
        return json.dumps({"TransferId": transfer_id})

    def list_file_transfer_results(self: TransferResponse) -> str:
        results = connector.list_file_transfer_results(self._get_param("ConnectorId"), self._get_param("TransferId"))
        return json.dumps({"FileTransferResults": results})

    TransferResponse.start_file_transfer = start_file_transfer  # type: ignore[attr-defined]
    TransferResponse.list_file_transfer_results = list_file_transfer_results  # type: ignore[attr-defined]
