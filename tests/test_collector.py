"""The API and the notifier keep the cycle collector off what start-up made (services/collector.py).

Each check runs in a fresh process: the test process may have started an app already, and the
freezing is done once a process."""

from __future__ import annotations

import subprocess
import sys

from services import collector
from services.domain.settings import Settings

# A server process: start-up leaves long-lived containers behind, then serving starts (twice,
# as when a process starts one app after another). Prints what a full collection walks before
# and after, the youngest generation's threshold, and what each call did.
START_UP = """
import gc
from services import collector

kept_for_life = [[n] for n in range(50_000)]  # lists: always tracked
gc.collect()
before = len(gc.get_objects())
first = collector.freeze_start_up()
second = collector.freeze_start_up()
print(before, len(gc.get_objects()), gc.get_threshold()[0], first, second)
"""

# The API started as uvicorn starts it: its lifespan, in a fresh process.
API = """
import asyncio, gc, sys
from services.api.app import create_app
from services.domain.settings import Settings

async def main():
    app = create_app(Settings(database_url=sys.argv[1], redis_url=sys.argv[2], secret_key="k"))
    before = gc.get_freeze_count()
    async with app.router.lifespan_context(app):
        print(before, gc.get_freeze_count(), gc.get_threshold()[0])

asyncio.run(main())
"""


def run(code: str, *args: str) -> list[str]:
    done = subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, check=True
    )
    return done.stdout.split()


def test_a_full_collection_no_longer_walks_what_start_up_made() -> None:
    before, serving, threshold, first, second = run(START_UP)
    assert int(before) > 50_000
    assert int(serving) < 5_000  # start-up's objects frozen: a collection never looks at them
    assert int(threshold) == collector.YOUNGEST_THRESHOLD
    # Once a process: the next app started pays no second collection of the whole heap.
    assert (first, second) == ("True", "False")


def test_the_api_serves_with_start_up_frozen(settings: Settings) -> None:
    before, serving, threshold = map(int, run(API, settings.database_url, settings.redis_url))
    assert before == 0
    assert serving > 100_000  # modules, mappers, routes, validators
    assert threshold == collector.YOUNGEST_THRESHOLD
