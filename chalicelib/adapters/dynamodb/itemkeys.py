"""Every key format and index name of the main and audit tables, in one place.

Main table (single-table design, keys `pk`/`sk`):
| item                | pk                          | sk                  |
|---------------------|-----------------------------|---------------------|
| case + its history  | CASE#<no>                   | CASE                |
| assignment          | CASE#<no>                   | ASSIGN#<inst id>    |
| idempotency record  | IDEM#<sha256(key)>          | IDEM                |
| throttle counter    | THR#<scope>#<subject>       | W#<window>          |
| notification claim  | NOTE#<dedup key>            | NOTE                |
| (national id, phone)| PAIR#<keyed fingerprint>    | PAIR                |
| SMS budget (a day)  | NOTE#BUDGET#<budget>        | BUDGET              |
| held notification   | NOTE#HELD#<no>              | <dedup key>         |
| place's institutions| DISTRICT#<place>            | REF                 |
| office settings     | OFFICE#<code>               | REF                 |
| onboarded offices   | REF#OFFICES                 | REF                 |
| survey answer       | SURVEY#<no>                 | SURVEY              |
| route marker (old)  | ROUTE#<no>                  | ROUTE               |
| staff member        | STAFF#<username>            | STAFF               |
| district counters   | STATS#<district>            | COUNTS              |
| open-stats cell     | MSTATS#<yyyy-mm>            | <district>#<type>   |
| published stats     | OPENSTATS#<yyyy-mm>         | NATIONAL / P#<province> / DIGESTS |
| published months    | OPENSTATS                   | INDEX               |
| Open311 partner key | PARTNERS                    | KEY#<key hmac>      |
| destruction log     | DLOG#<district>             | <at>#<no>#<record>#<ref> |

Indexes (all sparse, on the main table; case indexes project the queue's attributes only):
- open_by_district:   gsi1pk D#<district> (open cases only),  gsi1sk <legal due>#<no>
- by_district_status: gsi2pk D#<district>#<status> (closed only), gsi2sk <legal due>#<no>
- by_applicant:       gsi3pk A#<national id hmac>,            gsi3sk <received at>   (+ dynamo.APPLICANT_ATTRIBUTES)
- open_by_province:   gsi4pk P#<province> (open cases only),  gsi4sk <legal due>#<no>
- sweep:              sweep_pk <kind>#<shard>,                sweep_sk <due at>#<id> (+ district)
- by_partner:         gsi5pk O#<partner id> (Open311 only),  gsi5sk <last public change>#<no>  (keys only)

Audit table: pk CASE#<subject>, sk <at>#<random>; append-only.
"""
from __future__ import annotations

from ...domain.throttle import Counter

CASE_SK = "CASE"
ASSIGN_PREFIX = "ASSIGN#"


def case_key(no: str) -> tuple[str, str]:
    return f"CASE#{no}", CASE_SK


def case_pk(no: str) -> str:
    return f"CASE#{no}"


def no_of(pk: str) -> str:
    """The application number in a CASE#/ROUTE#/SURVEY# key."""
    return pk.split("#", 1)[1]


def assignment_key(no: str, institution_id: str) -> tuple[str, str]:
    return f"CASE#{no}", f"{ASSIGN_PREFIX}{institution_id}"


def idempotency_key(key_hash: str) -> tuple[str, str]:
    return f"IDEM#{key_hash}", "IDEM"


def counter_key(c: Counter) -> tuple[str, str]:
    return f"THR#{c.scope}#{c.subject}", f"W#{c.window}"


def notification_key(dedup_key: str) -> tuple[str, str]:
    return f"NOTE#{dedup_key}", "NOTE"


def pair_key(fingerprint: str) -> tuple[str, str]:
    return f"PAIR#{fingerprint}", "PAIR"


def budget_key(budget: str) -> tuple[str, str]:
    """Under NOTE# like every item the notification worker writes (its policy allows no other)."""
    return f"NOTE#BUDGET#{budget}", "BUDGET"


