"""The API's response models: the OpenAPI document is generated from them, and every
response a route sends is checked against the model it declares for its status
(`http.route`). A body that drifts from its model (a field renamed, one added without
being documented) fails loudly instead of reaching clients unannounced.

Request models stay in `domain/schemas`: they are the domain's input rules. These
are the shape of what the API answers, so they live beside it.

As the request models, they live in two modules imported when a model is first asked
for: `filing` holds the errors and a submission's receipt, `answers` every other answer.
A container whose first request is a submission defines three response models, not
sixty (docs/performance.md, cold start).
"""
from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from ...lazymodules import lazy_names


class _Out(BaseModel):
    # built on first use, not at import: a cold start answers with one or two of these
    model_config = ConfigDict(extra="forbid", defer_build=True)


# Where each model is defined, for the lazy look-up below (tests check the list is complete).
MODELS = {
    **dict.fromkeys(("ErrorDetail", "ErrorOut", "ApplicationOut", "OfficeOut", "VerificationOut", "ReceiptCheckOut",
                     "ReceiptQrOut"),
                    "filing"),
    **dict.fromkeys((
        "HistoryOut", "ReplacedAnswerOut", "ReleasedFileOut", "FinalAnswerOut", "TrackOut", "SurveyStatusOut", "NoticeSectionOut", "NoticeOut", "NeighbourhoodsOut",
        "StatsRowOut", "StatsMonthOut", "StatsOut", "HealthOut", "CheckOut", "ReadyOut", "AttachmentOut",
        "AnswerOut", "NamedRef", "InstitutionChoice", "InstitutionCaseOut", "UploadFormOut", "UserOut", "SessionOut", "AssignmentOut",
        "StaffHistoryOut", "MaskedApplicantOut", "ReasonCode", "CaseDetailOut", "QueueItemOut", "QueuePageOut",
        "WeekOut", "DashboardOut", "RevealOut", "AuditEntryOut", "AuditTrailOut", "InstitutionSettingsOut",
        "DistrictOut", "OfficeSettingsOut", "StaffUserOut", "StaffListOut", "AdminAuditOut", "ConfirmLinkSentOut", "LiaisonOut", "InboxLinkOut", "InboxItemOut", "InboxOut", "ProvinceRowOut", "ProvinceTotalsOut", "ProvinceDashboardOut", "PartnerOut", "PartnerListOut", "PartnerIssuedOut", "PartnerRevokedOut",
        "SubjectRequestOut", "SubjectRequestListOut", "SubjectRequestDetailOut", "PersonalDataCopyOut",
        "DestructionEntryOut", "DestructionLogOut", "OtpSentOut", "CitizenSessionOut", "MyApplicationOut",
        "MyApplicationsOut", "SameApplicantOut", "RelatedCaseOut", "RelatedOut", "ExportLinkOut"), "answers"),
}


__getattr__ = lazy_names(__name__, MODELS, globals())
