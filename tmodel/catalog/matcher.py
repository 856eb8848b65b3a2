"""Compile declarative conditions into plain Python callables. No eval, no exec.

A condition is one of
    {all: [cond, ...]}   every one holds
    {any: [cond, ...]}   at least one holds
    {not: cond}          it does not hold
    {fact: PATH, OP: VALUE}
with OP in eq, ne, in, not_in, contains, contains_any, gt, ge, lt, le, exists, empty.

``compile_condition`` checks every path and value against the fact schema and returns a
predicate ``ctx -> bool`` and an explainer ``ctx -> [str]`` that says which facts matched.
Errors are collected as (data path, message, hint) so the loader can locate them.
"""

from __future__ import annotations

import difflib
import operator
from enum import Enum
from typing import Any, Callable

from tmodel.catalog.facts import FactType

Ctx = dict[str, Any]
Pred = Callable[[Ctx], bool]
Explain = Callable[[Ctx], list[str]]
CompileError = tuple[tuple[Any, ...], str, str]
Pins = tuple[tuple[str, frozenset[Any]], ...]  # (fact path, the values a condition allows it)

OPS = ("eq", "ne", "in", "not_in", "contains", "contains_any", "gt", "ge", "lt", "le", "exists", "empty")
_CMP = {"gt": operator.gt, "ge": operator.ge, "lt": operator.lt, "le": operator.le}
_MISSING = object()


def _getter(keys: tuple[str, ...]) -> Callable[[Ctx], Any]:
    if len(keys) == 2:
        a, b = keys

        def get2(ctx: Ctx) -> Any:
            return ctx[a].get(b)

        return get2

    def get(ctx: Ctx) -> Any:
        cur: Any = ctx
        for k in keys:
            if not isinstance(cur, dict):
                return None
            cur = cur.get(k)
        return cur

    return get


def pinned_only(cond: Any) -> bool:
    """The condition is nothing but its pins (``pins``): where they hold, it holds."""
    items = cond["all"] if isinstance(cond, dict) and set(cond) == {"all"} and isinstance(cond["all"], list) else [cond]
    return len(pins(cond)) == len(items)


def pins(cond: Any) -> Pins:
    """The facts a (compiled, so checked) condition pins to a set of values: ``{fact: P, eq: V}`` and
    ``{fact: P, in: [...]}`` at its top level or in its top-level ``all``. Wherever such a fact holds
    another value the condition is false, whatever else it says: targets can be indexed by them."""
    items = cond["all"] if isinstance(cond, dict) and set(cond) == {"all"} and isinstance(cond["all"], list) else [cond]
    out: list[tuple[str, frozenset[Any]]] = []
    for c in items:
        if not (isinstance(c, dict) and "fact" in c and len(c) == 2 and isinstance(c["fact"], str)):
            continue
        op = next(k for k in c if k != "fact")
        try:
            if op == "eq":
                out.append((c["fact"], frozenset([c["eq"]])))
            elif op == "in" and isinstance(c["in"], list):
                out.append((c["fact"], frozenset(c["in"])))
        except TypeError:  # an unhashable value: not a scalar, nothing to index
            continue
    return tuple(out)


def _allowed(ftype: FactType) -> list[Any] | None:
    if isinstance(ftype, tuple) and isinstance(ftype[1], type) and issubclass(ftype[1], Enum):
        return [m.value for m in ftype[1]]
    return None


