"""OIDC bearer tokens through the HTTP API: keys from a real JWKS endpoint, signed with PyJWT."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from fastapi import FastAPI
from httpx import ASGITransport, AsyncClient
from sqlalchemy import update

from services.api.app import create_app
from services.domain.models.people import Person
from services.domain.people import service as people
from services.domain.settings import Settings
from tests.factories import World, document_body

PROBLEM = "application/problem+json"
ISSUER = "https://id.example.test/realms/policygov"
AUDIENCE = "policygov-api"


@dataclass
class SigningKey:
    kid: str
    alg: str
    private: Any

    @property
    def jwk(self) -> dict[str, Any]:
        public = json.loads(jwt.get_algorithm_by_name(self.alg).to_jwk(self.private.public_key()))
        return {**public, "kid": self.kid, "alg": self.alg, "use": "sig"}

    @property
    def public_pem(self) -> bytes:
        return self.private.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )


def rsa_key(kid: str) -> SigningKey:
    return SigningKey(kid, "RS256", rsa.generate_private_key(public_exponent=65537, key_size=2048))


def ec_key(kid: str) -> SigningKey:
    return SigningKey(kid, "ES256", ec.generate_private_key(ec.SECP256R1()))


RSA = rsa_key("rsa-1")
EC = ec_key("ec-1")
# Same kid as RSA, different key material: a forger who guessed the kid.
FORGER = rsa_key("rsa-1")


@dataclass
class JwksServer:
    """A real HTTP endpoint publishing a JWKS document the test can change."""

    keys: list[SigningKey] = field(default_factory=list)
    fetches: int = 0
    url: str = ""

    def handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                server.fetches += 1
                body = json.dumps({"keys": [k.jwk for k in server.keys]}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        return Handler


@pytest.fixture(scope="module")
def jwks_http() -> Iterator[JwksServer]:
    state = JwksServer()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), state.handler())
    state.url = f"http://127.0.0.1:{httpd.server_address[1]}/.well-known/jwks.json"
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield state
    httpd.shutdown()
    httpd.server_close()
    thread.join(timeout=5)


@pytest.fixture
def jwks(jwks_http: JwksServer) -> JwksServer:
    jwks_http.keys = [RSA, EC]
    jwks_http.fetches = 0
    return jwks_http


@pytest.fixture
async def oidc_app(settings: Settings, jwks: JwksServer) -> AsyncIterator[FastAPI]:
    # Its own app per test, so each starts with an empty key cache.
    application = create_app(
        settings.model_copy(
            update={
                "oidc_issuer": ISSUER,
                "oidc_audience": AUDIENCE,
                "oidc_jwks_url": jwks.url,
            }
        )
    )
    yield application
    await application.state.redis.aclose()
    await application.state.engine.dispose()


@pytest.fixture
async def api(oidc_app: FastAPI) -> AsyncIterator[AsyncClient]:
    transport = ASGITransport(app=oidc_app)
    async with AsyncClient(transport=transport, base_url="http://testserver") as c:
        yield c


def claims(email: str, /, **overrides: Any) -> dict[str, Any]:
    now = int(time.time())
    body: dict[str, Any] = {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": f"sub-{email}",
        "email": email,
        "iat": now,
        "exp": now + 300,
    }
    body.update(overrides)
    return {k: v for k, v in body.items() if v is not None}


def sign(payload: dict[str, Any], key: SigningKey = RSA, **headers: Any) -> str:
    return jwt.encode(payload, key.private, algorithm=key.alg, headers={"kid": key.kid, **headers})


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def handmade(
    header: dict[str, Any], payload: dict[str, Any], sign_with: Callable[[bytes], bytes]
) -> str:
    """A token PyJWT would refuse to produce (alg none, HMAC keyed with a public key)."""
    signing_input = f"{b64(json.dumps(header).encode())}.{b64(json.dumps(payload).encode())}"
    return f"{signing_input}.{b64(sign_with(signing_input.encode()))}"


async def test_a_valid_token_acts_as_its_person_with_the_roles_of_its_roles_claim(
    api: AsyncClient, world: World
) -> None:
    # A reader in the directory, but the token says author: the claim decides.
    token = sign(claims(world.a.reader.email or "", roles=["author"]))
    org = await api.get("/v1/organisation", headers=bearer(token))
    assert org.status_code == 200, org.text
    assert org.json()["id"] == str(world.a.id)
    created = await api.post("/v1/documents", json=document_body(), headers=bearer(token))
    assert created.status_code == 201, created.text
    # An author's draft is theirs: proves the request acted as this very person.
    assert created.json()["author_id"] == str(world.a.reader.person_id)


async def test_a_roles_claim_may_be_a_space_separated_string(
    api: AsyncClient, world: World
) -> None:
    token = sign(claims(world.a.reader.email or "", roles="reader author"))
    created = await api.post("/v1/documents", json=document_body(), headers=bearer(token))
    assert created.status_code == 201, created.text


async def test_an_ec_p256_token_is_verified_against_the_ec_key_of_the_jwks(
    api: AsyncClient, world: World
) -> None:
    token = sign(claims(world.a.author.email or ""), key=EC)
    created = await api.post("/v1/documents", json=document_body(), headers=bearer(token))
    assert created.status_code == 201, created.text
    assert created.json()["author_id"] == str(world.a.author.person_id)


async def test_without_a_roles_claim_the_persons_stored_roles_apply(
    api: AsyncClient, world: World
) -> None:
    reader = bearer(sign(claims(world.a.reader.email or "")))
    author = bearer(sign(claims(world.a.author.email or "")))
    assert (await api.get("/v1/documents", headers=reader)).status_code == 200
    refused = await api.post("/v1/documents", json=document_body(), headers=reader)
    assert refused.status_code == 403, refused.text
    created = await api.post("/v1/documents", json=document_body(), headers=author)
    assert created.status_code == 201, created.text


async def test_an_unknown_role_in_the_claim_grants_nothing_and_hides_the_stored_roles(
    api: AsyncClient, world: World
) -> None:
    # Stored as policy officer, who could register documents without a roles claim.
    officer = world.a.policy_officer.email or ""
    token = sign(claims(officer, roles=["superuser", "Policy_Officer"]))
    refused = await api.post("/v1/documents", json=document_body(), headers=bearer(token))
    assert refused.status_code == 403, refused.text
    assert refused.headers["content-type"] == PROBLEM


async def _deactivate(world: World, email: str) -> None:
    async with world.sessionmaker() as session, session.begin():
        await session.execute(update(Person).where(Person.email == email).values(is_active=False))


def _hs256_with_public_key(world: World) -> str:
    payload = claims(world.a.admin.email or "")
    secret = RSA.public_pem
    return handmade(
        {"alg": "HS256", "typ": "JWT", "kid": RSA.kid},
        payload,
        lambda data: hmac.new(secret, data, hashlib.sha256).digest(),
    )


REFUSED: dict[str, Callable[[World], str]] = {
    "expired": lambda w: sign(
        claims(w.a.admin.email or "", exp=int(time.time()) - 120, iat=int(time.time()) - 600)
    ),
    "without_expiry": lambda w: sign(claims(w.a.admin.email or "", exp=None)),
    "wrong_audience": lambda w: sign(claims(w.a.admin.email or "", aud="another-api")),
    "wrong_issuer": lambda w: sign(claims(w.a.admin.email or "", iss="https://evil.example")),
    "signed_by_another_key": lambda w: sign(claims(w.a.admin.email or ""), key=FORGER),
    "alg_none": lambda w: handmade(
        {"alg": "none", "typ": "JWT", "kid": RSA.kid},
        claims(w.a.admin.email or ""),
        lambda data: b"",
    ),
    "hs256_keyed_with_the_public_key": _hs256_with_public_key,
    "rs256_header_on_the_ec_kid": lambda w: sign(
        claims(w.a.admin.email or ""), key=SigningKey(EC.kid, "RS256", RSA.private)
    ),
    "kid_not_in_the_jwks": lambda w: sign(claims(w.a.admin.email or ""), key=rsa_key("stranger")),
    "email_of_nobody": lambda w: sign(claims("nobody@alpha.example.org", roles=["admin"])),
    "no_email_claim": lambda w: sign(claims(w.a.admin.email or "", email=None)),
    "inactive_person": lambda w: sign(claims(w.a.admin.email or "", roles=["admin"])),
}


@pytest.mark.parametrize("case", list(REFUSED))
async def test_an_invalid_token_or_unmatched_person_answers_401_problem(
    api: AsyncClient, world: World, case: str
) -> None:
    if case == "inactive_person":
        await _deactivate(world, world.a.admin.email or "")
    response = await api.get("/v1/documents", headers=bearer(REFUSED[case](world)))
    assert response.status_code == 401, response.text
    assert response.headers["content-type"] == PROBLEM
    assert response.json()["status"] == 401


async def test_the_same_admin_token_without_a_defect_is_accepted(
    api: AsyncClient, world: World
) -> None:
    # The control for the refusals above: only the defect makes them fail.
    response = await api.get(
        "/v1/documents", headers=bearer(sign(claims(world.a.admin.email or "")))
    )
    assert response.status_code == 200, response.text


async def test_an_email_in_two_organisations_needs_the_org_claim_to_pick_one(
    api: AsyncClient, world: World
) -> None:
    email = world.a.reader.email or ""
    async with world.sessionmaker() as session, session.begin():
        await people.create_person(
            session,
            None,
            organisation_id=world.b.id,
            name="Shared reader",
            email=email,
            roles=["reader"],
        )
    ambiguous = await api.get("/v1/organisation", headers=bearer(sign(claims(email))))
    assert ambiguous.status_code == 401, ambiguous.text
    assert ambiguous.headers["content-type"] == PROBLEM
    for org in (world.a, world.b):
        token = sign(claims(email, org=org.slug))
        response = await api.get("/v1/organisation", headers=bearer(token))
        assert response.status_code == 200, response.text
        assert response.json()["id"] == str(org.id)


async def test_an_org_claim_naming_another_organisation_matches_nobody(
    api: AsyncClient, world: World
) -> None:
    token = sign(claims(world.a.admin.email or "", org=world.b.slug))
    response = await api.get("/v1/organisation", headers=bearer(token))
    assert response.status_code == 401, response.text


async def test_a_rotated_key_is_fetched_on_its_first_unknown_kid_at_most_every_ten_seconds(
    api: AsyncClient, oidc_app: FastAPI, jwks: JwksServer, world: World
) -> None:
    email = world.a.reader.email or ""
    assert (await api.get("/v1/documents", headers=bearer(sign(claims(email))))).status_code == 200
    assert jwks.fetches == 1
    rotated = rsa_key("rsa-2")
    jwks.keys = [rotated]
    token = bearer(sign(claims(email), key=rotated))

    # Just fetched: an unknown kid does not hammer the issuer.
    oidc_app.state.jwks._fetched_at = time.monotonic()
    assert (await api.get("/v1/documents", headers=token)).status_code == 401
    assert jwks.fetches == 1

    # Ten seconds later the unknown kid triggers one refetch, and the new key works.
    oidc_app.state.jwks._fetched_at = time.monotonic() - 11
    response = await api.get("/v1/documents", headers=token)
    assert response.status_code == 200, response.text
    assert jwks.fetches == 2
    assert (await api.get("/v1/documents", headers=token)).status_code == 200
    assert jwks.fetches == 2


async def test_a_key_the_issuer_withdrew_is_refused_once_the_cache_is_stale(
    api: AsyncClient, oidc_app: FastAPI, jwks: JwksServer, world: World
) -> None:
    token = bearer(sign(claims(world.a.reader.email or "")))
    assert (await api.get("/v1/documents", headers=token)).status_code == 200
    jwks.keys = [EC]
    settings: Settings = oidc_app.state.settings
    oidc_app.state.jwks._fetched_at = time.monotonic() - settings.oidc_jwks_cache_seconds - 1
    response = await api.get("/v1/documents", headers=token)
    assert response.status_code == 401, response.text
    assert jwks.fetches == 2


async def test_an_api_key_still_works_when_oidc_is_enabled(api: AsyncClient, world: World) -> None:
    response = await api.get("/v1/organisation", headers=world.a.reader.headers)
    assert response.status_code == 200, response.text
    assert response.json()["id"] == str(world.a.id)


async def test_without_oidc_settings_a_valid_jwt_is_refused(
    client: AsyncClient, jwks: JwksServer, world: World
) -> None:
    token = sign(claims(world.a.admin.email or ""))
    response = await client.get("/v1/organisation", headers=bearer(token))
    assert response.status_code == 401, response.text
    assert response.headers["content-type"] == PROBLEM
    assert jwks.fetches == 0


async def test_an_email_the_issuer_has_not_verified_is_refused(
    api: AsyncClient, world: World
) -> None:
    email = world.a.admin.email or ""
    unverified = await api.get(
        "/v1/organisation", headers=bearer(sign(claims(email, email_verified=False)))
    )
    assert unverified.status_code == 401
    verified = await api.get(
        "/v1/organisation", headers=bearer(sign(claims(email, email_verified=True)))
    )
    assert verified.status_code == 200
