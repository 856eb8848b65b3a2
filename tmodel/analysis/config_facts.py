"""Linked configuration files in the analysis: reality over the model's claims, and the drift.

A model's ``configs:`` entry links a real configuration file (today: a WSO2 API Manager
``deployment.toml``) to the element it configures. Every analysis audits the file and:

1. overrides the facts the file decides with what the file really does (the gateway's plaintext
   port, the TLS versions its listener and sender accept, whether client certificates are
   required and checked for revocation, certificate-bound tokens, the password grant, token
   hashing and lifetime, default credentials), so that the catalog rules that own those facts
   fire on reality. Each overridden fact records the key and line in ``derived_from``, and the
   "why it fired" of the threat shows it;
2. gives the element the file's settings as ``config`` facts (``element.config.gateway.https_protocols``,
   typed by ``tmodel.sources.wso2_config.FACT_TYPES``), each with its key and line in
   ``derived_from``: the rules of catalogs/wso2-config.yaml are the findings (title, why, level,
   the TOML that fixes it), and ``tmodel audit wso2-config`` renders their analysis;
3. lists the drift (``config_drift``): every overridden fact where the model claimed something
   else. The WSO2CFG-DRIFT rule turns it into a threat: the model must be corrected, or the
   configuration, before anyone relies on the model.

Facts the file cannot decide are left as the model says. Where the file decides only one way
(default credentials present: yes; absent: the model may know of others), only that way overrides.
"""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from tmodel.graph import Facts, has_outside_bearer_tokens
from tmodel.importers.common import read_input
from tmodel.linkpolicy import LinkRefused, check_link
from tmodel.model.enums import ConfigKind, Protocol, Technology
from tmodel.model.types import Model
from tmodel.problems import Problem, ProblemError
from tmodel.sources.wso2_config import WHAT, ConfigAudit, Setting, audit_text

TLS_OF = {"tlsv1": "1.0", "tlsv1.0": "1.0", "tlsv1.1": "1.1", "tlsv1.2": "1.2", "tlsv1.3": "1.3"}
TLS_ORDER = ["none", "1.0", "1.1", "1.2", "1.3"]
KEY_MANAGERS = {Technology.WSO2_KEY_MANAGER, Technology.IDENTITY_PROVIDER}
MANAGEMENT = {Technology.WSO2_PUBLISHER}
PASSTHRU_PROTOCOLS = {Protocol.HTTPS, Protocol.SOAP}
# peers the gateway does not reach through the API sender (their connections have their own clients)
NOT_API_PEERS = {Technology.WSO2_KEY_MANAGER, Technology.IDENTITY_PROVIDER, Technology.WSO2_PUBLISHER,
                 Technology.LOG_COLLECTOR, Technology.DATABASE, Technology.MESSAGE_QUEUE, Technology.HSM}


@dataclass(frozen=True)
class Drift:
    """One fact where the model's claim and the configuration disagree."""

    id: str         # the drifted fact, e.g. 'tls.min_version' or 'plaintext_listener'
    target: str     # element or flow id whose fact drifted
    field: str      # the fact within it
    claim: Any      # what the model says
    actual: Any     # what the configuration does
    source: str     # the key and line (ConfigAudit.where)

    def describe(self) -> str:
        return f"{self.target}: {self.field}: the model says {_show(self.claim)}, the configuration gives {_show(self.actual)} ({self.source})"


@dataclass(frozen=True)
class Override:
    kind: str       # 'element' or 'flow'
    target: str
    field: str      # dotted path inside the target's facts, e.g. 'tls.min_version'
    value: Any
    source: str


