"""Emails: rendering a notification into a message (``mail_backends.py`` sends it, to files or
over SMTP).

Templates live in ``templates/``, three per kind: ``<kind>.subject.j2``, ``<kind>.txt.j2`` and
``<kind>.html.j2``. They see ``notification.context`` plus ``frontend_base_url``, ``kind`` and
``page(path)``: every link to the service goes through it, and it gives the page's address
signed for the recipient (``links.py``; an API path in the context becomes its page).

Context keys the templates rely on (written by ``services.domain.notifications.service`` and,
for meetings, ``services.domain.boards.notices``). Moments are ISO datetimes
with their offset, shown with ``long_datetime`` as the London date and time; dates are ISO
'YYYY-MM-DD', shown with ``long_date``. Meeting emails link to the meeting (``meeting_id``)
instead of a document.

- every kind: ``recipient_name``, ``organisation_name``, ``contact_name`` and
  ``contact_email`` (both may be null: the email then says to contact the policy team), and
  ``words``: the organisation's role titles (``owner``, ``responsible_officer``, ``author``,
  ``policy_team``, ``escalation_contact``) and ``citations`` (each a source or null), which
  every role or source an email names comes from (``services.domain.organisations.words``)
- about one document (``document.*`` and ``review.*``, and a meeting notice that concerns
  exactly one document): ``document_id``, ``reference``, ``title``, and ``your_roles``: the
  titles of every role the recipient holds on it (empty for others), named in the footer
- ``document.assigned``: ``roles``, the titles of the roles just given to the recipient (one
  email for all of them); ``due_date`` is optional (the next review date, shown when present)
- ``tracker.assigned`` (about no one document): ``documents`` (how many a tracker import named
  the recipient on), ``roles``: ``{title, documents}`` per role, ``filename`` (the tracker's)
- ``review.due_soon``: ``due_date`` (ISO 'YYYY-MM-DD'), ``days`` (until the due date)
- ``review.overdue``: ``due_date``
- ``review.escalated``: ``due_date``, ``months`` (the escalation grace),
  ``responsible_officer_name`` and ``owner_name`` (either may be null)
- ``meeting.moved``: ``board_name``, ``meeting_id``, ``previous_starts_at``, ``starts_at``,
  ``location`` (may be empty), ``items`` (titles of the recipient's items on the meeting)
- ``meeting.cancelled``: ``board_name``, ``meeting_id``, ``starts_at``, ``location``,
  ``items``, ``reason``, ``moved_to_starts_at`` (the next meeting, where the items went; null
  when they wait for the chair to place them)
- ``meeting.papers_circulated``: ``board_name``, ``meeting_id``, ``starts_at``, ``location``,
  ``is_late``, ``agenda``: in agenda order, ``{section, title, reference, version,
  paper_path}`` (the last three may be null; ``paper_path`` is an API path such as
  ``/v1/agenda-items/<id>/paper``)
- ``meeting.minutes_issued``: ``board_name``, ``meeting_id``, ``starts_at``, ``decisions``:
  ``{title, outcome, conditions}`` (current decisions only), ``actions`` and ``your_actions``
  (the recipient's own): ``{description, owner_name, due_on}``
- ``board.attendance_escalated``: ``board_name``, ``meeting_id`` (where it was noticed),
  ``member_name``, ``missed`` (the London dates of the meetings missed, oldest first)
- ``agenda_item.deferred``: ``title`` (the item's), ``board_name``, ``meeting_id``,
  ``requested_starts_at``, ``agenda_deadline`` (its ISO date, may be null), ``starts_at`` and
  ``location`` (of the meeting it went to), ``is_submitter``, ``is_presenter``, and
  ``placed_by_sign_off``: the sign-off engine tabled it when a stage began (nobody asked for
  a meeting), with ``stage_name`` and ``sign_off_path``

Sign-off emails (``services.domain.sign_off.notices``); all but
``delegation.created`` and ``proposal.decided`` are about one document. ``version`` is a
version number such as "0.3"; ``sign_off_path`` an API path such as ``/v1/sign-offs/<id>``.

- ``sign_off.decision_needed``: ``sign_off_path``, ``stage_name``, ``round`` (above 1: an
  amended draft to check), ``version``, ``board_name`` (deciding by circulation, else null),
  ``conditions`` (of the latest approval with conditions; empty in round 1)
- ``sign_off.decided``: ``sign_off_path``, ``amendments_path``, ``stage_name``, ``version``,
  ``outcome``, ``outcome_words`` (e.g. "deferred to Senior Leadership Team"), ``conditions``,
  ``reasons``, ``decided_by_name``, ``on_behalf_of_name`` (null unless a delegate decided),
  ``discussed_with_name`` (a deferral: who it was discussed with first, NCT 2.3.3; else null),
  ``is_responsible_officer`` (the recipient is told to amend and send back)
- ``sign_off.withdrawn``: ``sign_off_path``, ``version``, ``stage_names`` (cancelled stages)
- ``document.published``: ``version``, ``issued_on``, ``effective_on``, ``next_review_due``
  (ISO dates; the last may be null)
- ``publication.queued``: ``action`` ("upload" or "remove"), ``reason`` ("issued",
  "retired", "superseded", "reinstated", "withdrawn"), ``version`` (may be null)
- ``document.issue_withdrawn`` (Dorset 4.5.2: ratification refused): ``sign_off_path`` (null
  without a sign-off), ``version`` (the one withdrawn), ``reason``, ``status`` (the
  document's now), ``in_force_version`` (null when none is), ``reinstated`` (the previous
  issue is in force again), ``next_review_due`` (ISO date, may be null), ``trix_action``
  ("upload": the reinstated version queued again; "remove": the withdrawn page queued for
  removal; null: nothing to do on Trix)
- ``delegation.created``: ``delegator_name``, ``delegate_name``, ``starts_on``, ``ends_on``,
  ``reason``, ``is_delegate`` (the recipient is the delegate)
- ``legal_review.requested``: ``version``, ``question``, ``requested_by_name``,
  ``to_policy_team`` (no active lawyer named: the policy team passes it on)
- ``legal_review.answered``: ``version``, ``question``, ``outcome``, ``advice``,
  ``answered_by_name``
- ``proposal.decided``: ``proposal_title``, ``status`` ("approved" or "declined"),
  ``decision_note``, ``board_name`` (may be null); the document's keys when it names one

Requests to the policy service (``services.domain.policy_requests.notices``); the document's
keys when a change to one is asked. Both have ``request_id``, ``request_title``,
``request_kind`` ("new_document" or "change"), ``details``, ``service_area`` (may be null),
``urgency`` ("routine" or "urgent"), ``wanted_by`` and ``triage_due_on`` (ISO dates, the first
may be null) and ``requested_by_name``. Links go to ``/policy-requests/<request_id>``.

- ``policy_request.made`` (to the policy team, not the requester): nothing more
- ``policy_request.triaged`` (to the requester): ``status`` ("accepted" or "declined"),
  ``accepted_as`` ("proposal", "review" or null), ``decision_note`` (the reasons of a
  decline, or a note), ``triaged_by_name``

Consultation emails (``services.domain.consultations.notices``), each about one
document (the document's keys). The context's own ``kind`` is the notification's, so the
consultation's kind is ``consultation_kind``. Every one of them has:
``consultation_id``, ``consultation_title``, ``consultation_kind`` ("internal",
"pre_meeting", "public"), ``version`` (the consulted draft's number), ``closes_at`` (a moment),
``closing_day`` (the London day responses are due by, ISO), ``closes_end_of_day`` (it closes
at midnight at the end of ``closing_day``: say "by the end of" that day rather than the
moment), ``deemed_agreement`` (Birmingham: silence by the deadline is taken as agreement) and
``opened_by_name`` (may be null). Emails to a consultee add ``consultee_id``, ``is_external``
(no account: link to nothing that needs a sign-in) and ``represents`` (may be empty).

- ``consultation.invited``: ``description`` (the covering letter, may be empty),
  ``questions_count``, ``meeting_board_name`` and ``meeting_starts_at`` (a pre-meeting
  circulation's meeting, else null); for an external consultee ``link_version``, and
  ``respond_url``, which ``render`` adds: the link signed at render time, never stored.
  People are linked to ``/consultations/<consultation_id>``.
- ``consultation.reminder``: as the invitation, plus ``days_left`` (London days to the
  closing day: 0 today, 1 tomorrow) and ``reminder_days`` (the threshold reached)
- ``consultation.response_received``: ``position``, ``position_words``, ``comments``,
  ``submitted_at``, ``is_late``, ``is_amendment``, ``recorded_by_name`` (someone else
  recorded it for them, else null)
- ``consultation.closed``: ``closed_at``, ``closed_early``, ``outcome`` ("received", "late",
  "deemed_agreement" or "none"), ``position`` and ``position_words`` (null for "none")
- ``consultation.summary`` (to the author, responsible officer and owner; one who was also
  consulted reads their own outcome in ``your_response``: ``{outcome, position,
  position_words}`` or null, and gets no separate closing email): ``closed_at``,
  ``closed_early``, ``counts`` (by position: ``support``, ``support_with_comments``,
  ``object``, ``no_view``, ``deemed_agreement``), ``consultees_count``, ``responded_count``,
  ``late_count``, ``non_responders`` (names of those who did not respond themselves),
  ``report_path`` (an API path such as ``/v1/consultations/<id>/report.html``), ``is_author``
- ``consultation.cancelled``: ``reason``
- ``consultation.you_said_we_did`` (each consultee asked, once, when the document is
  issued; ``services.domain.consultations.summary_notices``): ``summary_id``,
  ``summary_path`` (the public page, ``/you-said-we-did/<id>``: no account, no token, so
  every recipient, external or not, is linked to it with ``frontend_base_url``),
  ``issued_version``, ``issued_version_id``, ``themes`` (their names)

Failures are sorted for the retry policy: ``TransientMailError`` is tried again later with
backoff, ``PermanentMailError`` marks the notification failed.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from email import message_from_bytes
from email.header import Header
from email.message import EmailMessage
from email.policy import default
from email.quoprimime import body_encode
from email.utils import format_datetime, formataddr, parseaddr
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from jinja2 import (
    Environment,
    FileSystemLoader,
    StrictUndefined,
    TemplateNotFound,
    UndefinedError,
    select_autoescape,
)

from services.domain.acknowledgements.confirming import link_token as acknowledgement_link
from services.domain.calendar.words import long_date, long_datetime
from services.domain.clock import utcnow
from services.domain.consultations.links import link_token
from services.domain.models.notifications import Notification
from services.domain.organisations.words import DEFAULT_WORDS, joined
from services.domain.settings import Settings
from services.domain.text import printable, printable_output
from services.domain.tokens import Keyring
from services.notifier.links import page_links

TEMPLATES = Path(__file__).parent / "templates"


class TransientMailError(Exception):
    """Worth trying again later: the server, the network or our configuration failed.

    ``this_message_only``: the server refused this message for now (a 4xx reply to it), and
    the next message may well go; otherwise the server itself failed, and so would the next.
    """

    def __init__(self, text: str, *, this_message_only: bool = False) -> None:
        super().__init__(text)
        self.this_message_only = this_message_only


class PermanentMailError(Exception):
    """Trying again cannot help: the message or its recipient was refused."""


# --- rendering ------------------------------------------------------------------------------


@cache
def environment() -> Environment:
    """The Jinja2 environment, built once per process (it is not changed after)."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(enabled_extensions=("html.j2",), default=False),
        # A missing context key fails loudly instead of leaving a gap in an email.
        undefined=StrictUndefined,
        # Stored text may predate the text policy: no control character reaches a message.
        finalize=printable_output,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["long_date"] = long_date
    env.filters["long_datetime"] = long_datetime
    env.filters["joined"] = joined
    env.filters["sentence"] = _sentence
    return env


