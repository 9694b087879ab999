"""Reproducible analysis of the case-file audit in HMICFRS's 2019 child protection inspection of Gwent Police."""

from analysis.errors import AuditDataError

__all__ = ["AuditDataError"]
__version__ = "0.1.0"
