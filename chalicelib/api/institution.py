"""Institution API: everything through the signed link, sent in the `X-Link-Token`
header (the web page reads it from the link's #fragment, which browsers never send)."""
from __future__ import annotations

from chalice import Blueprint

from ..bootstrap import ports
from .http import client_ip, json_response, read_json, route

AnswerIn, AttachmentUploadIn, ErrorOut, ExtensionIn, RedirectIn = (
    "AnswerIn", "AttachmentUploadIn", "ErrorOut", "ExtensionIn", "RedirectIn")


bp = Blueprint(__name__)

TOKEN = [{"name": "X-Link-Token", "in": "header", "required": True, "schema": {"type": "string"},
          "description": "The token from the e-mailed link (the part after #t=)"}]
REFUSALS = {401: ("Bağlantı geçersiz", ErrorOut), 410: ("Bağlantının süresi dolmuş, iptal edilmiş ya da başvuru kapalı",
                                                         ErrorOut),
            429: ("Çok fazla geçersiz deneme", ErrorOut)}
WRITE = {**REFUSALS, 409: ("Zaten cevaplanmış ya da izin verilmeyen işlem", ErrorOut), 422: ("Alan hataları", ErrorOut)}


def _call(action: str, *with_body):
    """The institution service's `action`, with the ports, the link token and the client."""
    from ..services import institution
    request = bp.current_request
    return getattr(institution, action)(ports(), request.headers.get("x-link-token"), *with_body,
                                        client=client_ip(request))


@route(bp, "/v1/institution/assignment", "GET", summary="Kuruma iletilen başvuruyu oku", tag="institution",
       headers=TOKEN, responses={200: ("Başvuru ve görev", "InstitutionCaseOut"), **REFUSALS})
def get_assignment():
    return json_response(_call("read"), headers={"Cache-Control": "no-store"})


@route(bp, "/v1/institution/answer", "POST", summary="Cevap ver", tag="institution", request=AnswerIn,
       headers=TOKEN, responses={200: ("Cevap kaydedildi", "InstitutionCaseOut"), **WRITE})
def post_answer():
    return json_response(_call("answer", read_json(bp.current_request)))


@route(bp, "/v1/institution/redirect", "POST", summary="Görev alanımız dışında", tag="institution",
       request=RedirectIn, headers=TOKEN, responses={200: ("Büroya bildirildi", "InstitutionCaseOut"), **WRITE})
def post_redirect():
    return json_response(_call("redirect", read_json(bp.current_request)))


@route(bp, "/v1/institution/extension", "POST", summary="Bilgi edinme süresini uzat (4982 md. 11)",
       tag="institution", request=ExtensionIn, headers=TOKEN, responses={200: ("Süre uzatıldı", "InstitutionCaseOut"), **WRITE})
def post_extension():
    return json_response(_call("extension", read_json(bp.current_request)))


@route(bp, "/v1/institution/attachments", "POST", summary="Ek yüklemek için imzalı S3 POST al",
       tag="institution", request=AttachmentUploadIn, headers=TOKEN,
       responses={201: ("Yükleme formu", "UploadFormOut"), **WRITE})
def post_attachment():
    return json_response(_call("start_upload", read_json(bp.current_request)), 201)


@route(bp, "/v1/institution/liaison", "GET", summary="İrtibat adresi onay bağlantısının neyi onaylattığı",
       tag="institution", headers=TOKEN, responses={200: ("Kurum ve adres", "LiaisonOut"), 401: REFUSALS[401],
                                                    410: ("Süresi dolmuş ya da adres değişmiş", ErrorOut)})
def get_liaison():
    from ..services import liaison
    request = bp.current_request
    return json_response(liaison.read(ports(), request.headers.get("x-link-token"), client=client_ip(request)),
                         headers={"Cache-Control": "no-store"})


@route(bp, "/v1/institution/liaison/confirm", "POST", summary="İrtibat adresini onayla (onay bağlantısıyla)",
       tag="institution", headers=TOKEN, responses={200: ("Onaylandı", "LiaisonOut"), 401: REFUSALS[401],
                                                    410: ("Süresi dolmuş ya da adres değişmiş", ErrorOut)})
def post_liaison_confirm():
    from ..services import liaison
    request = bp.current_request
    return json_response(liaison.confirm(ports(), request.headers.get("x-link-token"), client=client_ip(request)))


@route(bp, "/v1/institution/inbox", "GET", summary="Kurumun cevap beklediği başvurular (gelen kutusu bağlantısıyla)",
       tag="institution", headers=TOKEN, responses={200: ("Açık görevler", "InboxOut"), 401: REFUSALS[401],
                                                    410: ("Süresi dolmuş, yenilenmiş ya da iptal edilmiş", ErrorOut)})
def get_inbox():
    from ..services import inbox
    request = bp.current_request
    return json_response(inbox.read(ports(), request.headers.get("x-link-token"), client=client_ip(request)),
                         headers={"Cache-Control": "no-store"})
