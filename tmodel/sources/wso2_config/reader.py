"""Read a WSO2 API Manager deployment.toml: valid TOML, every key's line, values over the product defaults.

- the file must be valid TOML 1.0 (``tomllib``); a syntax error is ``file:line:col``;
- a key the file leaves out takes the product default (``defaults``): a missing key is not a safe value;
- ``$ref{a.b}`` follows the referenced key (file, else default); ``${sys.prop}`` is a value;
  ``$secret{alias}`` is a cipher-tool secret (the good case for passwords);
- a value of the wrong type for a key the audit reads (``enable = "maybe"``) is a located error,
  not a guess;
- tomllib gives no positions, so ``_index_keys`` scans the text for the line of every key (tables,
  arrays of tables and their sub-tables, quoted and dotted keys, comments, multi-line values).

What the settings are, and which facts they give the rules, is ``settings``.
"""

from __future__ import annotations

import bisect
import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tmodel.importers.common import one_line
from tmodel.problems import Problem
from tmodel.sources.wso2_config.defaults import DEFAULTS


@dataclass(frozen=True)
class Setting:
    name: str        # tmodel's stable name, e.g. 'gateway.https_protocols'
    key: str         # the TOML key as a user searches for it: "[transport.passthru_https.listener.parameters] HttpsProtocols"
    value: Any       # effective value, normalised (protocol lists -> list[str], booleans -> bool)
    line: int        # 1-based line of the key in the file; 0 when the file leaves it unset (the default applies)
    raw: str         # the value as written, or the default as the product ships it ('unset' when it has none)

    @property
    def default(self) -> bool:
        return self.line == 0


# --- TOML errors -----------------------------------------------------------------------------

_AT = re.compile(r"\s*\(at line (\d+), column (\d+)\)\s*$")
_AT_END = re.compile(r"\s*\(at end of document\)\s*$")


_LONG_NUMBER = re.compile(r"[0-9_]{1000,}")


def _limit_problem(exc: Exception, text: str, path: str) -> Problem:
    """Valid TOML beyond what a configuration file holds: a huge integer or very deep nesting."""
    m = _LONG_NUMBER.search(text)
    if m is not None and not isinstance(exc, RecursionError):
        line = text.count("\n", 0, m.start()) + 1
        col = m.start() - (text.rfind("\n", 0, m.start()) + 1) + 1
        return Problem(path, line, col, f"a number of {len(m.group()):,} digits; no WSO2 setting takes one",
                       "check the value (a pasted key or certificate?) and write the number the setting expects")
    return Problem(path, 1, 1, "arrays or inline tables are nested too deeply to read",
                   "a deployment.toml nests a few levels at most; check the file is the one you meant")


def _syntax_problem(exc: tomllib.TOMLDecodeError, text: str, path: str) -> Problem:
    msg = str(exc)
    line = col = 0
    m = _AT.search(msg)
    if m:
        line, col = int(m.group(1)), int(m.group(2))
        msg = msg[: m.start()]
    elif end := _AT_END.search(msg):
        msg = msg[: end.start()]
        line = text.count("\n") + (0 if text.endswith("\n") else 1) or 1
        col = len(text.rsplit("\n", 1)[-1]) + 1 if not text.endswith("\n") else 1
    hint = "fix the TOML syntax; the product refuses to start on this file too"
    low = msg.lower()
    if "overwrite" in low or "already" in low or "duplicate" in low:
        hint = "a key or table is defined twice; keep one (the product would refuse the file too)"
    elif "unclosed" in low or "end of document" in low or "unterminated" in low:
        hint = "a string, array or table header is not closed"
    return Problem(path, line or 1, col or 1, f"invalid TOML: {msg[:1].lower() + msg[1:]}", hint)


# --- where each key is: a line scanner over valid TOML ----------------------------------------

@dataclass(frozen=True)
class _Loc:
    line: int
    col: int     # column of the value
    raw: str     # the value's text as written (no trailing comment)


_BARE = re.compile(r"[A-Za-z0-9_-]+")


def _index_keys(text: str) -> tuple[dict[tuple, _Loc], dict[tuple, int]]:
    """{key path: location} and {table path: header line}. Arrays of tables add the entry's index."""
    try:
        return _Scanner(text).run()
    except (IndexError, ValueError, AttributeError, tomllib.TOMLDecodeError):  # pragma: no cover - valid TOML always scans
        return {}, {}


