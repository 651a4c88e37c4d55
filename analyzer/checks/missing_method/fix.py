"""missing-method's fix, in order of preference (see `methods.py`): rename the calls to a close
existing method whose signature fits them all; import the live same-named class when the
callers use a stale copy; add the method from a recipe; else add a stub that says it is one (a
stub is not a fix: the plan marks it so)."""

from __future__ import annotations

import libcst

from analyzer.checks.missing_method import methods
from analyzer.checks.missing_method.details import RULE_ID, MethodFix, MissingDetails, Settings
from analyzer.checks.missing_method.recipes import builtin_recipes, plan_method
from analyzer.findings import Finding, details_of, fix_of
from analyzer.fixes.context import Edits, FixContext, Note
from analyzer.fixes.transforms import AddMethod, RenameAttribute, RetargetImport, SourceFile
from analyzer.index import Symbol
from analyzer.inference import annotation_class_name
from analyzer.liveness import Reach
from analyzer.project import Project

ENUM_BASES = frozenset({"enum.Enum", "enum.IntEnum", "enum.StrEnum", "enum.Flag", "enum.IntFlag"})


def fix(finding: Finding, context: FixContext) -> Edits:
    spec = fix_of(finding, MethodFix)
    details = details_of(finding, MissingDetails)
    project = context.project
    index = project.index
    edits = Edits()
    call_sites = list(details.call_sites)
    callers = sorted({site.path for site in call_sites})
    if all(path in context.deleted for path in callers):
        if context.options.skip_orphan_methods:
            return Edits(skipped=Note("orphan_skipped", {"callers": ", ".join(callers)}, RULE_ID))
        edits.notes.append(Note("orphan_method", {"callers": ", ".join(callers)}, RULE_ID))
    calls = _located_calls(context, details)
    symbol = Symbol("class", index.by_path[spec.path].module, spec.cls)
    if calls is not None and _rename_calls(context, finding, edits, symbol, calls):
        return edits
    if _switch_import(context, finding, edits, symbol, callers):
        return edits
    cls = index.class_fact(symbol)
    assert cls is not None
    target = context.files.source(spec.path)
    node = target.find_class(cls.name, cls.span.line)
    own = project.options.settings_of(RULE_ID, Settings).recipes
    method = plan_method(
        spec.method, _class_kind(project, symbol), _enum_fields(project, symbol), call_sites,
        (*own, *builtin_recipes()),
    )
    if method is not None:
        edits.summary = f"add {cls.name}.{spec.method}() to {spec.path}"
        edits.notes.append(Note("recipe", {"recipe": method.recipe}, RULE_ID))
        edits.edit(spec.path, AddMethod(node, method.source, method.imports))
        return edits
    located = [(source, call) for source, found in (calls or []) for call in found[:1]]
    stub = methods.stub(cls.name, spec.method, target, located, call_sites)
    edits.summary = f"add a stub {cls.name}.{spec.method}() to {spec.path}"
    edits.stub = Note("stub_not_fixed", {"symbol": f"{cls.name}.{spec.method}"}, RULE_ID)
    edits.edit(spec.path, AddMethod(node, stub.source, stub.imports))
    return edits


def _located_calls(context: FixContext, details: MissingDetails) -> list[tuple[SourceFile, list[libcst.Call]]] | None:
    """Each call site's call node (None when one cannot be found, or is not alone on its line)."""
    located = []
    for site in details.call_sites:
        if site.path in context.deleted:
            continue
        try:
            source = context.files.source(site.path)
        except (ValueError, OSError, libcst.ParserSyntaxError):
            return None
        found = source.find_calls(details.method, site.line, site.receiver)
        if len(found) != 1:
            return None
        located.append((source, found))
    return located


def _rename_calls(
    context: FixContext, finding: Finding, edits: Edits, symbol: Symbol,
    calls: list[tuple[SourceFile, list[libcst.Call]]],
) -> bool:
    """Did you mean: rename every call to an existing method whose signature fits them all."""
    if not calls:
        return False
    project = context.project
    defined = {m for owner in [symbol, *project.classes.ancestors(symbol)]
               if (cls := project.index.class_fact(owner)) is not None for m in cls.methods}
    details = details_of(finding, MissingDetails)
    old = details.method
    candidates = [*details.did_you_mean, *methods.synonyms(old, defined)]
    for candidate in dict.fromkeys(candidates):
        function = _method_of(context, symbol, candidate)
        if function is None:
            continue  # a field, a property, or a method of a library base: not checked, not used
        if all(methods.signature_fits(function, call) for _, found in calls for call in found):
            for source, found in calls:
                attribute = found[0].func
                assert isinstance(attribute, libcst.Attribute)
                edits.edit(source.path, RenameAttribute(attribute, candidate))
            where = ", ".join(sorted({f"{s.path}:{s.line_of(f[0])}" for s, f in calls}))
            edits.summary = f"call {candidate}() instead of the missing {old}() ({where})"
            edits.notes.append(Note("renamed_call", {"old": old, "new": candidate, "where": where}, RULE_ID))
            return True
    return False


