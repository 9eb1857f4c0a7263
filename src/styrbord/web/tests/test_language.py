"""Danish by default, English one click away: the switch, the shell and complete catalogues."""

from __future__ import annotations

import gettext
import io
from pathlib import Path
from typing import Any

import pytest
from babel.messages.extract import extract
from babel.messages.pofile import read_po
from django.test import Client
from django.utils.translation.template import templatize

PACKAGE = Path(__file__).resolve().parents[2]
# Every English catalogue: each app's, and the project's (LOCALE_PATHS) for the strings of
# styrbord.lib, which is no app (the cost categories).
CATALOGUES = sorted(str(p.relative_to(PACKAGE)) for p in PACKAGE.glob("**/locale/en/LC_MESSAGES/django.po"))


def switch(client: Client, language: str, next_url: str) -> Any:
    return client.post("/i18n/setlang/", {"language": language, "next": next_url})


def test_the_shell_is_danish_by_default_and_english_after_the_switch(world: Any) -> None:
    client = Client()
    client.force_login(world.coordinator)
    danish = client.get("/").content.decode()
    assert '<html lang="da">' in danish
    assert "Log ud" in danish
    assert "Hovedmenu" in danish
    assert 'value="en"' in danish  # the button offers English

    response = switch(client, "en", "/tilbud/")
    assert response.status_code == 302
    assert response["Location"] == "/tilbud/"
    english = client.get("/tilbud/").content.decode()
    assert '<html lang="en">' in english
    assert "Log out" in english
    assert "Main menu" in english
    assert "Log ud" not in english
    assert "Contains data from the Danish Agency for Climate Data, DAGI" in english
    assert 'value="da"' in english  # and now offers Danish back

    switch(client, "da", "/")
    assert "Log ud" in client.get("/").content.decode()


def test_the_landing_page_describes_the_menu_in_english(world: Any) -> None:
    client = Client()
    client.force_login(world.coordinator)
    switch(client, "en", "/")
    response = client.get("/")
    entries = {e["url"]: e for e in response.context["entries"]}
    assert str(entries["/tilbud/"]["label"]) == "Facilities"
    assert entries["/tilbud/"]["description"].startswith("The facilities in your area")


def test_one_facility_reads_facility_and_the_list_facilities_in_english(world: Any) -> None:
    """Danish "Tilbud" is both one facility and many: a column or field of one facility is
    translated with its context ("one facility"), the menu and the list's title without."""
    client = Client()
    client.force_login(world.coordinator)
    switch(client, "en", "/")
    profile = client.get(f"/medarbejdere/{world.dolmer_staff[0].pk}/").content.decode()
    assert '<th scope="col">Facility</th>' in profile
    assert '<th scope="col">Facilities</th>' not in profile
    assert '<a href="/tilbud/">Facilities</a>' in profile  # the breadcrumb to the list
    bookings = client.get("/kurser/bookinger/").content.decode()
    assert '<th scope="col">Facility</th>' in bookings
    facility_list = client.get("/tilbud/").content.decode()
    assert "<h1>Facilities</h1>" in facility_list
    assert '<th scope="col">Facility</th>' in facility_list


def test_the_competence_catalogue_switches_to_english(world: Any) -> None:
    client = Client()
    client.force_login(world.coordinator)
    assert "Kompetencekatalog" in client.get("/kompetencer/").content.decode()
    switch(client, "en", "/kompetencer/")
    page = client.get("/kompetencer/").content.decode()
    assert "Competence catalogue" in page
    assert "Kompetencekatalog" not in page


def test_an_unknown_language_keeps_danish(world: Any) -> None:
    client = Client()
    client.force_login(world.coordinator)
    switch(client, "xx", "/")
    assert '<html lang="da">' in client.get("/").content.decode()


def test_every_app_with_translated_strings_has_a_catalogue() -> None:
    assert "locale/en/LC_MESSAGES/django.po" in CATALOGUES
    apps = {p.parent.name for p in PACKAGE.glob("*/apps.py")}
    assert {c.split("/")[0] for c in CATALOGUES} >= apps - {"bench"}


@pytest.mark.parametrize("path", CATALOGUES)
def test_the_english_catalogue_is_complete_and_compiled(path: str) -> None:
    po = PACKAGE / path
    mo = po.with_suffix(".mo")
    with po.open("rb") as handle:
        catalogue = read_po(handle)
    messages = [m for m in catalogue if m.id]
    assert messages, f"{po} has no messages"
    untranslated = [m.id for m in messages if not (all(m.string) if isinstance(m.string, tuple) else m.string)]
    fuzzy = [m.id for m in messages if m.fuzzy]
    assert untranslated == []
    assert fuzzy == []
    # The compiled catalogue Django loads says the same as the .po file.
    with mo.open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    for message in messages:
        if isinstance(message.id, tuple):
            assert compiled.ngettext(message.id[0], message.id[1], 2) == message.string[1]
        elif message.context:
            assert compiled.pgettext(message.context, message.id) == message.string
        else:
            assert compiled.gettext(message.id) == message.string


