"""The FastAPI application factory."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.routing import APIRoute
from fastapi.telemetry import TelemetryConfig
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncEngine

from services import collector, tracing
from services.api import (
    browsers,
    docs,
    errors,
    etag,
    idempotency,
    memory,
    metrics,
    permissions,
    spec,
)
from services.api.access.router import router as api_keys_router
from services.api.acknowledgements.confirm_router import (
    links_router as acknowledgement_links_router,
)
from services.api.acknowledgements.confirm_router import meetings_router as papers_read_router
from services.api.acknowledgements.confirm_router import router as acknowledgements_router
from services.api.acknowledgements.reports_router import router as acknowledgement_compliance_router
from services.api.acknowledgements.router import document_router as document_acknowledgements_router
from services.api.acknowledgements.router import router as acknowledgement_requests_router
from services.api.amendment_packs.router import router as amendment_packs_router
from services.api.assessments.equality_router import router as equality_router
from services.api.assessments.fitness_router import router as fitness_router
from services.api.assessments.legal_router import router as legal_router
from services.api.assessments.proposals_router import router as proposals_router
from services.api.assessments.statements_router import router as statements_router
from services.api.audit.router import router as audit_router
from services.api.boards.agenda_router import router as agenda_router
from services.api.boards.meetings_router import router as meetings_router
from services.api.boards.members_router import router as members_router
from services.api.boards.minutes_router import router as minutes_router
from services.api.boards.router import feed_router
from services.api.boards.router import router as boards_router
from services.api.cascades.router import router as cascades_router
from services.api.consultations.links_router import router as consultation_links_router
from services.api.consultations.report_router import router as consultation_report_router
from services.api.consultations.responses_router import router as consultation_responses_router
from services.api.consultations.router import router as consultations_router
from services.api.consultations.summary_router import router as consultation_summary_router
from services.api.dis_applications.router import document_router as document_dis_applications_router
from services.api.dis_applications.router import router as dis_applications_router
from services.api.documents.history_router import router as history_router
from services.api.documents.kinds_router import router as kinds_router
from services.api.documents.links_router import router as links_router
from services.api.documents.router import router as documents_router
from services.api.engagement_sessions.router import (
    document_router as document_engagement_sessions_router,
)
from services.api.engagement_sessions.router import router as engagement_sessions_router
from services.api.governance.ladder_router import router as escalation_ladder_router
from services.api.governance.router import posts_router
from services.api.governance.router import router as routes_router
from services.api.handover.router import router as handover_router
from services.api.idempotency import IdempotencyMiddleware
from services.api.imports.export_router import router as tracker_export_router
from services.api.imports.router import router as imports_router
from services.api.launch.news import feed_router as news_feed_router
from services.api.launch.news import people_router as digest_subscriptions_router
from services.api.launch.news import router as news_router
from services.api.launch.router import document_router as document_communication_plans_router
from services.api.launch.router import router as communication_plans_router
from services.api.limits import BodySizeLimitMiddleware
from services.api.monitoring.reports_router import router as implementation_reports_router
from services.api.monitoring.router import document_router as document_monitoring_router
from services.api.monitoring.router import router as monitoring_router
from services.api.notifications.router import router as notifications_router
from services.api.page_cache import PageCache
from services.api.people.router import router as people_router
from services.api.policy_requests.router import router as policy_requests_router
from services.api.problems.router import router as problems_router
from services.api.publications.router import router as publications_router
from services.api.replica import ReadRouting
from services.api.request_ids import RequestIdMiddleware
from services.api.review_extensions.router import document_router as document_extensions_router
from services.api.review_extensions.router import limits_router as extension_limits_router
from services.api.review_extensions.router import router as review_extensions_router
from services.api.reviews.router import router as reviews_router
from services.api.sign_off.router import delegations_router
from services.api.sign_off.router import router as sign_off_router
from services.api.statutory_sources.router import changes_router as statutory_changes_router
from services.api.statutory_sources.router import router as statutory_sources_router
from services.api.system.router import router as system_router
from services.api.tags import TAGS
from services.api.tracker.rag_router import router as tracker_rag_router
from services.api.tracker.router import router as tracker_router
from services.api.update_cycles.router import router as update_cycles_router
from services.api.webhooks import catalogue
from services.api.webhooks.router import router as webhooks_router
from services.domain import reactions
from services.domain.access.oidc import JwksCache
from services.domain.db import make_engine, make_sessionmaker
from services.domain.documents.files import session_info
from services.domain.settings import Settings, get_settings
from services.pages import site as pages

DESCRIPTION = """
The register of governance documents (policies, procedures, practice standards, guidance,
forms...) of UK social care organisations, with every version and a complete audit trail.

