"""Pure builders of the three state machine definitions (Amazon States Language, JSONata mode)."""

from asl.launcher import LaunchSettings, launcher_definition
from asl.ledger import Deployment
from asl.notifier import notifier_definition
from asl.tracker import tracker_definition

__all__ = ["Deployment", "LaunchSettings", "launcher_definition", "notifier_definition", "tracker_definition"]
