"""Staff API (prefix /v1/staff): sign-in, the district queue, case detail and every
office action. All routes but sign-in go through the built-in authorizer, which
verifies the Cognito ID token (chalicelib/auth.py)."""
from __future__ import annotations

from datetime import datetime, timezone

from chalice import AuthResponse, Blueprint

from .. import auth
from ..domain.errors import Unauthorized
from .http import client_ip, json_response, read_json, route


class _Lazy:
    """The service modules, imported on first use: the authorizer never needs them."""
    def __init__(self, module):
        self._module = module

    def __getattr__(self, name):
        import importlib
        return getattr(importlib.import_module(self._module), name)


office = _Lazy("chalicelib.services.office")
reference = _Lazy("chalicelib.services.reference")


def CaseWorkRepository():  # noqa: N802 - stands for the class, imported on first use
    from ..adapters.cases import CaseWorkRepository as repo
    return repo()

bp = Blueprint(__name__)


@bp.authorizer(name="staff_authorizer", ttl_seconds=300)
def staff_authorizer(auth_request):
    """API Gateway TOKEN authorizer: no header -> 401; an invalid, expired or foreign
    token -> an empty policy, which API Gateway answers with 403."""
    token = auth.bearer(auth_request.token)
    try:
        principal = auth.verify(token or "")
    except auth.InvalidToken:
        return AuthResponse(routes=[], principal_id="anonymous")
    return AuthResponse(routes=["*"], principal_id=principal.username, context=principal.context())


def _principal() -> auth.Principal:
    ctx = (bp.current_request.context or {}).get("authorizer") or {}
    if not ctx.get("role"):
        raise Unauthorized("unauthenticated", "Oturum açmanız gerekiyor.")
    return auth.Principal.from_context(ctx)


def _kw():
    from ..adapters import storage
    request = bp.current_request
    return {"now": datetime.now(timezone.utc), "client": client_ip(request), "repo": CaseWorkRepository(),
            "storage": storage}


AUTH = {"authorizer": staff_authorizer}
DENIED = {401: ("Oturum yok", None), 403: ("Yetki yok", "ErrorOut")}
CHANGE = {**DENIED, 404: ("Başvuru yok", "ErrorOut"), 409: ("Eski sürüm ya da izin verilmeyen geçiş",
                                                                  "ErrorOut"),
          422: ("Alan hataları", "ErrorOut"), 428: ("Sürüm gerekli", "ErrorOut")}


@route(bp, "/v1/staff/session", "POST", summary="Personel girişi (Cognito InitiateAuth)", tag="staff",
       request="SessionIn", responses={200: ("Belirteçler", None), 401: ("Hatalı giriş", "ErrorOut")})
def sign_in():
    from ..domain.schemas import SessionIn, parse
    req = parse(SessionIn, read_json(bp.current_request))
    result = auth.sign_in(req.username, req.password)
    if not result.get("IdToken"):
        raise Unauthorized("invalid_credentials", "Kullanıcı adı ya da parola hatalı.")
    principal = auth.verify(result["IdToken"])
    return json_response({"id_token": result["IdToken"], "access_token": result.get("AccessToken"),
                          "refresh_token": result.get("RefreshToken"), "expires_in": result.get("ExpiresIn"),
                          "user": principal.context()}, headers={"Cache-Control": "no-store"})


@route(bp, "/v1/staff/me", "GET", summary="Oturumdaki kullanıcı", tag="staff", security=True,
       responses={200: ("Kullanıcı", None), **DENIED}, **AUTH)
def me():
    return json_response(_principal().context())


@route(bp, "/v1/staff/cases", "GET", summary="İlçe iş kuyruğu (yasal süreye göre sıralı)", tag="staff",
       security=True, responses={200: ("Sayfa", None), 400: ("Hatalı filtre", "ErrorOut"), **DENIED}, **AUTH)
def list_cases():
    params = dict(bp.current_request.query_params or {})
    kw = _kw()
    return json_response(office.queue(_principal(), params, now=kw["now"], repo=kw["repo"]),
                         headers={"Cache-Control": "no-store"})


@route(bp, "/v1/staff/dashboard", "GET", summary="Gösterge paneli: durumlar, haftalık hacim, zamanında oranı",
       tag="staff", security=True, responses={200: ("Özet", None), **DENIED}, **AUTH)
def dashboard():
    kw = _kw()
    return json_response(office.dashboard(_principal(), dict(bp.current_request.query_params or {}), now=kw["now"],
                                          repo=kw["repo"]), headers={"Cache-Control": "no-store"})


