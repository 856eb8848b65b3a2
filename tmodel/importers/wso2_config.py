"""Audit a WSO2 API Manager 4.x ``repository/conf/deployment.toml`` over the product's defaults.

``audit_text(text, path)`` / ``audit_file(path)`` -> ``ConfigAudit``: the effective value of every
security-relevant setting (the file's value, else the 4.7.0 default from ``wso2_defaults``), each
with the line of its key (0 when the default applies), and the findings, each with the exact TOML
that fixes it.

Reading rules:
- the file must be valid TOML 1.0 (``tomllib``); a syntax error is ``file:line:col``;
- a key the file leaves out takes the product default: a missing key is not a safe value;
- ``$ref{a.b}`` follows the referenced key (file, else default); ``${sys.prop}`` is a value;
  ``$secret{alias}`` is a cipher-tool secret (the good case for passwords);
- a value of the wrong type for a key the audit reads (``enable = "maybe"``) is a located error,
  not a guess;
- tomllib gives no positions, so ``_index_keys`` scans the text for the line of every key (tables,
  arrays of tables and their sub-tables, quoted and dotted keys, comments, multi-line values).

Secrets are never echoed: a plain-text secret's ``raw`` is masked, except the product's own
public defaults (admin/admin, wso2carbon), which are what the finding is about.
"""

from __future__ import annotations

import bisect
import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tmodel.importers.common import one_line
from tmodel.importers.wso2_defaults import DEFAULTS, PRODUCT, source_text
from tmodel.problems import Problem, ProblemError

WHAT = "a WSO2 API Manager deployment.toml"
SEVERITIES = ("critical", "high", "medium", "low")
LEGACY_PROTOCOLS = ("SSLv2Hello", "SSLv2", "SSLv3", "TLSv1", "TLSv1.0", "TLSv1.1")
DEFAULT_PUBLIC_SECRETS = {"admin", "wso2carbon"}


# --- the API ---------------------------------------------------------------------------------

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


@dataclass(frozen=True)
class ConfigFinding:
    id: str
    severity: str    # critical | high | medium | low
    title: str
    detail: str
    fix: str         # the exact TOML to write
    setting: Setting

    @property
    def line(self) -> int:
        return self.setting.line


@dataclass
class ConfigAudit:
    path: str
    settings: dict[str, Setting]
    findings: list[ConfigFinding]
    product: str = PRODUCT

    def where(self, name: str) -> str:
        s = self.settings[name]
        if s.line:
            return f"{self.path}:{s.line} {s.key} = {one_line(s.raw)}"
        if s.raw == "unset":
            return f"{self.path}: {s.key} unset (the product sets no default)"
        return f"{self.path}: {s.key} unset: product default {one_line(s.raw)}"

    def counts(self) -> dict[str, int]:
        return {sev: sum(1 for f in self.findings if f.severity == sev) for sev in SEVERITIES}

    @property
    def failing(self) -> bool:
        """True when any finding is high or critical (the CLI exits 1)."""
        return any(f.severity in ("critical", "high") for f in self.findings)


def audit_file(path: str) -> ConfigAudit:
    from tmodel.importers.common import read_input

    return audit_text(read_input(path, WHAT), path)


def audit_text(text: str, path: str) -> ConfigAudit:
    """The audit of a deployment.toml's text; ProblemError (located) on bad TOML or wrong value types."""
    text = text.removeprefix("\ufeff")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ProblemError([_syntax_problem(exc, text, path)]) from None
    except (ValueError, RecursionError, OverflowError) as exc:  # a 5,000-digit number, arrays nested thousands deep
        raise ProblemError([_limit_problem(exc, text, path)]) from None
    reader = _Reader(text, data, path)
    settings = _settings(reader)
    if reader.problems:
        raise ProblemError(reader.problems)
    findings = _findings(settings)
    findings.sort(key=lambda f: (SEVERITIES.index(f.severity), f.id))
    return ConfigAudit(path, settings, findings)


# --- TOML errors -----------------------------------------------------------------------------

_AT = re.compile(r"\s*\(at line (\d+), column (\d+)\)\s*$")
_AT_END = re.compile(r"\s*\(at end of document\)\s*$")