Authenticate with `Authorization: Bearer <API key>`. Errors are RFC 9457 problem documents.
Changes need `If-Match` with the ETag you read; `POST` accepts an `Idempotency-Key`.
Every response carries `X-Request-ID`: the one you sent (at most 128 characters of letters,
digits and `._:@/+=-`), else a new one; the emails and webhooks a change causes carry it too.
"""


# In the order the OpenAPI lists their paths.
ROUTERS = (
    system_router,
    problems_router,
    documents_router,
    history_router,
    links_router,
    kinds_router,
    people_router,
    handover_router,
    api_keys_router,
    audit_router,
    notifications_router,
    webhooks_router,
    boards_router,
    members_router,
    meetings_router,
    minutes_router,
    agenda_router,
    feed_router,
    routes_router,
    posts_router,
    sign_off_router,
    delegations_router,
    proposals_router,
    equality_router,
    legal_router,
    fitness_router,
    statements_router,
    publications_router,
    consultations_router,
    consultation_responses_router,
    consultation_links_router,
    consultation_report_router,
    consultation_summary_router,
    reviews_router,
    review_extensions_router,
    document_extensions_router,
    extension_limits_router,
    cascades_router,
    statutory_sources_router,
    statutory_changes_router,
    policy_requests_router,
    dis_applications_router,
    document_dis_applications_router,
    document_acknowledgements_router,
    acknowledgement_requests_router,
    acknowledgement_compliance_router,
    acknowledgements_router,
    acknowledgement_links_router,
    papers_read_router,
    engagement_sessions_router,
    document_engagement_sessions_router,
    monitoring_router,
    document_monitoring_router,
    implementation_reports_router,
    communication_plans_router,
    document_communication_plans_router,
    news_router,
    digest_subscriptions_router,
    news_feed_router,
    tracker_rag_router,
    tracker_router,
    escalation_ladder_router,
    update_cycles_router,
    amendment_packs_router,
    imports_router,
    tracker_export_router,
)


def _operation_id(route: APIRoute) -> str:
    # resource_action, a valid identifier in every client language: documents_list_documents.
    name = f"{route.tags[0]}_{route.name}" if route.tags else route.name
    return name.replace("-", "_")


def _telemetry() -> TelemetryConfig | None:
    """FastAPI's OpenTelemetry spans, metrics and logs, only where they have somewhere to go
    (``OTEL_EXPORTER_OTLP_ENDPOINT`` is set). Left on with nothing configured, FastAPI asks
    OpenTelemetry for its providers on every request: 6% of a kept page's CPU."""
    if tracing.is_enabled():
        return None  # FastAPI's defaults: spans once services.tracing set a provider
    return {"tracing": False, "metrics": False, "logs": False}


def _engine(settings: Settings, url: str) -> AsyncEngine:
    engine = make_engine(
        url,
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_max_overflow,
        pre_ping=settings.db_pool_pre_ping,
        recycle_seconds=settings.db_pool_recycle_seconds,
        connect_timeout_seconds=settings.db_connect_timeout_seconds,
        pgbouncer=settings.database_pgbouncer,
    )
    tracing.instrument_engine(engine)
    return engine


