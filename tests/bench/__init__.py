"""`make bench`: load the register with 100,000 documents and measure the API against a bare floor.

Entry point: ``python -m tests.bench.run`` (see ``run.py`` for flags and environment variables).
"""
