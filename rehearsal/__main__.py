"""python -m rehearsal demo | run --serve DIR ...: the pipeline end to end on this machine."""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

from rich.console import Console

from rehearsal.run import RunOptions, rehearse
from rehearsal.seed_data import write_seed_files


def parser() -> argparse.ArgumentParser:
    cli = argparse.ArgumentParser(prog="python -m rehearsal", description=__doc__)
    commands = cli.add_subparsers(dest="command", required=True)
    commands.add_parser("demo", help="the seed's batch (sec1.csv, sec2.csv); prints the digest email")
    run = commands.add_parser("run", help="a batch of your own files")
    run.add_argument("--serve", type=Path, required=True, metavar="DIR", help="folder the SFTP server serves")
    run.add_argument("--file", dest="files", action="append", default=[], metavar="NAME",
                     help="a file of the batch (repeat; default: every file in DIR)")
    run.add_argument("--shuffle", type=int, metavar="SEED", help="deliver completion events in a seeded random order")
    run.add_argument("--duplicate-events", action="store_true", help="deliver every event twice")
    run.add_argument("--drop-event", dest="drop_events", action="append", default=[], metavar="NAME",
                     help="lose this file's event (reconciliation at the deadline must finish the batch)")
    run.add_argument("--query", help="Athena SQL overriding the stack's query; {table} is the batch's rows")
    run.add_argument("--batch-timeout-seconds", type=int, default=20, metavar="N", help="the batch deadline (20)")
    run.add_argument("--stack", default="dev", help="the Pulumi.<stack>.yaml to deploy (dev)")
    for command in commands.choices.values():
        command.add_argument("--outbox", type=Path, default=Path("outbox"), help="where .eml files go (./outbox)")
        command.add_argument("--json", action="store_true", help="end stdout with one JSON line of the outcome")
    return cli


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    console = Console(highlight=False, soft_wrap=True)
    with tempfile.TemporaryDirectory(prefix="transfer-digest-demo-") as scratch:
        if args.command == "demo":
            folder = Path(scratch)
            write_seed_files(folder)
            options = RunOptions(serve=folder, outbox=args.outbox)
        else:
            if not args.serve.is_dir():
                console.print(f"--serve {args.serve}: not a folder; give the folder the SFTP server should serve",
                              markup=False)
                return 2
            options = RunOptions(serve=args.serve, files=args.files, shuffle=args.shuffle,
                                 duplicate_events=args.duplicate_events, drop_events=args.drop_events,
                                 query=args.query, batch_timeout_seconds=args.batch_timeout_seconds,
                                 outbox=args.outbox, stack=args.stack)
        report = rehearse(options, console)
    console.print(f"{'reached' if report.reached_digest else 'did not reach'} the digest: {report.reason} "
                  f"({report.elapsed_seconds:.1f} s)", markup=False)
    if args.json:
        sys.stdout.write(json.dumps(report.as_json()) + "\n")
    return 0 if report.reached_digest else 1


if __name__ == "__main__":
    sys.exit(main())
