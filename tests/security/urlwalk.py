"""Every URL pattern of the project, with dummy arguments filled in.

The security tests iterate over these instead of a hand-kept list, so a page
that another engineer adds later is covered without anyone editing a test.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver

try:  # Python 3.11+ keeps the regex parser here
    import re._constants as sre_c  # type: ignore[import-not-found]
    import re._parser as sre_parse  # type: ignore[import-not-found]
except ImportError:  # pragma: no cover
    import sre_constants as sre_c  # type: ignore[no-redef]
    import sre_parse  # type: ignore[no-redef]


@dataclass(frozen=True)
class Route:
    name: str  # namespaced ("admin:index"), or the pattern text when unnamed
    url: str  # a concrete URL that this pattern matches
    parameterized: bool  # the pattern captures arguments (dummies may 404)
    namespaces: tuple[str, ...]
    callback: Callable


def _sample(parsed) -> str:
    """A short string matching a parsed regex: the first choice everywhere."""
    out: list[str] = []
    for op, arg in parsed:
        if op is sre_c.LITERAL:
            out.append(chr(arg))
        elif op is sre_c.ANY:
            out.append("x")
        elif op is sre_c.NOT_LITERAL:
            out.append("x" if chr(arg) != "x" else "y")
        elif op is sre_c.IN:
            out.append(_sample_in(arg))
        elif op in (sre_c.MAX_REPEAT, sre_c.MIN_REPEAT, getattr(sre_c, "POSSESSIVE_REPEAT", None)):
            low, _high, item = arg
            # At least one repetition: an empty argument often matches another route.
            out.append(_sample(item) * max(low, 1))
        elif op is sre_c.SUBPATTERN:
            out.append(_sample(arg[-1]))
        elif op is sre_c.BRANCH:
            out.append(_sample(arg[1][0]))
        elif op is sre_c.CATEGORY:
            out.append(_sample_category(arg))
        elif op in (sre_c.AT, sre_c.ASSERT, sre_c.ASSERT_NOT):
            continue
        else:  # GROUPREF and friends never appear in URL patterns
            raise ValueError(f"unsupported regex construct {op}")
    return "".join(out)


def _sample_category(category) -> str:
    if category is sre_c.CATEGORY_DIGIT:
        return "1"
    if category is sre_c.CATEGORY_SPACE:
        return " "
    return "x"


def _sample_in(items) -> str:
    if items and items[0][0] is sre_c.NEGATE:
        excluded = {chr(a) for op, a in items[1:] if op is sre_c.LITERAL}
        return next(c for c in "x1a-" if c not in excluded)
    for op, arg in items:
        if op is sre_c.LITERAL:
            return chr(arg)
        if op is sre_c.RANGE:
            low, high = arg
            # Prefer "1" for digit ranges: id 0 reads like a bug, not a dummy.
            return "1" if low <= ord("1") <= high else chr(low)
        if op is sre_c.CATEGORY:
            return _sample_category(arg)
    return "x"


def _pattern_regex(pattern) -> str:
    regex = pattern.regex.pattern
    return regex.removeprefix("^").removesuffix(r"\Z").removesuffix("$")


def iter_routes() -> Iterator[Route]:
    yield from _walk(get_resolver(), prefix="", namespaces=(), captures=False)


def _walk(resolver: URLResolver, *, prefix: str, namespaces: tuple[str, ...], captures: bool) -> Iterator[Route]:
    for entry in resolver.url_patterns:
        regex = _pattern_regex(entry.pattern)
        piece = _sample(sre_parse.parse(regex))
        has_args = captures or re.compile(regex).groups > 0
        if isinstance(entry, URLResolver):
            ns = (*namespaces, entry.namespace) if entry.namespace else namespaces
            yield from _walk(entry, prefix=prefix + piece, namespaces=ns, captures=has_args)
        elif isinstance(entry, URLPattern):
            name = ":".join((*namespaces, entry.name)) if entry.name else f"<unnamed {prefix}{regex}>"
            yield Route(
                name=name,
                url="/" + prefix + piece,
                parameterized=has_args,
                namespaces=namespaces,
                callback=entry.callback,
            )
