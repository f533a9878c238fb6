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
"""

from __future__ import annotations

from typing import Any

import jsonata
import functools
import threading

from moto.dynamodb.models import DynamoDBBackend
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


def apply() -> None:
    for name in _ITEM_OPERATIONS:
        method = getattr(DynamoDBBackend, name)
        if not getattr(method, "__serialised__", False):
            setattr(DynamoDBBackend, name, _serialised(method))
    _jsonata._eval_jsonata = _evaluate
    _states.encode_jsonata_variable_declarations = _encode_declarations
    _variable_store.encode_jsonata_variable_declarations = _encode_declarations
