"""Where moto's Step Functions interpreter differs from AWS, and how the rehearsal closes the gap.

Every difference is fixed here, never in the deployed ASL. `apply()` is idempotent.

1. JSONata is not wired in: moto's interpreter parses JSONata states but its evaluator is a stub
   (upstream it is a JVM bridge). We plug in `jsonata-python`, a pure-Python port of the reference
   implementation, as the evaluator.
2. String variables are spliced into JSONata as `"<value>"` without escaping, so a value holding a
   quote, a backslash or a newline (an email body, an error message) breaks the expression. We encode
   every variable as JSON.
3. moto's DynamoDB is not safe under concurrent executions: two threads updating one item lose an
   `ADD` (seen as a batch stuck at `remaining = 1` with every file LANDED). DynamoDB makes each
   write and each transaction atomic; we serialise moto's item operations with one lock.
4. The optimized `states:startExecution` integration takes `StateMachineArn`, `Input`, `Name` (as AWS
   documents) but moto hands them to boto3 unchanged, whose API spells them `stateMachineArn`,
   `input`, `name`. We translate them.
5. SDK responses keep boto3's `datetime` objects, where Step Functions hands the state machine
   ISO-8601 strings (e.g. `startDate`, `Status.SubmissionDateTime`). We convert them.
6. moto's JSONata `$partition` miscounts its chunks: 25 items in tens give [10, 10, 5, 0, 0, 0, 0].
   We replace it with a definition that gives [10, 10, 5], as Step Functions does.
7. moto's S3 bucket policies ignore conditions, and a statement whose condition is not met counts as
   a Deny; the TLS-only statement (Deny when `aws:SecureTransport` is false) then forbids every
   request. The emulator's requests stand for HTTPS ones, so that statement never applies to them:
   we evaluate the bucket policy without it.
"""

from __future__ import annotations

import datetime
import functools
import json
import threading
from typing import Any

import jsonata
from moto.dynamodb.models import DynamoDBBackend
from moto.s3.models import FakeBucket
from moto.stepfunctions.parser.asl.component.intrinsic import jsonata as _intrinsics
from moto.stepfunctions.parser.asl.component.state.exec.state_task.service import (
    state_task_service_aws_sdk,
    state_task_service_dynamodb,
    state_task_service_sfn,
    state_task_service_sns,
)
from moto.stepfunctions.parser.asl.component.state.exec.state_task.service.state_task_service_sfn import (
    StateTaskServiceSfn,
)
from moto.stepfunctions.parser.asl.eval import states as _states
from moto.stepfunctions.parser.asl.eval import variable_store as _variable_store
from moto.stepfunctions.parser.asl.jsonata import jsonata as _jsonata
from moto.stepfunctions.parser.asl.utils.encoding import to_json_str

MOTO_CONFIG = {"stepfunctions": {"execute_state_machine": True}}


def _evaluate(expression: str) -> Any:
    return jsonata.Jsonata(expression).evaluate(None)


def _encode_declarations(bindings: dict[str, Any]) -> str:
    return "".join(f"{name}:={to_json_str(value, separators=(',', ':'))};" for name, value in bindings.items())


_ITEM_OPERATIONS = ("put_item", "update_item", "delete_item", "get_item", "transact_write_items",
                    "transact_get_items", "batch_write_item", "scan", "query")
_dynamodb_lock = threading.RLock()


def _serialised(method):  # type: ignore[no-untyped-def]
    @functools.wraps(method)
    def locked(*args, **kwargs):  # type: ignore[no-untyped-def]
        with _dynamodb_lock:
            return method(*args, **kwargs)

    locked.__serialised__ = True  # type: ignore[attr-defined]
    return locked


_original_sfn_normalise = StateTaskServiceSfn._normalise_parameters


def _sfn_parameters_as_boto_spells_them(self, parameters, boto_service_name=None, service_action_name=None):  # type: ignore[no-untyped-def]
    _original_sfn_normalise(self, parameters, boto_service_name, service_action_name)
    if self._get_boto_service_action(service_action_name) == "start_execution":
        for key in [k for k in parameters if k[:1].isupper()]:
            parameters[key[0].lower() + key[1:]] = parameters.pop(key)


def _iso_timestamps(value: Any) -> Any:
    if isinstance(value, datetime.datetime):
        return value.astimezone(datetime.UTC).isoformat().replace("+00:00", "Z")
    if isinstance(value, dict):
        return {k: _iso_timestamps(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_iso_timestamps(v) for v in value]
    return value


def _with_iso_timestamps(method):  # type: ignore[no-untyped-def]
    @functools.wraps(method)
    def evaluate(self, env, *args, **kwargs):  # type: ignore[no-untyped-def]
        method(self, env, *args, **kwargs)
        env.stack.append(_iso_timestamps(env.stack.pop()))

    evaluate.__iso__ = True  # type: ignore[attr-defined]
    return evaluate


_SERVICE_TASKS = (
    state_task_service_aws_sdk.StateTaskServiceAwsSdk,
    state_task_service_dynamodb.StateTaskServiceDynamoDB,
    state_task_service_sfn.StateTaskServiceSfn,
    state_task_service_sns.StateTaskServiceSns,
)


_PARTITION = (
    "$partition:=function($array,$size){"
    "$reduce([0..$ceil($count($array)/$size)-1],function($chunks,$i){"
    "$append($chunks,[[$filter($array,function($v,$k){$k>=$i*$size and $k<($i+1)*$size})]])},[])};"
)


_INSECURE_TRANSPORT = {"Bool": {"aws:SecureTransport": "false"}}
_original_bucket_permission = FakeBucket.get_permission


def _permission_over_tls(self, action: str, resource: str) -> Any:  # type: ignore[no-untyped-def]
    if self.policy is None:
        return _original_bucket_permission(self, action, resource)
    policy = json.loads(self.policy)
    statements = policy["Statement"] if isinstance(policy["Statement"], list) else [policy["Statement"]]
    kept = [s for s in statements if s.get("Condition") != _INSECURE_TRANSPORT]
    original, self.policy = self.policy, json.dumps({**policy, "Statement": kept}).encode() if kept else None
    try:
        return _original_bucket_permission(self, action, resource)
    finally:
        self.policy = original


def apply() -> None:
    FakeBucket.get_permission = _permission_over_tls
    _intrinsics._DECLARATION_BY_VARIABLE_REFERENCE["$partition"] = _PARTITION
    for service in _SERVICE_TASKS:
        if not getattr(service._eval_service_task, "__iso__", False):
            service._eval_service_task = _with_iso_timestamps(service._eval_service_task)
    StateTaskServiceSfn._normalise_parameters = _sfn_parameters_as_boto_spells_them
    for name in _ITEM_OPERATIONS:
        method = getattr(DynamoDBBackend, name)
        if not getattr(method, "__serialised__", False):
            setattr(DynamoDBBackend, name, _serialised(method))
    _jsonata._eval_jsonata = _evaluate
    _states.encode_jsonata_variable_declarations = _encode_declarations
    _variable_store.encode_jsonata_variable_declarations = _encode_declarations
