"""The emails of requests to the policy service: the policy team's notice of a new request and
the requester's notice of the outcome (services/notifier/templates/policy_request.*)."""

from __future__ import annotations

from services.domain.settings import Settings
from services.notifier.email import render
from tests.notifier.test_email import COMMON, LINK, mail_settings, make_notification, parts

__all__ = ["mail_settings"]  # the fixture, used by name

REQUEST_LINK = "http://policygov.example/policy-requests/0190f6a2-6d2c-7c4e-9b1a-3f5e8d2c1a33"


def test_the_policy_team_reads_what_is_asked_and_the_date_to_triage_it_by(
    mail_settings: Settings,
) -> None:
    message = render(make_notification("policy_request.made"), mail_settings)
    assert message["Subject"].startswith("Urgent request to the policy team:")
    text, html = parts(message)
    for body in (text, html):
        assert "Tom Hughes asks the policy team for a new document" in body
        assert "Social workers have no written procedure for return interviews." in body
        assert "Tuesday 8 December 2026" in body  # the triage date
        assert "Wednesday 31 March 2027" in body  # wanted by
        assert REQUEST_LINK in body
        assert LINK not in body  # a new document has no page yet


def test_a_change_accepted_into_a_review_names_the_document_and_links_it(
    mail_settings: Settings,
) -> None:
    notification = make_notification(
        "policy_request.triaged",
        **COMMON,
        status="accepted",
        accepted_as="review",
        decision_note="Accepted into an early review.",
    )
    message = render(notification, mail_settings)
    assert message["Subject"] == (
        "Your request accepted: A procedure for children missing from care (CS-PR-012)"
    )
    text, html = parts(message)
    for body in (text, html):
        assert "CS-PR-012 Children missing from care" in body.replace("<strong>", "").replace(
            "</strong>", ""
        )
        assert "is now under review" in body
        assert "Accepted into an early review." in body
        assert "Priya Shah" in body  # who triaged it
        assert LINK in body and REQUEST_LINK in body


def test_a_declined_request_gives_the_reasons(mail_settings: Settings) -> None:
    text, html = parts(render(make_notification("policy_request.triaged"), mail_settings))
    for body in (text, html):
        assert "declined your request" in body
        assert "PROC-014 already covers return interviews." in body
        assert "None" not in body
