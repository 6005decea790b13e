"""The steering-committee report: one self-contained HTML file, optionally PDF
(``docs/reference/drivers-and-report.md``)."""
