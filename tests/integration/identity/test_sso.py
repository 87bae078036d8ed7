"""Single sign-on end to end against a real OpenID provider on loopback (tests/oidc_provider.py).

An institution made from nothing (`provision_institution`), its admin configures the provider
over REST; a browser's journey is played over real HTTP: the node's start redirect, the
provider's authorization endpoint, the callback posted back to the node, which exchanges the
code (PKCE) and checks the ID token against the provider's JWKS. Every refused-token case is a
token the provider is told to mint wrongly; each is refused with its own problem code and links
nobody. Both dialects.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import pytest

from edtech.identity.public import provision_institution
from edtech.institutions.public import NewTenant
from edtech.kernel.clock import FixedClock
from edtech.settings import Settings
from tests.oidc_provider import CLIENT_ID, CLIENT_SECRET, PUBLIC_URL, LoopbackProvider, Mint
from tests.servers import TEST_SECRET

ADMIN_EMAIL = "office@hill.example"
TEACHER_EMAIL = "t.kim@hill.example"
PASSWORD = "a long passphrase 42"
BOOTSTRAP = "bootstrap-token-for-tests-0123456789abcdef"


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(
        database_url=database_url,
        broker_url="memory://",
        secret_key=TEST_SECRET,
        log_json=True,
        log_level="WARNING",
        background_jobs=False,
        public_url=PUBLIC_URL,
        sso_allow_insecure_issuers=True,  # the provider is plain http on 127.0.0.1
        bootstrap_token=BOOTSTRAP,
    )


@pytest.fixture(autouse=True)
def provider_on_the_node_clock(openid_provider: LoopbackProvider, clock: FixedClock) -> None:
    """The provider mints its ID tokens at the node's time of day: a test that moves the node's
    clock past a stale sign-in must not also make the next, fresh token look expired."""
    openid_provider.now = lambda: clock.now().timestamp()


def bearer(body: dict[str, Any]) -> dict[str, str]:
    return {"Authorization": f"Bearer {body['access_token']}"}


async def sign_in(client: httpx.AsyncClient, email: str, password: str) -> httpx.Response:
    return await client.post("/api/v1/auth/token", data={"username": email, "password": password})


@pytest.fixture
async def hill(
    client: httpx.AsyncClient, settings: Settings, openid_provider: LoopbackProvider
) -> dict[str, Any]:
    """Hill School from nothing: its admin (with a password), a teacher on the roll without a
    login, and Google-like single sign-on for `hill.example` addresses."""
    done = await provision_institution(
        settings,
        NewTenant(
            name="Hill School",
            slug="hill",
            timezone="Europe/Berlin",
            locale="de-DE",
            currency="EUR",
            admin_email=ADMIN_EMAIL,
        ),
        PASSWORD,
    )
    r = await sign_in(client, ADMIN_EMAIL, PASSWORD)
    assert r.status_code == 200, r.text
    admin = bearer(r.json())
    school = await client.post("/api/v1/schools", headers=admin, json={"name": "Hill Primary"})
    assert school.status_code == 201, school.text
    teacher = await client.post(
        "/api/v1/people",
        headers=admin,
        json={
            "given_name": "Tae",
            "family_name": "Kim",
            "email": TEACHER_EMAIL,
            "roles": [{"role": "teacher", "school_id": school.json()["id"]}],
        },
    )
    assert teacher.status_code == 201, teacher.text
    provider = await client.post(
        "/api/v1/sso-providers",
        headers=admin,
        json={
            "name": "google",
            "display_name": "Google",
            "issuer": openid_provider.issuer,
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
            "allowed_domains": ["Hill.Example"],
        },
    )
    assert provider.status_code == 201, provider.text
    return {
        "institution_id": str(done.institution_id),
        "admin_person": str(done.admin_person_id),
        "teacher_person": teacher.json()["id"],
        "admin": admin,
        "provider": provider.json(),
    }


async def start(client: httpx.AsyncClient, provider: str = "google") -> httpx.Response:
    return await client.get(
        "/api/v1/auth/sso/start", params={"institution": "hill", "provider": provider}
    )


async def journey(
    client: httpx.AsyncClient, op: LoopbackProvider, user: dict[str, Any], mint: Mint | None = None
) -> tuple[httpx.Response, str]:
    """A browser signing in: start at the node, through the provider, back to the node.
    Returns the callback's answer and the state used."""
    op.user = user
    if mint is not None:
        op.mint = mint
    r = await start(client)
    assert r.status_code == 302, r.text
    code, state = await op.authorize(r.headers["location"])
    answer = await client.post("/api/v1/auth/sso/callback", json={"state": state, "code": code})
    return answer, state


