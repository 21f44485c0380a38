"""Health checks and the caller's own organisation."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable
from datetime import date
from typing import Annotated, Literal

from fastapi import Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, StrictInt, model_validator
from sqlalchemy import text

from services.api.deps import CurrentPrincipal, Session
from services.api.documents.schemas import Interval
from services.api.errors import PROBLEM_JSON, RETRY_AFTER_SECONDS, problem_response
from services.api.etag import IfMatchHeader, expected_version, set_etag
from services.api.permissions import PUBLIC, allowed
from services.api.routing import Router
from services.api.types import IsoDate, Name, text_field
from services.domain.authz.permissions import Permission as P
from services.domain.documents import files
from services.domain.governance.definition import DisApplicationDecider
from services.domain.health import NOTIFIER_HEALTH_KEY, describe
from services.domain.models.documents import FileStore
from services.domain.models.organisations import Organisation as OrganisationRow
from services.domain.organisations import service as organisations
from services.domain.organisations.commands import OrganisationChange
from services.domain.organisations.words import OrganisationWords, words_of

router = Router(tags=["system"])
READY_TIMEOUT_SECONDS = 3.0
Subdivision = Literal["ENG", "WLS", "SCT", "NIR"]
Category = Annotated[str, text_field(80, 1, strip=False, pattern=r"^[a-z][a-z0-9_]*$")]


class Health(BaseModel):
    status: str
    checks: dict[str, str] = {}


@router.get("/healthz", response_model=Health, dependencies=[PUBLIC])
async def healthz() -> Health:
    """The process is up."""
    return Health(status="ok")


@router.get(
    "/readyz",
    response_model=Health,
    responses={
        503: {
            "description": "A dependency is down: a problem naming it, with every check in "
            "`checks` and a `Retry-After`.",
            "content": {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}},
        }
    },
    dependencies=[PUBLIC],
)
async def readyz(request: Request) -> JSONResponse:
    """The database and Redis answer; otherwise a 503 problem naming what is down. The
    notifier's own health (``ok``, ``degraded: redis down``, ``not reporting``) is repeated but
    does not make the API unready: it serves requests without it; so is the S3 file store's,
    when files are written there (``file_store``)."""
    checks: dict[str, str] = {}

    async def ping_database() -> None:
        async with request.app.state.sessionmaker() as session:
            await session.execute(text("SELECT 1"))

    checks["database"] = await _check(ping_database())
    checks["redis"] = await _check(request.app.state.redis.ping())
    healthy = all(v == "ok" for v in checks.values())
    async with request.app.state.sessionmaker() as session:  # no connection: just its stores
        stores = files.stores_of(session)
    if stores.write_to == FileStore.S3 and stores.s3 is not None:
        # Reported, but the API stays ready without it: all but files is served (as for the
        # notifier), and every instance shares the one store.
        checks["file_store"] = await _check(stores.s3.ping())
    if checks["redis"] == "ok":
        try:
            published = await request.app.state.redis.get(NOTIFIER_HEALTH_KEY)
            checks["notifier"] = describe(published)
        except Exception as exc:  # Redis went away between the two calls
            checks["notifier"] = f"unknown: {type(exc).__name__}"
    else:
        checks["notifier"] = "unknown: redis down"
    if not healthy:
        down = ", ".join(name for name, check in checks.items() if check.startswith("down"))
        return problem_response(
            request,
            503,
            slug="unavailable",
            title="Service unavailable",
            detail=f"Not ready: {down} down.",
            headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
            checks=checks,
        )
    return JSONResponse(Health(status="ok", checks=checks).model_dump())


async def _check(probe: Awaitable[object]) -> str:
    try:
        # A dependency that does not answer in time is down as far as a caller can tell.
        async with asyncio.timeout(READY_TIMEOUT_SECONDS):
            await probe
        return "ok"
    except Exception as exc:  # a health check reports failures, it does not raise them
        return f"down: {type(exc).__name__}"


TriageDays = Annotated[StrictInt, Field(ge=1, le=60)]


class Organisation(BaseModel):
    id: uuid.UUID
    slug: str
    name: str
    holiday_subdivision: Subdivision
    closure_days: list[date]
    escalation_contact_id: uuid.UUID | None
    eia_categories: list[str] = Field(
        description="The equality categories an equality impact assessment rates."
    )
    default_review_interval_months: int = Field(
        description="Months between reviews when no sign-off, document, route or kind sets "
        "an interval."
    )
    request_triage_working_days: int = Field(
        description="The target time to triage a request to the policy service: working days "
        "after it arrives."
    )
    words: OrganisationWords = Field(
        description="What the organisation calls the roles around a document and the sources "
        "its messages cite, used in every email, message and report (defaults filled in)."
    )
    dis_application_decider: DisApplicationDecider = Field(
        description="Who decides dis-applications (Cafcass 6.1): the holder of a post for the "
        "document's service area, or a person named on the document (by default its owner, "
        "the Policy Sponsor)."
    )
    dis_application_reminder_days: list[int] = Field(
        description="Days before a dis-application's end date that its requester and the "
        "document's owner are reminded (14 and 2 unless set)."
    )
    acknowledgement_due_working_days: int = Field(
        description="Working days people have to read and acknowledge a version when its "
        "document sets none (10 unless set)."
    )
    acknowledgement_reminder_days: list[int] = Field(
        description="Working days before the due date that those who have not confirmed are "
        "reminded (5 and 1 unless set)."
    )
    acknowledgement_escalation_working_days: int = Field(
        description="Working days after the due date that the document's owner is told who "
        "has not confirmed (2 unless set; at least the next working day)."
    )
    digest_frequency: Literal["weekly", "monthly", "off"] = Field(
        description="How often subscribers get the digest of what was issued, changed or "
        "retired (Birmingham: the weekly email; Dorset: the monthly newsletter)."
    )
    digest_weekday: int = Field(
        description="The day the digest goes, 0 (Monday) to 6 (Sunday); monthly, the first "
        "such day of the month, covering the month before."
    )


class OrganisationUpdate(BaseModel):
    """Only the fields sent change."""

    model_config = ConfigDict(extra="forbid")

    name: Name | None = None
    holiday_subdivision: Subdivision | None = Field(
        None, description="Whose bank holidays are not working days: ENG, WLS, SCT or NIR."
    )
    closure_days: Annotated[list[IsoDate], Field(max_length=400)] | None = Field(
        None, description="Further days the organisation does not work (closure days)."
    )
    escalation_contact_id: uuid.UUID | None = Field(
        None, description="Who is told when a review is badly overdue (Dorset: Head of QA)."
    )
    eia_categories: Annotated[list[Category], Field(min_length=1, max_length=20)] | None = Field(
        None,
        description="The equality categories an equality impact assessment rates, each once "
        "(Cafcass appendix 2: age, disability, ethnicity, gender, religion_or_belief, "
        "sexual_orientation).",
    )
    default_review_interval_months: Interval | None = Field(
        None,
        description="Months between reviews when no sign-off, document, route or kind sets "
        "an interval (12 unless set).",
    )
    request_triage_working_days: TriageDays | None = Field(
        None,
        description="Working days the policy team has to triage a request to the policy "
        "service (1 to 60; 10 unless set). Requests made before keep their date.",
    )
    words: OrganisationWords | None = Field(
        None,
        description="Role titles and citations, as a whole: a title left out goes back to its "
        "neutral default, a citation left out or null is not cited.",
    )
    dis_application_decider: DisApplicationDecider | None = Field(
        None,
        description=(
            "Who decides dis-applications: "
            '`{"kind": "post", "post": "corporate_director"}` (the holder for the '
            "document's service area, else organisation-wide; posts at /v1/posts) or "
            '`{"kind": "document_role", "role": "owner"}` (the default: Cafcass 6.1, the '
            "Policy Sponsor)."
        ),
    )
    dis_application_reminder_days: (
        Annotated[list[Annotated[int, Field(ge=0, le=90)]], Field(min_length=1, max_length=5)]
        | None
    ) = Field(
        None,
        description="Days before a dis-application ends that its requester and the document's "
        "owner are reminded, 0 (the end date) to 90.",
    )
    acknowledgement_due_working_days: Annotated[int, Field(ge=1, le=60)] | None = Field(
        None, description="Working days to read and acknowledge when a document sets none."
    )
    acknowledgement_reminder_days: (
        Annotated[list[Annotated[int, Field(ge=0, le=30)]], Field(min_length=1, max_length=5)]
        | None
    ) = Field(
        None,
        description="Working days before the due date that those pending are reminded, 0 "
        "(the due date) to 30, each step once.",
    )
    acknowledgement_escalation_working_days: Annotated[int, Field(ge=0, le=60)] | None = Field(
        None, description="Working days after the due date that the document's owner is told."
    )
    digest_frequency: Literal["weekly", "monthly", "off"] | None = Field(
        None, description="weekly (the default), monthly, or off: no digest emails."
    )
    digest_weekday: Annotated[StrictInt, Field(ge=0, le=6)] | None = Field(
        None, description="The day the digest goes: 0 (Monday, the default) to 6 (Sunday)."
    )

    @model_validator(mode="after")
    def _not_null(self) -> OrganisationUpdate:
        for name in (
            "name",
            "holiday_subdivision",
            "closure_days",
            "eia_categories",
            "default_review_interval_months",
            "request_triage_working_days",
            "words",
            "dis_application_decider",
            "dis_application_reminder_days",
            "acknowledgement_due_working_days",
            "acknowledgement_reminder_days",
            "acknowledgement_escalation_working_days",
            "digest_frequency",
            "digest_weekday",
        ):
            if name in self.model_fields_set and getattr(self, name) is None:
                raise ValueError(f"{name} cannot be null")
        return self


def _view(org: OrganisationRow) -> Organisation:
    fields = {name: getattr(org, name) for name in Organisation.model_fields if name != "words"}
    return Organisation.model_validate({**fields, "words": words_of(org)})


@router.get(
    "/v1/organisation", response_model=Organisation, dependencies=[allowed(P.ORGANISATION_READ)]
)
async def get_own_organisation(
    session: Session, principal: CurrentPrincipal, response: Response
) -> Organisation:
    """The organisation the caller belongs to, with the calendar its deadlines use."""
    org = await organisations.get(session, principal.organisation_id)
    set_etag(response, org.row_version)
    return _view(org)


@router.patch(
    "/v1/organisation", response_model=Organisation, dependencies=[allowed(P.ORGANISATION_MANAGE)]
)
async def update_own_organisation(
    body: OrganisationUpdate,
    session: Session,
    principal: CurrentPrincipal,
    response: Response,
    if_match: IfMatchHeader = None,
) -> Organisation:
    """Change the organisation's name, bank holidays, closure days, escalation contact,
    equality categories, default review interval or words (admins). Every deadline counted in
    working days follows. Needs `If-Match`."""
    expected = expected_version(if_match)
    org = await organisations.update_organisation(
        session,
        principal,
        OrganisationChange.of(body.model_dump(exclude_unset=True)),
        expected_version=expected,
    )
    set_etag(response, org.row_version)
    return _view(org)
