"""A fetch and its connector lookup over TLS: a client of their own each, or the pool's.

    uv run python benchmarks/bench_connections.py [--runs 30] [--smoke]

The window asks for a source, then for its connector. Each request used to run in a
client of its own, so the connector lookup (and the next fetch) opened a new TCP
connection and made a new TLS handshake; now the requests borrow the window's
``ConnectionPool`` and reuse the open connection. Both ways are timed here against a
portal on 127.0.0.1 that speaks https (a throw-away CA from ``trustme``), interleaved:

  own clients   source, then connector, each in a new ``BitrixClient``;
  pooled        the same two requests, each client borrowing one ``ConnectionPool``
                (its connection opened by the round before, as the window's is).

On 127.0.0.1 a handshake costs only CPU; to a remote portal each new connection also
costs one round trip for TCP and one or two for TLS, which this does not measure. For
information: no target.
"""

from __future__ import annotations

import ssl
import time

import trustme
from common import Series, arguments, portal, report_ratio

from inspector.core.client import BitrixClient
from inspector.core.connection_pool import ConnectionPool
from inspector.core.credentials import parse_webhook_url
from inspector.core.options import RequestOptions

SIZE = 20  # settings: a small source, so the connection is what is measured


def fetch_pair(url: str, options: RequestOptions, pool: ConnectionPool | None) -> float:
    """Milliseconds for source 6 and then its connector, a client for each."""
    credential = parse_webhook_url(url)
    start = time.perf_counter()
    with BitrixClient(credential, options, pool=pool) as client:
        source = client.get_source(6)
    with BitrixClient(credential, options, pool=pool) as client:
        client.get_connector(source.connector_id or 1)
    return (time.perf_counter() - start) * 1000


def main() -> int:
    args = arguments(__doc__.split("\n\n")[0], size=SIZE, runs=30)
    print(f"Connections{' (smoke)' if args.smoke else ''}: {args.runs} interleaved rounds")
    authority = trustme.CA()
    server_context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    authority.issue_cert("127.0.0.1").configure_cert(server_context)
    client_context = ssl.create_default_context()
    authority.configure_trust(client_context)
    options = RequestOptions(verify=client_context)
    own, pooled = Series("own clients: source + connector"), Series("pooled: source + connector")
    pool = ConnectionPool()
    with portal(args.size, tls=server_context) as served:
        url = served.webhook_url
        fetch_pair(url, options, None)  # warm-up: imports, the first handshake
        fetch_pair(url, options, pool)
        for _ in range(args.runs):
            own.add(fetch_pair(url, options, None))
            pooled.add(fetch_pair(url, options, pool))
        pool.close()
    print(own.line())
    print(pooled.line())
    report_ratio("pooled vs own clients", pooled, own, None, args.smoke)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