ADMIN = {"sub": "google-admin", "email": ADMIN_EMAIL}
TEACHER = {"sub": "google-teacher", "email": TEACHER_EMAIL}


async def test_the_admin_and_a_teacher_sign_in_with_the_schools_provider(
    client: httpx.AsyncClient, hill: dict[str, Any], openid_provider: LoopbackProvider
) -> None:
    # The configuration tells the admin what to register at the provider, never the secret.
    assert hill["provider"]["redirect_uri"] == f"{PUBLIC_URL}/app/sso/callback"
    assert hill["provider"]["allowed_domains"] == ["hill.example"]
    assert "client_secret" not in hill["provider"]
    # The sign-in page of the school lists the button.
    buttons = await client.get("/api/v1/auth/sso/providers", params={"institution": "hill"})
    assert [(b["name"], b["display_name"]) for b in buttons.json()] == [("google", "Google")]
    assert buttons.json()[0]["start_url"].startswith(f"{PUBLIC_URL}/api/v1/auth/sso/start?")

    # The redirect carries state, nonce and a PKCE S256 challenge.
    r = await start(client)
    location = httpx.URL(r.headers["location"])
    assert location.params["code_challenge_method"] == "S256"
    assert location.params["redirect_uri"] == f"{PUBLIC_URL}/app/sso/callback"
    assert {"state", "nonce", "code_challenge"} <= set(location.params.keys())
    assert r.headers["cache-control"] == "no-store"

    # First sign-in: matched by the verified email to the admin's login, and linked.
    answer, state = await journey(client, openid_provider, ADMIN)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert (body["person_id"], body["linked"]) == (hill["admin_person"], True)
    me = await client.get("/api/v1/me", headers=bearer(body))
    assert me.status_code == 200
    assert me.json()["person"]["id"] == hill["admin_person"]
    # Same tokens as a password sign-in: the refresh token rotates.
    refreshed = await client.post(
        "/api/v1/auth/refresh", json={"refresh_token": body["refresh_token"]}
    )
    assert refreshed.status_code == 200, refreshed.text
    # The provider was asked with the client's credentials and the code it issued.
    assert openid_provider.token_requests[-1]["client_id"] == CLIENT_ID

    # A callback works once.
    replay = await client.post("/api/v1/auth/sso/callback", json={"state": state, "code": "x"})
    assert (replay.status_code, replay.json()["code"]) == (400, "sso_state_used")

    # Afterwards the provider's subject decides, whatever address it now reports.
    again, _ = await journey(
        client, openid_provider, {"sub": "google-admin", "email": "head@hill.example"}
    )
    assert again.status_code == 200, again.text
    assert (again.json()["person_id"], again.json()["linked"]) == (hill["admin_person"], False)

    # A teacher on the roll without a login gets one at their first sign-in (no password).
    teacher, _ = await journey(client, openid_provider, TEACHER)
    assert teacher.status_code == 200, teacher.text
    assert (teacher.json()["person_id"], teacher.json()["linked"]) == (
        hill["teacher_person"],
        True,
    )
    teacher_me = await client.get("/api/v1/me", headers=bearer(teacher.json()))
    assert [r["role"] for r in teacher_me.json()["roles"]] == ["teacher"]
    assert (await sign_in(client, TEACHER_EMAIL, "")).status_code in (401, 422)


REFUSED = [
    (Mint(audience="another-client"), ADMIN, 401, "sso_wrong_audience"),
    (Mint(issuer="https://evil.example"), ADMIN, 401, "sso_wrong_issuer"),
    (Mint(expired=True), ADMIN, 401, "sso_token_expired"),
    (Mint(nonce="another-sign-in"), ADMIN, 401, "sso_nonce_mismatch"),
    (Mint(foreign_key=True), ADMIN, 401, "sso_bad_signature"),
    (Mint(unsigned=True), ADMIN, 401, "sso_bad_signature"),
    (Mint(email_verified=False), ADMIN, 403, "sso_email_unverified"),
    (None, {"sub": "stranger", "email": "stranger@hill.example"}, 403, "sso_unknown_email"),
    (None, {"sub": "private", "email": "t.kim@gmail.example"}, 403, "sso_domain_not_allowed"),
]
"""Each token the provider is told to mint wrongly (or a person the school does not know),
the status and the problem code it must get."""


