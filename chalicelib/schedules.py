"""Every scheduled job, declared once. app.py registers a handler for each (a thin
wrapper, so that the deployed function keeps the app's middleware), infra/policies.py
gives each its function's IAM policy and configuration, infra/package.py gives each
function its log group and error alarm, and the local stack's pump runs each at its
cadence: a new job is one entry here and the service function it runs.

Imported by app.py at cold start: nothing heavy here (the job's module is imported when
it runs)."""
from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Callable


@dataclass(frozen=True)
class Schedule:
    name: str            # its handler in app.py and its Lambda function (Chalice's name)
    expression: tuple    # ("rate", minutes) or ("cron", minute, hour, day_of_month, month, day_of_week, year), UTC
    job: str             # "module:function" under chalicelib.services, called as job(ports, now) -> dict
    role: str            # its IAM policy: infra/policies.py, .chalice/policy-<stage>-<role>.json
    description: str

    def target(self) -> Callable:
        module, _, function = self.job.partition(":")
        return getattr(importlib.import_module(f"chalicelib.services.{module}"), function)


SCHEDULES = (
    Schedule("deadline_sweep", ("rate", 15), "sweeps:deadline", "sweeps",
             "Institution reminders and overdue escalations; re-sends lost routing messages."),
    Schedule("daily_watch", ("cron", 0, 5, "*", "*", "?", "*"), "sweeps:daily", "sweeps",
             "05:00 UTC = 08:00 in İstanbul: legal-deadline and extension warnings, district digests, "
             "KVKK request reminders."),
    Schedule("stats_rollup", ("cron", 30, 0, "*", "*", "?", "*"), "open_stats:roll_up", "stats",
             "00:30 UTC = 03:30 in İstanbul: publishes the open statistics of the month that ended (final "
             "figures only; a night after the first finds nothing new to write)."),
    Schedule("kvkk_sweep", ("cron", 0, 1, 1, "*", "?", "*"), "kvkk:sweep", "retention",
             "Monthly (the 1st, 01:00 UTC): destroys the personal data of closed cases whose retention period "
             "ended (KVKK; at most every 6 months is the regulation's limit)."),
    Schedule("archive_sweep", ("rate", 15), "archive:sweep", "retention",
             "Every 15 minutes: moves closed cases a year old to the archive store (tiering; up to 500 a run), "
             "leaving a small index item; the first write brings a case back."),
)
