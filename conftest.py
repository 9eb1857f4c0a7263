"""Root conftest: every app's tests share the fixtures in styrbord.testing.fixtures."""

import os

os.environ.setdefault("STYRBORD_ENV", "test")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "styrbord.settings")

pytest_plugins = ["styrbord.testing.fixtures", "styrbord.testing.logscan"]
