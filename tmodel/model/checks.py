"""Checks beyond the schema: ids, references and consistency a careful reviewer would catch.

Each check is a small function yielding problems; ``CHECKS`` is the explicit registry.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Callable, Iterator

from tmodel.model.enums import (
    AuthMethod,
    DecisionStatus,
    ElementKind,
    FileDirection,
    PdCategory,
    Protocol,
    Technology,
    TlsVersion,
)
from tmodel.model.types import Model
from tmodel.model.yamlsafe import Located
from tmodel.problems import Problem

Check = Callable[[Model, "Ctx"], Iterator[Problem]]

ENCRYPTED_PROTOCOLS = {Protocol.SFTP}
PLAINTEXT_PROTOCOLS = {Protocol.HTTP, Protocol.FTP}


class Ctx:
    def __init__(self, located: Located | None, path: str):
        self.located = located
        self.path = path

    def at(self, loc: tuple, message: str, hint: str = "", *, severity: str = "error", code: str = "", key: bool = False) -> Problem:
        line, col = self.located.where(loc, key=key) if self.located else (0, 0)
        return Problem(self.path, line, col, message, hint, severity, code)


def _dupes(ids: list[str]) -> set[str]:
    return {i for i, n in Counter(ids).items() if n > 1}


def check_duplicate_ids(m: Model, c: Ctx) -> Iterator[Problem]:
    seen: dict[str, str] = {}
    for section in ("data_assets", "boundaries", "elements", "flows"):
        for i, item in enumerate(getattr(m, section)):
            if item.id == "model":
                yield c.at((section, i, "id"), "'model' is reserved for model-wide threats", "choose another id", code="reserved-id")
            if item.id in seen:
                yield c.at((section, i, "id"), f"duplicate id '{item.id}' (already used in {seen[item.id]})",
                           "ids must be unique across data assets, boundaries, elements and flows", code="duplicate-id")
            else:
                seen[item.id] = section


def check_references(m: Model, c: Ctx) -> Iterator[Problem]:
    elements = {e.id for e in m.elements}
    boundaries = {b.id for b in m.boundaries}
    assets = {a.id for a in m.data_assets}
    targets = elements | {f.id for f in m.flows} | boundaries | assets

    def unknown(loc: tuple, what: str, value: str, known: set[str]) -> Problem:
        import difflib

        close = difflib.get_close_matches(value, sorted(known), n=1, cutoff=0.6)
        hint = f"did you mean '{close[0]}'?" if close else (f"known {what}s: {', '.join(sorted(known))}" if known else f"define the {what} first")
        return c.at(loc, f"unknown {what} '{value}'", hint, code="unknown-ref")

    for i, b in enumerate(m.boundaries):
        if b.parent is not None and b.parent not in boundaries:
            yield unknown(("boundaries", i, "parent"), "boundary", b.parent, boundaries)
        if b.parent == b.id:
            yield c.at(("boundaries", i, "parent"), f"boundary '{b.id}' is its own parent", "remove 'parent' or name another boundary", code="cycle")
    for i, e in enumerate(m.elements):
        if e.boundary is not None and e.boundary not in boundaries:
            yield unknown(("elements", i, "boundary"), "boundary", e.boundary, boundaries)
    for i, f in enumerate(m.flows):
        if f.source not in elements:
            yield unknown(("flows", i, "from"), "element", f.source, elements)
        if f.target not in elements:
            yield unknown(("flows", i, "to"), "element", f.target, elements)
        for j, d in enumerate(f.data):
            if d not in assets:
                yield unknown(("flows", i, "data", j), "data asset", d, assets)
    for i, cs in enumerate(m.controls):
        for j, s in enumerate(cs.scope):
            if s not in targets:
                yield unknown(("controls", i, "scope", j), "element or flow", s, targets)
    for i, d in enumerate(m.decisions):
        target = d.threat.split("@", 1)[1]
        if target != "model" and target not in targets:
            yield c.at(("decisions", i, "threat"), f"decision refers to '{target}', which is not in the model",
                       "the element or flow was removed or renamed: update or delete this decision",
                       severity="warning", code="stale-decision")


def check_boundary_cycles(m: Model, c: Ctx) -> Iterator[Problem]:
    parents = {b.id: b.parent for b in m.boundaries}
    for i, b in enumerate(m.boundaries):
        seen = {b.id}
        p = b.parent
        while p is not None and p in parents:
            if p in seen:
                if p != b.id or b.parent != b.id:
                    yield c.at(("boundaries", i, "parent"), f"boundary nesting of '{b.id}' forms a cycle", "a boundary cannot be inside itself", code="cycle")
                break
            seen.add(p)
            p = parents[p]


def check_boundary_membership(m: Model, c: Ctx) -> Iterator[Problem]:
    if not m.boundaries:
        return
    for i, e in enumerate(m.elements):
        if e.boundary is None:
            yield c.at(("elements", i, "id"), f"element '{e.id}' is outside every trust boundary",
                       "add 'boundary:' with the zone it runs in: boundary crossings and exposure depend on it", code="no-boundary")


def check_flows(m: Model, c: Ctx) -> Iterator[Problem]:
    seen: dict[tuple, str] = {}
    for i, f in enumerate(m.flows):
        if f.source == f.target:
            yield c.at(("flows", i, "to"), f"flow '{f.id}' goes from '{f.source}' to itself",
                       "a flow connects two different elements; model internal steps as separate elements", code="self-flow")
        key = (f.source, f.target, f.protocol)
        if key in seen:
            yield c.at(("flows", i, "id"), f"flow '{f.id}' repeats flow '{seen[key]}' (same ends and protocol)",
                       "merge them, or say in the titles how they differ", severity="warning", code="duplicate-flow")
        else:
            seen[key] = f.id
        tls = f.tls
        if f.protocol in PLAINTEXT_PROTOCOLS and tls.min_version != TlsVersion.NONE:
            yield c.at(("flows", i, "protocol"), f"flow '{f.id}' uses {f.protocol.value}, which has no TLS, but tls.min_version is {tls.min_version.value}",
                       "use https/ftps-capable protocol, or set tls.min_version: none", code="inconsistent")
        if f.protocol == Protocol.HTTPS and tls.min_version == TlsVersion.NONE:
            yield c.at(("flows", i, "tls"), f"flow '{f.id}' is https but tls.min_version is not set",
                       "set tls.min_version to the lowest version the server accepts (1.2 or 1.3)", code="inconsistent")
        if tls.mutual and tls.min_version == TlsVersion.NONE:
            yield c.at(("flows", i, "tls", "mutual"), f"flow '{f.id}' declares mutual TLS without TLS",
                       "set tls.min_version", code="inconsistent")
        if tls.client_cert_verified and not tls.mutual:
            yield c.at(("flows", i, "tls", "client_cert_verified"), f"flow '{f.id}' verifies client certificates but mutual TLS is off",
                       "set tls.mutual: true, or remove client_cert_verified", code="inconsistent")
        auth = f.authentication
        if auth.ciba is not None and auth.method != AuthMethod.CIBA:
            yield c.at(("flows", i, "authentication", "ciba"), f"flow '{f.id}' has CIBA details but authentication.method is {auth.method.value}",
                       "set authentication.method: ciba", code="inconsistent")
        if auth.client_auth is not None and auth.method not in (AuthMethod.OAUTH2, AuthMethod.OIDC, AuthMethod.CIBA):
            yield c.at(("flows", i, "authentication", "client_auth"), f"flow '{f.id}' sets client_auth, which only applies to OAuth 2.0 / OIDC / CIBA",
                       "remove client_auth or change authentication.method", severity="warning", code="inconsistent")
        if auth.method == AuthMethod.MTLS and not tls.mutual:
            yield c.at(("flows", i, "authentication", "method"), f"flow '{f.id}' authenticates by mTLS but tls.mutual is false",
                       "set tls.mutual: true", code="inconsistent")
        ft = f.file_transfer
        if ft.direction == FileDirection.NONE and (ft.encrypted or ft.sandboxed):
            yield c.at(("flows", i, "file_transfer"), f"flow '{f.id}' describes file protection but no file direction",
                       "set file_transfer.direction (inbound, outbound or both)", severity="warning", code="inconsistent")


def check_personal_data(m: Model, c: Ctx) -> Iterator[Problem]:
    pd_assets = [a for a in m.data_assets if a.pd_category != PdCategory.NONE]
    if pd_assets and m.metadata.pd_level is None:
        yield c.at(("metadata",), f"data asset '{pd_assets[0].id}' is personal data but metadata.pd_level is not set",
                   "set metadata.pd_level (uz1..uz4) from the ISPDn protection level act", code="pd-level", key=True)
    for i, a in enumerate(m.data_assets):
        cb = a.cross_border
        if cb.transfer and not cb.countries:
            yield c.at(("data_assets", i, "cross_border"), f"data asset '{a.id}' is transferred abroad but no country is named",
                       "list destination countries as ISO codes, e.g. countries: [KZ]", code="cross-border")
        if cb.countries and not cb.transfer:
            yield c.at(("data_assets", i, "cross_border"), f"data asset '{a.id}' names countries but transfer is false",
                       "set transfer: true, or remove the countries", code="cross-border")
        if cb.countries and "RU" in cb.countries:
            yield c.at(("data_assets", i, "cross_border", "countries"), "RU is not a cross-border destination",
                       "list only foreign countries", code="cross-border")
    used = {d for f in m.flows for d in f.data}
    for i, a in enumerate(m.data_assets):
        if a.id not in used:
            yield c.at(("data_assets", i, "id"), f"data asset '{a.id}' is not carried by any flow",
                       "add it to a flow's 'data', or remove it", severity="warning", code="unused")


def check_elements(m: Model, c: Ctx) -> Iterator[Problem]:
    connected = {f.source for f in m.flows} | {f.target for f in m.flows}
    store_tech = {Technology.DATABASE, Technology.FILE_STORAGE, Technology.MESSAGE_QUEUE}
    for i, e in enumerate(m.elements):
        if e.id not in connected and m.flows:
            yield c.at(("elements", i, "id"), f"element '{e.id}' has no flows", "connect it, or remove it",
                       severity="warning", code="unused")
        if e.kind == ElementKind.DATA_STORE and e.technology not in store_tech | {Technology.LOG_COLLECTOR, Technology.HSM, Technology.OTHER}:
            yield c.at(("elements", i, "technology"), f"'{e.technology.value}' is not a data store technology",
                       "use kind: process or external_entity, or a store technology (database, file_storage, message_queue, log_collector)",
                       severity="warning", code="inconsistent")
        if e.segregation_of_duties and not e.privileged_access:
            yield c.at(("elements", i, "segregation_of_duties"), f"element '{e.id}' declares segregation of duties without privileged access",
                       "set privileged_access: true if administrators use it", severity="warning", code="inconsistent")


def check_controls_decisions(m: Model, c: Ctx) -> Iterator[Problem]:
    ids = [(cs.control, tuple(sorted(cs.scope))) for cs in m.controls]
    for i, key in enumerate(ids):
        if key in ids[:i]:
            yield c.at(("controls", i, "control"), f"control '{key[0]}' is listed twice for the same scope",
                       "keep one entry per control and scope", code="duplicate-control")
    seen: set[str] = set()
    for i, d in enumerate(m.decisions):
        if d.threat in seen:
            yield c.at(("decisions", i, "threat"), f"a second decision for '{d.threat}'", "keep one decision per threat", code="duplicate-decision")
        seen.add(d.threat)
        if d.status == DecisionStatus.ACCEPTED:
            if not d.owner:
                yield c.at(("decisions", i), f"accepted risk '{d.threat}' has no owner", "add 'owner:': someone must own an accepted risk", code="acceptance")
            if d.expires is None:
                yield c.at(("decisions", i), f"accepted risk '{d.threat}' has no expiry", "add 'expires: YYYY-MM-DD': acceptances are reviewed", code="acceptance")
            if not d.reason.strip():
                yield c.at(("decisions", i), f"accepted risk '{d.threat}' has no reason", "add 'reason:' with the justification", code="acceptance")
        if d.status == DecisionStatus.MITIGATED and not d.control and not d.reason.strip():
            yield c.at(("decisions", i), f"mitigated risk '{d.threat}' names no control and no reason",
                       "add 'control:' with the catalog control id that mitigates it", severity="warning", code="mitigation")
        if d.status in (DecisionStatus.FALSE_POSITIVE, DecisionStatus.TRANSFERRED) and not d.reason.strip():
            yield c.at(("decisions", i), f"'{d.status.value}' decision for '{d.threat}' has no reason", "add 'reason:'", code="decision-reason")
        if d.expires and d.decided_on and d.expires < d.decided_on:
            yield c.at(("decisions", i, "expires"), "the decision expires before it was made", "check the dates", code="dates")
    questions = [a.question for a in m.answers]
    for q in sorted(_dupes(questions)):
        i = len(questions) - 1 - questions[::-1].index(q)
        yield c.at(("answers", i, "question"), f"question '{q}' is answered twice", "keep one answer per question", code="duplicate-answer")


def check_dates(m: Model, c: Ctx) -> Iterator[Problem]:
    today = dt.date.today()
    for i, d in enumerate(m.decisions):
        if d.decided_on and d.decided_on > today:
            yield c.at(("decisions", i, "decided_on"), "decided_on is in the future", "check the date", severity="warning", code="dates")


CHECKS: list[Check] = [
    check_duplicate_ids,
    check_references,
    check_boundary_cycles,
    check_boundary_membership,
    check_flows,
    check_personal_data,
    check_elements,
    check_controls_decisions,
    check_dates,
]


def check_model(model: Model, located: Located | None, path: str) -> list[Problem]:
    ctx = Ctx(located, path)
    problems = [p for check in CHECKS for p in check(model, ctx)]
    return sorted(set(problems))
