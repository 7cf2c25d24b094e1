"""Institution API: everything through the signed link, sent in the `X-Link-Token`
header (the web page reads it from the link's #fragment, which browsers never send)."""
from __future__ import annotations

from datetime import datetime, timezone

from chalice import Blueprint

from .http import client_ip, json_response, read_json, route

AnswerIn, AttachmentUploadIn, ErrorOut, ExtensionIn, RedirectIn = (
    "AnswerIn", "AttachmentUploadIn", "ErrorOut", "ExtensionIn", "RedirectIn")


def _service():
    from ..adapters import storage
    from ..services import institution
    return institution, storage

bp = Blueprint(__name__)

TOKEN = [{"name": "X-Link-Token", "in": "header", "required": True, "schema": {"type": "string"},
          "description": "The token from the e-mailed link (the part after #t=)"}]
REFUSALS = {401: ("Bağlantı geçersiz", ErrorOut), 410: ("Bağlantının süresi dolmuş, iptal edilmiş ya da başvuru kapalı",
                                                         ErrorOut),
            429: ("Çok fazla geçersiz deneme", ErrorOut)}
WRITE = {**REFUSALS, 409: ("Zaten cevaplanmış ya da izin verilmeyen işlem", ErrorOut), 422: ("Alan hataları", ErrorOut)}


def _args():
    from ..adapters.cases import CaseWorkRepository
    request = bp.current_request
    return {"client": client_ip(request), "now": datetime.now(timezone.utc), "repo": CaseWorkRepository()}


def _token():
    return bp.current_request.headers.get("x-link-token")


@route(bp, "/v1/institution/assignment", "GET", summary="Kuruma iletilen başvuruyu oku", tag="institution",
       headers=TOKEN, responses={200: ("Başvuru ve görev", None), **REFUSALS})
def get_assignment():
    institution, storage = _service()
    return json_response(institution.read(_token(), storage=storage, **_args()), headers={"Cache-Control": "no-store"})


@route(bp, "/v1/institution/answer", "POST", summary="Cevap ver", tag="institution", request=AnswerIn,
       headers=TOKEN, responses={200: ("Cevap kaydedildi", None), **WRITE})
def post_answer():
    institution, storage = _service()
    data = read_json(bp.current_request)
    return json_response(institution.answer(_token(), data, storage=storage, **_args()))


@route(bp, "/v1/institution/redirect", "POST", summary="Görev alanımız dışında", tag="institution",
       request=RedirectIn, headers=TOKEN, responses={200: ("Büroya bildirildi", None), **WRITE})
def post_redirect():
    institution, storage = _service()
    data = read_json(bp.current_request)
    return json_response(institution.redirect(_token(), data, storage=storage, **_args()))


@route(bp, "/v1/institution/extension", "POST", summary="Bilgi edinme süresini uzat (4982 md. 11)",
       tag="institution", request=ExtensionIn, headers=TOKEN, responses={200: ("Süre uzatıldı", None), **WRITE})
def post_extension():
    institution, storage = _service()
    data = read_json(bp.current_request)
    return json_response(institution.extension(_token(), data, storage=storage, **_args()))


@route(bp, "/v1/institution/attachments", "POST", summary="Ek yüklemek için imzalı S3 POST al",
       tag="institution", request=AttachmentUploadIn, headers=TOKEN,
       responses={201: ("Yükleme formu", None), **WRITE})
def post_attachment():
    institution, storage = _service()
    data = read_json(bp.current_request)
    return json_response(institution.start_upload(_token(), data, storage=storage, **_args()), 201)
