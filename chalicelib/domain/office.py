"""The office's rules: who may do what, and the reason codes for not processing a case."""
from __future__ import annotations

from .case import Status

NOT_PROCESSED_REASONS = {
    "judicial_matter": "Yasama veya yargı yetkisi kapsamındaki bir konu",
    "no_clear_subject": "Konusu belli olmayan başvuru",
    "private_dispute": "Özel hukuk kişileri arasındaki uyuşmazlık",
    "identity_misuse": "Başkasının kimliğinin kullanılması ya da ayırt etme gücünden yoksunluk",
    "prosecutor_matter": "Cumhuriyet başsavcılığının görev alanındaki suç ihbarı",
    "suspicion_only": "Somut bilgi içermeyen şüphe",
    "abusive_repetition": "Kötü niyetli, tekrar eden başvuru",
    "no_public_remit": "Hiçbir kamu kurumunun görev alanına girmeyen konu",
    "special_procedure": "Kendine özgü başvuru yolu bulunan konu",
    "missing_elements": "Zorunlu unsurları eksik başvuru",
    "merged_duplicate": "Aynı başvuru sahibinin önceki başvurusuyla birleştirildi",
}

REOPEN_WINDOW_DAYS = 30
OBJECTION_WINDOW_DAYS = 30


def can_read(p, district: str, province: str) -> bool:
    if p.role in ("desk", "supervisor"):
        return p.district == district
    if p.role == "province":
        return p.province == province
    return False  # admin manages reference data and users, not cases


def can_act(p, district: str) -> bool:
    return p.role in ("desk", "supervisor") and p.district == district


def can_supervise(p, district: str) -> bool:
    return p.role == "supervisor" and p.district == district


def can_reveal(p, district: str) -> bool:
    return can_act(p, district)


def allowed_actions(status: Status, p, district: str) -> list[str]:
    if not can_act(p, district):
        return []
    s = Status(status)
    actions = []
    if s not in (Status.CONCLUDED, Status.NOT_PROCESSED):
        actions += ["triage", "interim_answer", "revoke_link"]
    if s in (Status.RECEIVED, Status.IN_REVIEW, Status.FORWARDED, Status.INSTITUTION_ANSWERED,
             Status.UNDER_EVALUATION):
        actions.append("forward")
    if s in (Status.RECEIVED, Status.IN_REVIEW, Status.AWAITING_APPLICANT, Status.UNDER_EVALUATION):
        actions += ["not_processed", "merge"]
    if s in (Status.RECEIVED, Status.IN_REVIEW, Status.FORWARDED, Status.UNDER_EVALUATION):
        actions.append("request_info")
    if s in (Status.INSTITUTION_ANSWERED, Status.UNDER_EVALUATION):
        actions.append("evaluate")
    if s in (Status.IN_REVIEW, Status.INSTITUTION_ANSWERED, Status.UNDER_EVALUATION):
        actions.append("conclude")
    if s in (Status.CONCLUDED, Status.NOT_PROCESSED) and p.role == "supervisor":
        actions.append("reopen")
    return actions
