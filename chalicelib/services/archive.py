"""Tiering: closed cases a year old leave the database for the archive store (a cost
rule, docs/performance.md "Tiering"; the legal retention is unchanged, docs/kvkk.md).

Every 15 minutes the run takes the cases the destruction sweep's slots say may go
(domain/retention.archivable, checked again on each case as it is read) and moves each in
one transaction: its file to one compressed object, a small index item left in the table.
Any read of an archived case answers as before; the first write brings it back, and a
later run archives it again. A run stops at ARCHIVE_BATCH cases or ARCHIVE_SECONDS, well
inside the function's 30 s; what is left is due for the next run."""
from __future__ import annotations

import time
from datetime import datetime

from .ports import Ports

ARCHIVE_BATCH = 500          # 96 runs a day: up to 48,000 cases, above the national peak's intake
ARCHIVE_SECONDS = 20.0


def sweep(ports: Ports, now: datetime, *, limit: int = ARCHIVE_BATCH, seconds: float = ARCHIVE_SECONDS) -> dict:
    stop_at = time.monotonic() + seconds
    moved = left = 0
    for no in ports.cases.due_archive(now, limit):
        if time.monotonic() > stop_at:
            break
        if ports.cases.archive_case(no, now):
            moved += 1
        else:
            left += 1
    return {"archived": moved, "not_archived": left}     # logged by the schedule's handler (app.py)
