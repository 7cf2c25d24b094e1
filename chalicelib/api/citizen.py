"""Citizen API: submit, track, the catalogue, health. Thin handlers over the services."""
from __future__ import annotations

import hashlib
import json

from chalice import Blueprint, Response

from ..bootstrap import ports

from .http import client_ip, in_language, json_response, read_json, route

# Models are named, not imported: importing the app stays cheap (see openapi._model).
ApplicationIn, ApplicationOut, CitizenReplyIn, ErrorOut, ObjectionIn, SurveyIn, TrackOut = (
    "ApplicationIn", "ApplicationOut", "CitizenReplyIn", "ErrorOut", "ObjectionIn", "SurveyIn", "TrackOut")

bp = Blueprint(__name__)

_ERRORS = {400: ("Hatalı istek", ErrorOut), 413: ("Gövde 64 KiB'den büyük", ErrorOut),
           415: ("İçerik türü application/json değil", ErrorOut), 422: ("Alan hataları", ErrorOut)}


# A citizen's action on her case: the access code, or a phone-verified session instead
CODE_OR_SESSION = [{"name": "X-Access-Code", "in": "header", "required": False, "schema": {"type": "string"},
                    "description": "The access code on the receipt; not needed with a citizen session"},
                   {"name": "Authorization", "in": "header", "required": False, "schema": {"type": "string"},
                    "description": "Bearer <token of POST /v1/citizen/session>: the case must be this person's"}]


@route(bp, "/v1/applications", "POST", summary="Başvuru yap (submit an application)", tag="citizen",
       request=ApplicationIn,
       headers=[{"name": "Idempotency-Key", "in": "header", "required": False, "schema": {"type": "string"}}],
       responses={201: ("Başvuru alındı", ApplicationOut), 409: ("Idempotency-Key çakışması", ErrorOut), **_ERRORS})
def submit_application():
    from ..services import applications
    request = bp.current_request
    result = applications.submit(ports(), read_json(request),
                                 idempotency_key_header=request.headers.get("idempotency-key"),
                                 authorization=request.headers.get("authorization"))
    return json_response(result.body, result.status, result.headers)


@route(bp, "/v1/applications/{application_no}", "GET", summary="Başvuruyu izle (track an application)",
       tag="citizen",
       headers=CODE_OR_SESSION,
       responses={200: ("Başvurunun durumu", TrackOut), 400: ("Numara hatalı yazılmış", ErrorOut),
                  401: ("Oturum geçersiz ya da süresi dolmuş (erişim kodu yerine oturumla)", ErrorOut),
                  404: ("Numara ya da erişim kodu eşleşmiyor", ErrorOut),
                  410: ("Saklama süresi dolmuş, kişisel veriler imha edilmiş", ErrorOut),
                  429: ("Çok fazla hatalı deneme", ErrorOut)})
def track_application(application_no):
    from ..services import tracking
    request = bp.current_request
    view = tracking.track(ports(), application_no, request.headers.get("x-access-code"),
                          client=client_ip(request), session=request.headers.get("authorization"))
    return json_response(view, headers={"Cache-Control": "no-store"})


@route(bp, "/v1/applications/{application_no}/data", "GET",
       summary="Bu başvuruda tutulan kişisel verilerim (KVKK md. 11, JSON)", tag="citizen",
       headers=CODE_OR_SESSION,
       responses={200: ("Tutulan veriler", "PersonalDataCopyOut"), 400: ("Numara hatalı yazılmış", ErrorOut),
                  404: ("Numara ya da erişim kodu eşleşmiyor", ErrorOut), 410: ("İmha edilmiş", ErrorOut),
                  429: ("Çok fazla hatalı deneme", ErrorOut)})
def my_data(application_no):
    from ..services import kvkk
    request = bp.current_request
    body = kvkk.citizen_copy(ports(), application_no, request.headers.get("x-access-code"), client=client_ip(request),
                             session=request.headers.get("authorization"))
    return json_response(body, headers={"Cache-Control": "no-store",
                                        "Content-Disposition": 'attachment; filename="acikkapi-verilerim.json"'})


@route(bp, "/v1/citizen/otp", "POST", summary="Telefon doğrulama kodu iste (SMS; bilinmeyen telefon için de aynı cevap)",
       tag="citizen", request="OtpRequestIn",
       responses={202: ("Kod gönderildi (telefon bu kişiye aitse)", "OtpSentOut"), 429: ("Çok fazla kod", ErrorOut),
                  **_ERRORS})
def citizen_otp():
    from ..services import citizen_session
    request = bp.current_request
    return json_response(in_language(citizen_session.request_code(ports(), read_json(request), client=client_ip(request)),
                                     request), 202, headers={"Cache-Control": "no-store"})


