"""Handing over what a leaver held (issue 20, orphaned owners).

When someone leaves (deactivated in the directory, or marked as left by a staff list import:
``staff_list.py``), everything open they hold is listed (``holdings.py``), the policy team is
told once (``notices.py``), the tracker flags the documents with no active owner
(``documents/orphans.py``), and the policy team moves what they held to someone else in one
all-or-nothing request (``reassign.py``), each move through the domain function of the record's
own package (the documents register, the sign-off, monitoring, update cycles), with its checks
and its audit record.

A read model: it reads every workflow's records, and moves them only through their packages.
"""