def _method_of(context: FixContext, symbol: Symbol, name: str) -> libcst.FunctionDef | None:
    """The definition of method `name` on the project class or the nearest project base that
    defines it (None for fields, properties and library members)."""
    project = context.project
    for owner in [symbol, *sorted(project.classes.ancestors(symbol), key=str)]:
        cls = project.index.class_fact(owner)
        if cls is None or name not in cls.methods:
            continue
        source = context.files.source(project.index.modules[owner.module].path)
        function = methods.method_def(source, source.find_class(cls.name, cls.span.line), name)
        return function if function is not None and methods.is_plain_method(function) else None
    return None


def _switch_import(context: FixContext, finding: Finding, edits: Edits, stale: Symbol, callers: list[str]) -> bool:
    """The callers use a stale copy of the class: import the same-named class that defines the
    method instead, where they import the copy, if the live class has every method they call on
    it."""
    spec = fix_of(finding, MethodFix)
    project = context.project
    index = project.index
    alternatives = spec.alternatives
    live_ones = [a for a in alternatives if project.liveness.module(a.module) is Reach.APP]
    chosen = alternatives if len(alternatives) == 1 else live_ones
    if len(chosen) != 1 or not callers:
        return False
    alternative = chosen[0]
    live = Symbol("class", alternative.module, alternative.cls)
    members = project.classes.members(live)
    if members is None or spec.method not in members:
        return False
    ops: list[tuple[str, RetargetImport]] = []
    for path in callers:
        if path in context.deleted:
            continue
        facts = index.by_path[path]
        for call in facts.attr_calls:
            receiver = project.classes.receiver(facts, call)
            if receiver is not None and receiver.cls == stale and call.method not in members:
                return False
        binding = [
            imported for imported in facts.imports
            if not imported.is_star and imported.name is not None
            and index.resolve_name(facts.module, imported.alias, imported.scope) == stale
        ]
        if not binding:
            return False
        source = context.files.source(path)
        for imported in binding:
            statement = source.statement_at(imported.line)
            if statement is None or not isinstance(statement.body[0], libcst.ImportFrom):
                return False
            ops.append((path, RetargetImport(statement, imported.alias, alternative.module)))
    if not ops:
        return False
    for path, op in ops:
        edits.edit(path, op)
    edits.summary = f"import {stale.name} from {alternative.module} instead of {stale.module}"
    edits.notes.append(Note("import_switched", {
        "cls": stale.name, "module": alternative.module, "stale": stale.module,
        "method": spec.method, "where": ", ".join(sorted({p for p, _ in ops}))}, RULE_ID))
    return True


def _class_kind(project: Project, symbol: Symbol) -> str | None:
    members = project.classes.members(symbol) or frozenset()
    if "model_dump_json" in members:
        return "pydantic"
    cls = project.index.class_fact(symbol)
    if cls is not None and any(
        (project.index.resolve_class(symbol.module, d) or Symbol("", "")).qualname == "dataclasses.dataclass"
        for d in cls.decorators
    ):
        return "dataclass"
    return None


def _enum_fields(project: Project, symbol: Symbol) -> list[str]:
    cls = project.index.class_fact(symbol)
    if cls is None:
        return []
    fields = []
    for name, annotation in cls.field_types:
        type_name = annotation_class_name(annotation)
        target = project.index.resolve_class(symbol.module, type_name) if type_name else None
        if target is not None and _is_enum(project, target):
            fields.append(name)
    return sorted(fields, key=lambda n: (not any(w in n for w in ("type", "kind", "event")), fields.index(n)))


def _is_enum(project: Project, symbol: Symbol) -> bool:
    return any(s.kind == "external" and s.qualname in ENUM_BASES for s in project.classes.lineage(symbol))
