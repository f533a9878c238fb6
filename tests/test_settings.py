"""Every bad configuration stops the program with a message naming the key, the value and the fix."""

import pytest

import settings
from settings import ConfigError
from tests.pulumi_harness import Recorder, config_from_stack_file, run_program

VALID = {"connectorId": "c-0123456789abcdef0", "notificationEmails": ["ops@example.com"]}


def parse(**overrides):
    raw = {**VALID, **overrides}
    return settings.parse({k: v for k, v in raw.items() if v is not None}, stack="dev")


def test_defaults_follow_the_seed():
    s = parse()
    assert s.landing_bucket is None and s.landing_prefix == "receive/"
    assert (s.table.format, s.table.skip_header_rows) == ("tsv", 0)
    assert [(c.name, c.type) for c in s.table.columns] == [("seq", "int"), ("hash", "string"), ("created_at", "timestamp")]
    assert s.query == "SELECT COUNT(*) AS DataCount FROM {table}"
    assert (s.batch_timeout_minutes, s.retention_days) == (60, 30)


def test_the_batch_query_reads_only_the_batch_partition():
    s = parse(table={"database": "db", "name": "files"}, query="SELECT a FROM {table} UNION ALL SELECT a FROM {table}")
    assert settings.batch_query(s) == (
        'SELECT a FROM (SELECT * FROM "db"."files" WHERE batch_id = ?) '
        'UNION ALL SELECT a FROM (SELECT * FROM "db"."files" WHERE batch_id = ?)')


def test_numbers_given_as_strings_on_the_command_line_are_accepted():
    assert parse(batchTimeoutMinutes="15").batch_timeout_minutes == 15


@pytest.mark.parametrize(("overrides", "key", "says"), [
    ({"connectorId": None}, "connectorId", "this key is required"),
    ({"connectorId": "c-123"}, "connectorId", "'c-' followed by 17 lowercase hex digits"),
    ({"connectorId": "s-0123456789abcdef0"}, "connectorId", "'c-' followed by 17"),
    ({"notificationEmails": None}, "notificationEmails", "required"),
    ({"notificationEmails": []}, "notificationEmails", "non-empty list"),
    ({"notificationEmails": "ops@example.com"}, "notificationEmails", "non-empty list"),
    ({"notificationEmails": ["ops@example"]}, "notificationEmails", "an email address"),
    ({"notificationEmails": ["a@example.com", "a@example.com"]}, "notificationEmails", "once"),
    ({"landingBucket": "My_Bucket"}, "landingBucket", "existing S3 bucket name"),
    ({"landingPrefix": "/receive/"}, "landingPrefix", "without a leading '/'"),
    ({"landingPrefix": "receive"}, "landingPrefix", "ending in '/'"),
    ({"table": {"columns": []}}, "table.columns", "non-empty list"),
    ({"table": {"columns": [{"name": "seq", "type": "integer64"}]}}, "table.columns[0].type", "an Athena type"),
    ({"table": {"columns": [{"name": "Seq", "type": "int"}]}}, "table.columns[0].name", "lowercase column name"),
    ({"table": {"columns": [{"name": "batch_id", "type": "string"}]}}, "table.columns[0].name", "partition column"),
    ({"table": {"columns": [{"name": "a", "type": "int"}, {"name": "a", "type": "int"}]}}, "table.columns", "unique"),
    ({"table": {"columns": [{"name": "a"}]}}, "table.columns[0]", "exactly 'name' and 'type'"),
    ({"table": {"format": "parquet"}}, "table.format", "csv, tsv"),
    ({"table": {"skipHeaderRows": -1}}, "table.skipHeaderRows", "0 to 10"),
    ({"table": {"database": "my-db"}}, "table.database", "lowercase Glue name"),
    ({"table": {"colums": []}}, "table", "unknown keys"),
    ({"query": "SELECT COUNT(*) FROM sample_table"}, "query", "reads the batch through {table}"),
    ({"query": "SELEC COUNT(*) FRM {table}"}, "query", "does not parse"),
    ({"query": "SELECT 1 FROM {table}; SELECT 2 FROM {table}"}, "query", "exactly one SELECT"),
    ({"query": "SELECT * FROM {table} WHERE seq = ?"}, "query", "'?' is reserved"),
    ({"batchTimeoutMinutes": 0}, "batchTimeoutMinutes", "from 1 to 1440"),
    ({"retentionDays": "forever"}, "retentionDays", "whole number"),
    ({"maxFilesPerBatch": 1001}, "maxFilesPerBatch", "from 1 to 1000"),
    ({"transferConcurrency": True}, "transferConcurrency", "whole number"),
])
def test_each_invalid_value_names_its_key_value_and_fix(overrides, key, says):
    with pytest.raises(ConfigError) as raised:
        parse(**overrides)
    message = str(raised.value)
    assert raised.value.key == key
    assert message.startswith(f"transfer-digest:{key} = ")
    assert says in message
    assert "pulumi config set" in message


def test_bad_config_stops_the_program_before_any_resource_is_registered():
    config = {f"transfer-digest:{k}": v for k, v in VALID.items()}
    config["transfer-digest:connectorId"] = "c-nope"
    recorder = Recorder()
    with pytest.raises(ConfigError, match=r"transfer-digest:connectorId = 'c-nope' is invalid"):
        run_program(config, recorder=recorder)
    assert recorder.resources == []


def test_the_dev_stack_file_is_valid():
    raw = {k.split(":", 1)[1]: v for k, v in config_from_stack_file("dev").items() if k.startswith("transfer-digest:")}
    assert settings.parse(raw, "dev").table.name == "daily_batches"


def test_a_list_given_as_a_plain_string_is_refused_by_name():
    config = {"transfer-digest:connectorId": "c-0123456789abcdef0",
              "transfer-digest:notificationEmails": "ops@example.com"}
    with pytest.raises(ConfigError, match=r"notificationEmails = 'ops@example.com' is invalid: expected a non-empty list"):
        run_program(config)


def test_the_project_file_declares_every_key_the_program_reads():
    import yaml

    from tests.pulumi_harness import ROOT

    declared = set(yaml.safe_load((ROOT / "Pulumi.yaml").read_text())["config"])
    assert declared == set(settings.TEXT_KEYS + settings.NUMBER_KEYS + settings.STRUCTURED_KEYS) - {"table"}


def test_the_project_file_defaults_are_the_programs_defaults():
    import yaml

    from tests.pulumi_harness import ROOT

    declared = yaml.safe_load((ROOT / "Pulumi.yaml").read_text())["config"]
    defaults = parse()
    attribute = {"landingPrefix": "landing_prefix", "query": "query", "batchTimeoutMinutes": "batch_timeout_minutes",
                 "retentionDays": "retention_days", "maxFilesPerBatch": "max_files_per_batch",
                 "maxResultRows": "max_result_rows", "transferConcurrency": "transfer_concurrency",
                 "bytesScannedCutoffMb": "bytes_scanned_cutoff_mb"}
    assert {k for k, v in declared.items() if "default" in v} == set(attribute)
    for key, name in attribute.items():
        assert declared[key]["default"] == getattr(defaults, name), key
