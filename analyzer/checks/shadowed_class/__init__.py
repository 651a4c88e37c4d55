"""The shadowed_class rule (see `check`)."""

from analyzer.checks.shadowed_class.check import RULE

__all__ = ["RULE"]