async def test_each_bad_id_token_is_refused_with_its_own_problem_and_links_nobody(
    client: httpx.AsyncClient, hill: dict[str, Any], openid_provider: LoopbackProvider
) -> None:
    failures = []
    for mint, user, status, code in REFUSED:
        answer, _ = await journey(client, openid_provider, user, mint)
        got = (answer.status_code, answer.json().get("code"))
        if got != (status, code):
            failures.append(f"{mint or user}: expected {(status, code)}, got {answer.text}")
        elif not answer.headers["content-type"].startswith("application/problem+json"):
            failures.append(f"{code}: not a problem document")
    assert not failures, "\n".join(failures)
    # Nothing was linked and no session started: the next, correct sign-in is the first.
    sessions = await client.get("/api/v1/auth/sessions", headers=hill["admin"])
    assert sessions.json()["total"] == 1
    good, _ = await journey(client, openid_provider, ADMIN)
    assert good.status_code == 200, good.text
    assert good.json()["linked"] is True

    # Narrowing the domains keeps even a linked person out.
    r = await client.patch(
        f"/api/v1/sso-providers/{hill['provider']['id']}",
        headers=hill["admin"],
        json={"allowed_domains": ["staff.hill.example"]},
    )
    assert r.status_code == 200, r.text
    narrowed, _ = await journey(client, openid_provider, ADMIN)
    assert (narrowed.status_code, narrowed.json()["code"]) == (403, "sso_domain_not_allowed")


async def test_forged_expired_used_states_and_suspended_institutions_are_refused(
    client: httpx.AsyncClient,
    hill: dict[str, Any],
    openid_provider: LoopbackProvider,
    clock: FixedClock,
) -> None:
    forged = await client.post(
        "/api/v1/auth/sso/callback", json={"state": "made-up", "code": "made-up"}
    )
    assert (forged.status_code, forged.json()["code"]) == (400, "sso_state_invalid")

    openid_provider.user = ADMIN
    r = await start(client)
    code, state = await openid_provider.authorize(r.headers["location"])
    clock.advance(timedelta(minutes=11))
    late = await client.post("/api/v1/auth/sso/callback", json={"state": state, "code": code})
    assert (late.status_code, late.json()["code"]) == (400, "sso_state_expired")
    # The provider was never asked: the code was not spent on a stale sign-in.
    assert openid_provider.token_requests == []

    # A code the provider no longer honours is its refusal, and the attempt is spent.
    r = await start(client)
    code, state = await openid_provider.authorize(r.headers["location"])
    bad = await client.post("/api/v1/auth/sso/callback", json={"state": state, "code": "stale"})
    assert (bad.status_code, bad.json()["code"]) == (400, "sso_code_rejected")
    used = await client.post("/api/v1/auth/sso/callback", json={"state": state, "code": code})
    assert (used.status_code, used.json()["code"]) == (400, "sso_state_used")

    # Suspension.
    r = await start(client)
    code, state = await openid_provider.authorize(r.headers["location"])
    suspended = await client.post(
        f"/api/v1/institutions/{hill['institution_id']}/suspend",
        headers={"Authorization": f"Bearer {BOOTSTRAP}"},
    )
    assert suspended.status_code == 204, suspended.text
    # A sign-in already at the provider comes back refused …
    back = await client.post("/api/v1/auth/sso/callback", json={"state": state, "code": code})
    assert (back.status_code, back.json()["code"]) == (403, "institution_suspended")
    # … and no new one starts.
    again = await start(client)
    assert (again.status_code, again.json()["code"]) == (403, "institution_suspended")


