"""Emails carry any text already stored: no header is injected, no control character or markup
gets into a message (issue 14, item 2)."""

from __future__ import annotations

from email import message_from_bytes
from email.policy import default as default_policy

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services.domain.settings import Settings
from services.domain.text import refusal
from services.notifier.email import render
from tests.notifier.test_email import mail_settings, make_notification, parts

__all__ = ["mail_settings"]  # the fixture, shared with test_email


@settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(title=st.text(), recipient=st.text(min_size=1), organisation=st.text())
def test_any_stored_title_or_name_makes_a_safe_email(
    title: str, recipient: str, organisation: str, mail_settings: Settings
) -> None:
    notification = make_notification(
        "document.published",
        title=title + "<b>x</b>",
        recipient_name=recipient,
        organisation_name=organisation,
    )

    message = render(notification, mail_settings)
    raw = message.as_bytes()

    subject = str(message["Subject"])
    assert refusal(subject, multiline=False) is None
    assert refusal(str(message["To"]), multiline=False) is None
    # Read back, the message has exactly the headers it was given: nothing was injected.
    again = message_from_bytes(raw, policy=default_policy)
    assert sorted(again.keys()) == sorted(message.keys())
    text, html = parts(message)
    for body in (text, html):
        assert refusal(body, multiline=True) is None
    assert "<b>x</b>" not in html and "&lt;b&gt;x&lt;/b&gt;" in html
