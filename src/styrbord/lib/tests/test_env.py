"""The typed settings readers fail loudly, naming the variable, on a bad value."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from styrbord.lib.env import ConfigurationError, envbool, envchoice, envhttps, envint, envlist, envsecret, envstr


def test_unset_and_empty_values_give_the_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("STYRBORD_X", raising=False)
    assert envstr("STYRBORD_X", "d") == "d"
    monkeypatch.setenv("STYRBORD_X", "")
    assert envint("STYRBORD_X", 7) == 7
    assert envbool("STYRBORD_X", True) is True
    assert envlist("STYRBORD_X", ["a"]) == ["a"]


def test_values_are_parsed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STYRBORD_X", " Off ")
    assert envbool("STYRBORD_X", True) is False
    monkeypatch.setenv("STYRBORD_X", "42")
    assert envint("STYRBORD_X", 0) == 42
    monkeypatch.setenv("STYRBORD_X", "a.dk, ,b.dk")
    assert envlist("STYRBORD_X", []) == ["a.dk", "b.dk"]


@pytest.mark.parametrize(
    ("reader", "value", "message"),
    [
        (lambda: envbool("STYRBORD_X", False), "maybe", "is not a boolean"),
        (lambda: envint("STYRBORD_X", 0), "4.5", "is not a whole number"),
        (lambda: envchoice("STYRBORD_X", "a", ("a", "b")), "c", "must be one of a, b"),
    ],
)
def test_a_bad_value_names_the_variable(monkeypatch: pytest.MonkeyPatch, reader, value: str, message: str) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("STYRBORD_X", value)
    with pytest.raises(ConfigurationError, match=rf"STYRBORD_X={value!r} {message}"):
        reader()


def test_a_production_secret_must_be_set_long_and_not_the_dev_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("STYRBORD_X", raising=False)
    with pytest.raises(ConfigurationError, match="must be set in production"):
        envsecret("STYRBORD_X", required=True, dev_default="dev")
    assert envsecret("STYRBORD_X", required=False, dev_default="dev") == "dev"
    monkeypatch.setenv("STYRBORD_X", "short")
    with pytest.raises(ConfigurationError, match="at least 32 characters"):
        envsecret("STYRBORD_X", required=True, dev_default="dev")
    monkeypatch.setenv("STYRBORD_X", "x" * 40)
    assert envsecret("STYRBORD_X", required=True, dev_default="dev") == "x" * 40


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("STYRBORD_SESSION_SECONDS", "sixty", "STYRBORD_SESSION_SECONDS='sixty' is not a whole number"),
        # The audit log keeps views and exports at least six months.
        ("STYRBORD_AUDIT_ACCESS_MONTHS", "3", "STYRBORD_AUDIT_ACCESS_MONTHS must be at least 6"),
    ],
)
def test_the_settings_refuse_to_load_with_a_bad_value(name: str, value: str, message: str) -> None:
    env = {**os.environ, name: value, "DJANGO_SETTINGS_MODULE": "styrbord.settings"}
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"], env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode != 0
    assert message in result.stderr


def test_an_https_address_is_read_and_anything_else_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("STYRBORD_X", raising=False)
    assert envhttps("STYRBORD_X") is None
    monkeypatch.setenv("STYRBORD_X", " https://www.was.digst.dk/norddjurs-dk ")
    assert envhttps("STYRBORD_X") == "https://www.was.digst.dk/norddjurs-dk"
    for bad in ("http://was.digst.dk/x", "was.digst.dk/x", "https://", "https://a b", 'https://a"onclick'):
        monkeypatch.setenv("STYRBORD_X", bad)
        with pytest.raises(ConfigurationError, match=r"STYRBORD_X=.* must be an https:// address"):
            envhttps("STYRBORD_X")
