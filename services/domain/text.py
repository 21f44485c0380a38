"""One policy for text: what a request may store, and what an export does with text stored.

A request's text is refused (a 422 naming the field) when it holds a character no export or
column can carry: NUL (PostgreSQL text cannot hold it), a lone surrogate (not UTF-8), a C0 or C1
control character or DEL (XLSX, ICS and email headers refuse them), or a noncharacter U+FFFE or
U+FFFF (not XML). Tab, carriage return and line feed are text only in a multi-line field (a
summary, a letter, a comment); a one-line field (a title, a name, a tag) refuses them and the
Unicode line and paragraph separators too, since they end up in a subject line or a cell.

Text stored before this policy, or written round it, is made safe where it leaves: ``printable``
replaces each refused character with U+FFFD so an export shows that something was there.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from markupsafe import Markup
from pydantic import GetCoreSchemaHandler
from pydantic_core import core_schema

if TYPE_CHECKING:
    from jinja2 import Environment

# Refused everywhere: C0 but tab, LF and CR; DEL and C1; lone surrogates; U+FFFE, U+FFFF.
_NEVER = r"\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff"
_REFUSED_IN_PROSE = re.compile(f"[{_NEVER}]")
_REFUSED_IN_A_LINE = re.compile(f"[{_NEVER}\t\n\r\u2028\u2029]")
REPLACEMENT = "\ufffd"
# Context for validating a model read back from the database (a route's definition, an
# organisation's words): what was stored before the policy is read as it is, never refused;
# the exports make it safe.
STORED: dict[str, Any] = {"stored": True}


def refusal(value: str, *, multiline: bool) -> str | None:
    """Why the text may not be stored, or None when it may."""
    found = (_REFUSED_IN_PROSE if multiline else _REFUSED_IN_A_LINE).search(value)
    if found is None:
        return None
    char = found.group()
    if char == "\x00":
        return "must not contain NUL characters"
    if "\ud800" <= char <= "\udfff":
        return "must be valid Unicode text (no lone surrogates)"
    if char in "\t\n\r\u2028\u2029":
        return "must be one line: no tabs or line breaks"
    return f"must not contain control characters (found U+{ord(char):04X})"


def one_line(value: str) -> str:
    """A one-line text as a request may send it, or ValueError saying why not."""
    if (reason := refusal(value, multiline=False)) is not None:
        raise ValueError(reason)
    return value


def multi_line(value: str) -> str:
    """A multi-line text (tabs and line breaks allowed) as a request may send it."""
    if (reason := refusal(value, multiline=True)) is not None:
        raise ValueError(reason)
    return value


def printable(value: str, *, multiline: bool = True) -> str:
    """Stored text made safe to export: each refused character becomes U+FFFD; a one-line
    text's line breaks and tabs become spaces (a subject line, a calendar summary)."""
    if not multiline:
        value = re.sub(r"\r\n|[\t\n\r\u2028\u2029]", " ", value)
    return _REFUSED_IN_PROSE.sub(REPLACEMENT, value)


@dataclass(frozen=True)
class TextPolicy:
    """Pydantic metadata: a string of at most ``max_length`` characters (its column's length)
    that passes ``one_line`` or ``multi_line``. Every request string carries one."""

    max_length: int
    min_length: int = 0
    multiline: bool = False
    strip: bool = False
    pattern: str | None = None

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        inner = core_schema.str_schema(
            max_length=self.max_length,
            min_length=self.min_length or None,
            strip_whitespace=self.strip or None,
            pattern=self.pattern,
        )
        check = multi_line if self.multiline else one_line

        def checked(
            value: Any,
            handler: core_schema.ValidatorFunctionWrapHandler,
            info: core_schema.ValidationInfo,
        ) -> Any:
            # Check before stripping: str.strip() takes U+0085 and the separators for
            # whitespace, and would hide them from the check.
            if isinstance(value, str) and not (info.context or {}).get("stored"):
                check(value)
            return handler(value)

        return core_schema.with_info_wrap_validator_function(checked, inner)


def escaping_templates(directory: Path, extension: str = "html.j2") -> Environment:
    """A Jinja2 environment for templates that print stored text (reports, pages): escaped
    always (``extension`` files and any other), a missing key an error, every printed string
    through ``printable``, block tags trimmed. Each caller adds its own filters."""
    # Imported here: the text policy itself needs no templates.
    from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

    return Environment(
        loader=FileSystemLoader(directory),
        autoescape=select_autoescape(enabled_extensions=(extension,), default=True),
        undefined=StrictUndefined,
        finalize=printable_output,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def printable_output(value: Any) -> Any:
    """Jinja's ``finalize`` for every template that renders stored text (reports, emails): each
    printed string passes ``printable`` before it is escaped; markup stays markup."""
    if isinstance(value, Markup):
        return Markup(printable(str(value)))
    if isinstance(value, str):
        return printable(value)
    return value