def _show(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    return "none" if v is None else str(v)


def lowest_tls(protocols: Any) -> str | None:
    """'1.0' for ['TLSv1', 'TLSv1.2']; None when no protocol is recognised."""
    found = [TLS_OF[str(p).strip().lower()] for p in (protocols or []) if str(p).strip().lower() in TLS_OF]
    return min(found, key=TLS_ORDER.index) if found else None


def only_forward_secret(ciphers: Any) -> bool | None:
    """True when every listed suite has an ephemeral key exchange ((EC)DHE, or a TLS 1.3 suite), False when one
    does not (static RSA: recorded traffic opens with the server's key); None when no list is set (the JVM's
    defaults: not decidable from the file)."""
    suites = [str(c).strip().upper() for c in (ciphers or []) if str(c).strip()]
    if not suites:
        return None
    return all(c.startswith(("TLS_ECDHE_", "TLS_DHE_", "TLS_AES_", "TLS_CHACHA20_")) for c in suites)


def _get(d: dict[str, Any], dotted: str) -> Any:
    for part in dotted.split("."):
        if not isinstance(d, dict):
            return None
        d = d.get(part)  # type: ignore[assignment]
    return d


def _set(d: dict[str, Any], dotted: str, value: Any) -> None:
    parts = dotted.split(".")
    for part in parts[:-1]:
        d = d.setdefault(part, {})
    d[parts[-1]] = value


def overrides(audit: ConfigAudit, model: Model, element_id: str) -> list[Override]:
    """What the configuration decides about the element and its flows, with the key and line."""
    el = model.element(element_id)
    if el is None:
        return []
    s = audit.settings
    out: list[Override] = []

    def ov(kind: str, target: str, field: str, value: Any, setting: str) -> None:
        if setting in s and value is not None:
            out.append(Override(kind, target, field, value, audit.where(setting)))

    if el.technology in MANAGEMENT:
        ov("element", el.id, "plaintext_listener", _val(s, "management.plaintext_listener"), "management.plaintext_listener")
    elif el.technology not in KEY_MANAGERS:
        ov("element", el.id, "plaintext_listener", _val(s, "gateway.plaintext_listener"), "gateway.plaintext_listener")
    for name in ("admin.default_credentials", "keystore.default_password", "keystore.default_file"):
        if name in s and s[name].value is True:
            ov("element", el.id, "default_credentials", True, name)
            break
    if el.technology in KEY_MANAGERS:
        ov("element", el.id, "ropc_grant", _val(s, "oauth.ropc_enabled"), "oauth.ropc_enabled")
        if el.stores_tokens:
            ov("element", el.id, "tokens_hashed", _val(s, "oauth.token_hashing"), "oauth.token_hashing")
        seconds = _val(s, "oauth.user_token_validity_seconds")
        if isinstance(seconds, int) and not isinstance(seconds, bool) and seconds > 0:
            ov("element", el.id, "token_lifetime_minutes", max(1, (seconds + 59) // 60), "oauth.user_token_validity_seconds")
        return sorted(out, key=lambda o: (o.kind, o.target, o.field))

    inbound_tls = lowest_tls(_val(s, "gateway.https_protocols"))
    outbound_tls = lowest_tls(_val(s, "backend.https_protocols"))
    verify = str(_val(s, "gateway.ssl_verify_client") or "").lower()
    revocation = _val(s, "gateway.cert_revocation")
    cert_bound = _val(s, "oauth.cert_bound_tokens")
    forward_secrecy = only_forward_secret(_val(s, "gateway.ciphers"))
    for f in sorted(model.flows, key=lambda f: f.id):
        if el.id not in (f.source, f.target):
            continue
        # only API traffic goes through the PassThrough listener (8243) and sender: not token validation,
        # log shipping, database or broker connections, and not WebSocket (its own listener)
        has_tls = f.tls.min_version.value != "none" and f.protocol in PASSTHRU_PROTOCOLS
        other = model.element(f.source if f.target == el.id else f.target)
        if other is not None and other.technology in NOT_API_PEERS:
            continue
        if f.target == el.id and has_tls:
            ov("flow", f.id, "tls.min_version", inbound_tls, "gateway.https_protocols")
            ov("flow", f.id, "tls.forward_secrecy", forward_secrecy, "gateway.ciphers")
            if verify == "require":
                ov("flow", f.id, "tls.mutual", True, "gateway.ssl_verify_client")
            elif verify == "none":
                ov("flow", f.id, "tls.mutual", False, "gateway.ssl_verify_client")
            mutual = f.tls.mutual or verify == "require"
            if mutual and revocation is False and verify != "none":
                ov("flow", f.id, "tls.client_cert_verified", False, "gateway.cert_revocation")
            if f.authentication.sender_constrained.value == "mtls" and cert_bound is False:
                ov("flow", f.id, "authentication.sender_constrained", "none", "oauth.cert_bound_tokens")
        if f.source == el.id and has_tls:
            ov("flow", f.id, "tls.min_version", outbound_tls, "backend.https_protocols")
    return sorted(out, key=lambda o: (o.kind, o.target, o.field))


def _val(settings: dict[str, Setting], name: str) -> Any:
    st = settings.get(name)
    return st.value if st is not None else None


def _model_value(model: Model, o: Override) -> Any:
    obj = model.element(o.target) if o.kind == "element" else model.flow(o.target)
    value: Any = obj.model_dump(mode="json") if obj is not None else {}
    return _get(value, o.field)


def drift(audit: ConfigAudit, model: Model, element_id: str) -> list[Drift]:
    """Every fact the configuration decides differently from the model's claim."""
    out = []
    for o in overrides(audit, model, element_id):
        claim = _model_value(model, o)
        if claim != o.value:
            out.append(Drift(o.field, o.target, o.field, claim, o.value, o.source))
    return out


def apply(facts: Facts, model: Model, audits: dict[str, list[ConfigAudit]]) -> None:
    """Fold the audits of linked configuration files into the facts (see the module docstring)."""
    for eid, element_audits in sorted(audits.items()):
        ef = facts.elements.get(eid)
        if ef is None:
            continue
        drifted: set[str] = set()
        groups: dict[tuple[str, str, str, str], list[str]] = {}
        src = ef.setdefault("derived_from", {})
        for audit in element_audits:
            ef["config"] = audit.facts()
            for name in audit.settings:
                src[f"config.{name}"] = audit.where(name)
            for o in overrides(audit, model, eid):
                target = ef if o.kind == "element" else facts.flows.get(o.target)
                if target is None:
                    continue
                claim = _model_value(model, o)
                note = o.source if claim == o.value else f"{o.source}; the model says {_show(claim)}"
                _set(target, o.field, o.value)
                facts.mark_stated(eid if o.kind == "element" else o.target, o.field)
                target.setdefault("derived_from", {})[o.field] = note
                if claim != o.value:
                    drifted.add(o.field)
                    groups.setdefault((o.field, _show(claim), _show(o.value), o.source), []).append(o.target)
        for (field, claim, actual, source), targets in sorted(groups.items()):
            key = f"config_drift={field}"
            text = f"{field} of {', '.join(sorted(targets))}: model {claim}, configuration {actual} ({source})"
            src[key] = f"{src[key]}; {text}" if key in src else text
        ef["config_linked"] = True
        ef["config_drift"] = sorted(drifted)
    _refresh_ends(facts)
    facts.model["has_outside_bearer_tokens"] = has_outside_bearer_tokens(facts.flows)


def _refresh_ends(facts: Facts) -> None:
    """Flow and model facts summarise element and flow facts: keep them equal to the overridden ones."""
    for f in facts.flows.values():
        for end in ("source", "target"):
            e = facts.elements.get(str((f.get(end) or {}).get("id")))
            if e:
                for k in list(f[end]):
                    f[end][k] = e.get(k)


# --- reading linked files --------------------------------------------------------------------

Reader = Callable[[str], str]


def resolve(model_path: str, link_path: str) -> str:
    return os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(model_path)), link_path))