def _sentence(text: str) -> str:
    """A title at the start of a sentence: 'owner' -> 'Owner', 'RSM' stays 'RSM'."""
    return text[:1].upper() + text[1:]


@dataclass(frozen=True)
class Outgoing:
    """An email ready to send: its SMTP envelope (one sender, one recipient) and its bytes."""

    sender: str
    recipient: str
    message_id: str
    data: bytes


def compose(notification: Notification, settings: Settings) -> Outgoing:
    """The email for ``notification``: plain text and HTML, with a Message-ID stable across
    tries.

    Written out directly, as a multipart/alternative of two quoted-printable UTF-8 parts, with
    the email package's own encoders for each header and body. Its ``EmailMessage`` API parses
    every header it is given and again when it writes the message out, and its generator walks
    the message object: building and writing an email that way took a quarter of the
    notifier's time per email, its legacy MIME classes a tenth. ``render`` reads the result
    back as an ``EmailMessage``.

    Raises PermanentMailError when the kind has no templates or the context lacks a key:
    sending again would fail the same way.
    """
    subject, text, html = _fill_templates(notification, settings)
    sender_name, sender = parseaddr(settings.mail_from)
    name = notification.context.get("recipient_name")
    recipient = notification.recipient_email
    # A header must be one line, whatever a document title contains.
    one_line = " ".join(printable(subject, multiline=False).split())
    # Quoted-printable never writes "=_" (it writes "=" as "=3D"): no body can hold a line
    # that looks like this boundary.
    boundary = f"=_{uuid.uuid4().hex[:24]}"
    lines = [
        _address("From", sender_name, sender),
        _address("To", printable(name, multiline=False) if name else "", recipient),
        _header("Subject", one_line),
        f"Message-ID: {notification.message_id}",
        f"Date: {format_datetime(utcnow())}",
        # The request that caused it (a safe charset, checked when it arrived), for support.
        *([f"X-Request-ID: {notification.request_id}"] if notification.request_id else []),
        # RFC 3834, and Exchange's own header: no out-of-office replies to a robot.
        "Auto-Submitted: auto-generated",
        "X-Auto-Response-Suppress: All",
        "MIME-Version: 1.0",
        f'Content-Type: multipart/alternative; boundary="{boundary}"',
        "",
        *_part(boundary, "plain", text),
        *_part(boundary, "html", html),
        f"--{boundary}--",
        "",
    ]
    data = "\r\n".join(lines).encode("ascii")
    return Outgoing(sender, recipient, notification.message_id, data)


