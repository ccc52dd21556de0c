from __future__ import annotations

import pytest

from embedded_site import boot


@pytest.fixture(scope="session")
def site():
    """The lesson site booted as its hosts boot it; Django's test clients then reach it."""
    boot()


@pytest.fixture
def client(site):
    """Django's own test client, as the host the site allows."""
    from django.test import Client

    return Client(HTTP_HOST="site.local")


@pytest.fixture
def async_client(site):
    """Django's async test client (through the ASGI handler), as the host the site allows."""
    from django.test import AsyncClient

    class SiteClient(AsyncClient):
        # Django's async test client always sends "Host: testserver"; ours is site.local.
        async def request(self, **scope):
            headers = [(k, v) for k, v in scope["headers"] if k != b"host"]
            scope["headers"] = [*headers, (b"host", b"site.local")]
            return await super().request(**scope)

    return SiteClient()
