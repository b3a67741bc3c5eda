"""A static, offline HTML report of the published warehouse: `<warehouse>/site/index.html` + episode pages."""

from __future__ import annotations

from warehouse.report.site import build_report, site_dir

__all__ = ["build_report", "site_dir"]
