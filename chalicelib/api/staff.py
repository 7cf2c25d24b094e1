"""Staff API (prefix /v1/staff): sign-in, the district queue, case detail and every
office action. All routes but sign-in go through the built-in authorizer, which
verifies the Cognito ID token (chalicelib/adapters/cognito.py)."""
from __future__ import annotations

from typing import TYPE_CHECKING

from chalice import AuthResponse, Blueprint

from .. import coldstart
from ..bootstrap import ports
from ..domain.errors import Unauthorized
from .http import bearer, client_ip, json_response, read_json, route

if TYPE_CHECKING:
    from ..domain.principal import Principal

bp = Blueprint(__name__)


def _office():
    """The office services, imported on first use: the authorizer never needs them."""
    from ..services import office
    return office


@bp.authorizer(name="staff_authorizer", ttl_seconds=60)  # = services.staff.AUTHORIZER_TTL_SECONDS
def staff_authorizer(auth_request):
    """API Gateway TOKEN authorizer: no header -> 401; an invalid, expired or foreign
    token, or one whose role or district the staff directory does not grant -> an empty
    policy, which API Gateway answers with 403. Role and scope come from the directory.

    Chalice runs no middleware around an authorizer, so its own container's first
    invocation gives the garbage collector back here (chalicelib/coldstart.py)."""
    try:
        return _authorize(auth_request)
    finally:
        coldstart.resume_collector()


def _authorize(auth_request):
    from ..services import staff
    from ..services.ports import InvalidToken
    token = bearer(auth_request.token)
    try:
        claimed = ports().identity.verify(token or "")
    except InvalidToken:
        return AuthResponse(routes=[], principal_id="anonymous")
    principal = staff.authorize(ports(), claimed)
    if principal is None:
        return AuthResponse(routes=[], principal_id="anonymous")
    return AuthResponse(routes=["*"], principal_id=principal.username, context=principal.context())


def _principal() -> Principal:
    from ..domain.principal import Principal     # staff requests only: not a submission's cold start
    ctx = (bp.current_request.context or {}).get("authorizer") or {}
    if not ctx.get("role"):
        raise Unauthorized("unauthenticated", "Oturum açmanız gerekiyor.")
    return Principal.from_context(ctx)


def _client() -> str:
    return client_ip(bp.current_request)


def _params() -> dict:
    return dict(bp.current_request.query_params or {})


AUTH = {"authorizer": staff_authorizer}
DENIED = {401: ("Oturum yok", None), 403: ("Yetki yok", "ErrorOut")}
CHANGE = {**DENIED, 404: ("Başvuru yok", "ErrorOut"), 409: ("Eski sürüm ya da izin verilmeyen geçiş",
                                                                  "ErrorOut"),
          422: ("Alan hataları", "ErrorOut"), 428: ("Sürüm gerekli", "ErrorOut")}


@route(bp, "/v1/staff/session", "POST", summary="Personel girişi (Cognito InitiateAuth)", tag="staff",
       request="SessionIn", responses={200: ("Belirteçler", "SessionOut"), 401: ("Hatalı giriş", "ErrorOut")})
def sign_in():
    from ..services import staff_auth
    return json_response(staff_auth.sign_in(ports(), read_json(bp.current_request)),
                         headers={"Cache-Control": "no-store"})


@route(bp, "/v1/staff/session/challenge", "POST", summary="Girişin sonraki adımı: yeni parola, doğrulama "
       "uygulamasının kurulumu ya da kodu (iki adımlı doğrulama)", tag="staff", request="SignInChallengeIn",
       responses={200: ("Belirteçler ya da sonraki adım", "SessionOut"), 401: ("Hatalı kod", "ErrorOut"),
                  429: ("Hesap geçici olarak kilitli", "ErrorOut")})
def sign_in_challenge():
    from ..services import staff_auth
    return json_response(staff_auth.respond(ports(), read_json(bp.current_request)),
                         headers={"Cache-Control": "no-store"})


@route(bp, "/v1/staff/me", "GET", summary="Oturumdaki kullanıcı", tag="staff", security=True,
       responses={200: ("Kullanıcı", "UserOut"), **DENIED}, **AUTH)
def me():
    return json_response(_principal().context())


@route(bp, "/v1/staff/cases", "GET", summary="İlçe iş kuyruğu (yasal süreye göre sıralı)", tag="staff",
       security=True, responses={200: ("Sayfa", "QueuePageOut"), 400: ("Hatalı filtre", "ErrorOut"), **DENIED}, **AUTH)
