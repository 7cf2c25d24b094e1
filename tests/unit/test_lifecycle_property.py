"""A stateful property test of the whole case lifecycle, over the service layer on the
fakes: random sequences of every citizen, office, institution and sweep action, with a
moving clock. After every step the invariants below must hold for every case.

Runs with a fixed seed (derandomized) in `make test`. The nightly size is the profile
`nightly`: `HYPOTHESIS_PROFILE=nightly .venv/bin/python -m pytest tests/unit/test_lifecycle_property.py`.
"""
from __future__ import annotations

import copy
import os
import re
from datetime import datetime, timedelta, timezone

from hypothesis import HealthCheck, settings, strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from chalicelib.domain import retention as R
from chalicelib.domain.assignment import AssignmentStatus
from chalicelib.domain.case import CLOSED, TRANSITIONS, Status
from chalicelib.domain.errors import AppError
from chalicelib.domain.principal import Principal
from chalicelib.services import (applications, archive, feedback, institution, office, reference, routing,
                                 sweeps, tracking)
from tests.conftest import VALID_APPLICATION
from tests.fakes import fake_ports

settings.register_profile("ci", max_examples=60, stateful_step_count=40, derandomize=True, database=None,
                          deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("nightly", max_examples=2000, stateful_step_count=80, derandomize=False, database=None,
                          deadline=None, suppress_health_check=[HealthCheck.too_slow])
PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "ci")

DESK = Principal("masa.maltepe", "desk", "34-maltepe", "34")
SUPERVISOR = Principal("sorumlu.maltepe", "supervisor", "34-maltepe", "34")
START = datetime(2026, 1, 5, 9, 0, tzinfo=timezone.utc)
INSTITUTIONS = ["34-maltepe.belediye", "34-maltepe.emniyet", "34-maltepe.egitim", "34-maltepe.saglik"]
PROSECUTOR = "34-maltepe.savcilik"
NAMES = ["Zeynep", "Mehmet", "Elif", "Mustafa", "Çağla", "Oğuz", "İrem", "Şükrü"]
PHONES = [f"0532 123 45 {n:02d}" for n in range(10, 60)]
KINDS = [("sikayet", "yol_kaldirim"), ("talep", "okul_servis"), ("ihbar", "yol_kaldirim"),
         ("bilgi_edinme", "okul_kayit"), ("tesekkur", "yol_kaldirim"), ("oneri", "park_bahce")]
NO_PATTERN = re.compile(r"[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{2}")


