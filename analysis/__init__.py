"""Reproducible analysis of the case-file audit in HMICFRS's 2019 child protection inspection of Gwent Police."""

import sys

from analysis.data.errors import AuditDataError

if "IPython" in sys.modules:  # in a notebook kernel: stable text/plain for pandas Stylers (the command line needs no pandas to start)
    from analysis.display import register_formatters

    register_formatters()

__all__ = ["AuditDataError"]
__version__ = "0.1.0"
