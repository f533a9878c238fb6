"""transfer-digest: one email per SFTP batch, the moment its last file lands.

  operator ──start──▶ launcher ──StartFileTransfer──▶ SFTP connector ──files──▶ landing bucket
                         │  registers batch + claims files in the ledger, watches the deadline
  connector file event ──EventBridge──▶ tracker ──counts down──▶ ledger ──last file──▶ Athena query
  Athena state change  ──EventBridge──▶ notifier ──result table──▶ SNS topic ──▶ email
"""

import pulumi
import pulumi_aws as aws

import settings
from asl import Deployment, LaunchSettings, launcher_definition, notifier_definition, tracker_definition
from asl.triggers import athena_query_finished, connector_file_events
from components.ledger import BatchLedger, BatchLedgerArgs
from components.notifications import Notifications, NotificationsArgs
from components.policy import PipelineArns
from components.query_engine import QueryEngine, QueryEngineArgs
from components.storage import LandingStorage, LandingStorageArgs
from components.trigger import EventTrigger, EventTriggerArgs
from components.workflow import Workflow, WorkflowArgs

config = settings.load()
stack = pulumi.get_stack()
account_id = aws.get_caller_identity().account_id
partition = aws.get_partition().partition
region = aws.get_region().region
workgroup = f"transfer-digest-{stack}"

storage = LandingStorage("storage", LandingStorageArgs(config.landing_bucket, config.retention_days, partition))
ledger = BatchLedger("ledger", BatchLedgerArgs())
notifications = Notifications("notifications", NotificationsArgs(config.notification_emails, account_id, partition))
queries = QueryEngine("queries", QueryEngineArgs(
    table=config.table,
    workgroup_name=workgroup,
    landing_bucket=storage.landing_bucket,
    landing_prefix=config.landing_prefix,
    results_bucket=storage.results_bucket,
    bytes_scanned_cutoff_mb=config.bytes_scanned_cutoff_mb,
))

deployment = pulumi.Output.all(ledger.table_name, notifications.topic_arn).apply(lambda names: Deployment(
    stack=stack,
    table=names[0],
    topic_arn=names[1],
    workgroup=workgroup,
    connector_id=config.connector_id,
    batch_query=settings.batch_query(config),
    retention_days=config.retention_days,
))
glue = f"arn:{partition}:glue:{region}:{account_id}"
arns = pulumi.Output.all(
    ledger.table_arn, notifications.topic_arn, notifications.key_arn, queries.workgroup_arn,
    storage.landing_bucket_arn, storage.results_bucket_arn,
).apply(lambda a: PipelineArns(
    table=a[0], topic=a[1], topic_key=a[2], workgroup=a[3], landing_bucket=a[4], results_bucket=a[5],
    landing_prefix=config.landing_prefix,
    connector=f"arn:{partition}:transfer:{region}:{account_id}:connector/{config.connector_id}",
    glue_catalog=f"{glue}:catalog",
    glue_database=f"{glue}:database/{config.table.database}",
    glue_table=f"{glue}:table/{config.table.database}/{config.table.name}",
))


def workflow(name: str, definition: pulumi.Output, machine_arns: pulumi.Output) -> Workflow:
    return Workflow(name, WorkflowArgs(definition, machine_arns, account_id, config.retention_days))


notifier = workflow("notifier", deployment.apply(lambda d: notifier_definition(d, max_rows=config.max_result_rows)), arns)
tracker = workflow("tracker", deployment.apply(tracker_definition), arns)
launcher = workflow(
    "launcher",
    pulumi.Output.all(deployment, storage.landing_bucket, notifier.state_machine_arn).apply(
        lambda r: launcher_definition(r[0], LaunchSettings(
            landing_bucket=r[1],
            landing_prefix=config.landing_prefix,
            timeout_seconds=config.batch_timeout_minutes * 60,
            max_files=config.max_files_per_batch,
            transfer_concurrency=config.transfer_concurrency,
            notifier_arn=r[2],
        ))),
    pulumi.Output.all(arns, notifier.state_machine_arn).apply(lambda r: r[0].with_notifier(r[1])),
)

EventTrigger("file-events", EventTriggerArgs(
    "SFTP connector per-file retrieve outcomes -> tracker",
    connector_file_events(config.connector_id), tracker.state_machine_arn, account_id))
EventTrigger("query-events", EventTriggerArgs(
    "Athena query finished in this stack's workgroup -> notifier",
    athena_query_finished(workgroup), notifier.state_machine_arn, account_id))

pulumi.export("launcherArn", launcher.state_machine_arn)
pulumi.export("trackerArn", tracker.state_machine_arn)
pulumi.export("notifierArn", notifier.state_machine_arn)
pulumi.export("ledgerTable", ledger.table_name)
pulumi.export("topicArn", notifications.topic_arn)
pulumi.export("workgroup", queries.workgroup_name)
pulumi.export("database", queries.database_name)
pulumi.export("table", queries.table_name)
pulumi.export("landingBucket", storage.landing_bucket)
pulumi.export("landingPrefix", config.landing_prefix)
pulumi.export("resultsBucket", storage.results_bucket)
pulumi.export("startBatchExample", pulumi.Output.format(
    "aws stepfunctions start-execution --state-machine-arn {0} "
    "--input '{{\"files\": [\"/home/sftpuser/sec1.csv\", \"/home/sftpuser/sec2.csv\"]}}'",
    launcher.state_machine_arn))
