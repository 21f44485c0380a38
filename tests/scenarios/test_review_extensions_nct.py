"""Review extensions on NCT's seeded organisation, through the HTTP API.

NCT Procedures Manual maintenance guidance (seed 003):

    "3.4 b) i) ROs and RSMs are expected to periodically visit the NCT Procedures Manual Tracker
    to check 'Next Review To Be Completed By' deadlines and to make a note of the deadline."

    "2.3.4 Assume role of Responsible Officer when a Responsible Officer has not been
    identified."

The seed does not say how a deadline on the tracker is moved; here the RSM standing in as RO
asks, the overdue review cannot be put back beyond the organisation's limit, the Policy and
Procedures Officer widens it and agrees (the RSM cannot agree to her own request), and the
tracker shows the review extended with the date it was first due. The RSM of Contacts and
Referrals decides the request the demo left waiting.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from dateutil.relativedelta import relativedelta
from httpx import AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.domain.clock import london_today
from tests.scenarios.seeded import document_by_reference, get_json, seed


async def _post(
    client: AsyncClient, url: str, headers: dict[str, str], body: dict[str, Any], etag: str
) -> Any:
    return await client.post(url, json=body, headers={**headers, "If-Match": etag})


async def test_nct_an_overdue_review_is_extended_within_the_limit_by_the_policy_officer(
    client: AsyncClient, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    nct = await seed(
        sessionmaker,
        "nct",
        {"andrea": "policy_officer", "rebecca": "approver", "imran": "approver"},
    )
    andrea, rebecca, imran = (nct.headers(n) for n in ("andrea", "rebecca", "imran"))
    strategy = await document_by_reference(client, andrea, "PROC-002")
    first_due = date.fromisoformat(strategy["next_review_due"])
    assert first_due < london_today()  # Strategy Discussions: 95 days overdue
    url = f"/v1/documents/{strategy['id']}/review-extensions"
    wanted = london_today() + timedelta(days=60)

    # No RO is named: Rebecca, the RSM, stands in and asks. Three months past the date first
    # due (the default limit) is already behind us.
    body = {
        "requested_due": wanted.isoformat(),
        "reasons": "The service restructure moves "
        "strategy discussions to the new front door; review once it is in place.",
    }
    too_late = await client.post(url, json=body, headers=rebecca)
    assert too_late.status_code == 422, too_late.text
    assert too_late.json()["limit"] == "max_months"

    limits = await client.get("/v1/organisation/review-extension-limits", headers=andrea)
    widened = await client.put(
        "/v1/organisation/review-extension-limits",
        json={"max_months": 6, "max_extensions": 1},
        headers={**andrea, "If-Match": limits.headers["ETag"]},
    )
    assert widened.status_code == 200, widened.text
    made = await client.post(url, json=body, headers=rebecca)
    assert made.status_code == 201, made.text
    extension = made.json()
    path = f"/v1/review-extensions/{extension['id']}"

    own = await _post(client, f"{path}/agree", rebecca, {"note": "Agreed."}, made.headers["ETag"])
    assert own.status_code == 403 and own.json()["rule"] == "segregation_of_duties"
    agreed = await _post(
        client,
        f"{path}/agree",
        andrea,
        {"note": "Agreed until the restructure lands."},
        made.headers["ETag"],
    )
    assert agreed.status_code == 200, agreed.text

    tracker = await get_json(client, "/v1/tracker?extended=true&limit=200", andrea)
    row = next(r for r in tracker["items"] if r["reference"] == "PROC-002")
    assert row["next_review_due"] == wanted.isoformat()
    assert (row["original_review_due"], row["times_extended"]) == (first_due.isoformat(), 1)
    assert row["status"] == "on_track"
    # Agreed once: the period has had its one extension.
    again = await client.post(
        url,
        json={**body, "requested_due": (first_due + relativedelta(months=6)).isoformat()},
        headers=rebecca,
    )
    assert again.status_code == 409 and again.json()["limit"] == "max_extensions"

    # The demo's request on Contacts and Referrals waits for its RSM, Imran.
    pending = await get_json(client, "/v1/review-extensions?status=pending", imran)
    [waiting] = [e for e in pending["items"] if e["reference"] == "PROC-004"]
    got = await client.get(f"/v1/review-extensions/{waiting['id']}", headers=imran)
    decided = await _post(
        client,
        f"/v1/review-extensions/{waiting['id']}/refuse",
        imran,
        {"note": "Complete the review now; the amendment is small."},
        got.headers["ETag"],
    )
    assert decided.status_code == 200 and decided.json()["status"] == "refused"
