"""The local router's greedy `{name+}` matching (devstack/gateway.py), as API Gateway
routes: a concrete route first, then the longest greedy prefix, the rest of the path kept."""
from __future__ import annotations

import pytest

from devstack.gateway import install, match_greedy

ROUTES = ["/open311/v2", "/open311/v2/services/{service}", "/open311/v2/{proxy+}", "/v1/{id}/files/{rest+}"]


@pytest.mark.parametrize("url,route,captured", [
    ("/open311/v2//services.xml", "/open311/v2/{proxy+}", {"proxy": "/services.xml"}),
    ("/open311/v2/a/b/c.json?x=1", "/open311/v2/{proxy+}", {"proxy": "a/b/c.json"}),
    ("/v1/7/files/x/y", "/v1/{id}/files/{rest+}", {"id": "7", "rest": "x/y"}),
])
def test_the_rest_of_the_path_goes_to_the_greedy_route(url, route, captured):
    assert match_greedy(ROUTES, url) == (route, captured)


@pytest.mark.parametrize("url", ["/open311/v2", "/open311/v2/", "/other/services.xml", "/v1//files/x"])
def test_no_greedy_route_takes_what_it_does_not_cover(url):
    assert match_greedy(ROUTES, url) is None


def test_a_concrete_route_still_wins_and_the_parameter_is_named_as_api_gateway_names_it():
    from chalice.local import RouteMatcher
    install()
    matcher = RouteMatcher(ROUTES)
    assert matcher.match_route("/open311/v2/services/ACK.json").route == "/open311/v2/services/{service}"
    one = matcher.match_route("/open311/v2/services.json")
    assert one.route == "/open311/v2/{proxy+}" and one.captured == {"proxy": "services.json"}
    assert matcher.match_route("/open311/v2//x").captured == {"proxy": "/x"}
    with pytest.raises(ValueError):
        matcher.match_route("/nowhere/x")
