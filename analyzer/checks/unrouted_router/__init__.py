"""unrouted-router: a router, blueprint or controller that is never mounted.

## What it finds
A router whose endpoints never reach an application: no chain of `include_router`,
`register_blueprint`, `mount` or Starlette `Mount` calls, Litestar `route_handlers=[...]` lists
and `register` calls, or Django Ninja `add_router` calls leads from a `FastAPI(...)`,
`Flask(...)`, `Starlette(...)`, `Litestar(...)` or `NinjaAPI(...)` object to it. A router is a
FastAPI `APIRouter`, a Flask `Blueprint`, a Starlette, Litestar or Ninja `Router`, a Litestar
`Controller` subclass, or a Litestar handler function (`@get("/x")`), which something must list;
the handlers a router lists are reported with it. Chains are followed through aggregator routers,
package re-exports, import aliases, module attributes (`items.router`), app factories, the
variables holding their results and the module-level routers they return, `functools.partial`
of a mount method, helper functions that mount their parameter
(`def add(app, router): app.include_router(router)`, called in their own module), and loops
over literal lists of routers or modules.

For each endpoint (method and path) the finding names the mounted endpoint that replaces it: same
method, every segment of the old path kept in order, same last segment
(`/my/chat/{id}/events/` → `/my/projects/{pid}/chat/{id}/events/`), and any documentation that
marks the old path deprecated.

## Why is this bad?
The endpoints look alive in the code and in reviews, but no request can reach them: they rot,
they mislead, and whatever they call looks used.

## Example
`app/routes/sse.py` defines `router = APIRouter(prefix="/my/chat")`; `app/routes/__init__.py`
imports the module but `app/main.py` never calls `app.include_router(sse.router)`.

## Fix
When every endpoint has a mounted replacement or is documented as deprecated: delete the module
and drop it from its package's imports and `__all__` (not when the module is still used, or also
holds the application or a mounted router). Otherwise: mount it, or delete it by hand.

## Blind spots
A project without any application object is not judged (a library of routers). Mounts that
cannot be read statically (`importlib.import_module`, `getattr(module, "router")`, plugin
loaders, a mounting helper that other modules call) make every router they could stand for
uncertain: those are listed as diagnostics, not findings. A mount onto an object the index
cannot identify is assumed to be onto an application; so is an unbound Litestar
`Router(...)` written inside another's list (what it lists counts as listed when its code runs).
A Litestar `Router`'s own prefix is read from its `path=` keyword only.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from analyzer.checks import Rule
from analyzer.checks.unrouted_router import examples
from analyzer.checks.unrouted_router.details import RULE_ID, DeleteRouter, MountRouter
from analyzer.findings import Finding

if TYPE_CHECKING:
    from analyzer.fixes.context import PlanOptions
    from analyzer.reporting import RuleReport


class UnroutedRouter(Rule):
    id = RULE_ID
    summary = "A router, blueprint or controller whose endpoints are never mounted on the application."
    doc = __doc__ or ""
    valid = examples.VALID
    invalid = examples.INVALID
    urgency = 40



    def fix_summary(self, finding: Finding, options: PlanOptions) -> str:
        spec = finding.fix
        if isinstance(spec, MountRouter):
            if options.drop_unrouted:
                return f"delete {spec.path} (router {spec.router} is never mounted)"
            return f"keep {spec.path}: router {spec.router} is never mounted"
        assert isinstance(spec, DeleteRouter)
        return f"delete {spec.path}"

    def intended_deletions(self, finding: Finding, options: PlanOptions) -> list[str]:
        spec = finding.fix
        if isinstance(spec, DeleteRouter) or (isinstance(spec, MountRouter) and options.drop_unrouted):
            return [spec.path]
        return []

    def describe_fix(self, finding: Finding) -> str:
        spec = finding.fix
        if isinstance(spec, MountRouter):
            return f"mount {spec.module}.{spec.router} on the application, or delete it"
        assert isinstance(spec, DeleteRouter)
        text = f"delete {spec.path}"
        if spec.unimport_from:
            text += "; drop its import from " + ", ".join(spec.unimport_from)
        return text

    @property
    def report(self) -> RuleReport:
        from analyzer.checks.unrouted_router.report import Report

        return Report(self.id)


RULE = UnroutedRouter()
