"""Open311 GeoReport v2: the mapping between the standard and Açık Kapı. Pure: no AWS.

- services are the catalogue's subjects; the attributes a service definition carries
  are what an application needs and Open311 lacks (type, national id, address, mobile
  phone, the KVKK acknowledgement, confidentiality for an ihbar);
- a form-urlencoded POST becomes the same body `POST /v1/applications` validates;
- our statuses map to Open311's open/closed and to FixMyStreet's update statuses, in
  one table each (docs/open311.md shows both).
"""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from .case import Status
from .catalog import catalog
from .errors import AppError

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
CHANGESET = "2026-12-02T00:00:00+03:00"   # when the services or their attributes last changed
MAX_WINDOW = timedelta(days=90)
MAX_IDS = 50
MAX_RESULTS = 1000

CLOSED = {Status.CONCLUDED, Status.NOT_PROCESSED}

# Our status -> FixMyStreet's update status (its Open311 update extension).
FMS_STATUS = {
    Status.RECEIVED: "OPEN",
    Status.IN_REVIEW: "INVESTIGATING",
    Status.AWAITING_APPLICANT: "INVESTIGATING",
    Status.FORWARDED: "IN_PROGRESS",
    Status.INSTITUTION_ANSWERED: "IN_PROGRESS",
    Status.UNDER_EVALUATION: "IN_PROGRESS",
    Status.CONCLUDED: "CLOSED",
    Status.NOT_PROCESSED: "NO_FURTHER_ACTION",
}
# A conclusion is told apart by its outcome; a not-processed case by its ground.
FMS_OUTCOME = {"positive": "FIXED", "negative": "NO_FURTHER_ACTION", "informed": "CLOSED",
               "not_competent": "NOT_COUNCILS_RESPONSIBILITY"}
# A reopening is OPEN: FixMyStreet reopens a report on OPEN (its own tests do) and has no
# REOPEN state; `external_status_code` keeps the detail (objection, reopened).
FMS_EVENT = {"merged": "DUPLICATE", "objection": "OPEN", "reopened": "OPEN"}


def open_or_closed(status: Status) -> str:
    return "closed" if status in CLOSED else "open"


def fms_status(status: Status, *, event: str | None = None, outcome: str | None = None) -> str:
    if event in FMS_EVENT:
        return FMS_EVENT[event]
    if status == Status.CONCLUDED and outcome in FMS_OUTCOME:
        return FMS_OUTCOME[outcome]
    return FMS_STATUS[status]


# --- services ------------------------------------------------------------------------

def _type_values() -> list[dict]:
    return [{"key": code, "name": t["name"]} for code, t in catalog().types.items()]


def attributes() -> list[dict]:
    """The attributes every service definition carries, in order."""
    yes = [{"key": "true", "name": "Evet"}]
    yes_no = [{"key": "true", "name": "Evet"}, {"key": "false", "name": "Hayır"}]
    rows = [
        ("type", "singlevaluelist", True, "Başvuru türü", "Başvurunun türü: istek, şikâyet, ihbar, görüş/öneri, "
         "bilgi edinme, teşekkür ya da yönetime katıl.", _type_values()),
        ("national_id", "string", True, "11 hane", "Başvuru sahibinin T.C. Kimlik No'su ya da yabancı kimlik "
         "numarası (YKN).", None),
        ("address", "text", True, "10-300 karakter", "Başvuru sahibinin adresi. Verilmezse address_string "
         "kullanılır.", None),
        ("mobile_phone", "string", True, "05XX XXX XX XX", "Başvuru sahibinin cep telefonu; alındı ve sonuç "
         "SMS'i buraya gider. Verilmezse phone kullanılır.", None),
        ("kvkk_acknowledged", "singlevaluelist", True, "true", "Başvuru sahibi kişisel verilerin işlenmesine "
         "ilişkin aydınlatma metnini okudu ve onayladı.", yes),
        ("confidential", "singlevaluelist", False, "true ya da false", "Yalnızca ihbar için: başvuru sahibi "
         "kimliğinin kurumlara bildirilmemesini istiyor.", yes_no),
        ("subject", "string", False, "3-150 karakter", "Başvurunun kısa konusu. Verilmezse hizmetin adı "
         "kullanılır.", None),
    ]
    out = []
    for order, (code, datatype, required, shape, description, values) in enumerate(rows, start=1):
        attribute = {"variable": True, "code": code, "datatype": datatype, "required": required,
                     "datatype_description": shape, "order": order, "description": description}
        if values is not None:
            attribute["values"] = values
        out.append(attribute)
    return out