class _Scanner:
    def __init__(self, text: str):
        self.t = text
        self.n = len(text)
        self.starts = [0] + [m.end() for m in re.finditer("\n", text)]
        self.keys: dict[tuple, _Loc] = {}
        self.tables: dict[tuple, int] = {}
        self.aot: dict[tuple, int] = {}

    def pos(self, i: int) -> tuple[int, int]:
        ln = bisect.bisect_right(self.starts, i)
        return ln, i - self.starts[ln - 1] + 1

    def ws(self, i: int) -> int:
        while i < self.n and self.t[i] in " \t":
            i += 1
        return i

    def eol(self, i: int) -> int:
        j = self.t.find("\n", i)
        return self.n if j < 0 else j + 1

    def resolve(self, parts: list[str]) -> tuple:
        out: list[Any] = []
        for p in parts:
            out.append(p)
            if tuple(out) in self.aot:
                out.append(self.aot[tuple(out)])
        return tuple(out)

    def run(self) -> tuple[dict[tuple, _Loc], dict[tuple, int]]:
        t, i, current = self.t, 0, ()
        while i < self.n:
            i = self.ws(i)
            if i >= self.n:
                break
            c = t[i]
            if c in "\r\n":
                i += 1
            elif c == "#":
                i = self.eol(i)
            elif c == "[":
                is_aot = t.startswith("[[", i)
                parts, j = self.key(i + (2 if is_aot else 1))
                if is_aot:
                    head = self.resolve(parts[:-1]) + (parts[-1],)
                    self.aot[head] = self.aot.get(head, -1) + 1
                    # a new entry starts fresh sub-arrays of tables
                    for k in [k for k in self.aot if len(k) > len(head) and k[: len(head)] == head]:
                        del self.aot[k]
                    current = head + (self.aot[head],)
                else:
                    current = self.resolve(parts)
                self.tables[current] = self.pos(i)[0]
                i = self.eol(j)
            else:
                parts, j = self.key(i)
                j = self.ws(j)
                if j < self.n and t[j] == "=":
                    j = self.ws(j + 1)
                end = self.value(j)
                col = self.pos(j)[1]
                self.keys[current + tuple(parts)] = _Loc(self.pos(i)[0], col, t[j:end].strip())
                i = self.eol(end) if end < self.n and t[end - 1] != "\n" else end
        return self.keys, self.tables

    def key(self, i: int) -> tuple[list[str], int]:
        t, parts = self.t, []
        while True:
            i = self.ws(i)
            if t[i] == '"':
                end = self.basic_end(i)
                parts.append(tomllib.loads("k = " + t[i:end])["k"])
            elif t[i] == "'":
                end = t.index("'", i + 1) + 1
                parts.append(t[i + 1: end - 1])
            else:
                m = _BARE.match(t, i)
                if not m:
                    raise ValueError("no key")
                end = m.end()
                parts.append(m.group())
            i = self.ws(end)
            if i < self.n and t[i] == ".":
                i += 1
                continue
            return parts, i

    def basic_end(self, i: int) -> int:
        m = i + 1
        while self.t[m] != '"':
            m += 2 if self.t[m] == "\\" else 1
        return m + 1

    def multi_end(self, i: int, quote: str) -> int:
        t, m = self.t, i + 3
        while m < self.n:
            if quote == '"""' and t[m] == "\\":
                m += 2
                continue
            if t.startswith(quote, m):
                e = m + 3
                while e < self.n and t[e] == quote[0] and e - m < 5:
                    e += 1
                return e
            m += 1
        return self.n

    def string_end(self, i: int) -> int | None:
        t = self.t
        if t.startswith('"""', i):
            return self.multi_end(i, '"""')
        if t.startswith("'''", i):
            return self.multi_end(i, "'''")
        if t[i] == '"':
            return self.basic_end(i)
        if t[i] == "'":
            return t.index("'", i + 1) + 1
        return None

    def value(self, j: int) -> int:
        t = self.t
        if j >= self.n:
            return j
        end = self.string_end(j)
        if end is not None:
            return end
        if t[j] in "[{":
            depth, k = 0, j
            while k < self.n:
                ch = t[k]
                if ch in "[{":
                    depth += 1
                    k += 1
                elif ch in "]}":
                    depth -= 1
                    k += 1
                    if depth == 0:
                        return k
                elif ch == "#":
                    k = self.eol(k)
                else:
                    end = self.string_end(k)
                    k = end if end is not None else k + 1
            return self.n
        k = j
        while k < self.n and t[k] not in "\n#":
            k += 1
        return k


