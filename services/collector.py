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

YOUNGEST_THRESHOLD = 7000

_frozen = False


def freeze_start_up() -> bool:
    """Once per process, as it starts serving: collect, freeze what is left, and raise the
    youngest generation's threshold to YOUNGEST_THRESHOLD. True if this call did it.

    Once, not per app: a process that starts apps one after another (schemathesis starts and
    stops the API's lifespan for each of its tests) would otherwise pay a full collection of
    its whole heap every time, half again the fuzz tests' CPU. Nothing is thawed when an app
    stops: a frozen object is still freed when nothing refers to it, only a cycle among them
    waits for the process to end."""
    global _frozen
    if _frozen:
        return False
    _frozen = True
    gc.collect()
    gc.freeze()
    gc.set_threshold(YOUNGEST_THRESHOLD, *gc.get_threshold()[1:])
    return True
