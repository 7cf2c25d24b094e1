"""`chalice local` with a listen backlog fit for a desk full of clients.

Chalice's local server keeps http.server's default backlog of 5 pending connections:
under 20 concurrent clients the kernel resets the rest. This runs the same `chalice`
command line with the backlog raised, and the secrets of a query string (an Open311
`api_key`) kept out of the request lines it logs.

    python -m devstack.chalice_local local --stage local --port 8000
"""
from __future__ import annotations

import re
import sys

LISTEN_BACKLOG = 512
# An Open311 partner may send its key in the query string (the spec allows it): the
# request line the server logs must not keep it in .local/chalice.log.
_SECRET_PARAMS = re.compile(r"(?i)((?:api_key|token|access_code)=)[^&\s\"]+")


def redact(line: str) -> str:
    return _SECRET_PARAMS.sub(r"\1[gizli]", line)


def main() -> int:
    from chalice import local
    from chalice.cli import main as chalice_main

    from devstack import gateway
    gateway.install()
    local.ThreadedHTTPServer.request_queue_size = LISTEN_BACKLOG
    local.ThreadedHTTPServer.daemon_threads = True
    logged = local.ChaliceRequestHandler.log_message

    def log_message(self, fmt, *args):
        logged(self, "%s", redact(fmt % args))
    local.ChaliceRequestHandler.log_message = log_message
    sys.argv = ["chalice", *sys.argv[1:]]
    return chalice_main()


if __name__ == "__main__":
    sys.exit(main())
