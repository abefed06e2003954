"""Reports: terminal tables and files, rendered from stored results (plain dicts) only."""

from xitt.report.files import write_results
from xitt.report.terminal import render_summary

__all__ = ["render_summary", "write_results"]
