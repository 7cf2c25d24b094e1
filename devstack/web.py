"""Serves web/ on the local stack, with a generated config.js that points the pages at
the local API (in AWS the deploy writes config.js into the site bucket)."""
from __future__ import annotations

import functools
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

WEB = Path(__file__).resolve().parent.parent / "web"

# The pages' Content-Security-Policy: scripts, styles and everything else from the site
# itself; calls only to the API and, for an upload, the attachment store; never framed.
# infra/template.json's WebHeadersPolicy states the same directives for the CDN (a test
# holds them together). `blob:` images are the thumbnails of the photos a citizen picks in the
# form (object URLs of her own files, never fetched from anywhere).
CSP_DIRECTIVES = ("default-src 'self'", "script-src 'self'", "style-src 'self'", "img-src 'self' data: blob: https:",
                  "font-src 'self'", "manifest-src 'self'", "worker-src 'self'", "object-src 'none'",
                  "base-uri 'none'", "form-action 'self'", "frame-ancestors 'none'")


def content_security_policy(connect: list[str], images: list[str] | tuple = ()) -> str:
    """`connect`: the API and the attachment store. `images`: where else images may come
    from; a thumbnail of a citizen's photo is its presigned download, https in AWS (which
    img-src already allows), the local stand-in's http address here."""
    directives = [" ".join([d, *images]) if d.startswith("img-src") else d for d in CSP_DIRECTIVES]
    return "; ".join([*directives, "connect-src 'self' " + " ".join(connect)])


def config_js(api_base: str) -> bytes:
    """The site's configuration: the API's address, and the deployment's own identity
    (OFFICE_NAME, OFFICE_SUBTITLE, OFFICE_LOGO: a logo URL the deployment has the right to
    use), so that an office brands its pages without changing code; and, only where the
    deployment has a tile service it may use, MAP_TILES (an https address with {z}, {x} and
    {y}) and MAP_ATTRIBUTION, for the optional map beside the phone's position."""
    import json
    import os
    cfg = {"apiBase": api_base}
    for key, env in (("officeName", "OFFICE_NAME"), ("officeSubtitle", "OFFICE_SUBTITLE"), ("logoUrl", "OFFICE_LOGO"),
                     ("mapTiles", "MAP_TILES"), ("mapAttribution", "MAP_ATTRIBUTION")):
        if os.environ.get(env):
            cfg[key] = os.environ[env]
    return f"window.ACIKKAPI_CONFIG = {json.dumps(cfg, ensure_ascii=False)};\n".encode("utf-8")


class Handler(SimpleHTTPRequestHandler):
    config = b""
    csp = ""
    extensions_map = {**SimpleHTTPRequestHandler.extensions_map, ".webmanifest": "application/manifest+json",
                      ".js": "application/javascript"}

    def do_GET(self):  # noqa: N802
        if self.path.split("?")[0] == "/config.js":
            self.send_response(200)
            self.send_header("Content-Type", "application/javascript; charset=utf-8")
            self.send_header("Content-Length", str(len(self.config)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(self.config)
            return
        super().do_GET()

    def end_headers(self):
        if self.path.split("?")[0] == "/sw.js":   # the browser checks the worker for a new version
            self.send_header("Cache-Control", "no-cache")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Referrer-Policy", "no-referrer")
        self.send_header("X-Frame-Options", "DENY")
        self.send_header("Content-Security-Policy", self.csp)
        super().end_headers()

    def log_message(self, *args):  # quiet
        pass


def serve(host: str, port: int, api_base: str, upload_origin: str = "") -> ThreadingHTTPServer:
    """`upload_origin`: where presigned uploads go (moto's address on the local stack)."""
    handler = type("ConfiguredHandler", (Handler,), {
        "config": config_js(api_base),
        "csp": content_security_policy([o for o in (api_base, upload_origin) if o],
                                       images=[upload_origin] if upload_origin else [])})
    server = ThreadingHTTPServer((host, port), functools.partial(handler, directory=str(WEB)))
    threading.Thread(target=server.serve_forever, name="web", daemon=True).start()
    return server
