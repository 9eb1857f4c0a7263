"""Every page's footer links the organisation's accessibility statement once it is configured."""

from __future__ import annotations

import pytest
from django.test import Client, override_settings

from styrbord.testing.fixtures import World

pytestmark = pytest.mark.django_db

STATEMENT = "https://www.was.digst.dk/styrbord-norddjurs-dk"


def test_the_footer_links_the_accessibility_statement_when_it_is_set(world: World) -> None:
    client = Client()
    assert "Tilgængelighedserklæring" not in client.get("/konto/login/").content.decode()
    with override_settings(ACCESSIBILITY_STATEMENT_URL=STATEMENT):
        login_page = client.get("/konto/login/").content.decode()
        assert f'<a href="{STATEMENT}" id="accessibility-statement">Tilgængelighedserklæring</a>' in login_page
        client.force_login(world.coordinator)
        assert f'href="{STATEMENT}"' in client.get("/tilbud/").content.decode()
        assert client.get("/this-page-does-not-exist/").content.decode().count(STATEMENT) == 1
