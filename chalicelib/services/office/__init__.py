"""The office (büro): the district queue, case detail with audited reveal, desk intake,
triage, forwarding, information requests, evaluation of institution answers, interim
answers, the reasoned final answer, reopening, and the audit trail.

Split by reason to change: `queries` (reads), `views` (what the console is sent),
`intake` (desk applications), `actions` (every change to a case)."""
from .actions import (ACTIONS, StaffAction, acknowledge, citizen_reply, conclude, evaluate, extend, forward, information_received,
                      dismiss_repeat, interim_answer, legal_hold, merge, not_processed, release_hold, reopen, request_info, revoke_link,
                      share_contact, triage)
from .intake import intake
from .queries import audit_trail, dashboard, get_case, queue, related, reveal, same_applicant

__all__ = ["ACTIONS", "StaffAction", "acknowledge", "audit_trail", "citizen_reply", "conclude", "dashboard", "dismiss_repeat", "evaluate",
           "extend", "forward", "related", "same_applicant",
           "get_case", "information_received", "intake", "interim_answer", "legal_hold", "merge", "not_processed", "queue",
           "release_hold", "reopen",
           "request_info", "reveal", "revoke_link", "share_contact", "triage"]
