"""Give the memory of a large request back to the operating system once it is done.

glibc serves a large allocation (an uploaded file, its text) with mmap and unmaps it when freed,
but after the first such free it raises its mmap threshold to that size, so the next uploads of
that size come from the heap, which is seldom given back: the API grew by every large upload and
kept it (141 -> 259 MB after three 23 MB uploads). A fixed threshold keeps large blocks on mmap
(the same as MALLOC_MMAP_THRESHOLD_=131072 in the environment): 139 -> 139 MB.
"""

from __future__ import annotations

import ctypes
import ctypes.util

M_MMAP_THRESHOLD = -3
# glibc's default; setting it at all turns off the dynamic adjustment.
MMAP_THRESHOLD_BYTES = 128 * 1024


def keep_large_blocks_on_mmap() -> bool:
    """Fix glibc's mmap threshold; False where the C library is not glibc (nothing to do)."""
    name = ctypes.util.find_library("c")
    if name is None:
        return False
    try:
        mallopt = ctypes.CDLL(name).mallopt
    except (OSError, AttributeError):
        return False
    return bool(mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD_BYTES))
