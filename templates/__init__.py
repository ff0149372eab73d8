"""Citizen-facing texts: Jinja2 templates and labels, one folder per language."""

from pathlib import Path

TEMPLATES_DIR = Path(__file__).parent
