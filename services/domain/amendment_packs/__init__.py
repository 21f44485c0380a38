"""Tri.x amendment packs (issue 20, item 3): for an update cycle or a calendar month, every
document whose issued version changed, with its change summary and a section-level redline of
the version diff, as a printable HTML page and as a Word document.

NCT 3.4 a v: "Tri.x will not accept or publish amended material if changes have not been
'tracked'"; NCT 1.4: "There are two opportunities a year to update the Manual". The pack is what
the Policy and Procedures Officer sends with the Trust's response: one place that shows, chapter
by chapter, what was amended, what is new and what was taken off the Manual.

- ``redline``: pure: a text split into heading sections and the paragraph diff turned into
  sections with words inserted and deleted.
- ``contents``: what goes in a pack, read from the register (the versions issued in the
  cycle's window or the month, the withdrawals), within the organisation's bounds.
- ``html`` and ``word``: the two renderings; ``service``: the use cases, the heavy part (diffs
  and rendering) in a child process (``heavy_work.run_bounded``).
"""
