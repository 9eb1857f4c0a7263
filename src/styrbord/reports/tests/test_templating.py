"""A municipality's own Word template: accepted when valid, refused in Danish when not."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

import docx
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from styrbord.reports import services
from styrbord.reports.documents.default_template import DEFAULT_TEMPLATE_PATH
from styrbord.reports.models import DocumentTemplate
from styrbord.reports.templating import TemplateUploadError, upload_template, validate_template
from styrbord.reports.tests.conftest import SeedCase, docx_to_pdf, pdf_text, save_page_images
from styrbord.testing.factories import municipality
from styrbord.testing.fixtures import World


def _template_with(text: str) -> bytes:
    """The default template with one more paragraph (e.g. a letterhead line or a placeholder)."""
    document = docx.Document(str(DEFAULT_TEMPLATE_PATH))
    document.sections[0].header.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _upload(user: Any, data: bytes, name: str = "skabelon.docx") -> Any:
    return _client(user).post(
        reverse("reports:template_list"),
        {
            "name": "Norddjurs brevpapir",
            "document_type": "",
            "municipality": municipality("0707").pk,
            "file": SimpleUploadedFile(name, data),
        },
    )


def test_the_default_template_is_valid() -> None:
    placeholders = validate_template(DEFAULT_TEMPLATE_PATH.read_bytes())
    assert {"heading", "recommendations", "municipality", "sections"} <= set(placeholders)


def test_a_valid_template_is_stored_and_used_for_the_municipalitys_documents(
    world: World, seed_case: SeedCase, media: Path
) -> None:
    response = _upload(world.coordinator, _template_with("Center for Social og Sundhed · {{ case_number }}"))
    assert response.status_code == 302
    template = DocumentTemplate.objects.get()
    assert template.active
    assert template.municipality.code == "0707"
    request = services.make_request("pool_release", f"pool:{seed_case.pool.pk}", "2025")
    output = services.render(services.build_document(request), "docx", request)
    header = "".join(
        zipfile.ZipFile(io.BytesIO(output)).read(n).decode()
        for n in zipfile.ZipFile(io.BytesIO(output)).namelist()
        if n.startswith("word/header")
    )
    assert "Center for Social og Sundhed · 24/9263" in header


def test_a_new_template_replaces_the_active_one(world: World, media: Path) -> None:
    first = upload_template(
        world.coordinator, municipality("0707"), "", "Første", "a.docx", DEFAULT_TEMPLATE_PATH.read_bytes()
    )
    second = upload_template(
        world.coordinator, municipality("0707"), "", "Anden", "b.docx", DEFAULT_TEMPLATE_PATH.read_bytes()
    )
    first.refresh_from_db()
    assert not first.active
    assert second.active
    assert services.template_for(municipality("0707"), "pool_release") == second


def test_unknown_placeholders_are_listed_in_danish(world: World, media: Path) -> None:
    response = _upload(world.coordinator, _template_with("Borgmester: {{ mayor_name }} {{ heading }}"))
    assert response.status_code == 400
    content = response.content.decode()
    assert "Skabelonen bruger ukendte pladsholdere: {{ mayor_name }}" in content
    assert not DocumentTemplate.objects.exists()


def test_a_file_that_is_not_a_docx_is_refused(world: World, media: Path) -> None:
    response = _upload(world.coordinator, b"Dette er ikke et Word-dokument", name="skabelon.docx")
    assert response.status_code == 400
    assert "Filen er ikke et Word-dokument (.docx)" in response.content.decode()


def test_a_zip_without_a_word_document_is_refused() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hej.txt", "hej")
    with pytest.raises(TemplateUploadError, match=r"mangler word/document\.xml"):
        validate_template(buffer.getvalue())


def _bomb() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", "<w:document/>")
        archive.writestr("word/media/bomb.bin", b"\0" * (20 * 1024 * 1024))
    assert len(buffer.getvalue()) < 100_000
    return buffer.getvalue()


def test_a_zip_bomb_is_refused(world: World, media: Path) -> None:
    with pytest.raises(TemplateUploadError, match="zip-bombe"):
        validate_template(_bomb())
    response = _upload(world.coordinator, _bomb())
    assert response.status_code == 400
    assert "mistænkeligt meget data" in response.content.decode()
    assert not DocumentTemplate.objects.exists()


def test_an_archive_larger_unpacked_than_the_limit_is_refused(settings: Any) -> None:
    settings.UPLOAD_MAX_UNPACKED_BYTES = 10_000
    with pytest.raises(TemplateUploadError, match="udpakket"):
        validate_template(DEFAULT_TEMPLATE_PATH.read_bytes())


def test_an_upload_over_the_size_limit_is_refused(world: World, media: Path, settings: Any) -> None:
    settings.UPLOAD_MAX_BYTES = 1000
    response = _upload(world.coordinator, DEFAULT_TEMPLATE_PATH.read_bytes())
    assert response.status_code == 400  # stopped while streaming in
    assert not DocumentTemplate.objects.exists()
    with pytest.raises(TemplateUploadError, match="Filen er for stor"):
        validate_template(DEFAULT_TEMPLATE_PATH.read_bytes())


def test_a_template_cannot_reach_python_internals() -> None:
    with pytest.raises(TemplateUploadError, match="kunne ikke udfyldes"):
        validate_template(_template_with("{{ heading.__class__.__mro__ }}"))


def test_only_coordinators_and_admins_manage_templates(world: World, media: Path) -> None:
    for user in (world.finance, world.manager, world.analyst, world.grantor_user, world.employee_user):
        assert _client(user).get(reverse("reports:template_list")).status_code == 403
    assert _client(world.coordinator).get(reverse("reports:template_list")).status_code == 200


def test_another_municipalitys_template_is_invisible_and_cannot_be_switched_off(world: World, media: Path) -> None:
    template = upload_template(
        world.coordinator, municipality("0707"), "", "Norddjurs", "a.docx", DEFAULT_TEMPLATE_PATH.read_bytes()
    )
    other = _client(world.other_coordinator)
    assert "Norddjurs" not in other.get(reverse("reports:template_list")).content.decode().split("<main", 1)[1]
    response = other.post(reverse("reports:template_deactivate", args=[template.pk]))
    assert response.status_code == 404
    template.refresh_from_db()
    assert template.active


def _letterhead_template() -> bytes:
    """What a municipality does in Word: our template with a logo and an address in the header,
    a serif green heading style, and the placeholders left as they were."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm, Pt, RGBColor
    from PIL import Image, ImageDraw

    logo = io.BytesIO()
    image = Image.new("RGB", (360, 90), (255, 255, 255))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, 89, 89), fill=(0, 110, 70))
    draw.ellipse((18, 18, 71, 71), fill=(255, 255, 255))
    draw.rectangle((105, 30, 350, 60), fill=(0, 110, 70))
    image.save(logo, format="PNG")
    logo.seek(0)

    document = docx.Document(str(DEFAULT_TEMPLATE_PATH))
    header = document.sections[0].header
    first = header.paragraphs[0].insert_paragraph_before()
    first.add_run().add_picture(logo, width=Cm(5))
    address = header.add_paragraph("Center for Social og Sundhed · Torvet 3, 8500 Grenaa · Sag {{ case_number }}")
    address.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    for name in ("Heading 1", "Heading 2"):
        style = document.styles[name]
        style.font.name = "DejaVu Serif"
        style.font.color.rgb = RGBColor(0x00, 0x6E, 0x46)
    document.styles["Normal"].font.size = Pt(10.5)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def test_an_uploaded_letterhead_with_logo_and_own_styles_fills_and_opens_in_libreoffice(
    world: World, seed_case: SeedCase, media: Path, tmp_path: Path, soffice_profile: Path
) -> None:
    response = _upload(world.coordinator, _letterhead_template(), name="norddjurs-brevpapir.docx")
    assert response.status_code == 302
    request = services.make_request("pool_release", f"pool:{seed_case.pool.pk}", "2025-2027")
    output = services.render(services.build_document(request), "docx", request)

    rendered = docx.Document(io.BytesIO(output))
    assert rendered.styles["Heading 2"].font.name == "DejaVu Serif"  # the municipality's styles are kept
    assert any(r.reltype.endswith("/image") for r in rendered.sections[0].header.part.rels.values())
    pdf = docx_to_pdf(output, tmp_path, soffice_profile, "brevpapir")
    text = pdf_text(pdf)
    for expected in (
        "Center for Social og Sundhed · Torvet 3, 8500 Grenaa · Sag 24/9263",
        "Frigivelse af puljer til kompetenceudvikling i socialpsykiatriske botilbud",
        "Tilskuddet udgør i alt 1,022 mio. kr. i projektperioden",
        "der gives tillægsbevilling på 0,700 mio. kr. i 2025",
        "der gives tillægsbevilling på 0,322 mio. kr. i 2025",
    ):
        assert expected in text, expected
    assert "{{" not in text, "a placeholder was left unfilled"
    assert "{%" not in text, "a template tag was left in the text"
    assert save_page_images(pdf, "pool-release-custom-template")