async def test_admins_configure_providers_and_may_turn_passwords_off(
    client: httpx.AsyncClient, hill: dict[str, Any], openid_provider: LoopbackProvider
) -> None:
    teacher, _ = await journey(client, openid_provider, TEACHER)
    headers = bearer(teacher.json())
    assert (await client.get("/api/v1/sso-providers", headers=headers)).status_code == 403
    r = await client.post(
        "/api/v1/sso-providers",
        headers=headers,
        json={
            "name": "mine",
            "display_name": "Mine",
            "issuer": "https://login.example",
            "client_id": "x",
            "client_secret": "y",
            "allowed_domains": ["hill.example"],
        },
    )
    assert r.status_code == 403
    listed = await client.get("/api/v1/sso-providers", headers=hill["admin"])
    assert [p["name"] for p in listed.json()["items"]] == ["google"]
    duplicate = await client.post(
        "/api/v1/sso-providers",
        headers=hill["admin"],
        json={
            "name": "google",
            "display_name": "Google again",
            "issuer": "https://accounts.google.com",
            "client_id": "x",
            "client_secret": "y",
            "allowed_domains": ["hill.example"],
        },
    )
    assert duplicate.status_code == 409
    insecure = await client.post(
        "/api/v1/sso-providers",
        headers=hill["admin"],
        json={
            "name": "plain",
            "display_name": "Plain",
            "issuer": "http://login.example",
            "client_id": "x",
            "client_secret": "y",
            "allowed_domains": ["hill.example"],
        },
    )
    assert insecure.status_code == 422  # http only on loopback, even here

    r = await client.patch(
        f"/api/v1/sso-providers/{hill['provider']['id']}",
        headers=hill["admin"],
        json={"passwords_allowed": False},
    )
    assert r.status_code == 200, r.text
    assert r.json()["passwords_allowed"] is False
    right = await sign_in(client, ADMIN_EMAIL, PASSWORD)
    assert (right.status_code, right.json()["code"]) == (403, "sso_required")
    wrong = await sign_in(client, ADMIN_EMAIL, "not the password at all")
    assert wrong.status_code == 401  # a guesser learns nothing
    answer, _ = await journey(client, openid_provider, ADMIN)
    assert answer.status_code == 200, answer.text
    # Turned off, the provider starts nothing; passwords are back.
    r = await client.patch(
        f"/api/v1/sso-providers/{hill['provider']['id']}",
        headers=bearer(answer.json()),
        json={"enabled": False},
    )
    assert r.status_code == 200, r.text
    assert (await start(client)).status_code == 404
    assert (await sign_in(client, ADMIN_EMAIL, PASSWORD)).status_code == 200


async def test_the_audit_trail_is_read_by_admins_and_operators_filtered_and_paged(
    client: httpx.AsyncClient,
    hill: dict[str, Any],
    openid_provider: LoopbackProvider,
    clock: FixedClock,
) -> None:
    before = clock.now()
    clock.advance(timedelta(minutes=1))
    teacher, _ = await journey(client, openid_provider, TEACHER)
    assert teacher.status_code == 200, teacher.text
    admin = hill["admin"]
    everything = (await client.get("/api/v1/audit", headers=admin)).json()
    actions = [e["action"] for e in everything["items"]]
    # Newest first: the teacher's first sign-in after the admin's provider and provisioning.
    assert actions[0] == "sso_linked"
    assert {"sso_provider_added", "institution_provisioned"} <= set(actions)
    linked = everything["items"][0]
    assert linked["actor"] == f"person:{hill['teacher_person']}"
    assert linked["subject_person_id"] == hill["teacher_person"]
    assert linked["detail"] == {"provider": "google", "email": TEACHER_EMAIL}
    assert linked["client_address"] == "127.0.0.1"

    by_action = await client.get("/api/v1/audit", headers=admin, params={"action": "sso_linked"})
    assert [e["id"] for e in by_action.json()["items"]] == [linked["id"]]
    by_actor = await client.get(
        "/api/v1/audit", headers=admin, params={"actor": f"person:{hill['admin_person']}"}
    )
    assert [e["action"] for e in by_actor.json()["items"]] == ["sso_provider_added"]
    since = await client.get(
        "/api/v1/audit",
        headers=admin,
        params={"since": (before + timedelta(seconds=30)).isoformat()},
    )
    assert [e["id"] for e in since.json()["items"]] == [linked["id"]]
    until = await client.get("/api/v1/audit", headers=admin, params={"until": before.isoformat()})
    assert linked["id"] not in [e["id"] for e in until.json()["items"]]
    paged = await client.get("/api/v1/audit", headers=admin, params={"limit": 1})
    assert paged.json()["total"] == everything["total"] >= 2
    assert paged.json()["next"] is not None

    # A teacher may not read it; an operator reads any institution's; nobody reads a void.
    forbidden = await client.get("/api/v1/audit", headers=bearer(teacher.json()))
    assert forbidden.status_code == 403
    operator = {"Authorization": f"Bearer {BOOTSTRAP}"}
    theirs = await client.get(
        f"/api/v1/institutions/{hill['institution_id']}/audit", headers=operator
    )
    assert theirs.json()["total"] == everything["total"]
    void = "00000000-0000-4000-8000-000000000000"
    assert (
        await client.get(f"/api/v1/institutions/{void}/audit", headers=operator)
    ).status_code == 404
    as_admin = await client.get(
        f"/api/v1/institutions/{hill['institution_id']}/audit", headers=admin
    )
    assert as_admin.status_code == 403
