"""Requests to the policy service: anyone asks for a new document or a change, the policy team
triages each within the organisation's target time (accepted into a proposal or a review, or
declined with reasons), and the requester may withdraw it while it is open.

Birmingham: "All requests for support with developing or refreshing policies, procedures,
practice standards or practice guidance should be emailed to the Policy Service within the
Practice Hub". Dorset aim 3 iii: "To evaluate and agree the need for new governance documents
before such documents are drafted".

A workflow: accepting a request makes a proposal (assessments) or a review (reviews) through a
reaction (``signals.RequestAccepted``, ``services/domain/reactions/policy_requests.py``), never
by importing them.
"""
