"""In-transaction subscribers (services/domain/subscribers.py, services/domain/reactions/): a
workflow's change reaches the one that acts on it without either importing the other, and a
process that forgot to install the reactions fails loudly instead of losing them."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from services.domain import events, subscribers
from services.domain.documents.signals import StatusChanged
from services.domain.reactions import (
    TABLE,
    acknowledgements,
    cascades,
    consultation_summaries,
    dis_applications,
    launch,
    minutes,
    review_extensions,
    reviews,
    trix,
)
from services.domain.sign_off.signals import IssueWithdrawn

ROOT = Path(__file__).resolve().parents[2]


def run_python(code: str) -> subprocess.CompletedProcess[str]:
    # A fresh interpreter: this test process installed the reactions in conftest.py.
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120
    )


def test_reacting_before_the_reactions_are_installed_is_an_error() -> None:
    done = run_python(
        "import asyncio\n"
        "from services.domain import subscribers\n"
        "asyncio.run(subscribers.react(None, None, object()))\n"
    )
    assert done.returncode == 1
    assert "No reactions are installed" in done.stderr


@pytest.mark.parametrize(
    "start",
    [
        "from services.api.app import create_app; create_app()",
        "from services.cli import main; main(['--version'])",
    ],
    ids=["api", "command line"],
)
def test_each_process_installs_the_reactions_at_start_up(start: str) -> None:
    done = run_python(
        "import asyncio, contextlib\n"
        "from services.domain import subscribers\n"
        f"with contextlib.suppress(SystemExit):\n    {start}\n"
        # Nothing subscribes to a bare object: reacting to it does nothing, without an error.
        "asyncio.run(subscribers.react(None, None, object()))\n"
        "print('installed')\n"
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().endswith("installed")


async def test_subscribers_run_in_the_order_the_table_lists_them() -> None:
    heard: list[str] = []

    async def first(session: object, principal: object, happened: object) -> None:
        heard.append(f"first {happened}")

    async def second(session: object, principal: object, happened: object) -> None:
        heard.append(f"second {happened}")

    try:
        subscribers.install({str: (first, second)})
        await subscribers.react(None, None, "minuted")  # type: ignore[arg-type]
        await subscribers.react(None, None, 7)  # type: ignore[arg-type]  nobody listens
    finally:
        subscribers.install(TABLE)
    assert heard == ["first minuted", "second minuted"]


def test_the_table_connects_each_workflow_to_what_it_acts_on() -> None:
    # The minutes decide a proposal before a sign-off stage, as they did when they called both.
    assert TABLE[events.DecisionRecorded] == (
        minutes.decide_proposal,
        minutes.decide_sign_off_stage,
    )
    # A version issued (by a sign-off or registered): older uploads cancelled, then its
    # audience asked to read and acknowledge it, and the issue announced (digest, news feed);
    # the consultees of its consultations are sent "You said, we did".
    assert TABLE[events.DocumentVersionAdded] == (
        trix.cancel_older_uploads,
        acknowledgements.ask_on_issue,
        launch.announce_issue,
        consultation_summaries.send_on_issue,
    )
    # Leaving force queues the Tri.x removal, ends its dis-applications (Cafcass 6.1),
    # cancels its asks to read and acknowledge, and is announced.
    assert TABLE[StatusChanged] == (
        trix.queue_removal,
        dis_applications.end_with_document,
        acknowledgements.cancel_with_document,
        launch.announce_retirement,
        review_extensions.lapse_with_document,
    )
    # An issue queues its upload before it completes the review, as issue_version did; then
    # the documents linked to an amended one get their reviews or flags (cascade reviews).
    assert TABLE[events.DocumentPublished] == (
        trix.queue_issued_upload,
        reviews.complete_review,
        cascades.cascade_to_linked,
    )
    # A withdrawal cancels the upload, reopens the review, queues what is in force, and
    # cancels the asks to read the withdrawn version.
    assert TABLE[IssueWithdrawn] == (
        trix.cancel_withdrawn_upload,
        reviews.reopen_review,
        trix.queue_what_is_in_force,
        acknowledgements.cancel_withdrawn,
        launch.announce_withdrawal,
    )