def _syntax_problem(exc: tomllib.TOMLDecodeError, text: str, path: str) -> Problem:
    msg = str(exc)
    line = col = 0
    m = _AT.search(msg)
    if m:
        line, col = int(m.group(1)), int(m.group(2))
        msg = msg[: m.start()]
    elif _AT_END.search(msg):
        msg = msg[: _AT_END.search(msg).start()]
        line = text.count("\n") + (0 if text.endswith("\n") else 1) or 1
        col = len(text.rsplit("\n", 1)[-1]) + 1 if not text.endswith("\n") else 1
    hint = "fix the TOML syntax; the product refuses to start on this file too"
    low = msg.lower()
    if "overwrite" in low or "already" in low or "duplicate" in low:
        hint = "a key or table is defined twice; keep one (the product would refuse the file too)"
    elif "unclosed" in low or "end of document" in low or "unterminated" in low:
        hint = "a string, array or table header is not closed"
    return Problem(path, line or 1, col or 1, f"invalid TOML: {msg[:1].lower() + msg[1:]}", hint)


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
                out = [p for p in out if p.lower() != nm.lower()]
            elif nm and nm.lower() not in (p.lower() for p in out):
                out.append(nm)
    return out


# --- the settings ----------------------------------------------------------------------------

# (name, dotted key, kind): one key each
SIMPLE: list[tuple[str, str, str]] = [
    ("gateway.plaintext_listener", "transport.passthru_http.listener.enable", "bool"),
    ("gateway.https_protocols", "transport.passthru_https.listener.parameters.HttpsProtocols", "protocols"),
    ("gateway.ciphers", "transport.passthru_https.listener.parameters.PreferredCiphers", "list"),
    ("gateway.cert_revocation", "transport.passthru_https.listener.cert_revocation_validation.enable", "bool"),
    ("websocket.protocols", "apim.wss.ssl_enabled_protocols", "protocols"),
    ("backend.https_protocols", "transport.passthru_https.sender.parameters.HttpsProtocols", "protocols"),
    ("management.plaintext_listener", "transport.http.enable", "bool"),
    ("management.protocols", "transport.https.sslHostConfig.properties.protocols", "protocols"),
    ("management.ciphers", "transport.https.sslHostConfig.properties.ciphers", "list"),
    ("oauth.cert_bound_tokens", "apim.oauth_config.enable_certificate_bound_access_token", "bool"),
    ("oauth.token_hashing", "apim.oauth_config.enable_token_hashing", "bool"),
    ("oauth.token_encryption", "apim.oauth_config.enable_token_encryption", "bool"),
    ("oauth.ropc_enabled", "oauth.grant_type.password.enable", "bool"),
    ("oauth.outbound_auth_header", "apim.oauth_config.enable_outbound_auth_header", "bool"),
    ("oauth.user_token_validity_seconds", "oauth.token_validation.user_access_token_validity", "int"),
    ("cors.enabled", "apim.cors.enable", "bool"),
    ("cors.allow_origins", "apim.cors.allow_origins", "list"),
    ("cors.allow_credentials", "apim.cors.allow_credentials", "bool"),
    ("throttling.unlimited_tier", "apim.throttling.enable_unlimited_tier", "bool"),
    ("devportal.anonymous", "apim.devportal.enable_anonymous_mode", "bool"),
    ("mutual_ssl.certificate_header", "apimgt.mutual_ssl.certificate_header", "str"),
    ("mutual_ssl.client_validation", "apimgt.mutual_ssl.enable_client_validation", "bool"),
    ("analytics.enabled", "apim.analytics.enable", "bool"),
    ("analytics.send_payloads", "apim.analytics.properties.send_payloads", "bool"),
    ("jmx.enabled", "monitoring.jmx.rmi_server_start", "bool"),
]

SECRET_KEY = re.compile(r"(^|_|\.)(password|key_password|secret|client_secret|auth_token|token|moesifkey|api_key|apikey)$",
                        re.IGNORECASE)
