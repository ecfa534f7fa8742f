"""Every form of the app has a bad-value check: a new page form without one fails here.

The page routes that take a POST are read from the app itself and must each be named in
``tests/browser/test_forms_fail_well.py`` (checked in the browser, a one-button form, or a form
only shown in a state the demo city does not have, with the test that covers it).
"""

from __future__ import annotations

from tests.browser.test_forms_fail_well import BAD_VALUE_CHECKS, NO_VALUE_FORMS, STATE_FORMS


def _page_posts(app) -> set[str]:
    return {
        route.path
        for route in app.routes
        for handler in getattr(route, "route_handlers", [])
        if "POST" in getattr(handler, "http_methods", ())
        and not route.path.startswith(("/api/", "/health", "/static", "/schema"))
    }


def test_every_page_form_has_a_bad_value_check(app):
    listed = set(BAD_VALUE_CHECKS) | set(NO_VALUE_FORMS) | set(STATE_FORMS)
    missing = _page_posts(app) - listed
    assert not missing, f"page forms without a bad-value check in the browser test: {missing}"


def test_the_form_registry_names_no_route_that_is_gone(app):
    gone = (set(BAD_VALUE_CHECKS) | set(NO_VALUE_FORMS) | set(STATE_FORMS)) - _page_posts(app)
    assert not gone, gone


def test_a_form_is_listed_once():
    names = [*BAD_VALUE_CHECKS, *NO_VALUE_FORMS, *STATE_FORMS]
    assert len(names) == len(set(names))
