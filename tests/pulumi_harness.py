"""Run the real Pulumi program under mocks and record what it registers.

Modelled on stelvio's harness: one mocks class that records every resource with its inputs and
answers with plausible outputs (ARNs, names, URLs) so that dependent resources see real shapes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pulumi

from rehearsal import deploy

ROOT = Path(__file__).resolve().parent.parent
ACCOUNT = deploy.ACCOUNT
REGION = "ap-northeast-1"

_ARN_SHAPES = {
    "aws:dynamodb/table:Table": "arn:aws:dynamodb:{region}:{account}:table/{name}",
    "aws:sns/topic:Topic": "arn:aws:sns:{region}:{account}:{name}",
    "aws:kms/key:Key": "arn:aws:kms:{region}:{account}:key/{name}",
    "aws:athena/workgroup:Workgroup": "arn:aws:athena:{region}:{account}:workgroup/{name}",
    "aws:sfn/stateMachine:StateMachine": "arn:aws:states:{region}:{account}:stateMachine:{name}",
    "aws:sqs/queue:Queue": "arn:aws:sqs:{region}:{account}:{name}",
    "aws:iam/role:Role": "arn:aws:iam::{account}:role/{name}",
    "aws:cloudwatch/logGroup:LogGroup": "arn:aws:logs:{region}:{account}:log-group:{name}",
    "aws:cloudwatch/eventRule:EventRule": "arn:aws:events:{region}:{account}:rule/{name}",
    "aws:s3/bucket:Bucket": "arn:aws:s3:::{name}",
}


@dataclass
class Registered:
    type: str
    name: str
    inputs: dict[str, Any]
    outputs: dict[str, Any]


@dataclass
class Recorder(pulumi.runtime.Mocks):
    resources: list[Registered] = field(default_factory=list)

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        physical = args.inputs.get("name") or args.inputs.get("bucket") or f"{args.name}-0a1b2c3"
        outputs = dict(args.inputs)
        outputs.setdefault("name", physical)
        if args.typ == "aws:s3/bucket:Bucket":
            outputs["bucket"] = physical
        if args.typ in _ARN_SHAPES:
            outputs["arn"] = _ARN_SHAPES[args.typ].format(region=REGION, account=ACCOUNT, name=physical)
        if args.typ == "aws:sqs/queue:Queue":
            outputs["url"] = f"https://sqs.{REGION}.amazonaws.com/{ACCOUNT}/{physical}"
        self.resources.append(Registered(args.typ, args.name, dict(args.inputs), outputs))
        return f"{physical}-id", outputs

    def call(self, args: pulumi.runtime.MockCallArgs) -> dict[str, Any]:
        return deploy.aws_invoke(args.token, REGION)

    def of_type(self, typ: str) -> list[Registered]:
        return [r for r in self.resources if r.type == typ]

    def one(self, typ: str, name: str | None = None) -> Registered:
        found = [r for r in self.of_type(typ) if name is None or r.name == name]
        assert len(found) == 1, f"expected one {typ} {name or ''}, found {[r.name for r in found]}"
        return found[0]


@dataclass
class ProgramRun:
    resources: Recorder
    exports: dict[str, Any]


def config_from_stack_file(stack: str) -> dict[str, Any]:
    import yaml

    return yaml.safe_load((ROOT / f"Pulumi.{stack}.yaml").read_text())["config"]


def run_program(config: dict[str, Any], stack: str = "dev", recorder: Recorder | None = None) -> ProgramRun:
    """Run `__main__.py` under recording mocks with `config` (keys as in Pulumi.<stack>.yaml)."""
    recorder = recorder if recorder is not None else Recorder()
    return ProgramRun(recorder, deploy.run_program(recorder, config, stack))