# --- reading values --------------------------------------------------------------------------

_REF = re.compile(r"\$ref\{([^}]*)\}")


def _is_placeholder(v: Any) -> bool:
    return isinstance(v, str) and ("$secret{" in v or "${" in v or "$ref{" in v or "$env{" in v or "$sys{" in v)


def _quote_part(p: Any) -> str:
    p = str(p)
    return p if _BARE.fullmatch(p) else '"' + p.replace("\\", "\\\\").replace('"', '\\"') + '"'


def display_key(path: tuple | list) -> str:
    """"[a.b.c] key" for ('a','b','c','key')."""
    parts = [_quote_part(p) for p in path]
    if len(parts) == 1:
        return parts[0]
    return f"[{'.'.join(parts[:-1])}] {parts[-1]}"


def _toml(value: Any) -> str:
    if value is None:
        return "unset"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, list):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'


MAX_RESOLVED = 65_536  # characters a $ref{...} value may expand to


class RefBomb(Exception):
    def __init__(self, size: int):
        super().__init__(size)
        self.size = size


class _Reader:
    """The file's data with key positions, the defaults underneath, and located type errors."""

    def __init__(self, text: str, data: dict[str, Any], path: str):
        self.data = data
        self.path = path
        self.keys, self.tables = _index_keys(text)
        self.problems: list[Problem] = []
        self._resolved: dict[str, Any] = {}  # $ref{name} -> its value, each resolved once
        self._resolving: set[str] = set()

    def loc(self, path: tuple) -> _Loc | None:
        for n in range(len(path), 0, -1):  # inline tables: the line of the enclosing key
            hit = self.keys.get(tuple(path[:n]))
            if hit is not None:
                return hit if n == len(path) else _Loc(hit.line, hit.col, _toml(self.file_value(path)[1]))
        return None

    def file_value(self, path: tuple) -> tuple[bool, Any]:
        cur: Any = self.data
        for p in path:
            if isinstance(p, int) and isinstance(cur, list) and 0 <= p < len(cur):
                cur = cur[p]
            elif isinstance(cur, dict) and p in cur:
                cur = cur[p]
            else:
                return False, None
        return True, cur

    def error(self, path: tuple, message: str, hint: str) -> None:
        loc = self.loc(path)
        self.problems.append(Problem(self.path, loc.line if loc else 1, loc.col if loc else 1, message, hint))

    def resolve(self, value: Any, depth: int = 0) -> Any:
        """Follow $ref{a.b}: a whole-value reference takes the referenced value; embedded ones are substituted.

        Each referenced key is resolved once (memoized) and no result may grow past
        ``MAX_RESOLVED`` characters (``RefBomb``): a few hundred bytes of references that each
        repeat the previous level would otherwise expand exponentially. A loop stays unresolved."""
        if not isinstance(value, str) or "$ref{" not in value or depth > 10:
            return value
        m = _REF.fullmatch(value.strip())
        if m:
            return self._ref(m.group(1), depth)
        out = _REF.sub(lambda mm: str(self._ref(mm.group(1), depth)), value)
        if len(out) > MAX_RESOLVED:
            raise RefBomb(len(out))
        return out

    def _ref(self, dotted: str, depth: int) -> Any:
        if dotted in self._resolved:
            hit = self._resolved[dotted]
            if isinstance(hit, RefBomb):
                raise hit
            return hit
        if dotted in self._resolving:  # a loop: leave the reference as written
            return "$ref{" + dotted + "}"
        self._resolving.add(dotted)
        try:
            value = self.resolve(self.lookup(dotted)[0], depth + 1)
        except RefBomb as bomb:
            self._resolved[dotted] = bomb
            raise
        finally:
            self._resolving.discard(dotted)
        self._resolved[dotted] = value
        return value

    def lookup(self, dotted: str) -> tuple[Any, int, str]:
        """(value, line, raw) of a dotted key: the file's, else the default's (line 0)."""
        path = tuple(dotted.split("."))
        found, v = self.file_value(path)
        if found:
            loc = self.loc(path)
            return v, loc.line if loc else 0, loc.raw if loc else _toml(v)
        d = DEFAULTS.get(dotted)
        v = d.value if d else None
        return v, 0, _toml(v)

    def setting(self, name: str, dotted: str, kind: str, present: Callable[[Any], Any] | None = None) -> Setting:
        path = tuple(dotted.split("."))
        value, line, raw = self.lookup(dotted)
        if not line:
            found, v = self.file_value(path)
            if found:  # the file sets it but the scanner found no line (cannot happen on valid TOML)
                value, raw = v, _toml(v)
        try:
            value = self.resolve(value)
        except RefBomb as bomb:
            self.error(path, f"{display_key(path)}: its $ref{{...}} references expand to more than {MAX_RESOLVED:,} characters "
                             f"({bomb.size:,} reached)", "each reference should name one plain value; remove the references "
                             "that repeat other references")
            return Setting(name, display_key(path), None, line, raw)
        value = _normalise(self, path, value, kind, bool(line) or self.file_value(path)[0])
        return Setting(name, display_key(path), value, line, raw)


