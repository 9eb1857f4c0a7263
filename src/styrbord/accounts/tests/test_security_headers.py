"""Security headers: CSP with a nonce and frame-ancestors 'none', and no caching of personal pages."""

from __future__ import annotations

from django.test import override_settings


def test_every_page_gets_a_strict_content_security_policy(db, client) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/konto/login/")
    policy = response["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives["default-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["object-src"] == "'none'"
    assert "'unsafe-eval'" not in policy
    assert directives["script-src"] == "'self'"  # no inline script on this page, so no nonce either
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert "camera=()" in response["Permissions-Policy"]


def test_a_page_with_an_inline_script_gets_a_fresh_nonce_per_request(rf) -> None:  # type: ignore[no-untyped-def]
    from csp.middleware import CSPMiddleware
    from django.http import HttpResponse
    from django.template import engines

    template = engines["django"].from_string('<script nonce="{{ request.csp_nonce }}">go()</script>')

    def view(request):  # type: ignore[no-untyped-def]
        return HttpResponse(template.render({}, request))

    nonces = []
    for _ in range(2):
        from django.contrib.auth.models import AnonymousUser

        request = rf.get("/")
        request.user = AnonymousUser()
        response = CSPMiddleware(view)(request)
        script = dict(p.strip().split(" ", 1) for p in response["Content-Security-Policy"].split(";"))["script-src"]
        nonce = script.split()[1]
        assert nonce.startswith("'nonce-")
        assert f'nonce="{nonce[7:-1]}"' in response.content.decode()
        assert "'unsafe-inline'" not in script
        nonces.append(nonce)
    assert nonces[0] != nonces[1]


@override_settings(SECURE_HSTS_SECONDS=31536000, SECURE_HSTS_INCLUDE_SUBDOMAINS=True, SECURE_SSL_REDIRECT=False)
def test_hsts_is_sent_over_https(db, client) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/konto/login/", secure=True)
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


def test_pages_for_a_logged_in_user_are_not_cached(world, client) -> None:  # type: ignore[no-untyped-def]
    client.force_login(world.coordinator)
    response = client.get("/")
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]


def test_session_and_csrf_cookies_are_http_only(db, client) -> None:  # type: ignore[no-untyped-def]
    from django.conf import settings

    assert settings.SESSION_COOKIE_HTTPONLY
    assert settings.CSRF_COOKIE_HTTPONLY
    response = client.get("/konto/login/")
    assert response.cookies["csrftoken"]["httponly"]