ATTRIBUTE_CODES = ("type", "national_id", "address", "mobile_phone", "kvkk_acknowledged", "confidential", "subject")


def services() -> list[dict]:
    cat = catalog()
    out = []
    for heading in cat.headings:
        for s in heading["subjects"]:
            kinds = [cat.institution_kinds.get(k, k) for k in s["institutions"]]
            out.append({"service_code": s["code"], "service_name": s["name"],
                        "description": f"{s['name']}. İletildiği kurumlar: {', '.join(kinds)}.",
                        "metadata": True, "type": "realtime",
                        "keywords": ", ".join([heading["name"], *s["name"].replace(",", "").split()[:4]]),
                        "group": heading["name"]})
    return out


def service_definition(code: str) -> dict:
    if code not in catalog().subjects:
        raise AppError("unknown_service", f"service_code: '{code[:40]}' kodlu bir hizmet yok.", field="service_code",
                       status=404)
    return {"service_code": code, "attributes": attributes()}


def check_jurisdiction(jurisdiction: str | None) -> str | None:
    if jurisdiction in (None, ""):
        return None
    if jurisdiction not in catalog().districts:
        raise AppError("unknown_jurisdiction", "jurisdiction_id: bu kodla bir ilçe yok (örnek: 34-maltepe).",
                       field="jurisdiction_id", status=404)
    return jurisdiction


# --- filing --------------------------------------------------------------------------

# our field path -> the Open311 field a client sent it in (for error descriptions)
OPEN311_FIELD = {
    "type": "attribute[type]", "category": "service_code", "district": "jurisdiction_id",
    "subject": "attribute[subject]", "description": "description",
    "applicant": "attribute[national_id]", "applicant.national_id": "attribute[national_id]",
    "applicant.first_name": "first_name", "applicant.last_name": "last_name",
    "applicant.phone": "attribute[mobile_phone]", "applicant.email": "email",
    "applicant.address": "attribute[address]", "location": "lat", "location.lat": "lat", "location.lon": "long",
    "confidential_identity": "attribute[confidential]", "kvkk_acknowledged": "attribute[kvkk_acknowledged]",
    "channel": "api_key", "media_url": "media_url",
}

# standard fields a client may send that Açık Kapı does not use
IGNORED_FIELDS = {"api_key", "device_id", "account_id", "address_id", "zipcode"}
KNOWN_FIELDS = {"service_code", "jurisdiction_id", "lat", "long", "address_string", "first_name", "last_name",
                "phone", "email", "description", "media_url"} | IGNORED_FIELDS


def bad(field: str, message: str, code: str = "invalid_value") -> AppError:
    return AppError(code, f"{field}: {message}", field=field, status=400)


def _bool(raw: str | None, field: str) -> bool | None:
    if raw is None or raw == "":
        return None
    value = raw.strip().lower()
    if value in ("true", "1", "evet"):
        return True
    if value in ("false", "0", "hayır", "hayir"):
        return False
    raise bad(field, "true ya da false olmalıdır.", "invalid_type")