_SKIP_DB = {"local", "mb"}  # the Carbon local DB and the broker store are embedded H2 by design


def _settings(r: _Reader) -> dict[str, Setting]:
    out = {name: r.setting(name, dotted, kind) for name, dotted, kind in SIMPLE}
    for name, s in _composites(r).items():
        out[name] = s
    return dict(sorted(out.items()))


def _composites(r: _Reader) -> dict[str, Setting]:
    out: dict[str, Setting] = {}

    # what Synapse does with the value (case-insensitive; anything else: no client auth / the DEFAULT verifier)
    sv = r.setting("gateway.ssl_verify_client", "transport.passthru_https.listener.parameters.SSLVerifyClient", "str")
    v = str(sv.value).strip().lower()
    out[sv.name] = Setting(sv.name, sv.key, v if v in ("require", "optional") else "none", sv.line, sv.raw)
    hv = r.setting("backend.hostname_verifier", "transport.passthru_https.sender.parameters.HostnameVerifier", "str")
    canon = {"strict": "Strict", "allowall": "AllowAll", "defaultandlocalhost": "DefaultAndLocalhost"}
    out[hv.name] = Setting(hv.name, hv.key, canon.get(str(hv.value).strip().lower(), "Default"), hv.line, hv.raw)

    # the event receiver (9711): default.json's spelling, or the one the shipped toml's comment shows
    er = r.setting("internal.event_receiver_protocols", "transport.receiver.ssl_enabled_protocols", "protocols")
    if not er.line:
        er = r.setting("internal.event_receiver_protocols", "transport.binary.receiver.sslEnabledProtocols", "protocols")
    out[er.name] = er

    # super_admin admin/admin
    user, uline, _ = r.lookup("super_admin.username")
    pw, pline, praw = r.lookup("super_admin.password")
    is_default = r.resolve(user) == "admin" and r.resolve(pw) == "admin"
    out["admin.default_credentials"] = Setting(
        "admin.default_credentials", "[super_admin] password", is_default,
        (pline or uline) if is_default else pline, praw if is_default or not pline else _mask(pw))

    # keystores left on the shipped password / file
    hit = None
    for dotted in ("keystore.tls.password", "keystore.tls.key_password", "keystore.primary.password",
                   "keystore.primary.key_password", "keystore.internal.password", "truststore.password"):
        v, line, raw = r.lookup(dotted)
        if r.resolve(v) == "wso2carbon" and (hit is None or (line and not hit[1])):
            hit = (dotted, line, raw if line else '"wso2carbon"' + (f" (via {v})" if v != "wso2carbon" else ""))
    dotted, line, raw = hit or ("keystore.tls.password", 0, r.lookup("keystore.tls.password")[2])
    if hit is None:
        v, line, raw = r.lookup(dotted)
        raw = raw if _is_placeholder(v) or not line else _mask(v)
    out["keystore.default_password"] = Setting("keystore.default_password", display_key(dotted.split(".")), hit is not None, line, raw)
    hitf = None
    for dotted in ("keystore.tls.file_name", "keystore.primary.file_name"):
        v, line, raw = r.lookup(dotted)
        if r.resolve(v) == "wso2carbon.jks" and (hitf is None or (line and not hitf[1])):
            hitf = (dotted, line, raw if line else '"wso2carbon.jks"')
    dotted, line, raw = hitf or ("keystore.tls.file_name", *r.lookup("keystore.tls.file_name")[1:])
    out["keystore.default_file"] = Setting("keystore.default_file", display_key(dotted.split(".")), hitf is not None, line, raw)

    # databases
    dbs = r.data.get("database") if isinstance(r.data.get("database"), dict) else {}
    names = sorted(set(dbs) | {"apim_db"})
    h2: list[tuple[str, int, str, str]] = []
    plain: list[tuple[str, int, str]] = []
    for db in names:
        if db in _SKIP_DB:
            continue
        url, uline, uraw = r.lookup(f"database.{db}.url")
        typ, tline, traw = r.lookup(f"database.{db}.type")
        is_h2 = (isinstance(typ, str) and typ.strip().lower() == "h2") or (isinstance(url, str) and url.strip().lower().startswith("jdbc:h2:"))
        if is_h2:
            line, key, raw = (tline, "type", traw) if tline and str(typ).lower() == "h2" else (uline, "url", uraw)
            h2.append((db, line, key, raw))
        pw, pline, praw = r.lookup(f"database.{db}.password")
        if pline and isinstance(pw, str) and pw and not _is_placeholder(pw):
            plain.append((db, pline, praw))
    first = next((h for h in h2 if h[1]), h2[0] if h2 else None)
    out["database.h2"] = Setting("database.h2", display_key(("database", first[0], first[2])) if first else "[database.apim_db] type",
                                 [h[0] for h in h2], first[1] if first else 0,
                                 first[3] if first else r.lookup("database.apim_db.url")[2])
    firstp = plain[0] if plain else None
    out["database.plaintext_passwords"] = Setting(
        "database.plaintext_passwords", display_key(("database", firstp[0], "password")) if firstp else "[database.apim_db] password",
        [p[0] for p in plain], firstp[1] if firstp else 0, _mask_raw(firstp[2]) if firstp else "unset")

    # every secret written in plain text (not $secret{...}), anywhere in the file
    secrets = sorted(((loc.line, path) for path, loc in r.keys.items()
                      if path and isinstance(path[-1], str) and (SECRET_KEY.search(path[-1]) or path[:1] == ("secrets",))
                      and _plain_secret(r.file_value(path)[1], path)), key=lambda x: x[0])
    keys = [display_key(tuple(p for p in path if not isinstance(p, int))) for _, path in secrets]
    s0 = secrets[0] if secrets else None
    out["secrets.plaintext"] = Setting("secrets.plaintext", keys[0] if keys else "password keys", keys,
                                       s0[0] if s0 else 0, _mask_raw(r.keys[s0[1]].raw) if s0 else "none")
    return out


