"""The migrations produce exactly the schema the models describe."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.domain.models import Base


async def test_migrations_match_the_models(sessionmaker: async_sessionmaker[AsyncSession]) -> None:
    async with sessionmaker() as session:
        conn = await session.connection()

        def diff(sync_conn: object) -> list[object]:
            context = MigrationContext.configure(
                sync_conn,  # type: ignore[arg-type]
                opts={"compare_type": True, "compare_server_default": False},
            )
            return list(compare_metadata(context, Base.metadata))

        differences = await conn.run_sync(diff)
    assert differences == [], f"models and migrations differ: {differences}"
