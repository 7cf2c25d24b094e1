"""The office (büro): the district queue, case detail with audited reveal, desk intake,
triage, forwarding, information requests, evaluation of institution answers, interim
answers, the reasoned final answer, reopening, and the audit trail.

Split by reason to change: `queries` (reads), `views` (what the console is sent),
`intake` (desk applications), `actions` (every change to a case)."""
from .actions import (ACTIONS, StaffAction, acknowledge, citizen_reply, conclude, dismiss_repeat, evaluate, extend,
                      forward, information_received, interim_answer, legal_hold, merge, not_processed, refer,
                      release_hold, reopen, request_info, revoke_link, share_contact, triage)
from .intake import intake
from .queries import audit_trail, dashboard, get_case, province_dashboard, queue, related, reveal, same_applicant

__all__ = ["ACTIONS", "StaffAction", "acknowledge", "audit_trail", "citizen_reply", "conclude", "dashboard", "province_dashboard",
           "dismiss_repeat", "evaluate", "extend", "forward", "get_case", "information_received", "intake",
           "interim_answer", "legal_hold", "merge", "not_processed", "queue", "refer", "related", "release_hold",
           "reopen", "request_info", "reveal", "revoke_link", "same_applicant", "share_contact", "triage"]