def _plain_secret(v: Any, path: tuple = ()) -> bool:
    if not (isinstance(v, str) and v.strip()) or _is_placeholder(v):
        return False
    if path[:1] == ("secrets",):  # cipher tool input: "[plain text]" until bin/ciphertool.sh encrypts it
        return v.strip().startswith("[") and v.strip().endswith("]")
    return True


def _mask(v: Any) -> str:
    if v is None:
        return "unset"
    if _is_placeholder(v) or str(v) in DEFAULT_PUBLIC_SECRETS:
        return _toml(v)
    return f'"***" (plain text, {len(str(v))} characters)'


def _mask_raw(raw: str) -> str:
    """The raw text of a secret: shown when it is a placeholder or a public default, else masked."""
    try:
        v = tomllib.loads("v = " + raw)["v"]
    except tomllib.TOMLDecodeError:
        return '"***"'
    return _mask(v)


# --- the findings ----------------------------------------------------------------------------

def _findings(s: dict[str, Setting]) -> list[ConfigFinding]:
    out: list[ConfigFinding] = []

    def add(fid: str, sev: str, title: str, detail: str, fix: str, name: str) -> None:
        out.append(ConfigFinding(fid, sev, title, detail, fix.strip(), s[name]))

    def legacy(name: str) -> list[str]:
        return [p for p in s[name].value if p.lower() in {x.lower() for x in LEGACY_PROTOCOLS}]

    old = legacy("gateway.https_protocols")
    if old:
        add("legacy-tls-gateway", "high", f"{' and '.join(old)} accepted on the API gateway port 8243",
            f"The PassThrough HTTPS listener offers {', '.join(old)}: a client (or a downgrade attacker on the path) "
            "can negotiate a protocol with known weaknesses (BEAST, no AEAD ciphers, SHA-1 handshakes). FAPI.SEC / "
            "FAPI 1.0 Advanced and PCI DSS require TLS 1.2 or later on every API endpoint that carries customer data and tokens.",
            '[transport.passthru_https.listener.parameters]\nHttpsProtocols = "TLSv1.2,TLSv1.3"', "gateway.https_protocols")
    old = legacy("backend.https_protocols")
    if old:
        add("legacy-tls-backend", "medium", f"Gateway offers {' and '.join(old)} to backends",
            f"The PassThrough HTTPS sender (gateway to backend) offers {', '.join(old)}; a backend or a man in the middle "
            "that only speaks an old protocol gets customer data over it. Backends of a bank API must be reached over TLS 1.2+.",
            '[transport.passthru_https.sender.parameters]\nHttpsProtocols = "TLSv1.2,TLSv1.3"', "backend.https_protocols")
    old = legacy("management.protocols")
    if old:
        add("legacy-tls-management", "medium", f"{' and '.join(old)} accepted on the management port 9443",
            f"Tomcat's connector for the Publisher, Developer Portal, Admin portal and the Key Manager's /oauth2 endpoints "
            f"offers {', '.join(old)}. Administrator logins and token requests must use TLS 1.2+.",
            '[transport.https.sslHostConfig.properties]\nprotocols = "+TLSv1.2, +TLSv1.3"', "management.protocols")

    old = legacy("websocket.protocols")
    if old:
        add("legacy-tls-websocket", "medium", f"{' and '.join(old)} accepted on the secure WebSocket port 8099",
            f"[apim.wss] ssl_enabled_protocols offers {', '.join(old)} to WebSocket API clients (streaming quotes, "
            "notifications): the same downgrade exposure as the HTTPS port, for every WebSocket API published.",
            '[apim.wss]\nssl_enabled_protocols = "TLSv1.2,TLSv1.3"', "websocket.protocols")
    old = legacy("internal.event_receiver_protocols")
    if old:
        add("legacy-tls-event-receiver", "low", f"{' and '.join(old)} accepted on the event receiver port 9711",
            f"The binary (Thrift) receiver that takes throttling and analytics events from the gateways offers "
            f"{', '.join(old)}; the connection carries the receiver's credentials and request metadata.",
            '[transport.receiver]\nssl_enabled_protocols = ["TLSv1.2", "TLSv1.3"]', "internal.event_receiver_protocols")

    ciphers = s["gateway.ciphers"].value
    weak = [c for c in ciphers if re.search(r"RC4|3DES|_DES_|NULL|EXPORT|anon|MD5", c, re.IGNORECASE)]
    no_fs = [c for c in ciphers if c.upper().startswith("TLS_RSA_") or "_CBC_" in c.upper()]
    fapi_ciphers = "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,TLS_DHE_RSA_WITH_AES_128_GCM_SHA256,TLS_DHE_RSA_WITH_AES_256_GCM_SHA384"
    cipher_fix = f'[transport.passthru_https.listener.parameters]\nPreferredCiphers = "{fapi_ciphers}"'
    if weak or no_fs:
        bad = weak or no_fs
        add("weak-ciphers-gateway", "high" if weak else "medium",
            f"Gateway port 8243 allows {'broken' if weak else 'non-forward-secret or CBC'} cipher suites",
            f"PreferredCiphers lists {', '.join(bad[:4])}{' ...' if len(bad) > 4 else ''}. "
            + ("These suites are broken (RC4, DES, NULL, export or anonymous)." if weak else
               "Suites without ECDHE/DHE key exchange lose every past session when the server key leaks; CBC suites "
               "are open to padding-oracle attacks. FAPI allows only the four ECDHE/DHE AES-GCM suites for TLS 1.2."),
            cipher_fix, "gateway.ciphers")
    elif not ciphers:
        add("gateway-ciphers-unset", "low", "Gateway port 8243 uses the JVM's default cipher suites",
            "PreferredCiphers is unset, so the listener offers whatever the JVM enables, including CBC and (on older "
            "JVMs) non-forward-secret suites. FAPI allows only the ECDHE/DHE AES-GCM suites for TLS 1.2; pin them.",
            cipher_fix, "gateway.ciphers")

    if s["gateway.plaintext_listener"].value:
        add("plaintext-gateway-port", "high", "Plain HTTP API port 8280 is open on the gateway",
            "The PassThrough HTTP listener accepts API calls without TLS: any API published with the 'http' transport "
            "serves tokens, customer data and payment orders in clear text, and a client that mistypes the scheme leaks "
            "its bearer token. WSO2's production checklist disables it.",
            "[transport.passthru_http.listener]\nenable = false", "gateway.plaintext_listener")
    if s["management.plaintext_listener"].value:
        add("plaintext-management-port", "medium", "Plain HTTP servlet port 9763 is open",
            "Tomcat's HTTP connector serves the web applications (portals, admin services, /oauth2 on an all-in-one node) "
            "without TLS; session cookies and credentials can cross the network in clear text.",
            "[transport.http]\nenable = false", "management.plaintext_listener")

    verify = s["gateway.ssl_verify_client"].value
    if verify != "require":
        never = verify == "none"
        add("client-cert-optional", "high" if never else "medium",
            "Gateway never asks for client certificates" if never else "Client certificates are optional on gateway port 8243",
            (f"SSLVerifyClient = {one_line(s['gateway.ssl_verify_client'].raw)}: " +
             ("the listener never requests a client certificate, so no API can use mutual TLS and FAPI's mTLS client "
              "authentication and certificate-bound tokens are impossible." if never else
              "the TLS handshake succeeds without a certificate, so mutual TLS holds only for APIs that enable "
              "'mutualssl_mandatory' one by one; an API published without it accepts any TPP without a certificate. "
              "FAPI.SEC requires mTLS for every TPP call.")),
            '[transport.passthru_https.listener.parameters]\nSSLVerifyClient = "require"', "gateway.ssl_verify_client")
    if not s["gateway.cert_revocation"].value and verify != "none":
        add("cert-revocation-off", "medium", "Client certificate revocation (OCSP/CRL) is not checked",
            "A TPP certificate revoked by the CA (compromised key, licence withdrawn) is still accepted for mutual TLS "
            "until it expires.",
            "[transport.passthru_https.listener.cert_revocation_validation]\nenable = true\nallow_full_cert_chain_validation = true",
            "gateway.cert_revocation")

    hv = s["backend.hostname_verifier"].value
    hv_fix = '[transport.passthru_https.sender.parameters]\nHostnameVerifier = "Strict"'
    if hv == "AllowAll":
        add("hostname-verification-off", "high", "Gateway does not verify backend host names",
            "HostnameVerifier = AllowAll accepts any trusted certificate for any backend: whoever holds a certificate "
            "from a CA in the client truststore can sit between the gateway and the core banking backend. "
            "Also check bin/api-manager.sh for -Dhttpclient.hostnameVerifier=AllowAll.", hv_fix, "backend.hostname_verifier")
    elif hv != "Strict":
        add("hostname-verification-relaxed", "low", "Backend host name verification is relaxed",
            (f"HostnameVerifier = {one_line(s['backend.hostname_verifier'].raw)}: " +
             ("wildcard certificates match any sub-domain depth and 'localhost' is always accepted. "
              if hv == "DefaultAndLocalhost" else
              "not a value Synapse knows (Strict, AllowAll, DefaultAndLocalhost), so it uses its DEFAULT verifier: "
              "wildcard certificates match any sub-domain depth. ") +
             "Strict matches one level only, so a certificate for *.bank.test cannot stand in for core.api.bank.test."), hv_fix,
            "backend.hostname_verifier")

    if s["cors.enabled"].value and "*" in s["cors.allow_origins"].value:
        cred = s["cors.allow_credentials"].value
        add("cors-any-origin", "high" if cred else "medium",
            "CORS allows any origin" + (" with credentials" if cred else ""),
            "[apim.cors] allow_origins = \"*\" applies to every API that does not override it: any web site can call "
            "the APIs from a customer's browser and read the responses" +
            (", and allow_credentials = true sends the customer's cookies and authorization with it." if cred else
             ". APIs must list their TPP origins."),
            '[apim.cors]\nallow_origins = ["https://tpp.example.test"]\nallow_credentials = false', "cors.allow_origins")

    if s["admin.default_credentials"].value:
        add("default-admin-credentials", "critical", "Super admin account is admin/admin",
            "[super_admin] username = \"admin\" and password = \"admin\": the first credentials anyone tries. The super "
            "admin publishes and deletes APIs, changes throttling and reads every application's keys.",
            '[super_admin]\nusername = "<bank admin account>"\npassword = "$secret{admin_password}"\ncreate_admin_account = true',
            "admin.default_credentials")
    if s["keystore.default_password"].value:
        add("default-keystore-password", "high", "Keystore or truststore keeps the shipped password 'wso2carbon'",
            "The TLS / primary keystore or the client truststore is protected by the public default password: anyone who "
            "reads the file (backup, image, support bundle) gets the gateway's private key, or can add a CA the gateway "
            "will trust for mutual TLS.",
            '[keystore.tls]\npassword = "$secret{keystore_password}"\nkey_password = "$secret{keystore_key_password}"\n\n'
            '[truststore]\npassword = "$secret{truststore_password}"', "keystore.default_password")
    if s["keystore.default_file"].value:
        add("default-keystore-file", "high", "Gateway uses the shipped keystore wso2carbon.jks",
            "wso2carbon.jks ships with every WSO2 download, private key included: unless the key inside was replaced, "
            "anyone can impersonate the gateway's TLS endpoint and forge the JWTs it signs. If the key was replaced, "
            "rename the file so the audit can tell.",
            '[keystore.tls]\nfile_name = "bank-gateway-tls.p12"\ntype = "PKCS12"\n\n[keystore.primary]\n'
            'file_name = "bank-gateway-signing.p12"\ntype = "PKCS12"', "keystore.default_file")

    plain = s["secrets.plaintext"].value
    if plain:
        add("plaintext-secrets", "high", f"{len(plain)} secret(s) written in plain text in deployment.toml",
            f"{', '.join(plain[:5])}{' ...' if len(plain) > 5 else ''}: passwords in the file are readable by anyone "
            "with access to the host, its backups or the configuration repository. WSO2's cipher tool encrypts them "
            "into $secret{alias}.",
            '[secrets]\ndatabase_password = "[<the password>]"   # run bin/ciphertool.sh -Dconfigure, then:\n\n'
            '[database.apim_db]\npassword = "$secret{database_password}"', "secrets.plaintext")

    h2 = s["database.h2"].value
    if h2:
        add("h2-database", "high", f"Embedded H2 database used for {', '.join(h2)}",
            "H2 is for evaluation only: the API-M database holds OAuth applications, client secrets, subscriptions and "
            "tokens in a local file without access control, backup or replication, and is not supported in production.",
            '[database.apim_db]\ntype = "postgre"\nurl = "jdbc:postgresql://db.bank.internal:5432/apim_db?sslmode=verify-full"\n'
            'username = "apim"\npassword = "$secret{apim_db_password}"', "database.h2")

    if s["oauth.ropc_enabled"].value:
        add("ropc-enabled", "high", "Resource owner password grant (ROPC) is enabled",
            "[oauth.grant_type.password] enable is on: an application can collect the customer's bank password and "
            "exchange it for a token, bypassing the bank's own authentication and SCA. FAPI and OAuth 2.0 Security BCP "
            "forbid it.", "[oauth.grant_type.password]\nenable = false", "oauth.ropc_enabled")
    if not s["oauth.cert_bound_tokens"].value:
        add("tokens-not-cert-bound", "medium", "Access tokens are not bound to the client certificate",
            "enable_certificate_bound_access_token is off: a stolen bearer token works from any client. FAPI requires "
            "sender-constrained (RFC 8705 mTLS-bound) tokens.",
            "[apim.oauth_config]\nenable_certificate_bound_access_token = true", "oauth.cert_bound_tokens")
    if not s["oauth.token_hashing"].value:
        add("tokens-not-hashed", "medium", "Access and refresh tokens are stored unhashed",
            "enable_token_hashing is off: anyone who reads the API-M database (a backup, a DBA, SQL injection in a "
            "portal) gets live tokens for every customer.",
            "[apim.oauth_config]\nenable_token_hashing = true", "oauth.token_hashing")
    if s["throttling.unlimited_tier"].value:
        add("unlimited-tier", "medium", "The 'Unlimited' throttling tier is available",
            "enable_unlimited_tier is on: APIs and subscriptions can use a tier with no rate limit, so a single "
            "application can exhaust the backend (OWASP API4: unrestricted resource consumption).",
            "[apim.throttling]\nenable_unlimited_tier = false", "throttling.unlimited_tier")
    if s["oauth.outbound_auth_header"].value:
        add("outbound-auth-header", "medium", "Client access tokens are forwarded to backends",
            "enable_outbound_auth_header is on: the gateway passes the client's Authorization header to the backend, "
            "where it can be logged or replayed against other APIs. Send the backend a signed backend JWT instead.",
            "[apim.oauth_config]\nenable_outbound_auth_header = false\n\n[apim.jwt]\nenable = true", "oauth.outbound_auth_header")
    if s["devportal.anonymous"].value:
        add("devportal-anonymous", "low", "Developer Portal shows APIs to anonymous visitors",
            "enable_anonymous_mode is on: the list of public APIs, their definitions and documentation can be read "
            "without logging in, which maps the bank's API surface for an attacker.",
            "[apim.devportal]\nenable_anonymous_mode = false", "devportal.anonymous")
    if s["analytics.send_payloads"].value and s["analytics.enabled"].value:
        add("analytics-payloads", "high", "API payloads are sent to the analytics service",
            "[apim.analytics.properties] send_payloads is on with analytics enabled: request and response bodies "
            "(customer personal and payment data) leave the bank for the analytics provider, which may be a foreign "
            "SaaS (152-FZ cross-border transfer).", "[apim.analytics.properties]\nsend_payloads = false",
            "analytics.send_payloads")
    if not s["mutual_ssl.client_validation"].value:
        add("client-cert-header-not-validated", "high", "Client certificates passed in a header are not validated",
            "[apimgt.mutual_ssl] enable_client_validation is off: a certificate forwarded by the load balancer in "
            f"{s['mutual_ssl.certificate_header'].value or 'the certificate header'} is accepted without checking it "
            "against the truststore, so anyone who reaches the gateway can claim any TPP's identity.",
            "[apimgt.mutual_ssl]\nenable_client_validation = true\nenable_certificate_chain_validation = true",
            "mutual_ssl.client_validation")
    if s["jmx.enabled"].value:
        add("jmx-enabled", "medium", "JMX remote management is started (RMI 9999/11111)",
            "monitoring.jmx rmi_server_start is on: the JMX RMI ports expose server management; reachable from the "
            "network they allow reading configuration and invoking MBeans.",
            "[monitoring.jmx]\nrmi_server_start = false", "jmx.enabled")
    seconds = s["oauth.user_token_validity_seconds"].value
    if isinstance(seconds, int) and seconds > 3600:
        add("long-access-token-lifetime", "low", f"User access tokens live {seconds // 60} minutes",
            "A stolen user access token stays valid longer than the product's 60-minute default; bank APIs keep access "
            "tokens short and rely on refresh tokens.",
            "[oauth.token_validation]\nuser_access_token_validity = 3600", "oauth.user_token_validity_seconds")
    return out


# the key behind each setting whose default a report may cite (composites span several keys)
DEFAULT_KEYS: dict[str, str] = {name: dotted for name, dotted, _ in SIMPLE} | {
    "gateway.ssl_verify_client": "transport.passthru_https.listener.parameters.SSLVerifyClient",
    "backend.hostname_verifier": "transport.passthru_https.sender.parameters.HostnameVerifier",
    "internal.event_receiver_protocols": "transport.binary.receiver.sslEnabledProtocols",
    "keystore.default_password": "keystore.tls.password",
    "keystore.default_file": "keystore.tls.file_name",
    "database.h2": "database.apim_db.url",
}


def default_source(name: str) -> str:
    """Where the product default of a setting comes from (the default.json file), or 'unset'."""
    d = DEFAULTS.get(DEFAULT_KEYS.get(name, ""))
    return source_text(d) if d else "unset"


__all__ = ["SIMPLE", "WHAT", "ConfigAudit", "ConfigFinding", "Setting", "audit_file", "audit_text", "default_source", "display_key"]