def list_cases():
    return json_response(_office().queue(ports(), _principal(), _params()), headers={"Cache-Control": "no-store"})


@route(bp, "/v1/staff/dashboard", "GET", summary="Gösterge paneli: durumlar, haftalık hacim, zamanında oranı",
       tag="staff", security=True, responses={200: ("Özet", "DashboardOut"), **DENIED}, **AUTH)
def dashboard():
    return json_response(_office().dashboard(ports(), _principal(), _params()), headers={"Cache-Control": "no-store"})


@route(bp, "/v1/staff/dashboard/province", "GET", summary="İl gösterge paneli: ilin toplamları ve her büro için bir "
       "satır (sayaçlardan; il yöneticisi kendi ilini, ulusal yönetici her ili)", tag="staff", security=True,
       responses={200: ("İl paneli", "ProvinceDashboardOut"), **DENIED}, **AUTH)
def province_dashboard():
    return json_response(_office().province_dashboard(ports(), _principal(), _params()),
                         headers={"Cache-Control": "no-store"})


@route(bp, "/v1/staff/cases/{application_no}", "GET", summary="Başvuru ayrıntısı (kimlik maskeli)", tag="staff",
       security=True, responses={200: ("Ayrıntı", "CaseDetailOut"), 404: ("Yok", "ErrorOut"), **DENIED}, **AUTH)
def get_case(application_no):
    view = _office().get_case(ports(), _principal(), application_no, client=_client())
    return json_response(view, headers={"ETag": f'"{view["version"]}"', "Cache-Control": "no-store"})


@route(bp, "/v1/staff/cases/{application_no}/reveal", "POST", summary="Kimlik numarasını göster (denetlenir)",
       tag="staff", security=True, responses={200: ("Açık kimlik", "RevealOut"), **DENIED}, **AUTH)
def reveal(application_no):
    return json_response(_office().reveal(ports(), _principal(), application_no, client=_client()),
                         headers={"Cache-Control": "no-store"})


@route(bp, "/v1/staff/cases/{application_no}/audit", "GET", summary="Denetim kaydı (sorumlu)", tag="staff",
       security=True, responses={200: ("Kayıtlar", "AuditTrailOut"), **DENIED}, **AUTH)
def audit(application_no):
    return json_response(_office().audit_trail(ports(), _principal(), application_no))


@route(bp, "/v1/staff/intake", "POST", summary="Masadan başvuru kaydı (yüz yüze / telefon)", tag="staff",
       request="DeskApplicationIn", security=True,
       responses={201: ("Başvuru alındı", "ApplicationOut"), **CHANGE}, **AUTH)
def intake():
    request = bp.current_request
    body = _office().intake(ports(), _principal(), read_json(request),
                            idempotency_key_header=request.headers.get("idempotency-key"))
    return json_response(body, 201)


@route(bp, "/v1/staff/cases/{application_no}/{action}", "POST",
       summary="Başvuru üzerinde bir büro işlemi; her işlem ve istek modeli API belgesinde ayrı listelenir",
       tag="staff", security=True, responses={200: ("Güncel ayrıntı", "CaseDetailOut"), **CHANGE,
                                              404: ("Başvuru ya da işlem yok", "ErrorOut")}, actions=True, **AUTH)
def case_action(application_no, action):
    """Every office action (services/office/actions.py declares each once: its name is this
    route's last segment)."""
    from ..domain.errors import NotFound
    declared = _office().ACTIONS.get(action)
    if declared is None:
        raise NotFound("unknown_action", "Böyle bir işlem yok.", field="action")
    request = bp.current_request
    result = declared.run(ports(), _principal(), application_no, read_json(request),
                          if_match=request.headers.get("if-match"), client=_client())
    return json_response(result, headers={"ETag": f'"{result["version"]}"'})


@route(bp, "/v1/staff/districts/{district}", "GET", summary="İlçe ayarları ve kurumlar (yönetici)", tag="admin",
       security=True, responses={200: ("İlçe", "DistrictOut"), **DENIED}, **AUTH)
def get_district(district):
    from ..services import reference
    return json_response(reference.get_district(ports(), _principal(), district))


@route(bp, "/v1/staff/districts/{district}", "PUT", summary="İlçe ayarlarını ve kurumları güncelle (yönetici)",
       tag="admin", request="DistrictIn", security=True, responses={200: ("İlçe", "DistrictOut"), **CHANGE}, **AUTH)
