"""Reading statutory sources' Atom feeds: the call out (``fetch.py``, through the checked
client the webhooks use, hence this floor) and the poll that records new entries as changes
(``service.py``), by request or by the notifier's daily sweep."""
