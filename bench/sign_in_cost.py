"""What checking a request's access token costs the node: its sign-in read in a read session of
its own, with the requests arriving meanwhile (ADR-0019), or in the transaction of the chat post
it sends (ADR-0022), on uvloop as `edtech serve` runs.

    uv run python -m bench.sign_in_cost [--runs 3000] [--alone 2] [--together 5]

A fresh database with the demo school (SMALL); eight demo people signed in through the API of
a node served in this process. Each path in turn, after a warm-up, several rounds: a read
session checking `--alone` sign-ins (the average a coalesced read took on node A of the REST
chat benchmark: ~2.1), and an open transaction checking `--together` (a grouped chat
transaction's posts there: ~4.8). Prints the process CPU per read and per sign-in, medians of
the rounds; the node's statements are the real ones (`live_grants_of_many`,
`principals_of`).
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Awaitable, Callable

import httpx
import uvloop

from bench.common import create_database, drop_database, machine, served_here
from edtech.demo import DEMO_PASSWORD, SMALL, seed_demo
from edtech.identity.application.common import live_grants_of_many, principals_of, signed_in
from edtech.platform.db.engine import make_engine, make_session_factory
from edtech.platform.security.passwords import hash_password
from edtech.platform.services import Services

PEOPLE = [
    "guardian1@demo.test",
    "guardian3@demo.test",
    "guardian4@demo.test",
    "guardian5@demo.test",
    "teacher1@demo.test",
    "admin@demo.test",
    "student1@demo.test",
    "schooladmin@demo.test",
]
ROUNDS = 5


async def cpu_per_call(runs: int, once: Callable[[], Awaitable[object]]) -> float:
    """CPU µs per call of `once`, after a warm-up."""
    for _ in range(200):
        await once()
    cpu = time.process_time()
    for _ in range(runs):
        await once()
    return 1e6 * (time.process_time() - cpu) / runs


async def compare(
    services: Services, tokens: list[str], runs: int, alone: int, together: int
) -> None:
    now = services.clock.now()
    logins = [signed_in(services.signer, token, now) for token in tokens]

    async def own_session() -> None:  # ADR-0019: a read session per coalesced read
        async with services.reads() as session:
            found = await live_grants_of_many(session, logins[:alone], now)
        assert all(found)

    own: list[float] = []
    shared: list[float] = []
    async with services.uow() as uow:  # ADR-0022: in the post's transaction

        async def in_transaction() -> None:
            found = await principals_of(uow.session, services.signer, tokens[:together], now)
            assert not [f for f in found if isinstance(f, Exception)]

        for _ in range(ROUNDS):
            own.append(await cpu_per_call(runs, own_session) / alone)
            shared.append(await cpu_per_call(runs, in_transaction) / together)
    print(machine())
    print(f"{runs} reads a round, medians of {ROUNDS} rounds, uvloop")
    print("| a request's sign-in checked | sign-ins a read | CPU per sign-in |")
    print("|---|---|---|")
    print(
        f"| in a read session of its own (ADR-0019) | {alone} | {statistics.median(own):.0f} µs |"
    )
    print(
        f"| in the chat post's transaction (ADR-0022) | {together} | "
        f"{statistics.median(shared):.0f} µs |"
    )


async def main(runs: int, alone: int, together: int) -> None:
    url = await create_database()
    try:
        engine = make_engine(url)
        try:
            await seed_demo(
                make_session_factory(engine), SMALL, password_hash=hash_password(DEMO_PASSWORD)
            )
        finally:
            await engine.dispose()
        async with served_here(url) as (app, base), httpx.AsyncClient(base_url=base) as client:
            tokens = []
            for email in PEOPLE:
                r = await client.post(
                    "/api/v1/auth/token", data={"username": email, "password": DEMO_PASSWORD}
                )
                r.raise_for_status()
                tokens.append(r.json()["access_token"])
            await compare(app.state.services, tokens, runs, alone, together)
    finally:
        await drop_database(url)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3000)
    parser.add_argument("--alone", type=int, default=2, help="sign-ins a read session reads")
    parser.add_argument("--together", type=int, default=5, help="sign-ins a transaction reads")
    args = parser.parse_args()
    uvloop.run(main(args.runs, args.alone, args.together))