class Compiler:
    def __init__(self, schema: dict[str, FactType]):
        self.schema = schema
        self.errors: list[CompileError] = []

    def error(self, loc: tuple[Any, ...], msg: str, hint: str = "") -> tuple[Pred, Explain]:
        self.errors.append((loc, msg, hint))
        return (lambda ctx: False), (lambda ctx: [])

    def compile(self, cond: Any, loc: tuple[Any, ...]) -> tuple[Pred, Explain]:
        if not isinstance(cond, dict):
            return self.error(loc, "a condition must be a mapping", "use {all: [...]}, {any: [...]}, {not: ...} or {fact: PATH, eq: VALUE}")
        keys = set(cond)
        if keys == {"all"} or keys == {"any"}:
            (k,) = keys
            items = cond[k]
            if not isinstance(items, list) or not items:
                return self.error(loc + (k,), f"'{k}' needs a non-empty list of conditions")
            parts = [self.compile(c, loc + (k, i)) for i, c in enumerate(items)]
            preds = tuple(p for p, _ in parts)
            explains = tuple(e for _, e in parts)
            if k == "all":
                def p_all(ctx: Ctx) -> bool:
                    for p in preds:
                        if not p(ctx):
                            return False
                    return True

                def e_all(ctx: Ctx) -> list[str]:
                    return [line for e in explains for line in e(ctx)]

                return p_all, e_all

            def p_any(ctx: Ctx) -> bool:
                for p in preds:
                    if p(ctx):
                        return True
                return False

            def e_any(ctx: Ctx) -> list[str]:
                for p, e in zip(preds, explains):
                    if p(ctx):
                        return e(ctx)
                return []

            return p_any, e_any
        if keys == {"not"}:
            inner, inner_e = self.compile(cond["not"], loc + ("not",))
            leaves = self._leaves(cond["not"])

            def e_not(ctx: Ctx) -> list[str]:
                return [f"not ({l}) [{path} = {_show(_getter(tuple(path.split('.')))(ctx))}]" for l, path in leaves]

            return (lambda ctx: not inner(ctx)), e_not
        if "fact" in keys:
            return self.leaf(cond, loc)
        unknown = sorted(keys - {"all", "any", "not", "fact"})
        close = difflib.get_close_matches(unknown[0], ["all", "any", "not", "fact"], n=1) if unknown else []
        return self.error(loc, f"unknown condition key(s): {', '.join(map(str, unknown)) or sorted(keys)}",
                          f"did you mean '{close[0]}'?" if close else "use all, any, not, or fact with one operator")

    def _leaves(self, cond: Any) -> list[tuple[str, str]]:
        if isinstance(cond, dict) and "fact" in cond:
            ops = [k for k in cond if k != "fact"]
            op = ops[0] if ops else "?"
            return [(f"{cond['fact']} {op} {_show(cond.get(op))}", str(cond["fact"]))]
        if isinstance(cond, dict):
            return [x for v in cond.values() for c in (v if isinstance(v, list) else [v]) for x in self._leaves(c)]
        return []

    def leaf(self, cond: dict[str, Any], loc: tuple[Any, ...]) -> tuple[Pred, Explain]:
        path = cond["fact"]
        ops = [k for k in cond if k != "fact"]
        if len(ops) != 1 or ops[0] not in OPS:
            bad = [o for o in ops if o not in OPS]
            close = difflib.get_close_matches(str(bad[0]), OPS, n=1) if bad else []
            return self.error(loc, f"a fact condition needs exactly one operator, got {ops or 'none'}",
                              (f"did you mean '{close[0]}'? " if close else "") + f"operators: {', '.join(OPS)}")
        op = ops[0]
        value = cond[op]
        if not isinstance(path, str) or path not in self.schema:
            close = difflib.get_close_matches(str(path), list(self.schema), n=1, cutoff=0.6)
            return self.error(loc + ("fact",), f"unknown fact '{path}' for this rule",
                              f"did you mean '{close[0]}'?" if close else "see docs/catalog-format.md for the fact names")
        ftype = self.schema[path]
        allowed = _allowed(ftype)
        is_list = isinstance(ftype, tuple) and ftype[0] == "list"
        vloc = loc + (op,)
        # type checks of the compared value
        if op in ("exists", "empty"):
            if not isinstance(value, bool):
                return self.error(vloc, f"'{op}' takes true or false")
        elif op in ("in", "not_in", "contains_any"):
            if not isinstance(value, list):
                return self.error(vloc, f"'{op}' takes a list of values")
            if op in ("in", "not_in") and is_list:
                return self.error(vloc, f"'{path}' is a list: use contains or contains_any")
            for i, v in enumerate(value):
                self._check_value(path, ftype, allowed, v, vloc + (i,))
        elif op == "contains":
            if not is_list:
                return self.error(vloc, f"'{path}' is not a list: use eq or in")
            self._check_value(path, ftype, allowed, value, vloc)
        elif op in _CMP:
            if ftype != "int" or isinstance(value, bool) or not isinstance(value, int):
                return self.error(vloc, f"'{op}' compares numbers, and '{path}' is not a number or the value is not an integer")
        else:  # eq, ne
            if is_list:
                return self.error(vloc, f"'{path}' is a list: use contains, contains_any or empty")
            self._check_value(path, ftype, allowed, value, vloc)
        get = _getter(tuple(path.split(".")))
        pred = _make_pred(op, value, get)
        root, _, rest = path.partition(".")

        def explain(ctx: Ctx) -> list[str]:
            actual = get(ctx)
            text = f"{path} = {_show(actual)} ({op} {_show(value)})"
            return [text + _source_note(ctx, root, rest, op, value, actual)]

        return pred, explain

    def _check_value(self, path: str, ftype: FactType, allowed: list[Any] | None, value: Any, loc: tuple[Any, ...]) -> None:
        if allowed is not None:
            if value is None:
                return
            if value not in allowed:
                close = difflib.get_close_matches(str(value), [str(a) for a in allowed], n=1)
                self.errors.append((loc, f"'{value}' is not a value of '{path}': the rule could never match it",
                                    (f"did you mean '{close[0]}'? " if close else "") + f"values: {', '.join(map(str, allowed))}"))
        elif ftype == "bool" and not isinstance(value, bool):
            self.errors.append((loc, f"'{path}' is true or false, not {value!r}", "write true or false"))
        elif ftype == "int" and (isinstance(value, bool) or not isinstance(value, int)) and value is not None:
            self.errors.append((loc, f"'{path}' is a number, not {value!r}", ""))


