"""moto in server mode, bound to 127.0.0.1, with DynamoDB's write atomicity and a
read-only `/_local/outbox` view of the e-mails and SMS sent (for GET /v1/dev/outbox).

DynamoDB applies each write and each transaction atomically; moto does not lock, so two
concurrent requests can both pass the same condition. The local stack and the tests
serialise moto's DynamoDB writes so that they behave like the real service.
"""
from __future__ import annotations

import argparse
import functools
import threading

_done = False


def serialise_dynamodb_writes() -> None:
    global _done
    if _done:
        return
    from moto.dynamodb.models import DynamoDBBackend

    lock = threading.RLock()
    for name in ("put_item", "update_item", "delete_item", "transact_write_items"):
        original = getattr(DynamoDBBackend, name)

        def locked(*args, __original=original, **kwargs):
            with lock:
                return __original(*args, **kwargs)

        setattr(DynamoDBBackend, name, functools.wraps(original)(locked))
    _done = True


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    serialise_dynamodb_writes()
    import json

    from moto.server import DomainDispatcherApplication, create_backend_app
    from werkzeug.serving import make_server

    from .outbox import collect

    moto_app = DomainDispatcherApplication(create_backend_app)

    def app(environ, start_response):
        if environ.get("PATH_INFO") == "/_local/outbox":
            body = json.dumps(collect(), ensure_ascii=False).encode("utf-8")
            start_response("200 OK", [("Content-Type", "application/json; charset=utf-8"),
                                      ("Content-Length", str(len(body)))])
            return [body]
        return moto_app(environ, start_response)

    make_server("127.0.0.1", args.port, app, threaded=True).serve_forever()


if __name__ == "__main__":
    main()
