"""The office's rules: who may do what, and the reason codes for not processing a case."""
from __future__ import annotations

from datetime import date, datetime, timedelta

from . import numbers
from .calendar import ISTANBUL, default_calendar, local_date, tr_date
from .case import HistoryEntry, Status, legal_due_for
from .offices import NATIONAL

# 3071 art. 6: the grounds on which a petition is not examined, each cited exactly
# (docs/domain-rules.md). Anything else is not a closure: a crime report is sent to the
# Chief Public Prosecutor's Office (CMK art. 158/2) and a matter of another authority to
# that authority (3071 art. 5), both through the `refer` action (REFERRAL_GROUNDS).
NOT_PROCESSED_GROUNDS = {
    "no_clear_subject": ("Belli bir konuyu içermeyen başvuru", "3071 sayılı Kanun md. 6/a"),
    "judicial_matter": ("Yargı mercilerinin görevine giren konuyla ilgili başvuru", "3071 sayılı Kanun md. 6/b"),
    "missing_elements": ("Adı soyadı, imzası ya da iş veya ikametgâh adresi bulunmayan başvuru",
                         "3071 sayılı Kanun md. 4 ve 6/c"),
    "unverified_identity": ("Kimliği doğrulanmamış elektronik başvuru: imza unsuru yok",
                            "3071 sayılı Kanun md. 4 ve 6/c"),
}
NOT_PROCESSED_REASONS = {code: f"{name} ({source})" for code, (name, source) in NOT_PROCESSED_GROUNDS.items()}
MERGED = "merged_duplicate"     # the merge action's own code: a merge is not a refusal
# Codes that cases closed before this list was cut to the law still carry: shown as they
# were, never offered again.
FORMER_REASONS = {
    MERGED: "Aynı başvuru sahibinin önceki başvurusuyla birleştirildi",
    "private_dispute": "Özel hukuk kişileri arasındaki uyuşmazlık",
    "identity_misuse": "Başkasının kimliğinin kullanılması ya da ayırt etme gücünden yoksunluk",
    "prosecutor_matter": "Cumhuriyet başsavcılığının görev alanındaki suç ihbarı",
    "suspicion_only": "Somut bilgi içermeyen şüphe",
    "abusive_repetition": "Kötü niyetli, tekrar eden başvuru",
    "no_public_remit": "Hiçbir kamu kurumunun görev alanına girmeyen konu",
    "special_procedure": "Kendine özgü başvuru yolu bulunan konu",
    "already_answered": "Daha önce cevaplanmış aynı konudaki tekrar başvuru",
}


ELECTRONIC_CHANNELS = ("web", "mobile", "open311")


def identity_unverified_online(case) -> bool:
    """An electronic application whose applicant's identity nobody verified: it lacks the
    signature 3071 art. 4 asks for, so it may be left unexamined under art. 6/c."""
    return case.channel in ELECTRONIC_CHANNELS and case.identity_verification is None


def reason_name(code: str | None) -> str:
    return NOT_PROCESSED_REASONS.get(code or "") or FORMER_REASONS.get(code or "", "")


# Where a matter goes when this office is not the one to decide it: (name, source, the
# institution kind it must go to, or None for any competent authority of the district).
REFERRAL_GROUNDS = {
    "crime_report": ("Suç duyurusu niteliğindeki başvuru", "5271 sayılı Ceza Muhakemesi Kanunu md. 158/2",
                     "savcilik"),
    "competent_authority": ("Konu başka bir merciin görev alanında", "3071 sayılı Kanun md. 5", None),
}

REOPEN_WINDOW_DAYS = 30
OBJECTION_WINDOW_DAYS = 30

# Law 4982 art. 11/2: the only two grounds on which the 15 working days become 30; the
# applicant is told the ground itself, in writing, within the 15 working days.
EXTENSION_GROUNDS = {
    "other_unit": "İstenen bilgi ya da belge kurum içindeki başka bir birimden sağlanacak",
    "other_institution": "Başvurunun cevaplanması için başka bir kurumun görüşünün alınması gerekiyor",
}

