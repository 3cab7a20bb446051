"""Field types shared by the API schemas: bounded ids and text that databases accept."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, Field, StringConstraints


def _no_nul(value: str) -> str:
    if "\x00" in value:
        raise ValueError("text may not contain NUL characters")
    return value


Id = Annotated[int, Field(ge=1, le=2**63 - 1)]
Text = Annotated[str, AfterValidator(_no_nul)]
ShortText = Annotated[str, StringConstraints(max_length=250), AfterValidator(_no_nul)]
LongText = Annotated[str, StringConstraints(max_length=100_000), AfterValidator(_no_nul)]
Key = Annotated[str, StringConstraints(max_length=64), AfterValidator(_no_nul)]
PageSize = Annotated[int, Field(ge=1, le=200)]
