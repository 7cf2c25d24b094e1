"""`chalice local` with a listen backlog fit for a desk full of clients.

Chalice's local server keeps http.server's default backlog of 5 pending connections:
under 20 concurrent clients the kernel resets the rest. This runs the same `chalice`
command line with the backlog raised; nothing else changes.

    python -m devstack.chalice_local local --stage local --port 8000
"""
from __future__ import annotations

import sys

LISTEN_BACKLOG = 512


def main() -> int:
    from chalice import local
    from chalice.cli import main as chalice_main
    local.ThreadedHTTPServer.request_queue_size = LISTEN_BACKLOG
    local.ThreadedHTTPServer.daemon_threads = True
    sys.argv = ["chalice", *sys.argv[1:]]
    return chalice_main()


if __name__ == "__main__":
    sys.exit(main())