# Law 4982 art. 12-13: what a refused (or partly refused) information request must say.
LEGAL_REMEDIES_4982 = (
    "Bu karara karşı, kararın size bildirildiği tarihten itibaren 15 gün içinde Bilgi Edinme Değerlendirme "
    "Kuruluna itiraz edebilirsiniz (4982 sayılı Kanun md. 13). Ayrıca 2577 sayılı İdari Yargılama Usulü Kanunu "
    "uyarınca 60 gün içinde idare mahkemesinde dava açabilirsiniz; Kurula itiraz, dava açma süresini durdurur.")

# Constitution art. 40/2 (and İYUK art. 7): an administrative act that refuses states the
# remedies and their periods; a negative answer or a refusal to examine under Law 3071
# tells the applicant this.
GENERAL_REMEDIES = (
    "Bu işleme karşı, size bildirildiği tarihten itibaren 60 gün içinde 2577 sayılı İdari Yargılama Usulü "
    "Kanunu uyarınca yetkili idare mahkemesinde dava açabilirsiniz (Anayasa md. 40/2). Dava açmadan önce aynı "
    "süre içinde üst makama başvurabilirsiniz (İYUK md. 11); bu başvuru dava açma süresini durdurur.")

REFUSING_OUTCOMES = ("negative", "not_competent")


def remedies_for(law: str, outcome: str, *, partly_refused: bool = False, note: str | None = None) -> str | None:
    """The remedies a refusal states (None when nothing was refused): under Law 4982 the
    Board of Review and the administrative court (art. 12-13), under Law 3071 the
    administrative court (Constitution art. 40/2). The standard text cannot be emptied;
    the office may only add to it."""
    if outcome not in (*REFUSING_OUTCOMES, "not_processed") and not partly_refused:
        return None
    text = LEGAL_REMEDIES_4982 if law == "4982" else GENERAL_REMEDIES
    return f"{text}\n\n{note}" if note else text


# How a staff timeline names who acted (usernames are shown as they are).
ACTOR_NAMES = {"citizen": "Başvuru sahibi", "system": "Sistem"}


def actor_name(actor: str | None, institutions: dict[str, str] | None = None) -> str:
    if not actor:
        return ACTOR_NAMES["system"]
    if actor.startswith("institution:"):
        inst = actor.split(":", 1)[1]
        return (institutions or {}).get(inst) or "Kurum"
    return ACTOR_NAMES.get(actor, actor)


def objection_last_day(concluded_at: datetime) -> date:
    """The citizen may object until the end of this day, İstanbul time: the day of
    conclusion plus 30 days (the check and the page say the same)."""
    return local_date(concluded_at) + timedelta(days=OBJECTION_WINDOW_DAYS)


def objection_open(concluded_at: datetime, now: datetime) -> bool:
    return local_date(now) <= objection_last_day(concluded_at)


def end_of_day(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 23, 59, 59, tzinfo=ISTANBUL)


def extension_last_day(case) -> date:
    """The 15th working day of the current period: an extension must be decided and
    notified by then (4982 art. 11)."""
    return default_calendar().legal_due_4982(case.period_start)


def can_extend(case, today: date) -> bool:
    return case.law == "4982" and not case.closed and not case.extended and today <= extension_last_day(case)


def closing_reason(case) -> str:
    """What an institution is told when a case closes before it answered."""
    if case.referral:
        return (f"Başvuru {case.referral['authority']} makamına gönderildi ({case.referral['source']}); kurumunuzdan "
                f"cevap beklenmiyor.")
    if case.status == Status.CONCLUDED:
        return "Başvuru Açık Kapı bürosunca sonuçlandırıldı; kurumunuzdan cevap beklenmiyor."
    if case.merged_into:
        return (f"Başvuru, aynı başvuru sahibinin {numbers.format_application_no(case.merged_into)} numaralı önceki "
                f"başvurusuyla birleştirildi; süreç o başvuru üzerinden yürütülecek.")
    reason = reason_name(case.not_processed_reason)
    return f"Başvuru işleme alınmadan kapatıldı{f' (gerekçe: {reason})' if reason else ''}; cevap beklenmiyor."


# Who sees and handles a case follows the office that handles it (`case.office`;
# domain/offices.py): its desk and supervisor; the province's officers read the province's
# offices; the national admins read and handle the national queue, where an application
# goes while no office above its place is onboarded.

def can_read(p, office: str, province: str) -> bool:
    if p.role in ("desk", "supervisor"):
        return p.district == office
    if p.role == "province":
        return p.province == province
    return p.role == "admin" and office == NATIONAL