@route(bp, "/v1/citizen/session", "POST", summary="Kodla oturum aç (30 dakika)", tag="citizen", request="OtpVerifyIn",
       responses={200: ("Oturum", "CitizenSessionOut"), 401: ("Kod hatalı ya da süresi dolmuş", ErrorOut), **_ERRORS})
def citizen_session_open():
    from ..services import citizen_session
    return json_response(citizen_session.open_session(ports(), read_json(bp.current_request)),
                         headers={"Cache-Control": "no-store"})


@route(bp, "/v1/citizen/applications", "GET", summary="Başvurularım (doğrulanmış oturumla)", tag="citizen",
       headers=[{"name": "Authorization", "in": "header", "required": True, "schema": {"type": "string"}}],
       responses={200: ("Başvurular", "MyApplicationsOut"), 401: ("Oturum yok", ErrorOut)})
def citizen_applications():
    from ..services import citizen_session
    request = bp.current_request
    return json_response(citizen_session.my_applications(ports(), request.headers.get("authorization"),
                                                         dict(request.query_params or {})),
                         headers={"Cache-Control": "no-store"})


@route(bp, "/v1/citizen/applications/{application_no}", "GET", summary="Başvurumu erişim kodu olmadan izle (oturumla)",
       tag="citizen", headers=[{"name": "Authorization", "in": "header", "required": True, "schema": {"type": "string"}}],
       responses={200: ("Başvurunun durumu", TrackOut), 401: ("Oturum yok", ErrorOut), 404: ("Size ait değil", ErrorOut),
                  400: ("Numara hatalı", ErrorOut)})
def citizen_application(application_no):
    from ..services import citizen_session
    request = bp.current_request
    return json_response(citizen_session.my_application(ports(), request.headers.get("authorization"), application_no),
                         headers={"Cache-Control": "no-store"})


@route(bp, "/v1/applications/{application_no}/attachments", "POST",
       summary="Fotoğraf ya da belge yükleme formu al (en fazla 3; JPEG, PNG, HEIC, PDF; 10 MB)", tag="citizen",
       request="CitizenUploadIn",
       headers=CODE_OR_SESSION,
       responses={201: ("Yükleme formu (presigned POST)", "UploadFormOut"), 404: ("Eşleşmiyor", ErrorOut),
                  409: ("Kapalı ya da 3 dosya var", ErrorOut), 429: ("Çok fazla hatalı deneme", ErrorOut), **_ERRORS})
def citizen_upload_form(application_no):
    from ..services import citizen_files
    request = bp.current_request
    return json_response(citizen_files.start_upload(ports(), application_no, request.headers.get("x-access-code"),
                                                    read_json(request), client=client_ip(request),
                                                    session=request.headers.get("authorization")), 201)


@route(bp, "/v1/applications/{application_no}/attachments/{attachment_id}", "POST",
       summary="Yüklenen dosyayı başvuruya ekle (türü denetlenir, fotoğrafın üst verisi silinir)", tag="citizen",
       request="CitizenFileIn",
       headers=CODE_OR_SESSION,
       responses={200: ("Güncel durum", TrackOut), 404: ("Eşleşmiyor", ErrorOut), 409: ("Eklenemez", ErrorOut),
                  429: ("Çok fazla hatalı deneme", ErrorOut), **_ERRORS})
def citizen_attach(application_no, attachment_id):
    from ..services import citizen_files
    request = bp.current_request
    return json_response(citizen_files.attach(ports(), application_no, request.headers.get("x-access-code"),
                                              attachment_id, read_json(request), client=client_ip(request),
                                              session=request.headers.get("authorization")))


@route(bp, "/v1/applications/{application_no}/replies", "POST",
       summary="İstenen ek bilgiyi gönder (send the information the office asked for)", tag="citizen",
       request=CitizenReplyIn,
       headers=CODE_OR_SESSION,
       responses={200: ("Güncel durum", TrackOut), 404: ("Numara ya da erişim kodu eşleşmiyor", ErrorOut),
                  409: ("Ek bilgi beklenmiyor", ErrorOut), 429: ("Çok fazla hatalı deneme", ErrorOut), **_ERRORS})
def reply_to_office(application_no):
    from ..services import office
    request = bp.current_request
    view = office.citizen_reply(ports(), application_no, request.headers.get("x-access-code"), read_json(request),
                                client=client_ip(request), session=request.headers.get("authorization"))
    return json_response(view)


