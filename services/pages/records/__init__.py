"""Read-only pages that the links in staff emails open (``/documents/<id>?token=...``).

Each shows one record to whoever holds a link the notifier signed for them
(``services.domain.access.view_links``), within that person's organisation: no account is
needed, and the signed path is the authority. ``opening.py`` opens the link; ``register.py``
and ``workflows.py`` are the pages.
"""
