"""Pydantic models of the portal answers: tolerant of the documented variations, strict on the rest.

Variations accepted (PORTAL_API.md): `subjects`/`images` as a list or an object
keyed by uuid; an image's activity as `activity: {uuid}` or `activity_uuid`; an
access key as `access_key` or `key`; null where a string is expected. Ids must
look like ids, because they end up in URL paths.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import AliasChoices, BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints, field_validator

Id = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9-]{0,63}$")]


def _none_to_empty(value):
    return "" if value is None else value


Text = Annotated[str, BeforeValidator(_none_to_empty)]


def _values_if_keyed(value):
    """A collection keyed by uuid becomes the list of its values."""
    return list(value.values()) if isinstance(value, dict) else value


class _Payload(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class JobRef(_Payload):
    uuid: Id
    name: Text = ""


class Activity(_Payload):
    uuid: Id
    name: Text = ""
    starting: str | None = None
    ending: str | None = None
    job: JobRef

    @field_validator("starting", "ending")
    @classmethod
    def _iso_datetime(cls, value: str | None) -> str | None:
        if value:
            dt.datetime.fromisoformat(value)  # raises ValueError on a malformed timestamp
        return value or None

    def in_webshop_on(self, day: dt.date, tz: dt.tzinfo) -> bool:
        """In the webshop on `day`: started on or before it, not ended before it.

        An activity without `starting` is never in: the legacy tool used the
        wall-clock time there, which made two runs of one day differ.
        """
        if not self.starting:
            return False
        if _local_date(self.starting, tz) > day:
            return False
        return not self.ending or _local_date(self.ending, tz) >= day


def _local_date(stamp: str, tz: dt.tzinfo) -> dt.date:
    moment = dt.datetime.fromisoformat(stamp)
    return (moment.astimezone(tz) if moment.tzinfo else moment).date()


class Delivery(_Payload):
    email_address: Text = ""
    mobile_phone: Text = ""


class Subject(_Payload):
    uuid: Id
    external_id: Text = ""
    first_name: Text = ""
    last_name: Text = ""
    parent_name: Text = ""
    delivery_1: Delivery = Delivery()
    delivery_2: Delivery = Delivery()
    phone_number: Text = ""
    email: Text = ""
    phone_number_2: Text = ""
    email_2: Text = ""
    country: Text = ""
    group: Text = ""
    images: list[Id] = []
    group_images: list[Id] = []
    activity_uuid: Id | None = None

    @field_validator("delivery_1", "delivery_2", mode="before")
    @classmethod
    def _null_delivery(cls, value):
        return {} if value is None else value


class ImageActivity(_Payload):
    uuid: Id


class Image(_Payload):
    uuid: Id
    activity: ImageActivity | None = None
    activity_uuid: Id | None = None

    @property
    def activity_id(self) -> str | None:
        return self.activity.uuid if self.activity else self.activity_uuid


class JobDetails(_Payload):
    uuid: Id
    name: Text = ""
    subjects: Annotated[list[Subject], BeforeValidator(_values_if_keyed)] = []
    images: Annotated[list[Image], BeforeValidator(_values_if_keyed)] = []


class UserLink(_Payload):
    subject_uuid: Id = Field(validation_alias="subjectUuid")
    user_uuid: Id = Field(validation_alias="userUuid")
    username: Text = Field("", validation_alias="userUsername")


class AccessKey(_Payload):
    code: str = Field(min_length=1, validation_alias=AliasChoices("access_key", "key"))
