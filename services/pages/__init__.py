"""Server-rendered pages for people without an account: an external consultee's link, a
request to read and acknowledge a document. The token in the address is the credential.

A presentation layer beside the API (services/api/app.py mounts it), not under /v1 and not in
the OpenAPI document. Like the API it parses, calls the domain's functions and renders; it
holds no business rule. GOV.UK Frontend styles it, with no JavaScript: every form is a plain
HTML form (PAGES.md says how to add a page).
"""