def _source_note(ctx: Ctx, root: str, rest: str, op: str, value: Any, actual: Any) -> str:
    """' [from api.yaml#/servers/0/url]' when the fact came from an imported or audited source.

    Sources live in the target's ``derived_from`` (field name -> source); a list fact's members
    may have their own (``'<fact>=<member>'``).
    """
    obj = ctx.get(root)
    src = obj.get("derived_from") if isinstance(obj, dict) else None
    if not src:
        return ""
    if op in ("empty", "exists") and isinstance(actual, list):
        members = actual  # 'not empty': each member is a reason
    else:
        members = value if op == "contains_any" and isinstance(value, list) else [value]
    found = [src[f"{rest}={m}"] for m in members if isinstance(actual, list) and m in actual and f"{rest}={m}" in src]
    if not found and rest in src:
        found = [src[rest]]
    return f" [from {'; '.join(found)}]" if found else ""


def _show(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if v is None:
        return "null"
    if isinstance(v, list):
        return "[" + ", ".join(_show(x) for x in v) + "]"
    return str(v)


def _make_pred(op: str, value: Any, get: Callable[[Ctx], Any]) -> Pred:
    if op == "eq":
        return lambda ctx: get(ctx) == value
    if op == "ne":
        return lambda ctx: get(ctx) != value
    if op == "in":
        s = frozenset(value)
        return lambda ctx: get(ctx) in s
    if op == "not_in":
        s = frozenset(value)
        return lambda ctx: get(ctx) not in s
    if op == "contains":
        return lambda ctx: value in (get(ctx) or ())
    if op == "contains_any":
        s = frozenset(value)
        return lambda ctx: not s.isdisjoint(get(ctx) or ())
    if op == "exists":
        return (lambda ctx: get(ctx) is not None) if value else (lambda ctx: get(ctx) is None)
    if op == "empty":
        return (lambda ctx: not get(ctx)) if value else (lambda ctx: bool(get(ctx)))
    cmp = _CMP[op]

    def compare(ctx: Ctx) -> bool:
        v = get(ctx)
        return v is not None and cmp(v, value)

    return compare


# --- three-valued evaluation: what the model states, and what it leaves unstated -------------

UNKNOWN_KEY = "unstated"  # ctx[UNKNOWN_KEY][root] = set of paths under root the model does not state
Tri = Callable[[Ctx], "tuple[bool | None, list[str]]"]


def compile_tri(cond: Any) -> Tri:
    """A three-valued twin of a compiled (already checked) condition.

    Returns ``(True, [])`` when the condition holds on stated facts alone, ``(False, [])`` when it
    does not hold whatever the unstated facts are, and ``(None, paths)`` when it holds only because
    of facts the model leaves unstated (an assumption to confirm, not a threat): ``paths`` are
    those facts. Used only after the two-valued predicate fired, so its cost does not matter.
    """
    if "all" in cond or "any" in cond:
        k = "all" if "all" in cond else "any"
        parts = [compile_tri(c) for c in cond[k]]

        def tri_list(ctx: Ctx) -> tuple[bool | None, list[str]]:
            unknown: list[str] = []
            for part in parts:
                v, paths = part(ctx)
                if k == "all" and v is False:
                    return False, []
                if k == "any" and v is True:
                    return True, []
                if v is None:
                    unknown += [p for p in paths if p not in unknown]
            if unknown:
                return None, unknown
            return (k == "all"), []

        return tri_list
    if "not" in cond:
        inner = compile_tri(cond["not"])

        def tri_not(ctx: Ctx) -> tuple[bool | None, list[str]]:
            v, paths = inner(ctx)
            if v is None:
                return None, paths
            return (not v), []

        return tri_not
    path = cond["fact"]
    op = next(k for k in cond if k != "fact")
    get = _getter(tuple(path.split(".")))
    pred = _make_pred(op, cond[op], get)
    root, _, rest = path.partition(".")

    def tri_leaf(ctx: Ctx) -> tuple[bool | None, list[str]]:
        unstated = ctx.get(UNKNOWN_KEY, {}).get(root, ())
        if rest in unstated:
            return None, [path]
        return pred(ctx), []

    return tri_leaf


def fact_paths(cond: Any) -> frozenset[str]:
    """Every fact path a condition reads, relative to its root ('flow.tls.mutual' -> 'tls.mutual')."""
    out: set[str] = set()

    def walk(c: Any) -> None:
        if isinstance(c, dict):
            if "fact" in c and isinstance(c["fact"], str):
                out.add(c["fact"].partition(".")[2])
            for v in c.values():
                for x in (v if isinstance(v, list) else [v]):
                    if isinstance(x, dict):
                        walk(x)

    walk(cond)
    return frozenset(out)
