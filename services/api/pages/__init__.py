"""Read-only pages that the links in emails open (``/documents/<id>?token=...``).

Not part of the JSON API: no ``/v1``, not in the OpenAPI spec, no API key. Each page shows
one record to whoever holds a link the notifier signed for them
(``services.domain.access.view_links``), within that person's organisation. ``frame.py`` is
the shared frame (templates, security headers, error pages); the other modules are pages.
"""