def held_key(application_no: str, dedup_key: str) -> tuple[str, str]:
    return f"NOTE#HELD#{application_no}", dedup_key


def staff_key(username: str) -> tuple[str, str]:
    return f"STAFF#{username.lower()}", "STAFF"


def district_key(code: str) -> tuple[str, str]:
    return f"DISTRICT#{code}", "REF"


REGISTRY_KEY = ("REF#OFFICES", "REF")


def office_key(code: str) -> tuple[str, str]:
    return f"OFFICE#{code}", "REF"


def stats_key(district: str) -> tuple[str, str]:
    return f"STATS#{district}", "COUNTS"


def month_cell_key(month: str, district: str, case_type: str) -> tuple[str, str]:
    return f"MSTATS#{month}", f"{district}#{case_type}"


def month_cells_pk(month: str) -> str:
    return f"MSTATS#{month}"


def published_stats_key(month: str, province: str | None = None) -> tuple[str, str]:
    return f"OPENSTATS#{month}", (f"P#{province}" if province else "NATIONAL")


def published_digests_key(month: str) -> tuple[str, str]:
    return f"OPENSTATS#{month}", "DIGESTS"


PUBLISHED_INDEX_KEY = ("OPENSTATS", "INDEX")


def survey_key(no: str) -> tuple[str, str]:
    return f"SURVEY#{no}", "SURVEY"


def route_key(no: str) -> tuple[str, str]:
    return f"ROUTE#{no}", "ROUTE"


def audit_pk(subject: str) -> str:
    return f"CASE#{subject}"


# indexes
def district_index_pk(district: str) -> str:
    return f"D#{district}"


def district_status_pk(district: str, status: str) -> str:
    return f"D#{district}#{status}"


def province_index_pk(province: str) -> str:
    return f"P#{province}"


def applicant_index_pk(nid_hash: str) -> str:
    return f"A#{nid_hash}"


NO_DUE_DATE = "9999-12-31"   # the queue order of a case that owes no answer: last


def due_sort_key(due_iso: str, no: str) -> str:
    return f"{due_iso}#{no}"


def sweep_pk(kind: str, shard: int) -> str:
    return f"{kind}#{shard}"


# index name -> (hash attribute, range attribute)
INDEX_KEYS = {"open_by_district": ("gsi1pk", "gsi1sk"), "by_district_status": ("gsi2pk", "gsi2sk"),
              "by_applicant": ("gsi3pk", "gsi3sk"), "open_by_province": ("gsi4pk", "gsi4sk"),
              "sweep": ("sweep_pk", "sweep_sk"), "by_partner": ("gsi5pk", "gsi5sk")}


def destruction_log_key(district: str, at: str, no: str, record: str, ref: str) -> tuple[str, str]:
    return f"DLOG#{district}", f"{at}#{no}#{record}#{ref}"


PARTNERS_PK = "PARTNERS"


def partner_key(key_hash: str) -> tuple[str, str]:
    return PARTNERS_PK, f"KEY#{key_hash}"


def partner_index_pk(partner_id: str) -> str:
    return f"O#{partner_id}"


def partner_sort_key(updated_at: str, no: str) -> str:
    return f"{updated_at}#{no}"


def otp_key(subject: str) -> tuple[str, str]:
    return f"OTP#{subject}", "OTP"


def subject_request_key(request_id: str) -> tuple[str, str]:
    return f"DSR#{request_id}", "DSR"


def subject_request_status_pk(district: str, status: str) -> str:
    return f"R#{district}#{status}"


def institution_inbox_pk(institution_id: str) -> str:
    """The open-assignments index (gsi6): one partition per institution while it owes answers."""
    return f"I#{institution_id}"


def institution_inbox_sk(sla_due: str, application_no: str) -> str:
    return f"{sla_due}#{application_no}"
