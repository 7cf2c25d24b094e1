"""API Gateway's greedy path variable (`{name+}`), taught to Chalice's local router.

API Gateway sends a path that no concrete resource matches to a sibling `{name+}` resource,
with the rest of the path (one or more segments, slashes kept) as the path parameter `name`.
Chalice deploys such a route but its local router (`chalice local` and `chalice.test.Client`)
matches whole segments only and names the parameter `name+`. This module makes the local
router do what API Gateway does, so that the Open311 catch-all (`/open311/v2/{proxy+}`) is
exercised the same way by the tests, by the local stack and in AWS:

- a concrete or single-variable route still wins, as in API Gateway;
- otherwise the longest greedy route whose prefix matches takes the rest of the path,
  including empty segments (a doubled slash), which API Gateway passes on as well;
- the captured parameter is named without the `+`, as API Gateway names it.

`install()` is idempotent; devstack/chalice_local.py and tests/conftest.py call it.
"""
from __future__ import annotations

from urllib.parse import parse_qs, urlparse

_installed = False


def _greedy(route_url: str) -> str | None:
    last = route_url.rsplit("/", 1)[-1]
    return last[1:-2] if last.startswith("{") and last.endswith("+}") else None


def match_greedy(route_urls, url: str):
    """(route, captured) of the greedy route that takes `url`, or None."""
    path = urlparse(url).path
    parts = path.split("/")
    best = None
    for route_url in route_urls:
        name = _greedy(route_url)
        if name is None:
            continue
        prefix = route_url.split("/")[:-1]
        if len(parts) <= len(prefix):
            continue
        captured = {}
        for got, want in zip(parts, prefix):
            if want.startswith("{") and want.endswith("}"):
                if not got:
                    break
                captured[want[1:-1]] = got
            elif got != want:
                break
        else:
            rest = "/".join(parts[len(prefix):])
            if not rest:
                continue
            captured[name] = rest
            if best is None or len(prefix) > best[2]:
                best = (route_url, captured, len(prefix))
    return None if best is None else best[:2]


def install() -> None:
    global _installed
    if _installed:
        return
    from chalice import local
    single = local.RouteMatcher.match_route

    def match_route(self, url: str):
        try:
            found = single(self, url)
        except ValueError:
            greedy = match_greedy(self.route_urls, url)
            if greedy is None:
                raise
            route_url, captured = greedy
            query = parse_qs(urlparse(url).query, keep_blank_values=True)
            return local.MatchResult(route_url, captured, query)
        if _greedy(found.route):      # one segment matched `{name+}`: API Gateway names it `name`
            found = found._replace(captured={k.rstrip("+"): v for k, v in found.captured.items()})
        return found

    local.RouteMatcher.match_route = match_route
    _installed = True
