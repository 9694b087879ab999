"""Reproducible analysis of the case-file audit in HMICFRS's 2019 child protection inspection of Gwent Police."""

from analysis.data.errors import AuditDataError
from analysis.display import register_formatters

register_formatters()  # stable text/plain for pandas Stylers when imported in a notebook kernel

__all__ = ["AuditDataError"]
__version__ = "0.1.0"
