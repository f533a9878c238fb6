"""The stack's configuration, read and validated in one place.

Every check raises `ConfigError` naming the key, the bad value and what is expected, so a wrong
`Pulumi.<stack>.yaml` stops `pulumi preview` before anything is planned.
"""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import sqlglot
import sqlglot.errors

NAMESPACE = "transfer-digest"
TABLE_PLACEHOLDER = "{table}"
PARTITION_COLUMN = "batch_id"

_CONNECTOR_ID = re.compile(r"^c-[0-9a-f]{17}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$")
_BUCKET = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
_PREFIX = re.compile(r"^[A-Za-z0-9!_.*'()/-]*/$")
_GLUE_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,127}$")
_COLUMN_TYPE = re.compile(
    r"^(boolean|tinyint|smallint|int|integer|bigint|float|double|string|date|timestamp"
    r"|decimal\(\d{1,2},\s*\d{1,2}\)|varchar\(\d{1,5}\)|char\(\d{1,3}\))$"
)
FORMATS = {"tsv": "\t", "csv": ","}


class ConfigError(ValueError):
    """A configuration value that cannot work; the message says which key and how to fix it."""

    def __init__(self, key: str, value: Any, expected: str) -> None:
        super().__init__(
            f"{NAMESPACE}:{key} = {value!r} is invalid: {expected}. "
            f"Fix it with `pulumi config set {NAMESPACE}:{key} ...` (or --path for structured values)."
        )
        self.key = key


@dataclass(frozen=True)
class Column:
    name: str
    type: str


@dataclass(frozen=True)
class TableSettings:
    database: str
    name: str
    format: str
    skip_header_rows: int
    columns: tuple[Column, ...]

    @property
    def delimiter(self) -> str:
        return FORMATS[self.format]


@dataclass(frozen=True)
class Settings:
    stack: str
    connector_id: str
    notification_emails: tuple[str, ...]
    landing_bucket: str | None
    landing_prefix: str
    table: TableSettings
    query: str
    batch_timeout_minutes: int
    retention_days: int
    max_files_per_batch: int
    max_result_rows: int
    transfer_concurrency: int
    bytes_scanned_cutoff_mb: int


DEFAULT_COLUMNS = (
    {"name": "seq", "type": "int"},
    {"name": "hash", "type": "string"},
    {"name": "created_at", "type": "timestamp"},
)
DEFAULT_QUERY = "SELECT COUNT(*) AS DataCount FROM {table}"


def parse(raw: Mapping[str, Any], stack: str) -> Settings:
    """Validate raw config values (as `pulumi.Config` returns them) into `Settings`."""
    connector_id = _required(raw, "connectorId")
    if not isinstance(connector_id, str) or not _CONNECTOR_ID.match(connector_id):
        raise ConfigError("connectorId", connector_id, "expected 'c-' followed by 17 lowercase hex digits, e.g. c-0123456789abcdef0")

    emails = _required(raw, "notificationEmails")
    if not isinstance(emails, list) or not emails:
        raise ConfigError("notificationEmails", emails, "expected a non-empty list of email addresses")
    for email in emails:
        if not isinstance(email, str) or not _EMAIL.match(email):
            raise ConfigError("notificationEmails", email, "expected an email address such as ops@example.com")
    if len(set(emails)) != len(emails):
        raise ConfigError("notificationEmails", emails, "list each address once")

    bucket = raw.get("landingBucket")
    if bucket is not None and (not isinstance(bucket, str) or not _BUCKET.match(bucket) or ".." in bucket):
        raise ConfigError("landingBucket", bucket, "expected an existing S3 bucket name (3-63 lowercase letters, digits, dots, hyphens), or leave it unset to create one")

    prefix = raw.get("landingPrefix", "receive/")
    if not isinstance(prefix, str) or prefix.startswith("/") or not _PREFIX.match(prefix):
        raise ConfigError("landingPrefix", prefix, "expected a key prefix ending in '/', without a leading '/', e.g. receive/")

    table = _table(raw.get("table") or {}, stack)
    query = _query(raw.get("query", DEFAULT_QUERY))

    return Settings(
        stack=stack,
        connector_id=connector_id,
        notification_emails=tuple(emails),
        landing_bucket=bucket,
        landing_prefix=prefix,
        table=table,
        query=query,
        batch_timeout_minutes=_int(raw, "batchTimeoutMinutes", 60, 1, 24 * 60),
        retention_days=_int(raw, "retentionDays", 30, 1, 3650),
        max_files_per_batch=_int(raw, "maxFilesPerBatch", 100, 1, 1000),
        max_result_rows=_int(raw, "maxResultRows", 50, 1, 999),
        transfer_concurrency=_int(raw, "transferConcurrency", 4, 1, 20),
        bytes_scanned_cutoff_mb=_int(raw, "bytesScannedCutoffMb", 1024, 10, 10_000_000),
    )


def _required(raw: Mapping[str, Any], key: str) -> Any:
    if raw.get(key) in (None, ""):
        raise ConfigError(key, raw.get(key), "this key is required")
    return raw[key]


def _int(raw: Mapping[str, Any], key: str, default: int, low: int, high: int) -> int:
    value = raw.get(key, default)
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ConfigError(key, value, f"expected a whole number from {low} to {high}")
    return value


