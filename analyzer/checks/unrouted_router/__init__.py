"""The unrouted_router rule (see `check`)."""

from analyzer.checks.unrouted_router.check import RULE

__all__ = ["RULE"]