class Lifecycle(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        self.p = fake_ports(START)
        reference.seed(self.p)
        self.receipts: dict[str, dict] = {}      # no -> receipt (with the access code)
        self.answers_given: dict[str, list] = {}  # no -> every final answer text the office gave
        self.referred: dict[str, tuple] = {}      # no -> (ground, authority, forwarded since?) of its last referral
        self.n = 0

    # --- helpers --------------------------------------------------------------------------
    def _pick(self, data_index: int) -> str | None:
        nos = sorted(self.receipts)
        return nos[data_index % len(nos)] if nos else None

    def _v(self, no):
        return self.p.cases.get(no).version

    def _try(self, fn, *args, **kw):
        """An action the rules refuse is a 4xx (AppError), never anything else."""
        try:
            return fn(*args, **kw)
        except AppError as exc:
            assert exc.status < 500, exc
            return None

    def _tokens(self, no):
        out = {}
        for n in self.p.publisher.notified:
            if n.template == "institution_assigned" and n.dedup_key.startswith(no):
                out[n.dedup_key.rsplit(":", 1)[1]] = n.params["link"].split("#t=")[1]
        return out

    def _route_pending(self):
        for msg in list(self.p.publisher.routed):
            self.p.publisher.routed.remove(msg)
            routing.handle(self.p, msg)

    # --- the citizen --------------------------------------------------------------------------
    @rule(kind=st.sampled_from(KINDS), confidential=st.booleans(), same_person=st.booleans(),
          desk=st.booleans())
    def submit(self, kind, confidential, same_person, desk):
        case_type, category = kind
        body = copy.deepcopy(VALID_APPLICATION)
        self.n += 1
        body.update(type=case_type, category=category, confidential_identity=confidential and case_type == "ihbar",
                    subject=f"Konu {self.n}")
        body["applicant"].update(first_name=NAMES[self.n % len(NAMES)], last_name=f"Soyadı{'ı' * (self.n % 3)}x",
                                 phone=PHONES[self.n % len(PHONES)],
                                 national_id="10000000146" if same_person else "12345678950")
        if desk:
            body["channel"] = "face_to_face"
            receipt = office.intake(self.p, DESK, body)
        else:
            receipt = applications.submit(self.p, body, idempotency_key_header=None).body
        no = receipt["application_no"].replace("-", "")
        self.receipts[no] = receipt
        self._route_pending()

    @precondition(lambda self: self.receipts)
    @rule(i=st.integers(0, 50))
    def citizen_reply(self, i):
        r = self.receipts[self._pick(i)]
        self._try(office.citizen_reply, self.p, r["application_no"], r["access_code"], {"text": "Ek bilgim budur."},
                  client="1.1.1.1")

    @precondition(lambda self: self.receipts)
    @rule(i=st.integers(0, 50))
    def object(self, i):
        r = self.receipts[self._pick(i)]
        self._try(feedback.object_to_conclusion, self.p, r["application_no"], r["access_code"],
                  {"reason": "Sonuç sorunu çözmedi."}, client="1.1.1.1")

    @precondition(lambda self: self.receipts)
    @rule(i=st.integers(0, 50), rating=st.integers(1, 5))
    def survey(self, i, rating):
        no = self._pick(i)
        r = self.receipts[no]
        view = self._try(tracking.track, self.p, r["application_no"], r["access_code"], client="1.1.1.1")
        if view and view.get("survey_token"):
            self._try(feedback.answer_survey, self.p, view["survey_token"], {"rating": rating})

    # --- the office -----------------------------------------------------------------------------
    @precondition(lambda self: self.receipts)
    @rule(i=st.integers(0, 50), chosen=st.lists(st.sampled_from(INSTITUTIONS), min_size=1, max_size=2, unique=True))
    def forward(self, i, chosen):
        no = self._pick(i)
        view = self._try(office.forward, self.p, DESK, no, {"institution_ids": chosen, "version": self._v(no)},
                         client="x")
        if view is not None and no in self.referred and self.referred[no][1] in chosen:
            # a reopened case sent, this time for an answer, to the authority it was referred to
            self.referred[no] = (*self.referred[no][:2], "forwarded since")

    @precondition(lambda self: self.receipts)
    @rule(i=st.integers(0, 50), action=st.sampled_from(["request_info", "information_received", "not_processed",
                                                         "interim_answer", "extend", "acknowledge", "reopen",
                                                         "triage_type", "triage_confidential"]))
    def office_action(self, i, action):
        no = self._pick(i)
        version = self._v(no)
        if action == "request_info":
            self._try(office.request_info, self.p, DESK, no, {"message": "Adresinizi netleştiriniz.",
                                                              "version": version}, client="x")
        elif action == "information_received":
            self._try(office.information_received, self.p, DESK, no, {"channel": "phone", "text": "Telefonla alındı.",
                                                                      "version": version}, client="x")
        elif action == "not_processed":
            self._try(office.not_processed, self.p, DESK, no, {"reason_code": "no_clear_subject",
                                                               "explanation": "Konu anlaşılamadı.",
                                                               "version": version}, client="x")
        elif action == "interim_answer":
            self._try(office.interim_answer, self.p, DESK, no, {"text": "Başvurunuz üzerinde çalışılıyor.",
                                                                "version": version}, client="x")
        elif action == "extend":
            self._try(office.extend, self.p, DESK, no, {"ground": "other_unit", "explanation": "Arşiv birimi görüşü.",
                                                        "version": version}, client="x")
        elif action == "acknowledge":
            text = f"Teşekkürünüz alındı, sağ olun ({self.n})."
            if self._try(office.acknowledge, self.p, DESK, no, {"message": text, "version": version,
                                                                "institution_ids": INSTITUTIONS[:1]}, client="x"):
                self.answers_given.setdefault(no, []).append(text)
        elif action == "reopen":
            self._try(office.reopen, self.p, SUPERVISOR, no, {"reason": "Yeni bilgi ortaya çıktı.",
                                                              "version": version}, client="x")
        elif action == "triage_type":
            self._try(office.triage, self.p, DESK, no, {"type": "bilgi_edinme" if self.n % 2 else "sikayet",
                                                        "reason": "Tür yanlış seçilmiş.", "version": version},
                      client="x")
        else:
            self._try(office.triage, self.p, DESK, no, {"confidential_identity": bool(self.n % 2),
                                                        "reason": "Başvuran korunmalı.", "version": version},
                      client="x")

    @precondition(lambda self: self.receipts)
    @rule(i=st.integers(0, 50), outcome=st.sampled_from(["positive", "negative", "informed", "not_competent"]),
          remedies=st.booleans())
    def conclude(self, i, outcome, remedies):
        no = self._pick(i)
        self.n += 1
        text = f"Gerekçeli son cevap metni numara {self.n}."
        body = {"outcome": outcome, "answer": text, "version": self._v(no)}
        if remedies:
            body["remedies_note"] = "Kurulun adresi: Ankara."
        if self._try(office.conclude, self.p, DESK, no, body, client="x"):
            self.answers_given.setdefault(no, []).append(text)

    @precondition(lambda self: self.receipts)
    @rule(i=st.integers(0, 50), ground=st.sampled_from(["crime_report", "competent_authority"]),
          to=st.sampled_from([PROSECUTOR, *INSTITUTIONS]))
    def refer(self, i, ground, to):
        no = self._pick(i)
        explanation = f"Suç unsuru taşıyan iddialar içeriyor ({self.n})."
        view = self._try(office.refer, self.p, DESK, no, {"ground": ground, "institution_id": to,
                                                          "explanation": explanation, "version": self._v(no)},
                         client="x")
        if ground == "crime_report" and to != PROSECUTOR:
            assert view is None, "a crime report went to someone other than the prosecutor"
        if view is not None:
            answer = self.p.cases.get(no).final_answers[-1]["answer"]
            assert explanation in answer
            self.answers_given.setdefault(no, []).append(answer)
            self._route_pending()
            self.referred[no] = (ground, to, None)

    @precondition(lambda self: len(self.receipts) >= 2)
    @rule(i=st.integers(0, 50), j=st.integers(0, 50))
    def merge(self, i, j):
        no, into = self._pick(i), self._pick(j)
        self._try(office.merge, self.p, DESK, no, {"into": into, "explanation": "Aynı konu, aynı başvuran.",
                                                   "version": self._v(no)}, client="x")

    @precondition(lambda self: self.receipts)
    @rule(i=st.integers(0, 50), k=st.integers(0, 3), decision=st.sampled_from(["accept", "return", "share",
                                                                              "revoke"]))
    def about_an_assignment(self, i, k, decision):
        no = self._pick(i)
        assignments = self.p.cases.assignments(no)
        if not assignments:
            return
        inst = assignments[k % len(assignments)].institution.id
        version = self._v(no)
        if decision in ("accept", "return"):
            self._try(office.evaluate, self.p, DESK, no, {"institution_id": inst, "decision": decision,
                                                          "note": "Cevap ayrıntılı değil, tamamlayınız.",
                                                          "version": version}, client="x")
        elif decision == "share":
            self._try(office.share_contact, self.p, DESK, no, {"institution_id": inst, "version": version,
                                                               "reason": "Ekip adresi bulamıyor."}, client="x")
        else:
            self._try(office.revoke_link, self.p, DESK, no, {"institution_id": inst, "version": version},
                      client="x")

    # --- institutions ----------------------------------------------------------------------------
    @precondition(lambda self: self.receipts)
    @rule(i=st.integers(0, 50), k=st.integers(0, 3), how=st.sampled_from(["answer", "negative", "redirect",
                                                                         "extend", "read"]))
    def institution_acts(self, i, k, how):
        no = self._pick(i)
        links = sorted(self._tokens(no).items())
        if not links:
            return
        inst, token = links[k % len(links)]
        if how in ("answer", "negative"):
            self._try(institution.answer, self.p, token, {"text": "Gereği yapıldı.", "responder_name": "Ali Kaya",
                                                          "responder_title": "Müdür",
                                                          "outcome": "positive" if how == "answer" else "negative"},
                      client="10.0.0.9")
        elif how == "redirect":
            self._try(institution.redirect, self.p, token, {"reason": "Konu kurumumuzun görev alanında değil."},
                      client="10.0.0.9")
        elif how == "extend":
            self._try(institution.extension, self.p, token, {"ground": "other_institution",
                                                             "reason": "Başka kurumların görüşü gerekiyor."},
                      client="10.0.0.9")
        else:
            self._read_as_institution(no, token)

    def _read_as_institution(self, no, token):
        view = self._try(institution.read, self.p, token, client="10.0.0.9")
        case = self.p.cases.get(no)
        if view is not None and case.confidential_identity:
            assert view["applicant"] is None
            for secret in (case.applicant.first_name, case.applicant.last_name, case.applicant.phone,
                           case.applicant.national_id, case.applicant.email):
                assert secret not in str(view)

    @precondition(lambda self: self.receipts)
    @rule(i=st.integers(0, 50))
    def anonymise_a_closed_case(self, i):
        """Whatever the lifecycle wrote into a closed case so far, anonymising it leaves
        nothing a person wrote or that names a person (KVKK art. 7; docs/kvkk.md). On a
        copy: the case lives on in the machine."""
        no = self._pick(i)
        case, assignments = self.p.cases.load_with_assignments(no)
        if not case.closed:
            return
        case, assignments = copy.deepcopy(case), copy.deepcopy(assignments)
        R.anonymise(case, assignments, self.p.clock.now())
        assert R.free_text(case, assignments) == [], no

    @precondition(lambda self: self.receipts)
    @rule(days=st.integers(366, 500))
    def the_archive_runs_a_year_on(self, days):
        """Tiering (issue 39): the archive run, as of a year or more on (the machine's clock
        stays), moves only what may go and changes nothing anyone reads; the next write
        brings a case back (the fake refuses a write read before it was archived)."""
        at = self.p.clock.now() + timedelta(days=days)
        before = {no: self.p.cases.load_with_assignments(no) for no in self.receipts}
        archive.sweep(self.p, at)
        for no in self.p.cases.archived:
            case, assignments = self.p.cases.load_with_assignments(no)
            assert R.archivable(case, assignments, at.date()) or no not in before, no
            assert (case, assignments) == before[no]

    # --- time and the sweeps ------------------------------------------------------------------------
    @rule(hours=st.integers(1, 24 * 9))
    def time_passes(self, hours):
        before = len(self.p.publisher.notified)
        self.p.clock.advance(hours=hours)
        now = self.p.clock.now()
        sweeps.deadline(self.p, now)
        sweeps.daily(self.p, now)
        self._route_pending()
        for n in self.p.publisher.notified[before:]:
            for no in self._cases_named_in(n):
                assert not self.p.cases.get(no).closed, f"a sweep told {n.template} about closed {no}"

    def _cases_named_in(self, n) -> list[str]:
        if n.template == "digest":   # only the due and overdue lists name open cases
            text = n.params["due_list"] + n.params["overdue_list"]
            return [m.replace("-", "") for m in NO_PATTERN.findall(text)]
        no = n.dedup_key.split(":", 1)[0]
        return [no] if no in self.receipts else []

    # --- invariants ---------------------------------------------------------------------------
    def _all(self):
        for no in self.receipts:
            case, assignments = self.p.cases.load_with_assignments(no)
            yield no, case, assignments

    @invariant()
    def an_archived_case_is_closed_with_nothing_open(self):
        for no in self.p.cases.archived:
            case, assignments = self.p.cases.load_with_assignments(no)
            assert case.closed and not case.legal_hold and case.anonymised_at is None, no
            assert not any(a.is_open for a in assignments), no

    @invariant()
    def a_closed_case_has_no_open_assignment(self):
        for no, case, assignments in self._all():
            if case.closed:
                assert not [a for a in assignments if a.is_open], no

    @invariant()
    def every_status_agrees_with_its_assignments(self):
        for no, case, assignments in self._all():
            waiting = [a for a in assignments if a.is_open]
            answered = [a for a in assignments if a.status == AssignmentStatus.ANSWERED]
            if case.status == Status.FORWARDED:
                assert waiting, f"{no} forwarded but nobody owes an answer"
            if case.status in {Status.RECEIVED, Status.IN_REVIEW, Status.INSTITUTION_ANSWERED,
                               Status.UNDER_EVALUATION} | CLOSED:
                assert not waiting, f"{no} {case.status} with an institution still waiting"
            if case.status == Status.INSTITUTION_ANSWERED:
                assert answered, no
            assert case.sla_due_date == (min(a.sla_due_date for a in waiting) if waiting else None), no

    @invariant()
    def every_final_answer_ever_given_is_kept(self):
        for no, case, _ in self._all():
            kept = [a["answer"] for a in case.final_answers]
            assert kept == self.answers_given.get(no, []), no
            if case.status == Status.CONCLUDED:
                assert case.final_answer == kept[-1]

    @invariant()
    def no_legal_due_date_lies_before_its_receipt(self):
        for no, case, _ in self._all():
            if case.answer_owed:
                assert case.legal_due_date > case.receipt_date, no
            else:
                assert case.legal_due_date is None, no

    @invariant()
    def every_transition_taken_is_in_the_table(self):
        for no, case, _ in self._all():
            statuses = [h.status for h in case.history]
            assert statuses[0] == Status.RECEIVED and statuses[-1] == case.status, no
            for before, h in zip(case.history, case.history[1:]):
                if h.event == "referred":      # sent to the competent authority: closes from any open status
                    assert before.status not in CLOSED and h.status == Status.CONCLUDED, no
                    continue
                assert before.status == h.status or h.status in TRANSITIONS[before.status], \
                    f"{no}: {before.status} -> {h.status}"

    @invariant()
    def nothing_an_institution_can_read_names_a_confidential_applicant(self):
        confidential = [case for _, case, _ in self._all() if case.confidential_identity]
        if not confidential:
            return
        to_institutions = [n for n in self.p.publisher.notified
                           if n.recipient.endswith("maltepe.example") and n.channel == "email"]
        for case in confidential:
            mine = [n for n in to_institutions if n.dedup_key.startswith(case.application_no)]
            for n in mine:
                rendered = " ".join(x or "" for x in n.render())
                for secret in (case.applicant.first_name, case.applicant.phone, case.applicant.national_id):
                    assert secret not in rendered


    @invariant()
    def a_crime_report_is_never_closed_unsent(self):
        """CMK art. 158/2: a crime report reaches the prosecutor; the case closes only by
        being sent there, and the prosecutor is told through its own delivery."""
        for no, (ground, to, since) in self.referred.items():
            case, assignments = self.p.cases.load_with_assignments(no)
            assert case.referral and case.referral["institution_id"] == to, no
            [sent] = [a for a in assignments if a.institution.id == to]
            if since is None:   # an objection or a reopening does not take the referral back
                assert sent.status == AssignmentStatus.REFERRED, no
            if ground == "crime_report":
                assert sent.institution.kind == "savcilik"
            told = [n for n in self.p.publisher.notified if n.template == "institution_referred"
                    and n.dedup_key.startswith(no) and n.dedup_key.endswith(to)]
            assert told, f"{no} referred to {to} but nobody told it"



TestLifecycle = Lifecycle.TestCase
TestLifecycle.settings = settings.get_profile(PROFILE)
