"""Which documents the review sweep reads: only those whose notices may have changed since its
last run, not every document due.

The sweep runs every minute. Its notices for a document follow from the document's review date,
status and people, the organisation's escalation contact, whether those people are active,
and the day; each is made once (its dedupe key). So a document needs reading again only if:

- one of its thresholds (a reminder, overdue, a rung of any organisation's escalation ladder)
  was reached on a day after the last run's, up to today: a range of review dates per
  threshold, read from the review-date index;
- it changed since the last run (``updated_at``, read from its own index);
- its organisation changed (a new escalation contact or ladder), one of its people did (made
  active again), or a post or a board a ladder may name did (a new holder, a new chair):
  every document of that organisation is read, as a full run would.

A run reads everything (as before this module) when there is no mark yet, when the rules it
applies differ from the last run's, or when today is before the last run's day.

A change is stamped when it is made, inside its transaction, and seen once that commits: a run
cannot see what an open transaction wrote. The mark's ``changes_since`` is therefore the start
of the oldest transaction open when the run began (the run's own start if none is older), less
``CLOCK_MARGIN`` for the clocks of the API hosts and the database's; the next run reads the
changes stamped from there. The mark moves forward only in the run's own transaction, and only
if no document failed: a document that failed is read again by the next run, as every sweep
promises (services/domain/sweeps.py).
"""

from __future__ import annotations

import uuid
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from dateutil.relativedelta import relativedelta
from sqlalchemy import ColumnElement, or_, select, text, true, union
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.domain.governance.ladders import After
from services.domain.models.boards import Board, BoardMember
from services.domain.models.documents import Document
from services.domain.models.governance import Post
from services.domain.models.notifications import SweepMark
from services.domain.models.organisations import Organisation
from services.domain.models.people import Person

NAME = "reviews"
CLOCK_MARGIN = timedelta(minutes=2)

# The oldest transaction open in this database now (this one included): what a run started
# now cannot see of the changes made before it commits.
_HORIZON = text(
    "SELECT least(now(), (SELECT min(xact_start) FROM pg_stat_activity"
    " WHERE datname = current_database() AND xact_start IS NOT NULL))"
)


@dataclass(frozen=True)
class Window:
    """What this run reads: ``condition`` on documents (``true()`` for everything)."""

    condition: ColumnElement[bool]
    full: bool


def rules_key(reminder_days: tuple[int, ...], escalation_months: int) -> str:
    return f"reminders {sorted(set(reminder_days))}, escalation {escalation_months} months"


async def open_window(
    session: AsyncSession,
    today: date,
    reminder_days: tuple[int, ...],
    escalation_months: int,
    offsets: Collection[After] = (),
) -> Window:
    """The documents this run reads, from the last run's mark (``offsets``: those of every
    rung of every escalation ladder)."""
    mark = await session.get(SweepMark, NAME)
    rules = rules_key(reminder_days, escalation_months)
    if mark is None or mark.rules != rules or today < mark.swept_on:
        return Window(true(), full=True)
    since = mark.changes_since - CLOCK_MARGIN
    due = Document.next_review_due
    last = mark.swept_on
    reached = [
        # A reminder d days ahead is reached on the day due - d.
        *(
            due.between(last + timedelta(days=d + 1), today + timedelta(days=d))
            for d in reminder_days
        ),
        # Overdue from the day after the due date.
        due.between(last, today - timedelta(days=1)),
        # Escalated on the day due + the grace in months.
        due.between(*_escalating(escalation_months, last, today)),
        # A ladder's rung on the day due + its offset.
        *(due.between(*_rung_reached(after, last, today)) for after in offsets),
    ]
    changed = [Document.updated_at >= since]
    organisations = await _changed_organisations(session, since)
    if organisations:
        changed.append(Document.organisation_id.in_(organisations))
    return Window(or_(*reached, *changed), full=False)


def _escalating(months: int, after: date, through: date) -> tuple[date, date]:
    """The review dates escalated on a day after ``after`` and up to ``through``: one range,
    since a date ``months`` on never comes before that of an earlier date (empty, first after
    last, when the days are the same). Month ends make it inexact to compute backwards (31
    December and 28 December both escalate on 28 February), so it is found from near by."""
    grace = relativedelta(months=months)
    one = timedelta(days=1)
    first = after - grace
    while first - one + grace > after:
        first -= one
    while first + grace <= after:
        first += one
    last = through - grace
    while last + one + grace <= through:
        last += one
    while last + grace > through:
        last -= one
    return first, last


def _rung_reached(after: After, last: date, through: date) -> tuple[date, date]:
    """The review dates reaching a rung ``after`` their due date on a day after ``last`` and
    up to ``through``."""
    if after.unit == "months":
        return _escalating(after.amount, last, through)
    days = timedelta(days=after.amount)
    return last + timedelta(days=1) - days, through - days


async def _changed_organisations(session: AsyncSession, since: datetime) -> list[uuid.UUID]:
    """Organisations changed since ``since`` (their escalation contact or ladder), or whose
    people, posts or boards did (active again, or no longer; a new holder, a new chair)."""
    query = union(
        select(Organisation.id).where(Organisation.updated_at >= since),
        select(Person.organisation_id).where(Person.updated_at >= since),
        select(Post.organisation_id).where(Post.updated_at >= since),
        select(Board.organisation_id).where(Board.updated_at >= since),
        select(BoardMember.organisation_id).where(BoardMember.updated_at >= since),
    )
    return list((await session.execute(query)).scalars())


async def close_window(
    session: AsyncSession, today: date, reminder_days: tuple[int, ...], escalation_months: int
) -> None:
    """Record this run, in its transaction: the next reads from here."""
    horizon: datetime = (await session.execute(_HORIZON)).scalar_one()
    values = {
        "name": NAME,
        "swept_on": today,
        "changes_since": horizon,
        "rules": rules_key(reminder_days, escalation_months),
    }
    statement = insert(SweepMark).values(values)
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=[SweepMark.name],
            set_={k: statement.excluded[k] for k in ("swept_on", "changes_since", "rules")},
        )
    )
