"""What a notice is, below every package that sends one: the kinds of email (``kinds``), the
``Notice`` a handler returns (``notice``) and who may be told (``recipients``).

Each package owns its notices: ``documents/notices.py``, ``imports/notices.py``,
``boards/notices.py``, ``sign_off/notices.py``, ``publications/notices.py``,
``assessments/notices.py``, ``consultations/notices.py``, ``reviews/notices.py`` and
``reviews/update_cycle_notices.py`` say who is told what when their events happen.
``services/domain/notifications`` only fans events out to them (``notifications/handlers.py``)
and keeps the state of each send.
"""