@pytest.mark.parametrize(
    ("placeholder", "expected"),
    [
        (
            "{% for line in summary %}{{ line }}",
            "Skabelonen har en fejl i en pladsholder: en {% for %} mangler sin {% endfor %}.",
        ),
        (
            "{% if heading %}{{ heading }}",
            "Skabelonen har en fejl i en pladsholder: en {% if %} mangler sin {% endif %}.",
        ),
        (
            "{% for line in summary %}{{ line }}{% endif %}",
            "Skabelonen har en fejl i en pladsholder: {% endif %} står, hvor {% endfor %} skulle lukke en {% for %}.",
        ),
        (
            "{% endfor %}",
            "Skabelonen har en fejl i en pladsholder: der står en {% endfor %} uden en {% for %} før den.",
        ),
        (
            "Overskrift: {{ heading / }}",
            "Skabelonen har en fejl i pladsholderen »{{ heading / }}«: pladsholderen slutter, før det",
        ),
        (
            "Overskrift: {{ /heading }}",
            "Skabelonen har en fejl i pladsholderen »{{ /heading }}«: tegnet »/« hører ikke til i en pladsholder.",
        ),
        ("{{ heading }", "en pladsholder er lukket med } i stedet for }}"),
        ("{% /for %}", "efter {% skal der stå en kommando"),
    ],
)
def test_a_placeholder_error_is_told_in_danish_with_where_it_is(placeholder: str, expected: str) -> None:
    with pytest.raises(TemplateUploadError) as raised:
        validate_template(_template_with(placeholder))
    message = str(raised.value)
    assert expected in message
    for english in ("Jinja", "Unexpected", "unexpected", "expected", "template", "tag"):
        assert english not in message, message


def test_a_placeholder_error_gives_the_line_when_the_template_has_lines() -> None:
    from jinja2 import TemplateSyntaxError

    from styrbord.reports.documents.word import jinja_environment
    from styrbord.reports.templating import syntax_error_message

    source = "\n" * 11 + "{% for x in y %}\n{{ x }}"
    with pytest.raises(TemplateSyntaxError) as raised:
        jinja_environment().parse(source)
    raised.value.source = source
    assert syntax_error_message(raised.value) == (
        "Skabelonen har en fejl i en pladsholder på linje 13: en {% for %} mangler sin {% endfor %}."
    )
