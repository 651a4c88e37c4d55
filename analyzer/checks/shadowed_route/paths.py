"""Route paths as the frameworks match them, and whether one path matches every request another does.

Starlette (and FastAPI) compile `/users/{user_id}` to `^/users/(?P<user_id>[^/]+)$` and try the
routes in the order they were added: `{x}` (`str`) matches any one segment (`me` included, whatever
the handler's annotation says: validation fails later, with a 422), `{x:int}` digits only,
`{x:float}` and `{x:uuid}` their own forms, `{x:path}` anything, slashes included. Werkzeug (Flask)
orders its rules by specificity instead (static segments first, then converters by weight), so
there only an identical rule (converters compared, names not) registered again is never reached.

A converter the framework does not define (`register_url_convertor`, `app.url_map.converters`)
matches what its regex says, which is not read: a decision that depends on one is "maybe".
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

Answer = Literal["yes", "no", "maybe"]

_STARLETTE_PARAM = re.compile(r"\{([a-zA-Z_][a-zA-Z0-9_]*)(?::([a-zA-Z_][a-zA-Z0-9_]*))?\}")
_WERKZEUG_PARAM = re.compile(r"<(?:([a-zA-Z_][a-zA-Z0-9_]*)(\([^)]*\))?:)?([a-zA-Z_][a-zA-Z0-9_]*)>")
# What Starlette's own convertors match, as regexes over one segment (`path` spans segments).
_STARLETTE_REGEX = {
    "str": r"[^/]+",
    "int": r"[0-9]+",
    "float": r"[0-9]+(?:\.[0-9]+)?",
    "uuid": r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}",
}
_WERKZEUG_CONVERTERS = frozenset({"default", "string", "any", "path", "int", "float", "uuid"})
# Which Starlette convertor matches everything another one does (`str` matches every segment).
_WIDER = {("str", "int"), ("str", "float"), ("str", "uuid"), ("float", "int")}


@dataclass(frozen=True)
class Param:
    converter: str  # "str", "int", "path"... ("string" in werkzeug's words is "str")
    custom: bool  # not one the framework defines: what it matches is unknown


# A segment: its parts, literal text or parameters (`{name}.{ext}` is three parts).
Segment = tuple[str | Param, ...]


@dataclass(frozen=True)
class Pattern:
    """A full route path, split on slashes."""

    segments: tuple[Segment, ...]
    trailing_slash: bool

    @property
    def key(self) -> tuple[object, ...]:
        """The same for two paths that are the same rule (parameter names aside)."""
        return (self.segments, self.trailing_slash)

    @property
    def spans(self) -> bool:
        """Whether a parameter may match several segments (`{p:path}`)."""
        return any(isinstance(p, Param) and p.converter == "path" for s in self.segments for p in s)

    @property
    def custom(self) -> tuple[str, ...]:
        return tuple(p.converter for s in self.segments for p in s if isinstance(p, Param) and p.custom)


def parse(path: str, framework: str) -> Pattern:
    """`path` as `framework` ("flask" or a Starlette one) reads its parameters."""
    trimmed = path.strip("/")
    segments = tuple(_segment(part, framework) for part in trimmed.split("/")) if trimmed else ()
    return Pattern(segments, path.endswith("/") and bool(trimmed))


def _segment(text: str, framework: str) -> Segment:
    regex = _WERKZEUG_PARAM if framework == "flask" else _STARLETTE_PARAM
    parts: list[str | Param] = []
    position = 0
    for match in regex.finditer(text):
        if match.start() > position:
            parts.append(text[position:match.start()])
        parts.append(_werkzeug_param(match) if framework == "flask" else _starlette_param(match))
        position = match.end()
    if position < len(text):
        parts.append(text[position:])
    return tuple(parts)


def _starlette_param(match: re.Match[str]) -> Param:
    converter = match.group(2) or "str"
    return Param(converter, converter not in {*_STARLETTE_REGEX, "path"})


def _werkzeug_param(match: re.Match[str]) -> Param:
    name = match.group(1) or "default"
    converter = "str" if name in {"default", "string"} else name
    arguments = re.sub(r"\s+", "", match.group(2) or "")
    return Param(converter + arguments, name not in _WERKZEUG_CONVERTERS)


def same_rule(a: Pattern, b: Pattern) -> bool:
    return a.key == b.key


def werkzeug_tie(a: Pattern, b: Pattern) -> bool:
    """Whether two werkzeug rules differ only by converters, one of them custom at each such
    segment: werkzeug orders converters by weight (`int` before `string`), a custom converter's
    weight and regex are not read, and of two rules of equal weight the first registered wins."""
    if len(a.segments) != len(b.segments) or a.trailing_slash != b.trailing_slash or a == b:
        return False
    for x, y in zip(a.segments, b.segments, strict=True):
        if x == y:
            continue
        if not (len(x) == len(y) == 1 and isinstance(x[0], Param) and isinstance(y[0], Param)):
            return False
        if not (x[0].custom or y[0].custom):
            return False
    return True


def covers(first: Pattern, later: Pattern) -> Answer:
    """Whether every request path `later` matches is matched by `first` (Starlette's matching)."""
    return _covers(first.segments, later.segments, first.trailing_slash, later.trailing_slash)


def _covers(first: tuple[Segment, ...], later: tuple[Segment, ...], slash: bool, later_slash: bool) -> Answer:
    if not first:
        return "yes" if not later and slash == later_slash else "no"
    head = first[0]
    if head == (Param("path", False),):
        # `{p:path}` takes one segment or more, whatever they hold (its own trailing slash too).
        answers = [_covers(first[1:], later[taken:], slash, later_slash) if len(first) > 1 else "yes"
                   for taken in range(1, len(later) + 1)]
        return _best(answers)
    if not later:
        return "no"
    return _both(_segment_covers(head, later[0]), lambda: _covers(first[1:], later[1:], slash, later_slash))


def _segment_covers(first: Segment, later: Segment) -> Answer:
    if first == later:
        return "yes"  # the same text and converters: whatever they match
    if any(isinstance(p, Param) and p.converter == "path" for p in (*first, *later)):
        return "no"  # a `path` parameter inside a segment, or one `first` would have to cover
    if len(first) == 1 and isinstance(first[0], Param):
        return _param_covers(first[0], later)
    if all(isinstance(p, str) for p in later):
        return _regex_covers(first, "".join(p for p in later if isinstance(p, str)))
    return "maybe" if any(isinstance(p, Param) and p.custom for p in first) else "no"


def _param_covers(param: Param, later: Segment) -> Answer:
    if param.custom:
        return "maybe"
    if param.converter == "str":
        # Any non-empty segment without a slash; a custom convertor's regex may hold one.
        return "maybe" if any(isinstance(p, Param) and p.custom for p in later) else "yes"
    if len(later) == 1 and isinstance(later[0], Param):
        other = later[0]
        if other.custom:
            return "maybe"
        return "yes" if (param.converter, other.converter) in _WIDER or param == other else "no"
    return _regex_covers((param,), "".join(p for p in later if isinstance(p, str))) if all(
        isinstance(p, str) for p in later
    ) else "no"


def _regex_covers(first: Segment, text: str) -> Answer:
    """Whether the segment `first` matches the literal segment `text`."""
    if any(isinstance(p, Param) and p.custom for p in first):
        return "maybe"
    regex = "".join(_STARLETTE_REGEX[p.converter] if isinstance(p, Param) else re.escape(p) for p in first)
    return "yes" if re.fullmatch(regex, text) else "no"


def _both(answer: Answer, rest: Callable[[], Answer]) -> Answer:
    if answer == "no":
        return "no"
    after = rest()
    if after == "no":
        return "no"
    return "yes" if answer == "yes" and after == "yes" else "maybe"


def _best(answers: list[Answer]) -> Answer:
    if "yes" in answers:
        return "yes"
    return "maybe" if "maybe" in answers else "no"

