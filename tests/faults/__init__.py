"""The fault run (``python -m tests.faults.run``, ``make faults``): not collected by pytest."""
