"""The orphan_module rule (see `check`)."""

from analyzer.checks.orphan_module.check import RULE

__all__ = ["RULE"]
