"""Typed commands: what a use case is asked to do, as a frozen dataclass rather than a mapping.

A command that makes something lists its fields with their defaults. A command that changes
something (a PATCH) lists every field it may change as ``Maybe[T] = UNSET``: ``given()`` is
what the caller sent, so a field left out is left as it is and one sent as null is cleared.

The API builds a command from its request body (``DocumentChange.of(body.model_dump(
exclude_unset=True))``). ``of`` checks the values against the command's types (a status's
text becomes its enum, an id's text its UUID): a field the body has and the command lacks, or
a value of the wrong type, is an error in the tests, never a key silently ignored.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from enum import Enum
from typing import Any, ClassVar, Final, Literal, Self, TypeAlias, TypeVar

from pydantic import ConfigDict, TypeAdapter

T = TypeVar("T")


class _Unset(Enum):
    UNSET = "unset"

    def __repr__(self) -> str:
        return "UNSET"


UNSET: Final = _Unset.UNSET
# A field of a change: its new value, or UNSET when the caller left it as it is.
Maybe: TypeAlias = T | Literal[_Unset.UNSET]


@dataclasses.dataclass(frozen=True, kw_only=True)
class Command:
    """Base of the commands: built from a request body, read as typed attributes."""

    # Read by pydantic in ``of``: a key the command does not have is refused.
    __pydantic_config__: ClassVar[ConfigDict] = ConfigDict(extra="forbid")

    @classmethod
    def of(cls, values: Mapping[str, Any]) -> Self:
        """The command for ``values`` (a request body's fields), each of the command's type."""
        adapter = _ADAPTERS.get(cls)
        if adapter is None:
            # Built once per command: a tracker import makes one command per row.
            adapter = _ADAPTERS[cls] = TypeAdapter(cls)
        command: Self = adapter.validate_python(dict(values))
        return command

    def given(self) -> dict[str, Any]:
        """The fields the caller set, by name (every field of a command that makes something;
        of a change, those not UNSET)."""
        return {
            field.name: value
            for field in dataclasses.fields(self)
            if (value := getattr(self, field.name)) is not UNSET
        }


_ADAPTERS: dict[type[Command], TypeAdapter[Any]] = {}