@route(bp, "/v1/staff/cases/{application_no}", "GET", summary="Başvuru ayrıntısı (kimlik maskeli)", tag="staff",
       security=True, responses={200: ("Ayrıntı", None), 404: ("Yok", "ErrorOut"), **DENIED}, **AUTH)
def get_case(application_no):
    view = office.get_case(_principal(), application_no, **_kw())
    return json_response(view, headers={"ETag": f'"{view["version"]}"', "Cache-Control": "no-store"})


@route(bp, "/v1/staff/cases/{application_no}/reveal", "POST", summary="Kimlik numarasını göster (denetlenir)",
       tag="staff", security=True, responses={200: ("Açık kimlik", None), **DENIED}, **AUTH)
def reveal(application_no):
    kw = _kw()
    return json_response(office.reveal(_principal(), application_no, now=kw["now"], client=kw["client"],
                                       repo=kw["repo"]), headers={"Cache-Control": "no-store"})


@route(bp, "/v1/staff/cases/{application_no}/audit", "GET", summary="Denetim kaydı (sorumlu)", tag="staff",
       security=True, responses={200: ("Kayıtlar", None), **DENIED}, **AUTH)
def audit(application_no):
    return json_response(office.audit_trail(_principal(), application_no, repo=CaseWorkRepository()))


@route(bp, "/v1/staff/intake", "POST", summary="Masadan başvuru kaydı (yüz yüze / telefon)", tag="staff",
       request="DeskApplicationIn", security=True,
       responses={201: ("Başvuru alındı", "ApplicationOut"), **CHANGE}, **AUTH)
def intake():
    from ..adapters import queues
    request = bp.current_request
    body = office.intake(_principal(), read_json(request), now=datetime.now(timezone.utc), repo=CaseWorkRepository(),
                         publisher_queue=queues, idempotency_key=request.headers.get("idempotency-key"))
    return json_response(body, 201)


def _action(name: str, fn_name: str, model, summary: str):
    def view(application_no):
        request = bp.current_request
        result = getattr(office, fn_name)(_principal(), application_no, read_json(request), if_match=request.headers.get("if-match"),
                    **_kw())
        return json_response(result, headers={"ETag": f'"{result["version"]}"'})
    view.__name__ = f"action_{name.replace('-', '_')}"
    route(bp, f"/v1/staff/cases/{{application_no}}/{name}", "POST", summary=summary, tag="staff", request=model,
          security=True, responses={200: ("Güncel ayrıntı", None), **CHANGE}, **AUTH)(view)


for _name, _fn, _model, _summary in [
    ("triage", "triage", "TriageIn", "Tür ya da konuyu değiştir (gerekçeli)"),
    ("forward", "forward", "ForwardIn", "Kurumlara yönlendir"),
    ("not-processed", "not_processed", "NotProcessedIn", "İşleme alınmadı olarak kapat"),
    ("merge", "merge", "MergeIn", "Önceki başvuruyla birleştir"),
    ("request-info", "request_info", "RequestInfoIn", "Başvuru sahibinden ek bilgi iste"),
    ("evaluate", "evaluate", "EvaluateIn", "Kurum cevabını kabul et ya da iade et"),
    ("interim-answer", "interim_answer", "InterimIn", "Ara cevap gönder (3071 md. 7)"),
    ("conclude", "conclude", "ConcludeIn", "Gerekçeli son cevapla sonuçlandır"),
    ("reopen", "reopen", "ReopenIn", "Yeniden aç (sorumlu, 30 gün içinde)"),
    ("revoke-link", "revoke_link", "RevokeLinkIn", "Kurum bağlantısını iptal edip yenisini gönder"),
]:
    _action(_name, _fn, _model, _summary)


@route(bp, "/v1/staff/districts/{district}", "GET", summary="İlçe ayarları ve kurumlar (yönetici)", tag="admin",
       security=True, responses={200: ("İlçe", None), **DENIED}, **AUTH)
def get_district(district):
    return json_response(reference.get_district(_principal(), district))


@route(bp, "/v1/staff/districts/{district}", "PUT", summary="İlçe ayarlarını ve kurumları güncelle (yönetici)",
       tag="admin", request="DistrictIn", security=True, responses={200: ("İlçe", None), **CHANGE}, **AUTH)
def put_district(district):
    request = bp.current_request
    return json_response(reference.put_district(_principal(), district, read_json(request),
                                                if_match=request.headers.get("if-match"),
                                                now=datetime.now(timezone.utc), client=client_ip(request)))
