"""Athena, executed: the batch query really runs, in DuckDB, over the batch's objects in S3.

moto records queries but runs none. Here each StartQueryExecution is run asynchronously: the SQL is
translated from Athena's dialect with sqlglot (execution parameters bound first), every Glue table
it names is loaded from its S3 location with the Glue definition (delimiter, header rows, columns,
`batch_id` partitions), and the result is written to the workgroup's output location as Athena's
CSV, answered by GetQueryResults, and announced with an `Athena Query State Change` event. A query
the engine rejects FAILS, with the engine's error as StateChangeReason. ClientRequestToken is
honoured: the same token returns the same query.

Not emulated: partition projection's refusal of a query without a `batch_id` predicate (every
partition is loaded), data-scanned cutoffs, and Athena's exact rendering of timestamps.
"""

from __future__ import annotations

import datetime
import json
import tempfile
import threading
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import boto3
import duckdb
import sqlglot
from moto.athena.models import QueryResults, athena_backends
from moto.athena.responses import AthenaResponse
from sqlglot import exp

from rehearsal.deploy import ACCOUNT

TERMINAL = ("SUCCEEDED", "FAILED", "CANCELLED")


class AthenaEngine:
    def __init__(self, region: str, publish: Callable[[dict[str, Any]], None],
                 log: Callable[[str], None] = print) -> None:
        self.region = region
        self.publish = publish
        self.log = log
        self.started: list[str] = []
        self.reasons: dict[str, str] = {}
        self._tokens: dict[str, str] = {}
        self._lock = threading.Lock()
        self._workers = ThreadPoolExecutor(max_workers=2, thread_name_prefix="athena")
        self._s3 = boto3.client("s3", region_name=region)
        self._glue = boto3.client("glue", region_name=region)
        self._athena = boto3.client("athena", region_name=region)

    @property
    def backend(self) -> Any:
        return athena_backends[ACCOUNT][self.region]

    def install(self) -> None:
        engine = self
        original_start = AthenaResponse.start_query_execution
        original_get = AthenaResponse.get_query_execution

        def start_query_execution(response: AthenaResponse) -> Any:
            token = response._get_param("ClientRequestToken")
            with engine._lock:
                if token and token in engine._tokens:
                    return json.dumps({"QueryExecutionId": engine._tokens[token]})
                answer = original_start(response)
                if not isinstance(answer, str):
                    return answer
                query_id = json.loads(answer)["QueryExecutionId"]
                if token:
                    engine._tokens[token] = query_id
            engine.submit(query_id)
            return answer

        def get_query_execution(response: AthenaResponse) -> str:
            answer = json.loads(original_get(response))
            execution = answer["QueryExecution"]
            reason = engine.reasons.get(execution["QueryExecutionId"])
            if reason:
                execution["Status"]["StateChangeReason"] = reason
                execution["Status"]["AthenaError"] = {"ErrorCategory": 2, "ErrorMessage": reason}
            return json.dumps(answer)

        AthenaResponse.start_query_execution = start_query_execution  # type: ignore[method-assign]
        AthenaResponse.get_query_execution = get_query_execution  # type: ignore[method-assign]

    def close(self) -> None:
        self._workers.shutdown(wait=True, cancel_futures=True)

    def submit(self, query_id: str) -> None:
        execution = self.backend.executions[query_id]
        execution.advance = lambda: None  # the engine, not moto's timer, moves the state
        execution.status = "RUNNING"
        self.started.append(query_id)
        self.log(f"athena: query {query_id} RUNNING")
        self._workers.submit(self._run, query_id)

    def _run(self, query_id: str) -> None:
        execution = self.backend.executions[query_id]
        workgroup = execution.workgroup.name if execution.workgroup else "primary"
        try:
            header, rows = self.execute(execution.query, execution.execution_parameters or [])
            output = self._output_location(execution, workgroup, query_id)
            self._write_result(output, header, rows)
            self.backend.query_results[query_id] = QueryResults(
                rows=[_row(header)] + [_row(r) for r in rows],
                column_info=[{"Name": h, "Label": h, "Type": "varchar"} for h in header])
            execution.config = {**(execution.config or {}), "OutputLocation": output}
            state = "SUCCEEDED"
            self.log(f"athena: query {query_id} SUCCEEDED ({len(rows)} rows) -> {output}")
        except Exception as error:  # the engine's refusal is the query's failure
            self.reasons[query_id] = _reason(error)
            state = "FAILED"
            self.log(f"athena: query {query_id} FAILED: {self.reasons[query_id]}")
        execution.end_time = datetime.datetime.now().timestamp()
        execution.status = state
        self.publish({
            "version": "0", "id": str(uuid.uuid4()), "detail-type": "Athena Query State Change",
            "source": "aws.athena", "account": ACCOUNT,
            "time": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "region": self.region, "resources": [],
            "detail": {"currentState": state, "previousState": "RUNNING", "queryExecutionId": query_id,
                       "sequenceNumber": "3", "statementType": "DML", "versionId": "0",
                       "workgroupName": workgroup},
        })

    def execute(self, sql: str, parameters: list[str]) -> tuple[list[str], list[list[Any]]]:
        """Run Athena SQL (with `?` bound to `parameters`) in DuckDB; return header and rows."""
        tree = sqlglot.parse_one(sql, read="athena")
        placeholders = list(tree.find_all(exp.Placeholder))
        if len(placeholders) != len(parameters):
            raise ValueError(f"the query has {len(placeholders)} parameters but {len(parameters)} values were given")
        for placeholder, value in zip(placeholders, parameters, strict=True):
            placeholder.replace(sqlglot.parse_one(value, read="athena"))
        with tempfile.TemporaryDirectory(prefix="athena-") as scratch, duckdb.connect() as db:
            for table in {(t.db, t.name) for t in tree.find_all(exp.Table) if t.db}:
                self._load_table(db, Path(scratch), *table)
            result = db.execute(tree.sql(dialect="duckdb"))
            header = [column[0] for column in result.description]
            return header, [list(row) for row in result.fetchall()]

    def _load_table(self, db: duckdb.DuckDBPyConnection, scratch: Path, database: str, name: str) -> None:
        table = self._glue.get_table(DatabaseName=database, Name=name)["Table"]
        storage = table["StorageDescriptor"]
        columns = {c["Name"]: _duckdb_type(c["Type"]) for c in storage["Columns"]}
        partitions = [k["Name"] for k in table.get("PartitionKeys", [])]
        delimiter = storage["SerdeInfo"]["Parameters"].get("field.delim", ",")
        skip = int(table.get("Parameters", {}).get("skip.header.line.count", "0"))
        bucket, _, prefix = storage["Location"].removeprefix("s3://").partition("/")
        folder = scratch / database / name
        files = []
        for page in self._s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
            for item in page.get("Contents", []):
                target = folder / item["Key"][len(prefix):]
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(self._s3.get_object(Bucket=bucket, Key=item["Key"])["Body"].read())
                files.append(target)
        db.execute(f'CREATE SCHEMA IF NOT EXISTS "{database}"')
        schema = ", ".join(f'"{c}" {t}' for c, t in {**columns, **{p: "VARCHAR" for p in partitions}}.items())
        db.execute(f'CREATE TABLE "{database}"."{name}" ({schema})')
        if files:
            select = ", ".join(f'"{c}"' for c in [*columns, *partitions])
            db.execute(
                f'INSERT INTO "{database}"."{name}" SELECT {select} FROM read_csv(?, delim = ?, header = false, '
                f"skip = ?, columns = ?, hive_partitioning = true, hive_types_autocast = false)",
                [[str(f) for f in files], delimiter, skip, columns])

    def _output_location(self, execution: Any, workgroup: str, query_id: str) -> str:
        configured = (execution.config or {}).get("OutputLocation")
        if not configured:
            group = self._athena.get_work_group(WorkGroup=workgroup)["WorkGroup"]
            configured = group["Configuration"]["ResultConfiguration"]["OutputLocation"]
        return configured if configured.endswith(".csv") else f"{configured.rstrip('/')}/{query_id}.csv"

    def _write_result(self, location: str, header: list[str], rows: list[list[Any]]) -> None:
        """Athena's CSV: every value quoted, NULL as an empty field, header first."""
        def line(values: list[Any]) -> str:
            return ",".join("" if v is None else '"' + _text(v).replace('"', '""') + '"' for v in values)

        body = "".join(line(values) + "\n" for values in [header, *rows])
        bucket, _, key = location.removeprefix("s3://").partition("/")
        self._s3.put_object(Bucket=bucket, Key=key, Body=body.encode())


def _text(value: Any) -> str:
    if isinstance(value, datetime.datetime):
        return value.isoformat(sep=" ", timespec="milliseconds")
    return str(value)


def _row(values: list[Any]) -> dict[str, Any]:
    return {"Data": [{} if v is None else {"VarCharValue": _text(v)} for v in values]}


def _duckdb_type(athena_type: str) -> str:
    return exp.DataType.build(athena_type, dialect="hive").sql(dialect="duckdb")


def _reason(error: Exception) -> str:
    if isinstance(error, sqlglot.errors.ParseError):
        return "SYNTAX_ERROR: " + "; ".join(e["description"] for e in error.errors)
    return f"{type(error).__name__}: {error}".strip()
