"""Prints what one batch costs to run, measured on the real state machines in the rehearsal.

    .venv/bin/python bench/cost_per_batch.py [FILES ...]     (default: 2 10 50)

Measured: state transitions per machine (what Step Functions Standard bills), events delivered,
queries. Priced with the list prices below (us-east-1, edit them for your region and date); the
launcher's last few states after the digest (its deadline wait) are not run by the rehearsal and so
not counted, and the connector's own per-file fee is left out.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from rehearsal.seed_data import seed_rows  # noqa: E402  (the project root is not installed as a package)

PRICE_PER_TRANSITION = 0.025 / 1000          # Step Functions Standard
PRICE_PER_WRITE_UNIT = 0.625 / 1_000_000     # DynamoDB on-demand; a transactional write costs 2 per item
PRICE_PER_EMAIL = 2.00 / 100_000             # SNS email notifications
PRICE_PER_QUERY_MINIMUM = 5.00 / 1024 / 1024 * 10  # Athena bills at least 10 MB per query, $5 per TB


def measure(files: int) -> dict:
    with tempfile.TemporaryDirectory() as scratch:
        served = Path(scratch) / "served"
        served.mkdir()
        for n in range(files):
            (served / f"part{n:03d}.tsv").write_text(seed_rows(n * 10 + 1, n * 10 + 10))
        done = subprocess.run([sys.executable, "-m", "rehearsal", "run", "--serve", str(served), "--json",
                               "--outbox", str(Path(scratch) / "outbox")],
                              cwd=ROOT, capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    sizes = [int(a) for a in sys.argv[1:]] or [2, 10, 50]
    print(f"{'files':>5}  {'launcher':>8}  {'tracker':>7}  {'notifier':>8}  {'transitions':>11}  "
          f"{'emails':>6}  {'est. USD':>9}  {'wall s':>6}")
    for files in sizes:
        report = measure(files)
        transitions = report["stateTransitions"]
        total = sum(transitions.values())
        # per file: claim (1 write), outcome transaction (2 items x 2 units); per batch: a few updates
        writes = files * (1 + 4) + 6
        cost = (total * PRICE_PER_TRANSITION + writes * PRICE_PER_WRITE_UNIT
                + len(report["emails"]) * PRICE_PER_EMAIL + len(report["queries"]) * PRICE_PER_QUERY_MINIMUM)
        print(f"{files:>5}  {transitions.get('launcher', 0):>8}  {transitions.get('tracker', 0):>7}  "
              f"{transitions.get('notifier', 0):>8}  {total:>11}  {len(report['emails']):>6}  "
              f"{cost:>9.5f}  {report['elapsedSeconds']:>6.1f}")


if __name__ == "__main__":
    main()