def _number(raw: str | None, field: str, label: str) -> float | None:
    if raw is None or raw.strip() == "":
        return None
    try:
        value = float(raw)
    except ValueError:
        raise bad(field, f"{label} sayı olmalıdır.", "invalid_type") from None
    if value != value or value in (float("inf"), float("-inf")):
        raise bad(field, f"{label} sonlu bir sayı olmalıdır.", "invalid_type")
    return value


def parse_form(pairs: list[tuple[str, str]]) -> tuple[dict[str, str], dict[str, Any]]:
    """(plain fields, attributes) from the decoded form pairs. A field given twice is
    refused, as in our JSON API; `attribute[CODE][]` collects a list."""
    fields: dict[str, str] = {}
    attrs: dict[str, Any] = {}
    for name, value in pairs:
        if name.startswith("attribute[") and name.endswith("][]"):
            code = name[len("attribute["):-3]
            current = attrs.setdefault(code, [])
            if not isinstance(current, list):
                raise bad(name, "aynı nitelik hem tek değer hem liste olarak gönderilmiş.", "duplicate_key")
            current.append(value)
            continue
        if name.startswith("attribute[") and name.endswith("]"):
            code = name[len("attribute["):-1]
            if code in attrs:
                raise bad(name, "bu alan birden fazla kez gönderilmiş.", "duplicate_key")
            attrs[code] = value
            continue
        if name in fields:
            raise bad(name, "bu alan birden fazla kez gönderilmiş.", "duplicate_key")
        if name not in KNOWN_FIELDS:
            raise bad(name[:60], "bu alan tanınmıyor.", "unknown_field")
        fields[name] = value
    for code, value in attrs.items():
        if code not in ATTRIBUTE_CODES:
            raise bad(f"attribute[{code[:40]}]", "bu nitelik tanınmıyor; hizmet tanımındaki nitelikleri "
                      "kullanınız.", "unknown_field")
        if isinstance(value, list):
            raise bad(f"attribute[{code}][]", "bu nitelik tek bir değer alır.", "invalid_type")
    return fields, attrs


def application_body(fields: dict, attrs: dict, *, district: str | None) -> dict:
    """The body `POST /v1/applications` would have received for this Open311 request
    (validated by the same model afterwards)."""
    cat = catalog()
    code = fields.get("service_code")
    if not code:
        raise bad("service_code", "hizmet kodu zorunludur.", "required")
    if code not in cat.subjects:      # the specification's POST errors: 404 for a service that does not exist
        raise AppError("unknown_service", f"service_code: '{code[:40]}' kodlu bir hizmet yok.", field="service_code",
                       status=404)
    lat = _number(fields.get("lat"), "lat", "Enlem")
    lon = _number(fields.get("long"), "long", "Boylam")
    if (lat is None) != (lon is None):
        raise bad("lat" if lat is None else "long", "konum için lat ve long birlikte verilmelidir.", "required")
    address = attrs.get("address") or fields.get("address_string")
    if lat is None and not address:
        raise bad("address_string", "konum (lat ve long) ya da adres (address_string) zorunludur.", "required")
    body: dict[str, Any] = {
        "type": attrs.get("type"),
        "category": code,
        "district": district,
        "subject": attrs.get("subject") or cat.subjects[code].name,
        "description": fields.get("description"),
        "applicant": {
            "national_id": attrs.get("national_id"),
            "first_name": fields.get("first_name"),
            "last_name": fields.get("last_name"),
            "phone": attrs.get("mobile_phone") or fields.get("phone"),
            "email": fields.get("email") or None,
            "address": address,
        },
        "kvkk_acknowledged": _bool(attrs.get("kvkk_acknowledged"), "attribute[kvkk_acknowledged]"),
        "confidential_identity": bool(_bool(attrs.get("confidential"), "attribute[confidential]")),
        "channel": "open311",
    }
    if lat is not None:
        body["location"] = {"lat": lat, "lon": lon}
    body = {k: v for k, v in body.items() if v is not None}
    body["applicant"] = {k: v for k, v in body["applicant"].items() if v is not None}
    return body


