"""Benchmarks are plain functions registered by name; `styrbord bench NAME` runs one and prints JSON.

Each app that has benchmarks provides ``benchmarks.py`` with a module-level
``BENCHMARKS: dict[str, Benchmark]``. A benchmark measures the feature *and* a baseline in
the same run and reports ratios, because absolute times on a shared machine mean little.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import import_module
from importlib.util import find_spec
from typing import Any

from django.apps import apps


@dataclass(frozen=True)
class Benchmark:
    """``run(options)`` returns a JSON-ready dict; ``add_arguments`` adds its own CLI flags."""

    help: str
    run: Callable[[dict[str, Any]], dict[str, Any]]
    add_arguments: Callable[[argparse.ArgumentParser], None] = field(default=lambda parser: None)


def discover() -> dict[str, Benchmark]:
    """All benchmarks of the installed Styrbord apps, by name."""
    found: dict[str, Benchmark] = {}
    for config in apps.get_app_configs():
        module_name = f"{config.name}.benchmarks"
        if config.name.startswith("styrbord.") and find_spec(module_name) is not None:
            module = import_module(module_name)
            for name, bench in getattr(module, "BENCHMARKS", {}).items():
                if name in found:
                    raise RuntimeError(f"benchmark {name!r} is registered twice")
                found[name] = bench
    return found
