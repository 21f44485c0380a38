"""Figures a test hands to the end of the run (summed over pytest-xdist workers, see conftest)."""

import pytest

# Requests schemathesis sent in this process (tests/api/test_schemathesis.py).
FUZZ_REQUESTS = pytest.StashKey[int]()
