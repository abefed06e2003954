"""Reports: terminal tables, plots and files, rendered from stored results (plain dicts) only."""

from xitt.report.files import ReportFiles, write_report, write_reports
from xitt.report.results import Origin, StudyResults
from xitt.report.summary import json_summary
from xitt.report.terminal import render_summary

__all__ = ["Origin", "ReportFiles", "StudyResults", "json_summary", "render_summary", "write_report", "write_reports"]
