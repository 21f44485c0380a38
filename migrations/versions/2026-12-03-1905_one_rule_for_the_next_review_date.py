"""one rule for the next review date

The organisation's default review interval (12 months unless set). A document's
review_interval_months now means only the interval agreed for it, so existing rows are sorted
out, and every document in force is given a review date by the rule
(services/domain/documents/review_dates.py):

1. A schedule agreed at an earlier sign-off and written over by the route's interval at a later
   sign-off that did not restate it (LBBD: 18 months agreed, then 12 from the route) is put
   back; with none agreed, the route's copy is cleared (the rule gives the route's anyway).
2. A copy of the kind's default (made when the document was created) is cleared, unless a
   sign-off agreed that very interval: the kind's applies through the rule.
3. A document in force (published or under review) without a review date is given one: the
   interval agreed for it, else its default route's, its kind's, the organisation's; counted
   from its current issue or last review, whichever is later, else from the day of the
   migration (London).

Revision ID: 980cd6a375f3
Revises: 3f6d1c2a9b70
Create Date: 2026-12-03 19:00:00+00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "980cd6a375f3"
down_revision: str | None = "3f6d1c2a9b70"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

RESTORE_AGREED = """
WITH latest AS (
    SELECT DISTINCT ON (s.document_id)
        s.document_id,
        s.submitted_at,
        s.review_interval_months AS stated,
        (v.definition ->> 'review_interval_months')::int AS route_months
    FROM sign_offs s
    JOIN route_versions v ON v.id = s.route_version_id
    WHERE s.issued_version_id IS NOT NULL
    ORDER BY s.document_id, s.submitted_at DESC, s.id DESC
),
agreed AS (
    SELECT DISTINCT ON (s.document_id) s.document_id, s.review_interval_months AS months
    FROM sign_offs s
    WHERE s.issued_version_id IS NOT NULL AND s.review_interval_months IS NOT NULL
    ORDER BY s.document_id, s.submitted_at DESC, s.id DESC
)
UPDATE documents d
SET review_interval_months = agreed.months, row_version = d.row_version + 1
FROM latest
LEFT JOIN agreed ON agreed.document_id = latest.document_id
WHERE d.id = latest.document_id
  AND latest.stated IS NULL
  AND latest.route_months IS NOT NULL
  AND d.review_interval_months = latest.route_months
"""

CLEAR_KIND_COPIES = """
UPDATE documents d
SET review_interval_months = NULL, row_version = d.row_version + 1
FROM document_kinds k
WHERE k.organisation_id = d.organisation_id
  AND k.key = d.kind
  AND d.review_interval_months = k.default_review_interval_months
  AND NOT EXISTS (
      SELECT 1 FROM sign_offs s
      WHERE s.document_id = d.id
        AND s.issued_version_id IS NOT NULL
        AND s.review_interval_months = d.review_interval_months
  )
"""

GIVE_IN_FORCE_A_DATE = """
UPDATE documents d
SET next_review_due = (
        coalesce(
            greatest(
                (SELECT max(dv.issued_on) FROM document_versions dv
                 WHERE dv.document_id = d.id AND dv.minor = 0),
                d.last_reviewed_on
            ),
            (now() AT TIME ZONE 'Europe/London')::date
        )
        + make_interval(months => coalesce(
            d.review_interval_months,
            (
                SELECT (v.definition ->> 'review_interval_months')::int
                FROM governance_routes r
                JOIN route_versions v ON v.route_id = r.id AND v.number = r.current_version
                WHERE r.organisation_id = d.organisation_id
                  AND r.is_active AND NOT r.is_alternative
                  AND (cardinality(r.kinds) = 0 OR d.kind = ANY (r.kinds))
                  AND (
                      cardinality(r.categories) = 0
                      OR lower(d.category) IN (SELECT lower(c) FROM unnest(r.categories) AS c)
                  )
                ORDER BY (cardinality(r.kinds) > 0 AND cardinality(r.categories) > 0) DESC,
                         cardinality(r.kinds) > 0 DESC,
                         cardinality(r.categories) > 0 DESC,
                         r.key
                LIMIT 1
            ),
            k.default_review_interval_months,
            o.default_review_interval_months
        ))
    )::date,
    updated_at = now(),
    row_version = d.row_version + 1
FROM organisations o, document_kinds k
WHERE o.id = d.organisation_id
  AND k.organisation_id = d.organisation_id
  AND k.key = d.kind
  AND d.status IN ('published', 'under_review')
  AND d.next_review_due IS NULL
"""


def upgrade() -> None:
    # Never queue behind a long lock on a live database: fail fast and retry the deploy.
    op.execute("SET LOCAL lock_timeout = '5s'")
    op.add_column(
        "organisations",
        sa.Column(
            "default_review_interval_months", sa.Integer(), server_default="12", nullable=False
        ),
    )
    op.create_check_constraint(
        op.f("ck_organisations_default_review_interval"),
        "organisations",
        "default_review_interval_months BETWEEN 1 AND 120",
    )
    op.execute(RESTORE_AGREED)
    op.execute(CLEAR_KIND_COPIES)
    op.execute(GIVE_IN_FORCE_A_DATE)


def downgrade() -> None:
    # The intervals and dates written above are valid under the old rules too: left as they are.
    op.execute("SET LOCAL lock_timeout = '5s'")
    op.drop_constraint(
        op.f("ck_organisations_default_review_interval"), "organisations", type_="check"
    )
    op.drop_column("organisations", "default_review_interval_months")