def _header(name: str, value: str) -> str:
    """``name: value``, folded at 76 characters; non-ASCII as RFC 2047 encoded words."""
    charset = "us-ascii" if value.isascii() else "utf-8"
    return f"{name}: {Header(value, charset, header_name=name).encode(linesep=CRLF)}"


def _address(name: str, display_name: str, address: str) -> str:
    """``name: display name <address>``, folded; a non-ASCII name as encoded words, each
    short enough to fold between (one word for a long name could not be folded at all)."""
    if display_name.isascii():
        return _header(name, formataddr((display_name, address)))
    value = Header(display_name, "utf-8", header_name=name)
    value.append(f"<{address}>", "us-ascii")
    return f"{name}: {value.encode(linesep=CRLF)}"


def _part(boundary: str, subtype: str, body: str) -> list[str]:
    # Encoded as the email package's UTF-8 Charset with QP body encoding does it.
    encoded = body_encode(body.encode("utf-8").decode("latin-1"), eol=CRLF)
    return [
        f"--{boundary}",
        f'Content-Type: text/{subtype}; charset="utf-8"',
        "Content-Transfer-Encoding: quoted-printable",
        "",
        encoded,
    ]


CRLF = "\r\n"


def render(notification: Notification, settings: Settings) -> EmailMessage:
    """The email ``compose`` makes, read back as an ``EmailMessage`` (to look at, as a mail
    client would)."""
    data = compose(notification, settings).data
    message: EmailMessage = message_from_bytes(data, _class=EmailMessage, policy=default)
    return message