def can_act(p, office: str) -> bool:
    if p.role == "admin":
        return office == NATIONAL
    return p.role in ("desk", "supervisor") and p.district == office


def can_supervise(p, district: str) -> bool:
    return p.role == "supervisor" and p.district == district


def can_reveal(p, district: str) -> bool:
    return can_act(p, district)


def allowed_actions(case, p, *, today: date | None = None, assignments: list | None = None) -> list[str]:
    """The actions the console offers this user on this case now, by the names they are
    declared with (services/office/actions.py: each is also its route's last segment);
    the services check each again when it is taken."""
    if not can_act(p, case.office) or getattr(case, "anonymised_at", None) is not None:
        return []
    s = Status(case.status)
    thanks = not case.answer_owed
    actions = []
    if s not in (Status.CONCLUDED, Status.NOT_PROCESSED):
        actions += ["triage", "interim-answer", "revoke-link", "refer"]
    if thanks:
        if s in (Status.RECEIVED, Status.IN_REVIEW):
            actions.append("acknowledge")
        if s in (Status.RECEIVED, Status.IN_REVIEW, Status.AWAITING_APPLICANT):
            actions += ["not-processed", "merge"]
    else:
        if s in (Status.RECEIVED, Status.IN_REVIEW, Status.FORWARDED, Status.INSTITUTION_ANSWERED,
                 Status.UNDER_EVALUATION):
            actions.append("forward")
        if s in (Status.RECEIVED, Status.IN_REVIEW, Status.AWAITING_APPLICANT, Status.UNDER_EVALUATION):
            actions += ["not-processed", "merge"]
        if s in (Status.RECEIVED, Status.IN_REVIEW, Status.FORWARDED, Status.UNDER_EVALUATION):
            actions.append("request-info")
        if s in (Status.INSTITUTION_ANSWERED, Status.UNDER_EVALUATION):
            actions.append("evaluate")
        if s in (Status.IN_REVIEW, Status.INSTITUTION_ANSWERED, Status.UNDER_EVALUATION):
            actions.append("conclude")
    if s == Status.AWAITING_APPLICANT:
        actions.append("information-received")
    if today is not None and can_extend(case, today):
        actions.append("extend")
    if (not case.confidential_identity and s not in (Status.CONCLUDED, Status.NOT_PROCESSED)
            and any(a.is_open and not a.contact_shared for a in assignments or [])):
        actions.append("share-contact")
    if s in (Status.CONCLUDED, Status.NOT_PROCESSED) and p.role == "supervisor":
        actions.append("reopen")
    flag = getattr(case, "possible_repeat", None)
    if flag and not flag.get("dismissed") and s not in (Status.CONCLUDED, Status.NOT_PROCESSED):
        actions.append("dismiss-repeat")
    if p.role == "supervisor":
        actions.append("release-hold" if case.legal_hold else "legal-hold")
    return actions


def apply_extension(case, now, *, actor: str, ground: str) -> None:
    """The extension itself (the office's or an institution's): 30 working days from the
    start of the period, and a public history entry that says why."""
    case.extended = True
    case.legal_due_date = default_calendar().legal_due_4982(case.period_start, extended=True)
    case.history.append(HistoryEntry(
        now, case.status, f"Bilgi edinme başvurunuzun cevap süresi {tr_date(case.legal_due_date)} tarihine uzatıldı "
        f"(4982 sayılı Kanun md. 11). Gerekçe: {ground}.", True, actor, "extended"))


def reopen_period(case, now, *, actor: str) -> None:
    """A reopened case (by a supervisor, or by the citizen's objection) is examined
    again, so the legal period runs again from the day it was reopened: 30 days (3071)
    or 15 working days (4982), never earlier than the date it had. The first period's
    date stays in the history. A thanks stays without one."""
    today = local_date(now)
    case.reopened_on = today
    case.extended = case.extension_warned = False
    due = legal_due_for(case.type, today)
    if due is not None and case.legal_due_date is not None:
        due = max(due, case.legal_due_date)
    case.legal_due_date = due
    if due is not None:
        case.history.append(HistoryEntry(now, case.status, f"Yeniden değerlendirmede yasal cevap süresi "
                                         f"{tr_date(due)} tarihine kadardır.", True, actor, "period_restarted"))
