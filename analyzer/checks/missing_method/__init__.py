"""The missing_method rule (see `check`)."""

from analyzer.checks.missing_method.check import RULE

__all__ = ["RULE"]
