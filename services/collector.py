"""Python's cycle collector in a long-running process: the API's and the notifier's.

Python frees most objects by reference counting; the collector is only for cycles. Left at its
defaults it cost the API more than the requests it served, measured on `make bench`'s get-by-id
(one process, 20 connections, warmed up; py-spy and ``gc.callbacks``):

- Every full collection walked what start-up made and the process keeps to the end (modules,
  the ORM's mappers, FastAPI's routes, Pydantic's validators: about 250,000 objects). 19 full
  collections in 13 s, up to 86 ms each, during which no request moved: p99 97 ms.
  ``gc.freeze()`` once start-up is done puts those objects where the collector never looks.
- One request holds more than 700 new containers for a moment (the default threshold of the
  youngest generation), so that generation was collected 340 times a second, for objects that
  reference counting frees a moment later. At 7,000 it was collected 4 times in 13 s.

Together: 1,295 -> 1,608 req/s, p99 97 -> 16 ms. Cycles are still collected, less often.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

YOUNGEST_THRESHOLD = 7000

# Servers in one process (the tests run apps and notifiers side by side): the first to start
# keeps the thresholds it found, the last to stop puts them back and thaws.
_running = 0
_thresholds_found = gc.get_threshold()


@contextmanager
def serving() -> Iterator[None]:
    """While the server runs: what start-up made is frozen (collected once first), and the
    youngest generation's threshold is YOUNGEST_THRESHOLD."""
    global _running, _thresholds_found
    if _running == 0:
        _thresholds_found = gc.get_threshold()
    _running += 1
    gc.collect()
    gc.freeze()
    gc.set_threshold(YOUNGEST_THRESHOLD, _thresholds_found[1], _thresholds_found[2])
    try:
        yield
    finally:
        _running -= 1
        if _running == 0:
            gc.unfreeze()
            gc.set_threshold(*_thresholds_found)
