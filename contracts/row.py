"""The campaign row: the 28 CSV columns of PORTAL_API.md, in order, and their rules."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, StringConstraints, model_validator

from contracts.payloads import Id

CSV_HEADER: tuple[str, ...] = tuple(
    "portal,job_uuid,job_name,subject_uuid,external_id,first_name,last_name,parent_name,"
    "phone_number,phone_number_2,email,email_2,country,group,buyer,access_code,url,custom_gallery_url,"
    "sms_marketing_consent,sms_marketing_timestamp,sms_transactional_consent,sms_transactional_timestamp,"
    "activity_uuid,activity_name,registered_user,registered_user_email,registered_user_uuid,resolution_strategy"
    .split(",")
)
ROW_KEY: tuple[str, ...] = ("portal", "job_uuid", "subject_uuid", "activity_uuid")
PHONE_COLUMNS = frozenset({"phone_number", "phone_number_2"})

E164 = Annotated[str, StringConstraints(pattern=r"^(\+[1-9]\d{6,14})?$")]
Email = Annotated[str, StringConstraints(pattern=r"^([^@\s]+@[^@\s]+\.[^@\s]+)?$")]
Stamp = Annotated[str, StringConstraints(pattern=r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")]
Url = Annotated[str, StringConstraints(pattern=r"^https://[a-z0-9.-]+\.shop/")]
YesNo = Literal["Yes", "No"]


class CampaignRow(BaseModel):
    """One SMS audience row. Field order is the CSV header (checked at import)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    portal: Annotated[str, StringConstraints(pattern=r"^[a-z]+$")]
    job_uuid: Id
    job_name: str
    subject_uuid: Id
    external_id: str
    first_name: str
    last_name: str
    parent_name: str
    phone_number: E164
    phone_number_2: E164
    email: Email
    email_2: Email
    country: str
    group: str
    buyer: YesNo
    access_code: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]+$")]
    url: Url
    custom_gallery_url: Url
    sms_marketing_consent: Literal["SUBSCRIBE"]
    sms_marketing_timestamp: Stamp
    sms_transactional_consent: Literal["SUBSCRIBE"]
    sms_transactional_timestamp: Stamp
    activity_uuid: Id
    activity_name: str
    registered_user: YesNo
    registered_user_email: Email
    registered_user_uuid: Annotated[str, StringConstraints(pattern=r"^([A-Za-z0-9][A-Za-z0-9-]{0,63})?$")]
    resolution_strategy: Literal["netlife-api-live"]

    @model_validator(mode="after")
    def _reachable(self):
        if not self.phone_number and not self.email:
            raise ValueError("row has neither phone nor email")
        return self


if tuple(CampaignRow.model_fields) != CSV_HEADER:  # pragma: no cover - guards edits to the model
    raise ImportError("CampaignRow fields differ from the CSV contract header")
