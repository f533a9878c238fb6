"""Prints how long the rehearsal takes, end to end and per stage (figures, not assertions).

    .venv/bin/python bench/rehearsal_timing.py [RUNS]

Each run is a fresh `python -m rehearsal demo --json` process: interpreter start, imports, deploying
the stack into moto, the SFTP transfers, three state machines, DuckDB and the email.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def one_run() -> tuple[float, float]:
    with tempfile.TemporaryDirectory() as outbox:
        started = time.perf_counter()
        done = subprocess.run([sys.executable, "-m", "rehearsal", "demo", "--json", "--outbox", outbox],
                              cwd=ROOT, capture_output=True, text=True, check=True)
        wall = time.perf_counter() - started
    report = json.loads(done.stdout.strip().splitlines()[-1])
    return wall, report["elapsedSeconds"]


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    results = [one_run() for _ in range(runs)]
    walls, inner = [r[0] for r in results], [r[1] for r in results]
    print(f"runs: {runs}")
    print(f"demo wall time (process start to exit): median {statistics.median(walls):.2f} s, "
          f"min {min(walls):.2f} s, max {max(walls):.2f} s")
    print(f"rehearsal (deploy, batch, digest): median {statistics.median(inner):.2f} s, "
          f"min {min(inner):.2f} s, max {max(inner):.2f} s")
    print(f"imports and interpreter start: about {statistics.median(walls) - statistics.median(inner):.2f} s")


if __name__ == "__main__":
    main()