def put_district(district):
    from ..services import reference
    request = bp.current_request
    return json_response(reference.put_district(ports(), _principal(), district, read_json(request),
                                                if_match=request.headers.get("if-match"), client=_client()))


@route(bp, "/v1/staff/districts/{district}/institutions/{institution_id}/confirm-link", "POST",
       summary="Kurumun irtibat adresine onay bağlantısı gönder (açılıp onaylanana kadar e-postayla iletim yapılmaz; "
       "denetlenir)", tag="admin", security=True,
       responses={200: ("Gönderildi", "ConfirmLinkSentOut"), 404: ("Kurum yok", "ErrorOut"),
                  422: ("İrtibat adresi yok", "ErrorOut"), **DENIED}, **AUTH)
def send_confirm_link(district, institution_id):
    from ..services import liaison
    return json_response(liaison.send_link(ports(), _principal(), district, institution_id, client=_client()))


@route(bp, "/v1/staff/districts/{district}/institutions/{institution_id}/inbox-link", "POST",
       summary="Kurumun gelen kutusu bağlantısı: gönder (send), yenileyip gönder (rotate; eskisi geçersiz olur) ya da "
       "iptal et (revoke); denetlenir", tag="admin", request="InboxLinkIn", security=True,
       responses={200: ("Yapıldı", "InboxLinkOut"), 404: ("Kurum yok", "ErrorOut"),
                  422: ("Geçersiz işlem ya da onaysız adres", "ErrorOut"), **DENIED}, **AUTH)
def inbox_link(district, institution_id):
    from ..services import inbox
    return json_response(inbox.link(ports(), _principal(), district, institution_id, read_json(bp.current_request),
                                    client=_client()))


@route(bp, "/v1/staff/offices/{code}", "GET", summary="Büro ayarları (yönetici, il yöneticisi, büro sorumlusu)",
       tag="admin", security=True, responses={200: ("Büro", "OfficeSettingsOut"), **DENIED}, **AUTH)
def get_office(code):
    from ..services import reference
    return json_response(reference.get_office(ports(), _principal(), code))


@route(bp, "/v1/staff/offices/{code}", "PUT", summary="Büro ayarlarını güncelle: iletişim, KEP, katılım, otomatik "
       "yönlendirme, yönlendirme kuralları", tag="admin", request="OfficeIn", security=True,
       responses={200: ("Büro", "OfficeSettingsOut"), **CHANGE}, **AUTH)
def put_office(code):
    from ..services import reference
    request = bp.current_request
    return json_response(reference.put_office(ports(), _principal(), code, read_json(request),
                                              if_match=request.headers.get("if-match"), client=_client()))


@route(bp, "/v1/staff/users", "GET", summary="Bir büronun (ya da ulusal yöneticiye: bir ilin, yöneticilerin) personeli",
       tag="admin", security=True, responses={200: ("Personel", "StaffListOut"), **DENIED}, **AUTH)
def list_users():
    from ..services import staff_admin
    return json_response(staff_admin.list_users(ports(), _principal(), _params()), headers={"Cache-Control": "no-store"})


@route(bp, "/v1/staff/users", "POST", summary="Personeli e-postayla davet et: geçici parola, ilk girişte yeni parola ve "
       "doğrulama uygulaması (yönetici, il yöneticisi, büro sorumlusu; denetlenir)", tag="admin",
       request="StaffInviteIn", security=True, responses={201: ("Davet edildi", "StaffUserOut"), **CHANGE}, **AUTH)
def invite_user():
    from ..services import staff_admin
    return json_response(staff_admin.invite(ports(), _principal(), read_json(bp.current_request), client=_client()),
                         status=201)


@route(bp, "/v1/staff/users/{username}/reset-mfa", "POST", summary="Doğrulama uygulamasını sıfırla (kayıp telefon; "
       "oturumlar kapanır, sonraki girişte yeniden kurulur; denetlenir)", tag="admin", security=True,
       responses={200: ("Sıfırlandı", "StaffUserOut"), **CHANGE}, **AUTH)
def reset_user_mfa(username):
    from ..services import staff_admin
    return json_response(staff_admin.reset_mfa(ports(), _principal(), username, client=_client()))


@route(bp, "/v1/staff/admin-audit", "GET", summary="Bir yönetim kaydının denetim izi: personel (STAFF-…), büro "
       "(OFFICE-…), kurumlar (DISTRICT-…), ortak anahtarı (PARTNER-…)", tag="admin", security=True,
       responses={200: ("Denetim izi", "AdminAuditOut"), **DENIED}, **AUTH)