# The translation functions the sources call, as makemessages knows them (Babel's spec).
KEYWORDS: dict[str, Any] = {
    "_": None,
    "gettext": None,
    "gettext_lazy": None,
    "gettext_noop": None,
    "ngettext": (1, 2),
    "ngettext_lazy": (1, 2),
    "pgettext": ((1, "c"), 2),
    "pgettext_lazy": ((1, "c"), 2),
    "npgettext": ((1, "c"), 2, 3),
    "npgettext_lazy": ((1, "c"), 2, 3),
}


def _source_messages() -> list[tuple[str, int, str | None, str]]:
    """(file, line, context, message) of every translatable message in the package's code and
    templates; a template is turned into gettext calls the way makemessages does (templatize)."""
    found = []
    for path in sorted(PACKAGE.rglob("*")):
        parts = set(path.relative_to(PACKAGE).parts)
        if not path.is_file() or parts & {"tests", "migrations", "bench", "testing"}:
            continue
        if path.suffix == ".html" and "templates" in parts:
            # Indentation carries no meaning in templatize's output; the extractor wants none.
            text = templatize(path.read_text(encoding="utf-8"), origin=str(path))
            source = "\n".join(line.lstrip() for line in text.splitlines())
        elif path.suffix == ".py":
            source = path.read_text(encoding="utf-8")
        else:
            continue
        for line, message, _comments, context in extract(
            "python", io.BytesIO(source.encode()), keywords=KEYWORDS, options={"encoding": "utf-8"}
        ):
            msgid = message if isinstance(message, str) else message[0]
            if msgid:
                found.append((str(path.relative_to(PACKAGE)), line, context, msgid))
    return found


def test_every_message_in_the_code_and_templates_is_in_a_catalogue() -> None:
    """A message added after the last makemessages shows Danish on English pages ("Importér
    medarbejdere fra HR" over the facility list did). Django merges the apps' catalogues, so a
    message counts as translated when any catalogue has it."""
    known: set[tuple[str | None, str]] = set()
    for path in CATALOGUES:
        with (PACKAGE / path).open("rb") as handle:
            for message in read_po(handle):
                if message.id:
                    known.add((message.context, message.id if isinstance(message.id, str) else message.id[0]))
    messages = _source_messages()
    assert len(messages) > 1500  # the extraction reaches the code and the templates
    assert any(file.endswith(".html") for file, *_ in messages)
    missing = [f"{file}:{line}: {msgid!r}" for file, line, context, msgid in messages if (context, msgid) not in known]
    assert missing == []


def test_the_catalogues_agree_on_every_message_they_share() -> None:
    """Django merges the apps' catalogues, and the first app's translation of a message wins
    everywhere. So a message translated two ways is wrong in one of the places: "Tilbud" as
    "Facilities" in every table column, "Hold" as "Sessions" over one session. A message with
    two meanings gets a context ("one facility", "grant status") instead."""
    seen: dict[tuple[str | None, str], dict[str, list[str]]] = {}
    for path in CATALOGUES:
        with (PACKAGE / path).open("rb") as handle:
            for message in read_po(handle):
                if message.id and not isinstance(message.id, tuple):
                    key = (message.context, message.id)
                    seen.setdefault(key, {}).setdefault(message.string, []).append(path.split("/")[0])
    disagreements = {key: ways for key, ways in seen.items() if len(ways) > 1}
    assert disagreements == {}


def test_an_english_browser_still_gets_danish_pages_until_the_user_switches(world: Any) -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    client.force_login(world.coordinator)

    assert '<html lang="da">' in client.get("/tilbud/").content.decode()

    switch(client, "en", "/tilbud/")
    assert '<html lang="en">' in client.get("/tilbud/").content.decode()


def test_the_api_follows_accept_language(world: Any) -> None:
    client = Client()

    assert client.get("/api/v1/openapi.json", HTTP_ACCEPT_LANGUAGE="en")["Content-Language"] == "en"
    assert client.get("/api/v1/openapi.json", HTTP_ACCEPT_LANGUAGE="da")["Content-Language"] == "da"
    assert client.get("/konto/login/", HTTP_ACCEPT_LANGUAGE="en")["Content-Language"] == "da"


def test_cost_categories_are_english_after_the_switch(world: Any) -> None:
    """The cost categories live in styrbord.lib, outside every app: the project's catalogue has them."""
    from django.utils import translation

    from styrbord.lib.costs import CostCategory

    with translation.override("en"):
        assert [str(c.label) for c in (CostCategory.FEE, CostCategory.BACKFILL, CostCategory.VEU_REFUND)] == [
            "Course fee",
            "Backfill (wages)",
            "VEU compensation",
        ]
    with translation.override("da"):
        assert str(CostCategory.BACKFILL.label) == "Vikardækning (løn)"


def test_no_message_is_marked_inside_an_f_string() -> None:
    """makemessages does not read f-strings: _('opslag') inside one never reached a catalogue, and the
    word stayed Danish on English pages. Mark the message outside and format it in."""
    import re
    from pathlib import Path

    import styrbord

    marked = re.compile(r"""\bf(["'])[^"'\n]*\{\s*(_|gettext|pgettext|ngettext|gettext_lazy)\(""")
    found = [
        f"{path.relative_to(Path(styrbord.__file__).parent)}:{number}"
        for path in Path(styrbord.__file__).parent.rglob("*.py")
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if marked.search(line)
    ]
    assert found == []