def media_url(raw: str | None) -> str | None:
    if raw is None or raw.strip() == "":
        return None
    value = raw.strip()
    if len(value) > 1000 or not value.isascii() or not value.isprintable() or " " in value \
            or not value.lower().startswith(("https://", "http://")):
        raise bad("media_url", "http(s) ile başlayan, boşluksuz ve en fazla 1000 karakterlik bir adres olmalıdır.",
                  "invalid_format")
    return value


def open311_errors(errors: list[dict]) -> list[dict]:
    """Our field errors as Open311 ones: the field the client sent, then the Turkish message."""
    out = []
    for e in errors:
        field = e.get("field") or ""
        name = OPEN311_FIELD.get(field) or OPEN311_FIELD.get(field.split(".", 1)[0]) or field or "istek"
        out.append({"code": 400, "description": f"{name}: {e['message']}", "error_code": e["code"], "field": name})
    return out


# --- following -----------------------------------------------------------------------

def parse_datetime(raw: str | None, field: str) -> datetime | None:
    if raw is None or raw.strip() == "":
        return None
    text = raw.strip().replace("Z", "+00:00").replace(" ", "+")   # a '+' lost to form decoding
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise bad(field, "W3C biçiminde, saat dilimli bir zaman olmalıdır (örnek: 2026-12-01T09:00:00+03:00).",
                  "invalid_datetime") from None
    if value.tzinfo is None:
        raise bad(field, "saat dilimi içermelidir (örnek: +03:00).", "invalid_datetime")
    return value


def window(start_raw: str | None, end_raw: str | None, now: datetime) -> tuple[datetime, datetime]:
    """start/end as the spec's filters: end defaults to now, start to 90 days before end;
    a span over 90 days, or an end before the start, is refused."""
    start = parse_datetime(start_raw, "start_date")
    end = parse_datetime(end_raw, "end_date")
    if end is None:
        end = now if start is None else max(start, min(now, start + MAX_WINDOW))
    if start is None:
        start = end - MAX_WINDOW
    if end < start:
        raise bad("end_date", "start_date'ten önce olamaz.", "invalid_range")
    if end - start > MAX_WINDOW:
        raise bad("end_date", "start_date ile end_date arası en fazla 90 gün olabilir.", "window_too_long")
    return start, end


PAGE_SIZE_MAX = MAX_RESULTS


def page(raw_page: str | None, raw_size: str | None) -> tuple[int, int]:
    """`page` (from 1) and `page_size` (1 to 1,000, default 1,000: the specification's "up to
    1000 requests"), the extension Chicago, Boston and Toronto use; an empty value is as
    if it were not passed (the specification's rule for optional parameters)."""
    def number(raw: str | None, name: str, default: int, top: int) -> int:
        if raw is None or raw.strip() == "":
            return default
        if not raw.strip().isdigit() or not 1 <= int(raw) <= top:
            raise bad(name, f"1 ile {top} arasında bir tam sayı olmalıdır.", "invalid_number")
        return int(raw)
    return number(raw_page, "page", 1, 100_000), number(raw_size, "page_size", MAX_RESULTS, PAGE_SIZE_MAX)


def statuses(raw: str | None) -> set[str]:
    if raw is None or raw.strip() == "":
        return {"open", "closed"}
    values = {v.strip().lower() for v in raw.split(",") if v.strip()}
    if not values or values - {"open", "closed"}:
        raise bad("status", "open, closed ya da open,closed olmalıdır.", "invalid_choice")
    return values


def id_list(raw: str) -> list[str]:
    ids = [v.strip() for v in raw.split(",") if v.strip()]
    if not ids:
        raise bad("service_request_id", "en az bir başvuru numarası veriniz.", "required")
    if len(ids) > MAX_IDS:
        raise bad("service_request_id", f"bir istekte en fazla {MAX_IDS} numara sorulabilir.", "too_many")
    return ids
