"""Authority in one place: who may see, change, submit, decide or administer each record.

- ``permissions``: what each role may do at all; a request holds what both its credential and
  its person allow.
- ``principal``: who is calling.
- ``core``: relationship rules, the registry of actions (the permission matrix is generated
  from it: docs/permissions.md) and refusals (403 problems naming the rule).
- one module per kind of record (``documents``, ``sign_offs``, ``consultations``, ``reviews``,
  ``assessments``, ``boards``, ``organisation``): checks that raise Forbidden, tests that answer
  whether a record may be seen (its caller answers 404), and readable-row filters for lists.

Use cases and routers ask these; nothing else raises Forbidden on its own judgement.
"""