def _table(raw: Any, stack: str) -> TableSettings:
    if not isinstance(raw, Mapping):
        raise ConfigError("table", raw, "expected an object with database, name, format, skipHeaderRows, columns")
    unknown = set(raw) - {"database", "name", "format", "skipHeaderRows", "columns"}
    if unknown:
        raise ConfigError("table", sorted(unknown), "unknown keys; allowed: database, name, format, skipHeaderRows, columns")
    database = raw.get("database", f"transfer_digest_{stack}".replace("-", "_").lower())
    name = raw.get("name", "batch_files")
    for key, value in (("table.database", database), ("table.name", name)):
        if not isinstance(value, str) or not _GLUE_NAME.match(value):
            raise ConfigError(key, value, "expected a lowercase Glue name: letters, digits and underscores, starting with a letter or underscore")
    fmt = raw.get("format", "tsv")
    if fmt not in FORMATS:
        raise ConfigError("table.format", fmt, f"expected one of {', '.join(sorted(FORMATS))}")
    skip = raw.get("skipHeaderRows", 0)
    if isinstance(skip, bool) or not isinstance(skip, int) or not 0 <= skip <= 10:
        raise ConfigError("table.skipHeaderRows", skip, "expected a whole number from 0 to 10")
    columns_raw = raw.get("columns", list(DEFAULT_COLUMNS))
    if not isinstance(columns_raw, list) or not columns_raw:
        raise ConfigError("table.columns", columns_raw, "expected a non-empty list of {name, type}")
    columns = []
    for index, column in enumerate(columns_raw):
        key = f"table.columns[{index}]"
        if not isinstance(column, Mapping) or set(column) != {"name", "type"}:
            raise ConfigError(key, column, "expected an object with exactly 'name' and 'type'")
        if not isinstance(column["name"], str) or not _GLUE_NAME.match(column["name"]):
            raise ConfigError(f"{key}.name", column["name"], "expected a lowercase column name: letters, digits, underscores")
        if column["name"] == PARTITION_COLUMN:
            raise ConfigError(f"{key}.name", column["name"], f"'{PARTITION_COLUMN}' is the partition column the pipeline adds; rename the column")
        col_type = column["type"].lower().strip() if isinstance(column["type"], str) else column["type"]
        if not isinstance(col_type, str) or not _COLUMN_TYPE.match(col_type):
            raise ConfigError(f"{key}.type", column["type"], "expected an Athena type: boolean, tinyint, smallint, int, bigint, float, double, decimal(p,s), string, varchar(n), char(n), date or timestamp")
        columns.append(Column(column["name"], col_type))
    names = [c.name for c in columns]
    if len(set(names)) != len(names):
        raise ConfigError("table.columns", names, "column names must be unique")
    return TableSettings(database, name, fmt, skip, tuple(columns))


def _query(query: Any) -> str:
    if not isinstance(query, str) or TABLE_PLACEHOLDER not in query:
        raise ConfigError("query", query, "expected SQL that reads the batch through {table}, e.g. SELECT COUNT(*) AS DataCount FROM {table}")
    if "?" in query:
        raise ConfigError("query", query, "'?' is reserved for the batch id parameter; write literals instead")
    probe = query.replace(TABLE_PLACEHOLDER, "batch_rows")
    try:
        statements = sqlglot.parse(probe, read="athena")
    except sqlglot.errors.ParseError as error:
        reason = "; ".join(f"{e['description']} at line {e['line']}, column {e['col']}" for e in error.errors)
        raise ConfigError("query", query, f"expected one Athena SELECT statement; the SQL does not parse: {reason}") from None
    if len(statements) != 1 or not isinstance(statements[0], sqlglot.exp.Query):
        raise ConfigError("query", query, "expected exactly one SELECT statement")
    return query.strip().rstrip(";")


def batch_query(settings: Settings) -> str:
    """The configured query with `{table}` scoped to one batch's partition (bound as `?`)."""
    table = settings.table
    scoped = f'(SELECT * FROM "{table.database}"."{table.name}" WHERE {PARTITION_COLUMN} = ?)'
    return settings.query.replace(TABLE_PLACEHOLDER, scoped)


TEXT_KEYS = ("connectorId", "landingBucket", "landingPrefix", "query")
NUMBER_KEYS = ("batchTimeoutMinutes", "retentionDays", "maxFilesPerBatch", "maxResultRows",
               "transferConcurrency", "bytesScannedCutoffMb")
STRUCTURED_KEYS = ("notificationEmails", "table")


def load() -> Settings:
    """Read the stack's config through Pulumi (the only place that does)."""
    import pulumi

    config = pulumi.Config(NAMESPACE)
    raw: dict[str, Any] = {}
    for key in TEXT_KEYS + NUMBER_KEYS + STRUCTURED_KEYS:
        value = config.get(key)
        if value is None:
            continue
        raw[key] = value
        if key in STRUCTURED_KEYS:
            with contextlib.suppress(json.JSONDecodeError):  # parse() names the key and the shape it expects
                raw[key] = json.loads(value)
    return parse(raw, pulumi.get_stack())
