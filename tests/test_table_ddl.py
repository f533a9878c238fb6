"""The operators' DDL and the Glue table the stack manages describe the same table."""

import pytest
import sqlglot
from sqlglot import exp

import settings
from components.query_engine import create_table_ddl
from tests.pulumi_harness import config_from_stack_file, run_program

WIDE = {"transfer-digest:connectorId": "c-0123456789abcdef0",
        "transfer-digest:notificationEmails": ["ops@example.com"],
        "transfer-digest:table": {"format": "csv", "skipHeaderRows": 1, "columns": [
            {"name": "order_id", "type": "bigint"}, {"name": "amount", "type": "decimal(10,2)"},
            {"name": "note", "type": "varchar(200)"}, {"name": "day", "type": "date"}]}}


def ddl_columns(ddl):
    create = sqlglot.parse_one(ddl, read="hive")
    schema = create.this
    return [(c.name, c.args["kind"].sql(dialect="hive").lower()) for c in schema.expressions
            if isinstance(c, exp.ColumnDef)]


@pytest.mark.parametrize("config", [config_from_stack_file("dev"), WIDE], ids=["dev", "csv-with-header"])
def test_ddl_and_glue_table_agree_column_by_column(config):
    run = run_program(config)
    glue = run.resources.one("aws:glue/catalogTable:CatalogTable").inputs
    ddl = run.resources.one("aws:athena/namedQuery:NamedQuery").inputs["query"]
    glue_columns = [(c["name"], c["type"].replace(" ", "")) for c in glue["storageDescriptor"]["columns"]]
    assert [(n, t.replace(" ", "")) for n, t in ddl_columns(ddl)] == glue_columns
    assert [k["name"] for k in glue["partitionKeys"]] == ["batch_id"]
    assert "PARTITIONED BY (`batch_id` string)" in ddl
    for key, value in glue["parameters"].items():
        if key != "EXTERNAL":
            assert f"'{key}'='{value}'" in ddl
    assert f"LOCATION '{glue['storageDescriptor']['location']}'" in ddl
    delimiter = glue["storageDescriptor"]["serDeInfo"]["parameters"]["field.delim"]
    assert f"FIELDS TERMINATED BY '{delimiter.encode('unicode_escape').decode()}'" in ddl


def test_the_ddl_is_valid_hive_sql_with_the_configured_types():
    table = settings.parse({"connectorId": "c-0123456789abcdef0", "notificationEmails": ["a@b.co"]}, "dev").table
    ddl = create_table_ddl(table, "s3://landing/receive/")
    assert ddl_columns(ddl) == [("seq", "int"), ("hash", "string"), ("created_at", "timestamp")]
    assert "'storage.location.template'='s3://landing/receive/batch_id=${batch_id}/'" in ddl
    assert "'projection.batch_id.type'='injected'" in ddl
