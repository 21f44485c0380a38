"""The API and the notifier keep the cycle collector off what start-up made (services/collector.py),
and put it back as they found it when they stop."""

from __future__ import annotations

import gc
import subprocess
import sys

from services import collector
from services.api.app import create_app
from services.domain.settings import Settings

# A server process: start-up leaves long-lived containers behind, the server runs, requests make
# short-lived ones. Prints what a full collection walks before and while serving.
SERVER = """
import gc
from services import collector
from services.api.app import create_app
from services.domain.settings import Settings

kept_for_life = [[n] for n in range(50_000)]  # lists: always tracked
gc.collect()
before = len(gc.get_objects())
with collector.serving():
    serving = len(gc.get_objects())
    threshold = gc.get_threshold()[0]
print(before, serving, threshold, len(gc.get_objects()), gc.get_freeze_count())
"""


def test_a_full_collection_no_longer_walks_what_start_up_made() -> None:
    run = subprocess.run([sys.executable, "-c", SERVER], capture_output=True, text=True, check=True)
    before, serving, threshold, after, frozen = map(int, run.stdout.split())
    assert before > 50_000
    assert serving < 5_000  # start-up's objects frozen: a collection never looks at them
    assert threshold == collector.YOUNGEST_THRESHOLD
    assert after >= before and frozen == 0  # stopped: thawed, nothing lost


def test_servers_side_by_side_thaw_only_when_the_last_stops() -> None:
    found = gc.get_threshold()
    with collector.serving():
        with collector.serving():
            pass
        assert gc.get_freeze_count() > 0
        assert gc.get_threshold()[0] == collector.YOUNGEST_THRESHOLD
    assert gc.get_freeze_count() == 0
    assert gc.get_threshold() == found


async def test_the_api_serves_with_start_up_frozen(settings: Settings) -> None:
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        assert gc.get_freeze_count() > 0
        assert gc.get_threshold()[0] == collector.YOUNGEST_THRESHOLD
    assert gc.get_freeze_count() == 0
