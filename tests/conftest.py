import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# No test may reach a real AWS account, whatever profile the machine has.
for variable in [v for v in os.environ if v.startswith("AWS_")]:
    del os.environ[variable]
os.environ.update({"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                   "AWS_DEFAULT_REGION": "ap-northeast-1"})


@pytest.fixture(autouse=True)
def fresh_pulumi_runtime():
    import pulumi

    yield
    pulumi.runtime.reset_options()


@pytest.fixture
def cloud():
    """moto with the ledger, the topic and the three state machines of the dev stack."""
    from tests.sfn_harness import moto_cloud

    with moto_cloud() as deployed:
        yield deployed
