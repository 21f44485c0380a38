"""Drain policygov's publication queue into Tri.x, with the client generated from our spec.

The policy team issues a version; policygov queues its upload (and, when a document is retired,
superseded or an issue withdrawn, the removal of its page). This script takes each pending entry
in turn, does it, and reports it done with the page's address. Run it from cron as often as you
like: what is done is not pending any more, so a second run does nothing, and an entry reported
twice is harmless (the same page is recorded once).

Generate the client once per spec change, then run with an integration key:

    openapi-python-client generate --path openapi/openapi.json \\
        --config clients/python/config.yaml --meta none \\
        --output-path clients/python/policygov_client
    POLICYGOV_API_KEY=pgv_... PYTHONPATH=clients/python python examples/trix_upload.py \\
        --api https://policies.example.gov.uk --folder /mnt/trix/outbox \\
        --trix-base https://example.trixonline.co.uk/chapters

Tri.x has no upload API of its own; councils hand files to it through a folder its editors (or
Tri.x's own import) take from. `TrixFolder` is that hand-over: replace it with yours.

Exit codes: 0 done (or nothing to do), 1 a call failed (the problem is printed), 2 bad arguments.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from policygov_client import AuthenticatedClient
from policygov_client.api.publications import (
    publications_list_publications,
    publications_mark_removed,
    publications_mark_uploaded,
)
from policygov_client.models import (
    Problem,
    Publication,
    PublicationAction,
    PublicationPage,
    PublicationsListPublicationsStatusType0,
    Removed,
    Uploaded,
)


class Failed(Exception):
    """A call policygov refused or could not answer: the message says which and why."""


@dataclass
class TrixFolder:
    """Files for Tri.x, one per document, named by its reference; the page is base/reference."""

    folder: Path
    base: str

    def page(self, publication: Publication) -> str:
        return f"{self.base.rstrip('/')}/{safe(publication.reference)}"

    def publish(self, publication: Publication, filename: str, content: bytes) -> str:
        target = self.folder / safe(publication.reference)
        target.mkdir(parents=True, exist_ok=True)
        for old in target.iterdir():
            old.unlink()  # the version in force replaces whatever was there
        (target / filename).write_bytes(content)
        return self.page(publication)

    def remove(self, publication: Publication) -> None:
        target = self.folder / safe(publication.reference)
        if target.is_dir():
            for old in target.iterdir():
                old.unlink()
            target.rmdir()


def safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-") or "document"


def checked(response: Any, what: str) -> Any:
    """The parsed body of a 2xx answer; anything else raises Failed with the problem's words."""
    if 200 <= response.status_code < 300 and not isinstance(response.parsed, Problem):
        return response.parsed
    problem = response.parsed
    if isinstance(problem, Problem):
        detail = problem.detail if isinstance(problem.detail, str) else ""
        raise Failed(f"{what}: {problem.status} {problem.title}. {detail}".strip())
    raise Failed(f"{what}: HTTP {response.status_code}")


def pending(client: AuthenticatedClient) -> list[Publication]:
    """Every pending entry, oldest first, following the cursor to the end."""
    found: list[Publication] = []
    cursor: str | None = None
    while True:
        page = checked(
            publications_list_publications.sync_detailed(
                client=client,
                status=PublicationsListPublicationsStatusType0.PENDING,
                cursor=cursor,
                limit=100,
            ),
            "listing the publication queue",
        )
        assert isinstance(page, PublicationPage)
        found += page.items
        if not isinstance(page.next_cursor, str):
            return found
        cursor = page.next_cursor


def download(client: AuthenticatedClient, publication: Publication) -> tuple[str, bytes]:
    """The file at the entry's file_url (an absolute address), fetched with the same key."""
    if not isinstance(publication.file_url, str):
        raise Failed(f"{publication.reference}: the upload names no file")
    response = client.get_httpx_client().get(publication.file_url)
    if response.status_code != 200:
        raise Failed(
            f"{publication.reference}: downloading the file answered {response.status_code}"
        )
    disposition = response.headers.get("content-disposition", "")
    named = re.search(r'filename="([^"]+)"', disposition)
    filename = safe(named.group(1)) if named else f"{safe(publication.reference)}.bin"
    return filename, response.content


def drain(client: AuthenticatedClient, trix: TrixFolder) -> tuple[int, int]:
    uploaded = removed = 0
    for publication in pending(client):
        if publication.action == PublicationAction.UPLOAD:
            filename, content = download(client, publication)
            page = trix.publish(publication, filename, content)
            checked(
                publications_mark_uploaded.sync_detailed(
                    publication.id, client=client, body=Uploaded(trix_url=page)
                ),
                f"reporting {publication.reference} uploaded",
            )
            print(f"uploaded {publication.reference} {publication.version_number} to {page}")
            uploaded += 1
        else:
            trix.remove(publication)
            checked(
                publications_mark_removed.sync_detailed(
                    publication.id, client=client, body=Removed(note="Removed by trix_upload.py")
                ),
                f"reporting {publication.reference} removed",
            )
            print(f"removed {publication.reference} ({publication.reason})")
            removed += 1
    return uploaded, removed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--api", required=True, help="policygov's address, e.g. https://...")
    parser.add_argument("--folder", required=True, type=Path, help="where Tri.x takes files")
    parser.add_argument("--trix-base", required=True, help="the address Tri.x pages live under")
    args = parser.parse_args(argv)
    key = os.environ.get("POLICYGOV_API_KEY", "")
    if not key:
        parser.error("set POLICYGOV_API_KEY to an integration key")
    client = AuthenticatedClient(base_url=args.api, token=key, timeout=httpx.Timeout(60))
    try:
        with client:
            uploaded, removed = drain(client, TrixFolder(args.folder, args.trix_base))
    except Failed as failed:
        print(f"trix_upload: {failed}", file=sys.stderr)
        return 1
    if uploaded or removed:
        print(f"done: {uploaded} uploaded, {removed} removed")
    else:
        print("nothing to do")
    return 0


if __name__ == "__main__":
    sys.exit(main())