def _fill_templates(notification: Notification, settings: Settings) -> tuple[str, str, str]:
    """The subject, text and HTML of the notification's kind, filled in."""
    kind = notification.kind
    base_url = settings.frontend_base_url.rstrip("/")
    context = {
        # Notifications created before these keys existed render in neutral words.
        "words": _default_words(),
        "your_roles": [],
        **notification.context,
        **_older(notification.context),
        **_respond_link(notification.context, settings.keyring, base_url),
        **_acknowledge_link(notification.context, settings.keyring, base_url),
        "frontend_base_url": base_url,
        "kind": kind,
        "page": page_links(notification, settings),
    }
    env = environment()
    try:
        subject = env.get_template(f"{kind}.subject.j2").render(context)
        text = env.get_template(f"{kind}.txt.j2").render(context)
        html = env.get_template(f"{kind}.html.j2").render(context)
    except TemplateNotFound as exc:
        raise PermanentMailError(f"no email template for {kind!r}: {exc.name}") from exc
    except UndefinedError as exc:
        raise PermanentMailError(f"cannot render {kind!r}: {exc.message}") from exc
    return subject, text, html


@cache
def _default_words() -> dict[str, Any]:
    return DEFAULT_WORDS.model_dump()


def _older(context: dict[str, Any]) -> dict[str, Any]:
    """Keys an older notification wrote differently: one assignment email named one role."""
    if "role" in context and "roles" not in context:
        return {"roles": [context["role"]]}
    return {}


def _respond_link(context: dict[str, Any], keyring: Keyring, base_url: str) -> dict[str, str]:
    """An external consultee's link, signed now: the token is never stored with the
    notification (admins read its context), only the link version it is for."""
    if not context.get("is_external") or context.get("link_version") is None:
        return {}
    consultee_id = uuid.UUID(context["consultee_id"])
    token = link_token(keyring, consultee_id, int(context["link_version"]))
    return {"respond_url": f"{base_url}/consultations/respond?{urlencode({'token': token})}"}


def _acknowledge_link(context: dict[str, Any], keyring: Keyring, base_url: str) -> dict[str, str]:
    """A person's link to confirm they have read a version, signed now (never stored)."""
    if context.get("acknowledgement_id") is None:
        return {}
    token = acknowledgement_link(keyring, uuid.UUID(context["acknowledgement_id"]))
    return {"acknowledge_url": f"{base_url}/acknowledgements/respond?{urlencode({'token': token})}"}