def _autocommit(settings: Settings, engine: AsyncEngine) -> AsyncEngine:
    """``engine`` without BEGIN and COMMIT, for routes that only read (deps.ReadSession).
    Not behind PgBouncer in transaction mode: outside a transaction, the driver's prepare and
    execute of one statement may reach two server connections."""
    if settings.database_pgbouncer:
        return engine
    return engine.execution_options(isolation_level="AUTOCOMMIT")


def _connect(app: FastAPI, settings: Settings) -> None:
    """The app's database pools, page cache, Redis client and key cache, in ``app.state``."""
    engine = _engine(settings, settings.database_url)
    app.state.settings = settings
    app.state.engine = engine
    # Each session knows where version files are written (services/domain/documents/files.py).
    files = session_info(settings)
    app.state.sessionmaker = make_sessionmaker(engine, files)
    read_engine = _autocommit(settings, engine)
    app.state.read_sessionmaker = make_sessionmaker(read_engine, files)
    # Lag-tolerant reads kept on the primary (deps.LagTolerantSession): read-only there too, so
    # a write in such a route fails wherever it runs.
    app.state.read_only_sessionmaker = make_sessionmaker(
        engine.execution_options(postgresql_readonly=True), files
    )
    app.state.pages = PageCache(
        read_engine,
        max_bytes=settings.page_cache_mb * 2**20,
        max_age_seconds=settings.page_cache_seconds,
    )
    app.state.redis = Redis.from_url(settings.redis_url)
    app.state.replica_engine = None
    app.state.reads = None
    if settings.database_replica_url:
        replica = _engine(settings, settings.database_replica_url)
        app.state.replica_engine = replica
        # Read only: a write sent here by mistake fails even where the URL names a primary.
        app.state.reads = ReadRouting(
            make_sessionmaker(replica.execution_options(postgresql_readonly=True), files),
            make_sessionmaker(_autocommit(settings, replica), files),
            app.state.redis,
            settings.replica_after_write_seconds,
        )
    app.state.jwks = JwksCache(
        url=settings.oidc_jwks_url or "", max_age_seconds=settings.oidc_jwks_cache_seconds
    )


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    tracing.set_up("policygov-api")
    memory.keep_large_blocks_on_mmap()
    reactions.install()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        settings.keyring  # noqa: B018  no key, no start: MissingSecretKey says what to set
        collector.freeze_start_up()
        yield
        await app.state.redis.aclose()
        await app.state.engine.dispose()
        if app.state.replica_engine is not None:
            await app.state.replica_engine.dispose()

    app = FastAPI(
        title="policygov",
        version="0.1.0",
        description=DESCRIPTION,
        lifespan=lifespan,
        telemetry=_telemetry(),
        generate_unique_id_function=_operation_id,
        responses=errors.COMMON_RESPONSES,
        # Served by services.api.docs from packaged assets, not from a CDN.
        docs_url=None,
        redoc_url=None,
        openapi_tags=TAGS,
        # Relative: the spec is read from the service it describes, whatever its address.
        servers=[{"url": "/"}],
    )
    _connect(app, settings)
    errors.install(app)
    catalogue.document(app.webhooks)
    docs.install(app)
    idempotency.document(app)
    etag.document(app)
    spec.document(app)
    for router in ROUTERS:
        permissions.document(router)
        app.include_router(router)
    # The pages for people without an account: not under /v1, not in the OpenAPI document.
    pages.install(app)
    app.add_middleware(IdempotencyMiddleware)
    app.add_middleware(BodySizeLimitMiddleware, limit=settings.max_upload_bytes + 1024 * 1024)
    # Outermost but for the browsers' (CORS, compression, 304): it sees what the middlewares
    # above raise.
    app.add_middleware(errors.UnavailableMiddleware)
    browsers.install(app, settings)
    if settings.api_metrics_port is not None:
        # Outside the browsers' middlewares too: a 304 is counted as the 304 it became.
        metrics.install(app, app.state.engine, settings)
    # Outermost of all ours: every response, a 304 or a CORS refusal too, names its request.
    app.add_middleware(RequestIdMiddleware)
    return app
