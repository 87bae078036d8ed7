"""/readyz tells the truth about the database under load: a request pool drained to its last
connection does not make a node with a reachable database look down; a database that refuses
connections does, until it takes them again."""

from __future__ import annotations

import contextlib

import httpx

from edtech.app import create_app
from tests import databases
from tests.servers import LiveServer, one_connection_node


def _allow_connections(url: str, allow: bool) -> None:
    """Open or shut the database to every new connection (superusers too), and end the open
    ones when shutting it: to this node, the database is down."""
    name = url.rpartition("/")[2]
    sql = f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS {str(allow).lower()}'
    if not allow:
        sql += (
            "; SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            f" WHERE datname = '{name}' AND pid <> pg_backend_pid()"
        )
    databases.run_blocking(databases._admin(sql))


async def test_readyz_is_ok_with_the_request_pool_exhausted_and_503_while_the_database_is_down(
    postgres_database: str,
) -> None:
    settings = one_connection_node(postgres_database)  # holding it drains the pool
    app = create_app(settings)
    server = LiveServer(app)
    await server.start()
    try:
        engine = app.state.services.engine
        async with httpx.AsyncClient(base_url=server.url, timeout=30) as http:
            async with contextlib.AsyncExitStack() as held:
                await held.enter_async_context(engine.connect())  # all the pool hands out
                assert engine.pool.checkedout() == 1
                ready = await http.get("/readyz")
                assert ready.status_code == 200, ready.text
                assert ready.json()["checks"]["database"] == "ok"

                _allow_connections(postgres_database, False)
                try:
                    down = await http.get("/readyz")
                    assert down.status_code == 503, down.text
                    assert down.json()["checks"]["database"] != "ok"
                finally:
                    _allow_connections(postgres_database, True)
                with contextlib.suppress(Exception):  # the held ones were ended with the rest
                    await held.aclose()
            back = await http.get("/readyz")
            assert back.status_code == 200, back.text
    finally:
        await server.stop()