@route(bp, "/v1/applications/{application_no}/objection", "POST",
       summary="Sonuca itiraz et (object to the conclusion, once, within 30 days)", tag="citizen",
       request=ObjectionIn,
       headers=CODE_OR_SESSION,
       responses={200: ("Güncel durum", TrackOut), 404: ("Numara ya da erişim kodu eşleşmiyor", ErrorOut),
                  409: ("İtiraz edilemez", ErrorOut), 429: ("Çok fazla hatalı deneme", ErrorOut), **_ERRORS})
def object_to_conclusion(application_no):
    from ..services import feedback
    request = bp.current_request
    view = feedback.object_to_conclusion(ports(), application_no, request.headers.get("x-access-code"),
                                         read_json(request), client=client_ip(request),
                                         session=request.headers.get("authorization"))
    return json_response(view)


SURVEY_TOKEN = [{"name": "X-Survey-Token", "in": "header", "required": True, "schema": {"type": "string"},
                 "description": "The token from the survey link (the part after #t=)"}]


@route(bp, "/v1/surveys", "GET", summary="Anket bağlantısını doğrula (survey status)", tag="citizen",
       headers=SURVEY_TOKEN, responses={200: ("Anket durumu", "SurveyStatusOut"), 401: ("Geçersiz", ErrorOut),
                                        410: ("Süresi dolmuş", ErrorOut)})
def survey_status():
    from ..services import feedback
    return json_response(feedback.survey_status(ports(), bp.current_request.headers.get("x-survey-token")))


@route(bp, "/v1/surveys", "POST", summary="Memnuniyet anketini cevapla (1-5)", tag="citizen", request=SurveyIn,
       headers=SURVEY_TOKEN, responses={201: ("Kaydedildi", "SurveyStatusOut"), 401: ("Geçersiz", ErrorOut),
                                        409: ("Daha önce cevaplanmış", ErrorOut), 410: ("Süresi dolmuş", ErrorOut),
                                        **_ERRORS})
def answer_survey():
    from ..services import feedback
    request = bp.current_request
    return json_response(feedback.answer_survey(ports(), request.headers.get("x-survey-token"), read_json(request)),
                         201)


_CATALOG_CACHE: dict = {}


@route(bp, "/v1/receipts/verify", "POST", summary="Makbuzu doğrula (dogrula.html): karekod ya da numara ile doğrulama kodu",
       tag="citizen", request="ReceiptVerifyIn",
       responses={200: ("Geçerli ya da geçersiz; yalnızca makbuzda yazanlar", "ReceiptCheckOut"),
                  429: ("Çok fazla hatalı deneme", ErrorOut), **_ERRORS})
def verify_receipt():
    from ..services import receipts
    request = bp.current_request
    return json_response(in_language(receipts.verify(ports(), read_json(request), client=client_ip(request)), request),
                         headers={"Cache-Control": "no-store"})


@route(bp, "/v1/applications/{application_no}/receipt.pdf", "GET",
       summary="Alındı belgesi (PDF): indirmek, yazdırmak ya da paylaşmak için", tag="citizen", headers=CODE_OR_SESSION,
       responses={200: ("application/pdf", None), 404: ("Numara ya da erişim kodu eşleşmiyor", ErrorOut),
                  429: ("Çok fazla hatalı deneme", ErrorOut)})
def receipt_pdf(application_no):
    from ..services import receipts
    request = bp.current_request
    body = receipts.pdf(ports(), application_no, request.headers.get("x-access-code"), client=client_ip(request),
                        session=request.headers.get("authorization"))
    # binary through API Gateway: base64 in the event, decoded for the client (app.api.binary_types)
    return Response(body=body, status_code=200,
                    headers={"Content-Type": "application/pdf", "Cache-Control": "no-store",
                             "Content-Disposition": f'attachment; filename="acikkapi-alindi-{application_no[:14]}.pdf"'})


@route(bp, "/v1/receipts/qr", "GET", summary="Makbuzun karekodu (SVG data URI); yalnızca bu sistemin imzaladığı makbuz için",
       tag="citizen", responses={200: ("Karekod", "ReceiptQrOut"), **_ERRORS})
def receipt_qr():
    from ..services import receipts
    params: dict = dict(bp.current_request.query_params or {})
    return json_response(receipts.qr(ports(), params.get("r") or ""),
                         headers={"Cache-Control": "public, max-age=86400"})


@route(bp, "/v1/notice", "GET", summary="KVKK aydınlatma metni (başvurulan valilik ya da kaymakamlığın bilgileriyle)",
       tag="citizen",
       headers=[{"name": "district", "in": "query", "required": False, "schema": {"type": "string"}}],
       responses={200: ("Aydınlatma metni", "NoticeOut"), 400: ("İlçe tanınmıyor", ErrorOut)})
