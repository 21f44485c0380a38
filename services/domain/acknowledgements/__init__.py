"""Read and acknowledge (issue 19 item 1): who must confirm they have read and understood a
version in force, reminders, the escalation to the owner, compliance; and board members
confirming they have read a meeting's papers (Dorset 7.4).

``uptake`` is the stable entry point for implementation monitoring.
"""

from services.domain.acknowledgements.counts import Uptake, uptake

__all__ = ["Uptake", "uptake"]
