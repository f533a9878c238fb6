"""Query engine: the Glue table over the landed batches, the Athena workgroup and the table's DDL.

The table is partitioned by `batch_id` with partition projection of type `injected`: each batch lands
under `<prefix>batch_id=<id>/`, the batch id reaches the query as an execution parameter, and Athena
reads only that batch's objects. No crawler, no partition maintenance, and a query's cost does not
grow with history.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from settings import PARTITION_COLUMN, TableSettings

TEXT_INPUT_FORMAT = "org.apache.hadoop.mapred.TextInputFormat"
TEXT_OUTPUT_FORMAT = "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat"
LAZY_SIMPLE_SERDE = "org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe"


def table_parameters(table: TableSettings, location: str) -> dict[str, str]:
    return {
        "EXTERNAL": "TRUE",
        "classification": table.format,
        "skip.header.line.count": str(table.skip_header_rows),
        "projection.enabled": "true",
        f"projection.{PARTITION_COLUMN}.type": "injected",
        "storage.location.template": f"{location}{PARTITION_COLUMN}=${{{PARTITION_COLUMN}}}/",
    }


def serde_parameters(table: TableSettings) -> dict[str, str]:
    return {"field.delim": table.delimiter, "serialization.format": table.delimiter}


def create_table_ddl(table: TableSettings, location: str) -> str:
    """The `CREATE EXTERNAL TABLE` equivalent of the Glue table, from the same settings."""
    columns = ",\n".join(f"  `{c.name}` {c.type}" for c in table.columns)
    delimiter = table.delimiter.encode("unicode_escape").decode()
    properties = ",\n".join(f"  '{k}'='{v}'" for k, v in table_parameters(table, location).items() if k != "EXTERNAL")
    return (
        f"CREATE EXTERNAL TABLE IF NOT EXISTS `{table.database}`.`{table.name}` (\n{columns}\n)\n"
        f"PARTITIONED BY (`{PARTITION_COLUMN}` string)\n"
        f"ROW FORMAT DELIMITED FIELDS TERMINATED BY '{delimiter}'\n"
        f"STORED AS INPUTFORMAT '{TEXT_INPUT_FORMAT}' OUTPUTFORMAT '{TEXT_OUTPUT_FORMAT}'\n"
        f"LOCATION '{location}'\n"
        f"TBLPROPERTIES (\n{properties}\n)"
    )


@dataclass(frozen=True)
class QueryEngineArgs:
    table: TableSettings
    workgroup_name: str
    landing_bucket: pulumi.Input[str]
    landing_prefix: str
    results_bucket: pulumi.Input[str]
    bytes_scanned_cutoff_mb: int


class QueryEngine(pulumi.ComponentResource):
    database_name: pulumi.Output[str]
    table_name: pulumi.Output[str]
    workgroup_name: pulumi.Output[str]
    workgroup_arn: pulumi.Output[str]
    ddl: pulumi.Output[str]

    def __init__(self, name: str, args: QueryEngineArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("transfer-digest:query:QueryEngine", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        location = pulumi.Output.concat("s3://", args.landing_bucket, "/", args.landing_prefix)
        database = aws.glue.CatalogDatabase(f"{name}-database", name=args.table.database, opts=child)
        table = aws.glue.CatalogTable(
            f"{name}-table",
            name=args.table.name,
            database_name=database.name,
            table_type="EXTERNAL_TABLE",
            parameters=location.apply(lambda loc: table_parameters(args.table, loc)),
            partition_keys=[{"name": PARTITION_COLUMN, "type": "string"}],
            storage_descriptor={
                "location": location,
                "input_format": TEXT_INPUT_FORMAT,
                "output_format": TEXT_OUTPUT_FORMAT,
                "ser_de_info": {"serialization_library": LAZY_SIMPLE_SERDE, "parameters": serde_parameters(args.table)},
                "columns": [{"name": c.name, "type": c.type} for c in args.table.columns],
            },
            opts=child,
        )
        workgroup = aws.athena.Workgroup(
            f"{name}-workgroup",
            name=args.workgroup_name,
            force_destroy=True,  # the workgroup holds only query history; results live in the results bucket
            configuration={
                "enforce_workgroup_configuration": True,
                "publish_cloudwatch_metrics_enabled": True,
                "bytes_scanned_cutoff_per_query": args.bytes_scanned_cutoff_mb * 1024 * 1024,
                "result_configuration": {
                    "output_location": pulumi.Output.concat("s3://", args.results_bucket, "/athena/"),
                    "encryption_configuration": {"encryption_option": "SSE_S3"},
                },
            },
            opts=child,
        )
        self.ddl = location.apply(lambda loc: create_table_ddl(args.table, loc))
        aws.athena.NamedQuery(
            f"{name}-create-table",
            description="The DDL equivalent of the Glue table this stack manages (for reference or another account)",
            database=database.name,
            workgroup=workgroup.name,
            query=self.ddl,
            opts=child,
        )
        self.database_name, self.table_name = database.name, table.name
        self.workgroup_name, self.workgroup_arn = workgroup.name, workgroup.arn
        self.register_outputs({
            "database_name": self.database_name,
            "table_name": self.table_name,
            "workgroup_name": self.workgroup_name,
            "ddl": self.ddl,
        })
