"""`styrbord bench NAME [options]`: run one benchmark and print its JSON result.

Benchmarks compare a feature with a baseline measured in the same run, so the ratios mean
something on a noisy machine; speed targets live here, never in timed tests.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from styrbord.bench.registry import discover


class Command(BaseCommand):
    help = "Run a benchmark (coverage, import, pages, plan, export, ...) and print JSON with ratios."

    def add_arguments(self, parser: CommandParser) -> None:
        subparsers = parser.add_subparsers(dest="benchmark", required=True, metavar="NAME")
        for name, bench in sorted(discover().items()):
            sub = subparsers.add_parser(name, help=bench.help)
            bench.add_arguments(sub)

    def handle(self, *args: Any, **options: Any) -> None:
        bench = discover()[options["benchmark"]]
        result = bench.run(options)
        json.dump(result, sys.stdout, indent=2, ensure_ascii=False, default=str)
        sys.stdout.write("\n")
