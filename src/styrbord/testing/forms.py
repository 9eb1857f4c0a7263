"""What a browser would send for a form on a page: for tests that post pages' forms back."""

from __future__ import annotations

from typing import Any

from lxml import html


def form_data(form: Any) -> dict[str, Any]:
    """The values a browser submits for ``form`` (an lxml element) as it stands: its inputs,
    selects and text areas, without the submit buttons and files; a select with no option marked
    sends its first one."""
    data: dict[str, list[str]] = {}
    for element in form.xpath(".//input | .//select | .//textarea"):
        name = element.get("name")
        if not name or element.get("disabled") is not None:
            continue
        if element.tag == "select":
            options = element.xpath(".//option")
            chosen = [o for o in options if o.get("selected") is not None]
            if not chosen and element.get("multiple") is None and options:
                chosen = options[:1]
            data.setdefault(name, []).extend(o.get("value", o.text or "") for o in chosen)
        elif element.tag == "textarea":
            data.setdefault(name, []).append(element.text or "")
        else:
            kind = (element.get("type") or "text").lower()
            if kind in {"submit", "button", "file", "image", "reset"}:
                continue
            if kind in {"checkbox", "radio"} and element.get("checked") is None:
                continue
            data.setdefault(name, []).append(element.get("value", "on" if kind == "checkbox" else ""))
    return {name: values if len(values) > 1 else values[0] for name, values in data.items() if values}


def page_forms(content: bytes, xpath: str = "//form") -> list[Any]:
    """The forms of an HTML page matching ``xpath``."""
    return list(html.fromstring(content).xpath(xpath))
