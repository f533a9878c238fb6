"""The rehearsal deploys the real program into moto: every resource, the exact ASL, nothing dropped."""

import json

import boto3
import pulumi
import pytest
from moto import mock_aws

from asl.triggers import athena_query_finished, connector_file_events
from rehearsal import moto_fixes
from rehearsal.deploy import MotoDeployment, deploy
from tests.pulumi_harness import config_from_stack_file, run_program

REGION = "ap-northeast-1"


@pytest.fixture(scope="module")
def deployed():
    moto_fixes.apply()
    with mock_aws(config=moto_fixes.MOTO_CONFIG):
        result = deploy("dev", {})
        sfn = boto3.client("stepfunctions", region_name=REGION)
        events = boto3.client("events", region_name=REGION)
        glue = boto3.client("glue", region_name=REGION)
        yield {
            "result": result,
            "machines": {m["name"]: json.loads(sfn.describe_state_machine(stateMachineArn=m["stateMachineArn"])["definition"])
                         for m in sfn.list_state_machines()["stateMachines"]},
            "rules": {r["Name"]: json.loads(r["EventPattern"]) for r in events.list_rules()["Rules"]},
            "table": glue.get_table(DatabaseName="transfer_digest_dev", Name="daily_batches")["Table"],
        }


def test_every_registered_resource_is_created_and_none_is_dropped(deployed):
    recorded = run_program(config_from_stack_file("dev")).resources.resources
    custom = sorted((r.type, r.name) for r in recorded if not r.type.startswith("transfer-digest:"))
    assert sorted(deployed["result"].created) == custom
    assert deployed["result"].not_emulated == []


def test_the_state_machines_hold_the_programs_asl(deployed):
    outputs = deployed["result"].outputs
    machines = deployed["machines"]
    assert set(machines) == {"launcher-machine-rehearsal", "tracker-machine-rehearsal", "notifier-machine-rehearsal"}
    launcher = machines["launcher-machine-rehearsal"]
    start = launcher["States"]["Start the transfers"]["ItemProcessor"]["States"]["Start a transfer of up to ten files"]
    assert f"/{outputs['landingBucket']}/receive/batch_id=" in start["Arguments"]["LocalDirectoryPath"]
    register = launcher["States"]["Register the batch"]["Arguments"]
    assert register["TableName"] == outputs["ledgerTable"]


def test_the_rules_carry_the_programs_patterns(deployed):
    assert sorted(deployed["rules"].values(), key=json.dumps) == sorted(
        [connector_file_events("c-0123456789abcdef0"), athena_query_finished("transfer-digest-dev")], key=json.dumps)


def test_the_glue_table_is_the_configured_one(deployed):
    table = deployed["table"]
    assert [c["Name"] for c in table["StorageDescriptor"]["Columns"]] == ["seq", "hash", "created_at"]
    assert table["Parameters"]["projection.batch_id.type"] == "injected"


def test_a_resource_type_without_emulation_is_listed_not_dropped():
    engine = MotoDeployment(REGION)
    args = pulumi.runtime.MockResourceArgs(typ="aws:ec2/vpc:Vpc", name="network", inputs={"cidrBlock": "10.0.0.0/16"},
                                           provider="", resource_id="", custom=True)
    engine.new_resource(args)
    assert engine.not_emulated == [("aws:ec2/vpc:Vpc", "network")]
    assert engine.created == []
