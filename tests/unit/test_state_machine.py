"""Every transition of docs/domain-rules.md §4, legal and illegal. The expected table is written
out here independently of the code's table."""
from datetime import datetime, timezone

import pytest

from chalicelib.domain.case import IllegalTransition, Status
from tests.unit.test_office_policy import new_case

S = Status
LEGAL = {
    (S.RECEIVED, S.IN_REVIEW), (S.RECEIVED, S.FORWARDED), (S.RECEIVED, S.AWAITING_APPLICANT),
    (S.RECEIVED, S.NOT_PROCESSED),
    (S.IN_REVIEW, S.FORWARDED), (S.IN_REVIEW, S.AWAITING_APPLICANT), (S.IN_REVIEW, S.NOT_PROCESSED),
    (S.IN_REVIEW, S.CONCLUDED),
    (S.FORWARDED, S.FORWARDED), (S.FORWARDED, S.INSTITUTION_ANSWERED), (S.FORWARDED, S.IN_REVIEW),
    (S.FORWARDED, S.AWAITING_APPLICANT),
    (S.AWAITING_APPLICANT, S.IN_REVIEW), (S.AWAITING_APPLICANT, S.NOT_PROCESSED),
    # back from waiting, to the state the assignments are in (an answer came meanwhile)
    (S.AWAITING_APPLICANT, S.FORWARDED), (S.AWAITING_APPLICANT, S.INSTITUTION_ANSWERED),
    (S.INSTITUTION_ANSWERED, S.UNDER_EVALUATION), (S.INSTITUTION_ANSWERED, S.FORWARDED),
    (S.INSTITUTION_ANSWERED, S.CONCLUDED),
    (S.UNDER_EVALUATION, S.FORWARDED), (S.UNDER_EVALUATION, S.AWAITING_APPLICANT),
    (S.UNDER_EVALUATION, S.CONCLUDED), (S.UNDER_EVALUATION, S.NOT_PROCESSED),
    (S.CONCLUDED, S.UNDER_EVALUATION),
    (S.NOT_PROCESSED, S.IN_REVIEW),
}
NOW = datetime(2026, 11, 30, 9, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize("source", list(S))
@pytest.mark.parametrize("target", list(S))
def test_transition(source, target):
    case = new_case()
    case.status = source
    if (source, target) in LEGAL:
        case.transition(target, NOW, actor="desk-1")
        assert case.status == target
        assert case.history[-1].status == target and case.history[-1].actor == "desk-1"
    else:
        with pytest.raises(IllegalTransition) as exc:
            case.transition(target, NOW)
        assert exc.value.status == 409 and exc.value.details["current_status"] == source.value
        assert case.status == source and len(case.history) == 0


def test_closed_statuses():
    case = new_case()
    for status in S:
        case.status = status
        assert case.closed == (status in (S.CONCLUDED, S.NOT_PROCESSED))
