"""The seed's two files: tab separated sequence number, md5 of the number, a timestamp; 10 rows each."""

from __future__ import annotations

import hashlib
from pathlib import Path

STAMP = "2022-11-25 08:58:23.151356"
LATE_STAMP = "2022-11-26 09:00:24.923556"  # the seed's row 10 was written a day later


def seed_rows(first: int, last: int) -> str:
    lines = []
    for n in range(first, last + 1):
        stamp = LATE_STAMP if n == 10 else STAMP
        lines.append(f"{n}\t{hashlib.md5(str(n).encode()).hexdigest()}\t{stamp}\n")
    return "".join(lines)


def write_seed_files(folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    files = [folder / "sec1.csv", folder / "sec2.csv"]
    files[0].write_text(seed_rows(1, 10))
    files[1].write_text(seed_rows(11, 20))
    return files
