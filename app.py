"""Açık Kapı: the Chalice application.

Routes come from blueprints under chalicelib/api. Every SQS and schedule handler is
defined here, as a thin wrapper around a chalicelib function, so that deployed
handlers keep the app's middleware (see docs/architecture.md).
"""
import time
import uuid

from chalice import Chalice

from chalicelib.api import citizen, openapi

app = Chalice(app_name="acikkapi")
app.register_blueprint(citizen.bp)
app.register_blueprint(openapi.bp)


@app.middleware("http")
def access_log(event, get_response):
    from chalicelib.logs import logger

    log = logger()
    log.append_keys(request_id=(event.context or {}).get("requestId") or uuid.uuid4().hex)
    started = time.perf_counter()
    response = get_response(event)
    log.info("request", extra={"method": event.method, "route": (event.context or {}).get("resourcePath"),
                               "status": response.status_code,
                               "duration_ms": round((time.perf_counter() - started) * 1000, 1)})
    return response