def admin_audit():
    from ..services import staff_admin
    return json_response(staff_admin.admin_audit(ports(), _principal(), _params().get("subject") or ""),
                         headers={"Cache-Control": "no-store"})


@route(bp, "/v1/staff/users/{username}", "GET", summary="Personelin rolü ve yetki alanı (yönetici)", tag="admin",
       security=True, responses={200: ("Kullanıcı", "StaffUserOut"), 404: ("Kayıt yok", "ErrorOut"), **DENIED},
       **AUTH)
def get_user(username):
    from ..services import staff_admin
    return json_response(staff_admin.get_user(ports(), _principal(), username), headers={"Cache-Control": "no-store"})


@route(bp, "/v1/staff/users/{username}", "PUT",
       summary="Personelin rolünü, ilçesini ya da giriş iznini değiştir (yönetici, denetlenir)", tag="admin",
       request="StaffUserIn", security=True, responses={200: ("Kullanıcı", "StaffUserOut"), **CHANGE}, **AUTH)
def put_user(username):
    from ..services import staff_admin
    request = bp.current_request
    return json_response(staff_admin.put_user(ports(), _principal(), username, read_json(request),
                                        if_match=request.headers.get("if-match"), client=_client()))


@route(bp, "/v1/staff/partners", "GET", summary="Open311 ortak anahtarları (yönetici)", tag="admin", security=True,
       responses={200: ("Anahtarlar", "PartnerListOut"), **DENIED}, **AUTH)
def list_partners():
    from ..services import open311
    return json_response(open311.list_partners(ports(), _principal()), headers={"Cache-Control": "no-store"})


@route(bp, "/v1/staff/partners", "POST", summary="Open311 ortak anahtarı ver (yönetici, denetlenir; anahtar bir "
       "kez gösterilir)", tag="admin", request="PartnerIn", security=True,
       responses={201: ("Anahtar", "PartnerIssuedOut"), 422: ("Alan hataları", "ErrorOut"), **DENIED}, **AUTH)
def issue_partner():
    from ..services import open311
    body = open311.issue_partner(ports(), _principal(), read_json(bp.current_request), client=_client())
    return json_response(body, 201, headers={"Cache-Control": "no-store"})


@route(bp, "/v1/staff/partners/{partner_id}/revoke", "POST", summary="Open311 ortak anahtarını iptal et "
       "(yönetici, denetlenir)", tag="admin", security=True,
       responses={200: ("İptal edildi", "PartnerRevokedOut"), 404: ("Anahtar yok", "ErrorOut"),
                  409: ("Zaten iptal", "ErrorOut"), **DENIED}, **AUTH)
def revoke_partner(partner_id):
    from ..services import open311
    return json_response(open311.revoke_partner(ports(), _principal(), partner_id, client=_client()))


@route(bp, "/v1/staff/destruction-log", "GET", summary="KVKK imha kayıtları (sorumlu; 3 yıl saklanır)", tag="staff",
       security=True, responses={200: ("İmha kayıtları", "DestructionLogOut"), **DENIED}, **AUTH)
def destruction_log():
    from ..services import kvkk
    return json_response(kvkk.destruction_log(ports(), _principal(), _params()), headers={"Cache-Control": "no-store"})


# --- KVKK data-subject requests (supervisors of the district) ---------------------------

KVKK = "/v1/staff/kvkk/requests"


@route(bp, KVKK, "POST", summary="KVKK ilgili kişi başvurusunu kaydet (sorumlu; 30 gün içinde cevap)", tag="staff",
       request="SubjectRequestIn", security=True,
       responses={201: ("Kaydedildi", "SubjectRequestOut"), 422: ("Alan hataları", "ErrorOut"), **DENIED}, **AUTH)
def kvkk_register():
    from ..services import kvkk
    return json_response(kvkk.register_request(ports(), _principal(), read_json(bp.current_request),
                                               client=_client()), 201)


@route(bp, KVKK, "GET", summary="KVKK ilgili kişi başvuruları (açık ya da kapalı)", tag="staff", security=True,
       responses={200: ("Başvurular", "SubjectRequestListOut"), **DENIED}, **AUTH)
def kvkk_list():
    from ..services import kvkk
    return json_response(kvkk.list_requests(ports(), _principal(), _params()), headers={"Cache-Control": "no-store"})


