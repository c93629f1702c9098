"""A real OpenID Connect provider for the tests, on loopback: a small Django project with
django-oauth-toolkit (OIDC on, an RS256 key made at start, an application that skips the consent
page), run in a subprocess by sso/tests/conftest.py (`python -m sso.tests.provider.serve`). Test-only
endpoints sign a browser in as a person with the claims a test wants, and age authorization codes."""
