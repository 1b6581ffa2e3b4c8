"""The campaign row: the 28 CSV columns of PORTAL_API.md, in order, and their rules."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import ConfigDict, StringConstraints, TypeAdapter, ValidationError, with_config
from typing_extensions import TypedDict

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
Stamp = Annotated[str, StringConstraints(pattern=r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:?\d{2})?$")]
Url = Annotated[str, StringConstraints(pattern=r"^https://[a-z0-9.-]+\.shop/[A-Za-z0-9/?=_-]*$")]
YesNo = Literal["Yes", "No"]


@with_config(ConfigDict(extra="forbid"))
class CampaignRow(TypedDict):
    """One SMS audience row. Field order is the CSV header (checked at import).

    A TypedDict validated by pydantic (ROW_ADAPTER): the same field rules as a
    BaseModel, half again as fast, which matters at a million rows a run.
    Free-text columns are the only ones whose values may hold a comma, quote,
    line break or a leading formula character: every other column has a pattern.
    """

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
    access_code: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]*$")]
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



ROW_ADAPTER = TypeAdapter(CampaignRow)
TEXT_COLUMNS = ("job_name", "external_id", "first_name", "last_name", "parent_name", "email", "email_2",
                "country", "group", "activity_name", "registered_user_email")


def row_problem(row: dict[str, str]) -> str | None:
    """None for a row that keeps the contract, else the reject reason (`invalid_<column>`; no values)."""
    try:
        ROW_ADAPTER.validate_python(row)
    except ValidationError as exc:
        loc = exc.errors(include_input=False)[0].get("loc") or ()
        return f"invalid_{loc[0]}" if loc else "invalid_row"
    if not row["phone_number"] and not row["email"]:
        return "invalid_unreachable"  # neither phone nor email
    return None


if tuple(CampaignRow.__annotations__) != CSV_HEADER:  # pragma: no cover - guards edits to the row
    raise ImportError("CampaignRow fields differ from the CSV contract header")
