"""The duplicate_module rule (see `check`)."""

from analyzer.checks.duplicate_module.check import RULE

__all__ = ["RULE"]