@functools.lru_cache(maxsize=64)
def _audit_cached(full: str, label: str, mtime_ns: int, size: int) -> ConfigAudit:
    try:
        text = read_input(full, WHAT)
    except ProblemError as exc:
        raise ProblemError([Problem(label, p.line, p.col, p.message, p.hint) for p in exc.problems]) from None
    return audit_text(text, label)


def audit_linked(model: Model, model_path: str, reader: Reader | None = None,
                 located: Any = None) -> tuple[dict[str, list[ConfigAudit]], list[Problem]]:
    """Audit every linked configuration file: ({element id: [ConfigAudit]}, problems at the configs entries).

    ``reader`` reads a linked file's text by its path relative to the model (e.g. from a git
    revision); without it files are read from disk next to the model, cached by mtime.
    """
    audits: dict[str, list[ConfigAudit]] = {}
    problems: list[Problem] = []
    for i, link in enumerate(model.configs):
        if link.kind != ConfigKind.WSO2_DEPLOYMENT_TOML:  # pragma: no cover - one kind today
            continue
        line, col = located.where(("configs", i, "path")) if located is not None else (0, 0)
        if link.element in audits:
            eline = located.where(("configs", i, "element"))[0] if located is not None else 0
            problems.append(Problem(model_path, eline or line, 0, f"element '{link.element}' already has a linked configuration "
                                    f"file; '{link.path}' is not audited",
                                    "an element is one node: link one deployment.toml to it, and model each other node "
                                    "as an element of its own", code="config"))
            continue
        try:
            label = os.path.normpath(os.path.join(os.path.dirname(model_path), link.path))
            if reader is not None:
                audit = audit_text(reader(link.path), label)
            else:
                full = resolve(model_path, link.path)
                check_link(model_path, full, link.path)  # inside the repository, a regular file
                st = os.stat(full)
                audit = _audit_cached(full, label, st.st_mtime_ns, st.st_size)
        except LinkRefused as exc:
            problems.append(Problem(model_path, line, col, exc.message, exc.hint, code="config"))
            continue
        except FileNotFoundError:
            problems.append(Problem(model_path, line, col, f"linked configuration '{link.path}' does not exist",
                                    "the path is relative to the model file; fix it or remove the configs entry", code="config"))
            continue
        except ProblemError as exc:
            problems.extend(exc.problems)
            continue
        except OSError as exc:
            problems.append(Problem(model_path, line, col, f"cannot read linked configuration '{link.path}': {exc.strerror or exc}",
                                    "", code="config"))
            continue
        audits.setdefault(link.element, []).append(audit)
    return audits, problems


def relative_link(model_path: str, config_path: str) -> str:
    """The configs: path of ``config_path`` for a model at ``model_path``."""
    return Path(os.path.relpath(os.path.abspath(config_path), os.path.dirname(os.path.abspath(model_path)))).as_posix()
