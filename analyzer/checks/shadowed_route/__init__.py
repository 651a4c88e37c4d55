"""shadowed-route: an endpoint no request can reach, because an earlier route answers first.

## What it finds
- FastAPI and Starlette try an application's routes in the order they were registered (the
  decorators of a router in line order, each router's routes where it is included): a route
  whose path matches every request of a later one with the same method hides it.
  `GET /users/{user_id}` declared before `GET /users/me` answers `/users/me` itself (with a 422
  when `user_id` is an `int`). `{id:int}` does not match `me`, `{p:path}` matches several
  segments.
- The same method and full path registered twice: two handlers, or one router included twice
  under the same prefix. The second never answers.
- Flask: werkzeug orders rules by specificity (static segments before converters), so
  `/users/<id>` does not hide `/users/me`; only the same rule (converters compared, names not:
  `<int:id>` and `<int:user_id>`) registered again with the same method is never reached.

Full paths come from the mount graph (prefixes of routers and of their mounts); two endpoints
are compared only on one application, and inside a sub-application (`app.mount`, `Mount`) only
with its own routes.

## Why is this bad?
The hidden handler looks alive in the code, in reviews and in the OpenAPI schema, but every
request goes to the other one: `/users/me` answers 422, a fix to the duplicate handler never
ships.

## Example
`app/routes/users.py` declares `@router.get("/{user_id}")` on line 8 and `@router.get("/me")` on
line 13 of the same router.

## Fix
Order: move the hidden handler (its decorators and the comments above it) before the route
that hides it, when both are declared in one module, in one block. Duplicate: delete the
handler never reached. A router mounted twice: delete the second mount. Otherwise the fix is
skipped with the reason (routes in different modules: move one by hand).

## Confidence
`uncertain`, with the reason, when the order cannot be told (the two registrations are in
different modules or functions, or in one statement such as a loop), when a prefix on the way
is computed at run time, when a mount may not run, when the answer depends on a custom
converter (its regex, and for werkzeug its weight, are not read), or when the routes are
mounted onto objects the index cannot identify, which may be different applications.

## Blind spots
Two mounts in the two branches of one `if` (`if ...: register(a) else: register(b)`, in one
function of one module, not in a loop) are never both made and are not compared; exclusive
branches that the code spells otherwise (two `if`s on opposite conditions) are read as both
made. Routes added to a FastAPI router after it was included are counted as included. Paths,
prefixes and methods are read by exact evaluation (literals, f-strings of the module's
constants); a prefix that cannot be read makes the finding uncertain when it is noticed, as a
keyword of the mount or of the router's constructor; a prefix a mounting helper adds is not.
Starlette's `{p:path}` is taken to match at least one segment. Werkzeug's `strict_slashes`
redirects and host matching are not modelled.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from analyzer.checks import Rule
from analyzer.checks.shadowed_route import examples
from analyzer.checks.shadowed_route.details import RULE_ID, DeleteMount, DeleteRoute, MoveRoute
from analyzer.findings import Finding

if TYPE_CHECKING:
    from analyzer.fixes.context import PlanOptions
    from analyzer.reporting import RuleReport


class ShadowedRoute(Rule):
    id = RULE_ID
    summary = "An endpoint never reached, because an earlier route with the same method matches its path."
    doc = __doc__ or ""
    valid = examples.VALID
    invalid = examples.INVALID
    urgency = 30



    def fix_summary(self, finding: Finding, options: PlanOptions) -> str:
        return self.describe_fix(finding)

    def describe_fix(self, finding: Finding) -> str:
        spec = finding.fix
        if isinstance(spec, MoveRoute):
            return (
                f"move `{spec.handler}` ({spec.path}:{spec.line}) before `{spec.before_handler}` "
                f"({spec.before_path}:{spec.before_line})"
            )
        if isinstance(spec, DeleteRoute):
            return f"delete the handler `{spec.handler}` ({spec.path}:{spec.line}), never reached"
        if isinstance(spec, DeleteMount):
            return f"delete the second mount of `{spec.router}` ({spec.path}:{spec.line})"
        return ""

    location_note = "the route that answers first"

    @property
    def report(self) -> RuleReport:
        from analyzer.checks.shadowed_route.report import Report

        return Report(self.id)


RULE = ShadowedRoute()
