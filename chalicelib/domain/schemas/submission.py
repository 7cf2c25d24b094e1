"""The request models of a filing: the citizen's (web, mobile), the desk's and an Open311
partner's. The models a submission validates, and nothing else (see __init__)."""
from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import Field, StrictBool, ValidationInfo, field_validator, model_validator
from pydantic_core import PydanticCustomError

from ..catalog import catalog, neighbourhoods
from . import (LAT_MAX, LAT_MIN, LON_MAX, LON_MIN, check_mobile, check_national_id, DistrictCode, Email, Line, SubjectCode, Text, TypeCode,
               _Model)


class ApplicantIn(_Model):
    national_id: Text
    first_name: Line = Field(min_length=2, max_length=50)
    last_name: Line = Field(min_length=2, max_length=50)
    phone: Text
    email: Email | None = None
    address: Text = Field(min_length=10, max_length=300)

    _national_id = field_validator("national_id")(check_national_id)
    _phone = field_validator("phone")(check_mobile)

    @field_validator("email", mode="before")
    @classmethod
    def _no_email(cls, v):
        return None if isinstance(v, str) and not v.strip() else v


class LocationIn(_Model):
    lat: float
    lon: float

    @model_validator(mode="after")
    def _inside_turkey(self):
        if not (LAT_MIN <= self.lat <= LAT_MAX and LON_MIN <= self.lon <= LON_MAX):
            raise PydanticCustomError("outside_turkey", "Konum Türkiye sınırları içinde olmalıdır.")
        return self


class PlaceIn(_Model):
    """Where the matter is: a neighbourhood (mahalle) or village (köy) of the application's
    district, from the official list, and the street and number as text."""
    neighbourhood: Line = Field(min_length=1, max_length=120)
    street: Annotated[Line, Field(max_length=150)] | None = None

    @field_validator("street", mode="before")
    @classmethod
    def _no_street(cls, v):
        return None if isinstance(v, str) and not v.strip() else v


class ApplicationIn(_Model):
    type: TypeCode
    category: SubjectCode
    district: DistrictCode
    subject: Line = Field(min_length=3, max_length=150)
    description: Text = Field(min_length=10, max_length=4000)
    applicant: ApplicantIn
    location: LocationIn | None = None
    place: PlaceIn | None = None
    confidential_identity: StrictBool = False
    kvkk_acknowledged: StrictBool
    channel: Literal["web", "mobile"]

    @field_validator("place")
    @classmethod
    def _place_in_district(cls, v: PlaceIn | None, info: ValidationInfo) -> PlaceIn | None:
        district = info.data.get("district")
        if v is not None and district:
            names = neighbourhoods(district)
            if names is not None and v.neighbourhood not in names:
                raise PydanticCustomError("unknown_neighbourhood",
                                          "Mahalle ya da köy seçilen ilçede bulunamadı; listeden seçiniz.",
                                          {"at": "neighbourhood"})
        return v

    @field_validator("kvkk_acknowledged")
    @classmethod
    def _kvkk(cls, v: bool) -> bool:
        if v is not True:
            raise PydanticCustomError(
                "kvkk_not_acknowledged", "Başvuru için kişisel verilerin işlenmesine ilişkin aydınlatma metni onaylanmalıdır.")
        return v

    @field_validator("confidential_identity")
    @classmethod
    def _confidential_only_for_ihbar(cls, v: bool, info: ValidationInfo) -> bool:
        kind = catalog().types.get(info.data.get("type") or "")
        if v and kind is not None and not kind.get("confidential_identity_allowed"):
            raise PydanticCustomError(
                "confidential_not_allowed", "Kimlik gizliliği yalnızca ihbar başvurularında istenebilir.")
        return v


class DeskApplicationIn(ApplicationIn):
    """Staff intake at the desk: the same rules, another channel, and the receipt time."""
    channel: Literal["face_to_face", "phone"]  # type: ignore[assignment] # another channel, by design
    received_at: datetime | None = None
    # the clerk saw the applicant's identity card: the application counts as signed (3071 art. 4)
    identity_seen: StrictBool = False

    @field_validator("identity_seen")
    @classmethod
    def _seen_only_in_person(cls, v: bool, info: ValidationInfo) -> bool:
        if v and info.data.get("channel") != "face_to_face":
            raise PydanticCustomError("identity_not_seen", "Kimlik kartı yalnızca yüz yüze başvuruda görülebilir.")
        return v


class PartnerApplicationIn(ApplicationIn):
    """An application an Open311 partner files (domain/open311.py builds the body)."""
    channel: Literal["open311"]  # type: ignore[assignment] # another channel, by design
