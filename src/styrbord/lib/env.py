"""Typed readers for deploy-time settings that fail loudly on a bad value."""

from __future__ import annotations

import os
import re


class ConfigurationError(RuntimeError):
    """A deploy-time setting is missing or malformed."""


def envstr(name: str, default: str | None = None) -> str | None:
    """Return the variable as a string, or ``default`` when unset or empty."""
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value


def envbool(name: str, default: bool) -> bool:
    """Read a boolean: accepts true/false, yes/no, on/off, 1/0 in any case."""
    value = envstr(name)
    if value is None:
        return default
    lowered = value.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ConfigurationError(f"{name}={value!r} is not a boolean (use true or false)")


def envint(name: str, default: int) -> int:
    """Read an integer or raise a ConfigurationError naming the variable."""
    value = envstr(name)
    if value is None:
        return default
    try:
        return int(value)
    except ValueError:
        raise ConfigurationError(f"{name}={value!r} is not a whole number") from None


def envlist(name: str, default: list[str]) -> list[str]:
    """Read a comma-separated list; blanks are dropped."""
    value = envstr(name)
    if value is None:
        return list(default)
    return [item.strip() for item in value.split(",") if item.strip()]


def envchoice(name: str, default: str, choices: tuple[str, ...]) -> str:
    """Read one of a fixed set of values."""
    value = envstr(name, default)
    assert value is not None
    if value not in choices:
        raise ConfigurationError(f"{name}={value!r} must be one of {', '.join(choices)}")
    return value


def envsecret(name: str, *, required: bool, dev_default: str) -> str:
    """Read a secret; required in production, where the dev default is refused."""
    value = envstr(name)
    if value is None:
        if required:
            raise ConfigurationError(f"{name} must be set in production")
        return dev_default
    if required and (len(value) < 32 or value == dev_default):
        raise ConfigurationError(f"{name} must be a random value of at least 32 characters")
    return value


def envhttps(name: str) -> str | None:
    """Read an https:// address (None when unset)."""
    value = envstr(name)
    if value is None:
        return None
    value = value.strip()
    rest = value.removeprefix("https://")
    if rest == value or not rest or any(c.isspace() for c in value) or '"' in value:
        raise ConfigurationError(f"{name}={value!r} must be an https:// address")
    return value


_RATE = re.compile(r"^(\d+)/(s|sec|m|min|h|hour|d|day)$")
_RATE_UNITS = {"s": "s", "sec": "s", "m": "m", "min": "m", "h": "h", "hour": "h", "d": "d", "day": "d"}


def envrate(name: str, default: str | None) -> str | None:
    """Read a request rate like ``600/min`` (units s, min, hour, day) as ``"600/m"``; ``off``
    (or ``0``) gives None, no limit."""
    value = envstr(name, default)
    if value is None or value.strip().lower() in {"off", "0"}:
        return None
    found = _RATE.match(value.strip().replace(" ", ""))
    if not found or int(found.group(1)) < 1:
        raise ConfigurationError(f"{name}={value!r} is not a rate (use e.g. 600/min, 20/s or off)")
    return f"{int(found.group(1))}/{_RATE_UNITS[found.group(2)]}"