@route(bp, KVKK + "/{request_id}", "GET", summary="KVKK başvurusu ve kişinin bu ilçedeki başvuruları (denetlenir)",
       tag="staff", security=True, responses={200: ("Ayrıntı", "SubjectRequestDetailOut"),
                                               404: ("Yok", "ErrorOut"), **DENIED}, **AUTH)
def kvkk_get(request_id):
    from ..services import kvkk
    return json_response(kvkk.get_request(ports(), _principal(), request_id, client=_client()),
                         headers={"Cache-Control": "no-store"})


@route(bp, KVKK + "/{request_id}/copy", "GET", summary="Kişi hakkında tutulan tüm veriler (JSON; denetlenir)",
       tag="staff", security=True, responses={200: ("Veri örneği", "PersonalDataCopyOut"),
                                               404: ("Yok", "ErrorOut"), **DENIED}, **AUTH)
def kvkk_copy(request_id):
    from ..services import kvkk
    return json_response(kvkk.export_copy(ports(), _principal(), request_id, client=_client()),
                         headers={"Cache-Control": "no-store"})


def _kvkk_change(name: str, fn_name: str, model: str, summary: str, out: str):
    def view(request_id):
        from ..services import kvkk
        return json_response(getattr(kvkk, fn_name)(ports(), _principal(), request_id, read_json(bp.current_request),
                                                    client=_client()))
    view.__name__ = f"kvkk_{name}"
    route(bp, f"{KVKK}/{{request_id}}/{name}", "POST", summary=summary, tag="staff", request=model, security=True,
          responses={200: ("Güncel", out), 404: ("Yok", "ErrorOut"), 409: ("Yapılamaz", "ErrorOut"),
                     422: ("Alan hataları", "ErrorOut"), **DENIED}, **AUTH)(view)


for _n, _f, _m, _s, _o in [
    ("correct", "correct", "CorrectionIn", "Ad, adres ya da telefonu düzelt (gerekçeli, sürümlü, denetlenir)",
     "SubjectRequestDetailOut"),
    ("erase", "erase", "ErasureIn", "Süresinden önce sil (yalnızca kurumlara iletilmeden kapanmış başvuru)",
     "SubjectRequestDetailOut"),
    ("close", "close_request", "CloseRequestIn", "Gerekçeli cevapla kapat", "SubjectRequestOut"),
]:
    _kvkk_change(_n, _f, _m, _s, _o)


@route(bp, "/v1/staff/cases/{application_no}/same-applicant", "GET",
       summary="Aynı başvuru sahibinin diğer başvuruları (kimlik parmak izi dizininde tek sorgu; denetlenir)",
       tag="staff", security=True, responses={200: ("Başvurular", "SameApplicantOut"), 404: ("Yok", "ErrorOut"),
                                              **DENIED}, **AUTH)
def same_applicant(application_no):
    return json_response(_office().same_applicant(ports(), _principal(), application_no, client=_client()),
                         headers={"Cache-Control": "no-store"})


@route(bp, "/v1/staff/cases/{application_no}/related", "GET",
       summary="İlgili olabilecek başvurular: aynı ilçe ve konuda, birkaç yüz metre ve 30 gün içindeki açık başvurular",
       tag="staff", security=True, responses={200: ("Başvurular", "RelatedOut"), 404: ("Yok", "ErrorOut"), **DENIED},
       **AUTH)
def related_cases(application_no):
    return json_response(_office().related(ports(), _principal(), application_no), headers={"Cache-Control": "no-store"})


@route(bp, "/v1/staff/cases/export", "GET",
       summary="Kuyruğu ya da bir tarih aralığını CSV olarak dışa aktar (sorumlu; denetlenir; kimlik, telefon, adres yok)",
       tag="staff", security=True,
       responses={200: ("CSV (UTF-8, BOM), or for a large file JSON {download_url, rows, filename}", None),
                  422: ("Gerekçe gerekli", "ErrorOut"), **DENIED}, **AUTH)
def export_cases():
    from chalice import Response

    from ..services.office.export import export
    result = export(ports(), _principal(), _params(), client=_client())
    if "inline" in result:
        return Response(body=result["inline"].decode("utf-8"), status_code=200,
                        headers={"Content-Type": "text/csv; charset=utf-8", "Cache-Control": "no-store",
                                 "Content-Disposition": f'attachment; filename="{result["filename"]}"',
                                 "X-Export-Rows": str(result["rows"])})
    return json_response({"download_url": result["download_url"], "rows": result["rows"],
                          "filename": result["filename"]}, headers={"Cache-Control": "no-store"})