def _normalise(reader: _Reader, path: tuple, value: Any, kind: str, in_file: bool) -> Any:
    key = display_key(path)

    def bad(expected: str, hint: str) -> Any:
        if in_file:
            reader.error(path, f"{key} = {one_line(_toml(value))}: expected {expected}", hint)
        return _EMPTY[kind]

    if value is None:
        return _EMPTY[kind]
    if kind == "bool":
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().lower() in ("true", "false"):
            return value.strip().lower() == "true"
        if _is_placeholder(value):
            return _EMPTY[kind]
        return bad("true or false", f"write {path[-1]} = true or {path[-1]} = false (no quotes)")
    if kind == "int":
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().isdigit():
            return int(value.strip())
        if _is_placeholder(value):
            return 0
        return bad("a whole number of seconds", f"e.g. {path[-1]} = 3600")
    if kind == "str":
        if isinstance(value, str):
            return value
        return bad("a string", f'quote the value, e.g. {path[-1]} = "{_EXAMPLE.get(path[-1], "value")}"')
    if kind in ("protocols", "list"):
        if isinstance(value, list):
            if all(isinstance(v, str) for v in value):
                return _protocols(",".join(value)) if kind == "protocols" else [v.strip() for v in value if v.strip()]
            return bad("a list of strings", f'e.g. {path[-1]} = "{_EXAMPLE.get(path[-1], "a,b")}"')
        if isinstance(value, str):
            return _protocols(value) if kind == "protocols" else [v.strip() for v in value.split(",") if v.strip()]
        return bad("a comma-separated string or a list of strings", f'e.g. {path[-1]} = "{_EXAMPLE.get(path[-1], "a,b")}"')
    raise AssertionError(kind)  # pragma: no cover


_EMPTY: dict[str, Any] = {"bool": False, "int": 0, "str": "", "protocols": [], "list": []}
_EXAMPLE = {"HttpsProtocols": "TLSv1.2,TLSv1.3", "protocols": "+TLSv1.2, +TLSv1.3", "SSLVerifyClient": "require",
            "HostnameVerifier": "Strict", "allow_origins": "https://tpp.example.test", "certificate_header": "X-Client-Cert",
            "PreferredCiphers": "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", "ciphers": "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"}
_ALL_PROTOCOLS = ["SSLv2Hello", "TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"]
# the JSSE spelling of each protocol name, so rules compare one spelling ("tlsv1.0" and "TLSv1" are TLSv1)
_CANONICAL = {p.lower(): p for p in ["SSLv2Hello", "SSLv2", "SSLv3", *_ALL_PROTOCOLS[1:]]} | {"tlsv1.0": "TLSv1"}


def _protocols(text: str) -> list[str]:
    """Protocol list: Synapse's "TLSv1,TLSv1.2" and Tomcat's "+TLSv1.2, +TLSv1.3" / "TLSv1.2+TLSv1.3" / "-TLSv1".

    Tomcat's rule (SSLHostConfig.setProtocols): tokens split before '+', '-', ','; '+' and ','
    add, '-' removes, 'all' is every protocol; the list starts empty.
    """
    out: list[str] = []
    for token in re.split(r"(?=[-+,])", text):
        tok = token.strip()
        if len(tok) <= 1:
            continue
        op = tok[0] if tok[0] in "+-," else "+"
        name = tok[1:].strip() if tok[0] in "+-," else tok
        names = _ALL_PROTOCOLS if name.lower() == "all" else [name]
        for nm in names:
            if op == "-":
                out = [p for p in out if _CANONICAL.get(p.lower(), p.lower()) != _CANONICAL.get(nm.lower(), nm.lower())]
            elif nm and nm.lower() not in (p.lower() for p in out):
                out.append(nm)
    canonical = [_CANONICAL.get(p.lower(), p) for p in out]
    return [p for i, p in enumerate(canonical) if p not in canonical[:i]]