def kvkk_notice():
    from ..services import reference
    district = dict(bp.current_request.query_params or {}).get("district") or None
    return json_response(reference.notice(ports(), district), headers={"Cache-Control": "public, max-age=300"})


@route(bp, "/v1/catalog/neighbourhoods/{district}", "GET",
       summary="Bir ilçenin mahalle ve köyleri (the place picker's list, from the same official data as the districts)",
       tag="citizen", responses={200: ("Mahalle ve köyler", "NeighbourhoodsOut"), 404: ("İlçe tanınmıyor", ErrorOut)})
def get_neighbourhoods(district):
    from ..services import reference
    return json_response(reference.neighbourhoods(district), headers={"Cache-Control": "public, max-age=86400"})


@route(bp, "/v1/catalog", "GET", summary="Başvuru türleri, konular, il ve ilçeler (catalogue)", tag="citizen",
       responses={200: ("Katalog (statik belge)", None)})
def get_catalog():
    if "body" not in _CATALOG_CACHE:
        from ..config import settings
        from ..domain.catalog import catalog
        where = settings().data_location()
        privacy = {"retention_years": settings().retention_years, "data_region": where.place,
                   "transfer_abroad": where.abroad, "recipient": where.recipient, "transfer_basis": where.basis}
        body = json.dumps({**catalog().public_document, "privacy": privacy}, ensure_ascii=False)
        _CATALOG_CACHE["body"] = body
        _CATALOG_CACHE["etag"] = '"' + hashlib.sha256(body.encode("utf-8")).hexdigest()[:32] + '"'
    etag = _CATALOG_CACHE["etag"]
    headers = {"Cache-Control": "public, max-age=3600", "ETag": etag}
    if bp.current_request.headers.get("if-none-match") == etag:
        from chalice import Response
        return Response(body="", status_code=304, headers=headers)
    from chalice import Response
    return Response(body=_CATALOG_CACHE["body"], status_code=200,
                    headers={"Content-Type": "application/json; charset=utf-8", **headers})


@route(bp, "/v1/stats", "GET",
       summary="Açık istatistikler: ay, il, ilçe ve türe göre başvurular (5'ten küçük sayılar gizlenir; JSON ya da CSV)",
       tag="public",
       headers=[{"name": n, "in": "query", "required": False, "schema": {"type": "string"}}
                for n in ("month", "province", "format")],
       responses={200: ("İstatistikler (format=csv: UTF-8, BOM)", "StatsOut"), 400: ("Hatalı parametre", ErrorOut),
                  404: ("Bu ay yayımlanmadı", ErrorOut)})
def open_stats():
    """Public and cached: a request reads at most two small items, however many
    applications exist (the roll-up publishes them once a day)."""
    from ..services import open_stats as stats
    result = stats.read(ports(), dict(bp.current_request.query_params or {}))
    headers = {"Cache-Control": "public, max-age=900"}
    if result["format"] == "csv":
        from chalice import Response
        name = f"acikkapi-istatistik-{result['month'] or 'yok'}{'-' + result['province'] if result['province'] else ''}.csv"
        return Response(body=stats.to_csv(result).decode("utf-8"), status_code=200,
                        headers={"Content-Type": "text/csv; charset=utf-8", **headers,
                                 "Content-Disposition": f'attachment; filename="{name}"'})
    return json_response(result, headers=headers)


@route(bp, "/v1/health", "GET", summary="Canlılık (liveness): işlev çalışıyor", tag="meta",
       responses={200: ("Çalışıyor", "HealthOut")})
def health():
    """Liveness only: no backend is called, so a slow database never makes it fail."""
    return json_response({"status": "ok"})


@route(bp, "/v1/ready", "GET", summary="Hazırlık (readiness): veritabanı ve kuyruklar yanıt veriyor", tag="meta",
       responses={200: ("Hazır", "ReadyOut"), 503: ("Bir arka uç yanıt vermiyor", "ReadyOut")})
def ready():
    """One cheap call each to DynamoDB and SQS, within the short timeouts of adapters/aws.py."""
    import time
    checks: dict[str, dict] = {}
    for name, probe in (("dynamodb", lambda: ports().cases.ready()), ("sqs", lambda: ports().publisher.ready())):
        started = time.monotonic()
        try:
            probe()
            checks[name] = {"ok": True}
        except Exception as exc:  # noqa: BLE001 - any failure means not ready
            checks[name] = {"ok": False, "error": type(exc).__name__}
        checks[name]["ms"] = round((time.monotonic() - started) * 1000)
    ok = all(c["ok"] for c in checks.values())
    return json_response({"status": "ready" if ok else "unavailable", "checks": checks}, 200 if ok else 503,
                         headers={"Cache-Control": "no-store", **({} if ok else {"Retry-After": "5"})})
