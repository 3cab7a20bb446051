"""Field types shared by the API schemas: bounded ids and text that databases accept."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, Literal

from ninja import Schema
from pydantic import AfterValidator, BeforeValidator, ConfigDict, Field, StringConstraints


PriorityName = Literal["low", "medium", "high", "urgent"]  # caredesk.tickets.models.Priority


def _no_nul(value: str) -> str:
    if "\x00" in value:
        raise ValueError("text may not contain NUL characters")
    return value


def _iso_8601(kind: type[date], example: str):
    """A validator taking only ISO 8601 text for `kind` (pydantic alone would read a plain number such as 0.5
    as seconds since 1970, or 0 as 1 January 1970)."""

    def parse(value):
        if isinstance(value, kind):
            return value
        if isinstance(value, str):
            try:
                return kind.fromisoformat(value.strip())
            except ValueError:
                pass
        raise ValueError(f"an ISO 8601 {'date and time' if kind is datetime else 'date'} such as {example}")

    return BeforeValidator(parse)


def _instant(value: datetime) -> datetime:
    """An aware instant in UTC; a time without an offset is read as UTC."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    try:
        return value.astimezone(UTC)
    except OverflowError:
        raise ValueError("the instant is outside the years 1 to 9999 in UTC") from None


Id = Annotated[int, Field(ge=1, le=2**63 - 1)]
Text = Annotated[str, AfterValidator(_no_nul)]
ShortText = Annotated[str, StringConstraints(max_length=250), AfterValidator(_no_nul)]
LongText = Annotated[str, StringConstraints(max_length=100_000), AfterValidator(_no_nul)]
Key = Annotated[str, StringConstraints(max_length=64), AfterValidator(_no_nul)]
PageSize = Annotated[int, Field(ge=1, le=200)]
Instant = Annotated[datetime, _iso_8601(datetime, "2026-03-02T14:00:00Z"), AfterValidator(_instant)]
Day = Annotated[date, _iso_8601(date, "2026-03-02")]


class InputSchema(Schema):
    """A request body: a field the route does not know is an error, not silently ignored (a typo such as
    "priorty" would otherwise succeed and change nothing)."""

    model_config = ConfigDict(extra="forbid")
