"""The three definitions as the dev stack deploys them, built from the pure asl/ functions."""

from asl import Deployment, LaunchSettings, launcher_definition, notifier_definition, tracker_definition

DEPLOYMENT = Deployment(
    stack="dev",
    table="ledger",
    topic_arn="arn:aws:sns:ap-northeast-1:123456789012:digest",
    workgroup="transfer-digest-dev",
    connector_id="c-0123456789abcdef0",
    batch_query='SELECT COUNT(*) AS DataCount FROM (SELECT * FROM "db"."t" WHERE batch_id = ?)',
    retention_days=30,
)
LAUNCH = LaunchSettings(
    landing_bucket="landing",
    landing_prefix="receive/",
    timeout_seconds=3600,
    max_files=100,
    transfer_concurrency=4,
    notifier_arn="arn:aws:states:ap-northeast-1:123456789012:stateMachine:notifier",
)


def all_definitions(deployment: Deployment = DEPLOYMENT, launch: LaunchSettings = LAUNCH) -> dict:
    return {
        "launcher": launcher_definition(deployment, launch),
        "tracker": tracker_definition(deployment),
        "notifier": notifier_definition(deployment, max_rows=50),
    }
