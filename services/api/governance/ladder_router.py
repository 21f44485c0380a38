"""The organisation's escalation ladder (`/v1/escalation-ladder`): who is told, and when, of a
review gone past its due date."""

from __future__ import annotations

from fastapi import Response

from services.api.deps import AppSettings, CurrentPrincipal, Session
from services.api.governance import schemas
from services.api.permissions import allowed
from services.api.routing import Router
from services.domain.authz.permissions import Permission as P
from services.domain.governance import ladders
from services.domain.governance.ladders import Ladder

router = Router(prefix="/v1/escalation-ladder", tags=["routes"])


def _out(found: tuple[Ladder, bool]) -> schemas.EscalationLadder:
    ladder, is_default = found
    return schemas.EscalationLadder(rungs=ladder.rungs, is_default=is_default)


@router.get("", response_model=schemas.EscalationLadder, dependencies=[allowed(P.ROUTES_READ)])
async def get_escalation_ladder(
    session: Session, principal: CurrentPrincipal, settings: AppSettings
) -> schemas.EscalationLadder:
    """The ladder the review sweep climbs; with none set, the default: the escalation contact
    POLICYGOV_REVIEW_ESCALATION_MONTHS after the due date (`is_default`)."""
    months = settings.review_escalation_months
    return _out(await ladders.get_ladder(session, principal, months))


@router.put("", response_model=schemas.EscalationLadder, dependencies=[allowed(P.ROUTES_MANAGE)])
async def replace_escalation_ladder(
    body: Ladder, session: Session, principal: CurrentPrincipal, settings: AppSettings
) -> schemas.EscalationLadder:
    """Replace the ladder (admins and the policy team): 1 to 8 rungs, each later than the one
    before it whatever the due date. The people and boards named must be active in the
    organisation."""
    months = settings.review_escalation_months
    return _out(await ladders.replace_ladder(session, principal, body, months))


@router.delete(
    "",
    status_code=204,
    response_class=Response,
    dependencies=[allowed(P.ROUTES_MANAGE)],
)
async def reset_escalation_ladder(
    session: Session, principal: CurrentPrincipal, settings: AppSettings
) -> Response:
    """Go back to the default ladder (the escalation contact alone)."""
    await ladders.replace_ladder(session, principal, None, settings.review_escalation_months)
    return Response(status_code=204)
