"""The draft model of an OpenAPI document: the boundaries, the consumer, the WSO2 gateway and the
backend, and per group of operations (first tag, else first path segment, and effective security)
a consumer -> gateway flow and a gateway -> backend flow carrying the operations' facts."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

from tmodel.importers import pd_fields
from tmodel.importers.common import (
    MAX_TEXT,
    MAX_TITLE,
    WHOLE_ITEM,
    Draft,
    derive,
    mapping_at,
    one_line,
    shorten,
    slug,
)
from tmodel.importers.openapi.assets import DataFound, PdWalker
from tmodel.importers.openapi.facts import (
    OpFacts,
    operation_facts,
    servers_of,
)
from tmodel.importers.openapi.findings import document_findings, unconverted
from tmodel.importers.openapi.schemas import Budget
from tmodel.importers.openapi.security import (
    authentication,
    declared_schemes,
    mtls_hint,
    security_key,
    security_label,
)
from tmodel.importers.openapi.spec import Operation, Spec, operations
from tmodel.importers.refs import Parts, pointer_of

MAX_WALK_NODES = 200_000  # schema nodes visited per import (all walks together)
MAX_OPS_LISTED = 40  # operations named in one flow's description

# the fixed ids of the drafted elements and boundaries (flows_by_operation finds the flows by them)
CONSUMER, GATEWAY, BACKEND = "consumer", "gateway", "backend"
INTERNET, DMZ, INTERNAL = "internet", "dmz", "internal"


@dataclass
class _Group:
    name: str  # tag or first path segment
    security: list[dict[str, Any]]
    declared: bool
    facts: list[OpFacts] = field(default_factory=list)

    @property
    def ops(self) -> list[Operation]:
        return [f.op for f in self.facts]


class _Builder:
    def __init__(self, spec: Spec, draft: Draft):
        self.spec = spec
        self.draft = draft
        self.budget = Budget(MAX_WALK_NODES)
        self.pd = PdWalker(spec, self.budget)
        self.ops = operations(spec)
        self.schemes, _ = declared_schemes(spec)
        self.findings: list[str] = []
        self.unmapped: list[str] = []
        self.data = DataFound()

    def src(self, parts: Parts, note: str = "") -> str:
        return self.spec.source(parts, note)

    # -- the whole document --

    def build(self) -> Draft:
        draft = self.draft
        facts = [operation_facts(self.spec, op, self.budget, self.pd) for op in self.ops]
        self.metadata()
        self.skeleton()
        groups = self.group(facts)
        self.groups = groups
        self.variants: dict[str, int] = {}
        for g in groups:
            self.variants[g.name] = self.variants.get(g.name, 0) + 1
        for g in groups:
            self.flows_for(g)
        self.callbacks()
        self.data.add_assets(self.spec, draft, self.findings)
        findings, unmapped = document_findings(self.spec, self.ops, facts)
        self.findings += findings
        self.unmapped += unmapped
        self.unmapped += unconverted(self.spec, self.ops)
        if self.budget.exhausted:
            self.unmapped.append(f"schemas: the walk stopped after {MAX_WALK_NODES:,} schema nodes; personal data, files "
                                 "and validation in the rest of the schemas were not examined")
        draft.findings += self.findings
        draft.unmapped += self.unmapped
        return draft

    def metadata(self) -> None:
        spec, md = self.spec, self.draft.metadata
        info = mapping_at(spec.data, "info")
        base = os.path.basename(spec.path)
        title_in = info.get("title")
        title = title_in if isinstance(title_in, str) and title_in.strip() else base
        title = one_line(title)[:MAX_TITLE]
        contact = mapping_at(info, "contact")
        name = contact.get("name")
        owner = name if isinstance(name, str) and name.strip() else f"unassigned (imported from {base})"
        version = info.get("version")
        desc_in = info.get("description")
        desc = desc_in.strip() if isinstance(desc_in, str) else ""
        if len(desc) > 1500:
            desc = desc[:1500].rstrip() + " […]"
        tail = f"Imported from {spec.label} ({spec.kind_text}" + (f", API version {version}" if version is not None else "") + ")."
        md.setdefault("id", slug(title, "imported-api"))
        md.setdefault("title", title)
        md.setdefault("owner", one_line(owner)[:MAX_TITLE])
        md.setdefault("description", (desc + "\n\n" + tail) if desc else tail)
        tags = md.setdefault("tags", [])
        for t in ("imported", "openapi"):
            if t not in tags:
                tags.append(t)

    def skeleton(self) -> None:
        spec, draft = self.spec, self.draft
        title = self.draft.metadata.get("title", "the API")
        for bid, btitle, zone, desc in (
                (INTERNET, "Internet", "internet", ("Where the API's consumers are, as far as the document says; move the "
                                                    "consumer to a partner boundary if it is reached over a dedicated channel.")),
                (DMZ, "DMZ", "dmz", "The bank's perimeter, where the API gateway runs."),
                (INTERNAL, "Internal network", "internal", "The bank's internal network, where the backend runs.")):
            if draft.item("boundaries", bid) is None:
                draft.boundaries.append({"id": bid, "title": btitle, "zone": zone, "description": desc})
            draft.used_ids.add(bid)
        urls = sorted({u for op in self.ops for u, _ in servers_of(spec, op)})
        servers_text = ("Servers in the document: " + ", ".join(urls[:10]) + ("…" if len(urls) > 10 else "") + ".") if urls else \
            "The document names no server."
        for eid, etitle, kind, tech, boundary, desc in (
                (CONSUMER, "API consumer", "external_entity", "partner_system", INTERNET,
                 f"Callers of {title}: third-party providers, partner systems or apps, as the document describes them."),
                (GATEWAY, "WSO2 API gateway", "process", "wso2_gateway", DMZ,
                 (f"The WSO2 API Manager gateway that publishes {title}. The OpenAPI document does not describe the "
                  "gateway itself: take its settings from the WSO2 project ('tmodel import wso2') and deployment.toml.")),
                (BACKEND, "API backend", "process", "backend_service", INTERNAL,
                 f"The service that implements {title}. {servers_text}")):
            if draft.item("elements", eid) is None:
                item: dict[str, Any] = {"id": eid, "title": etitle, "kind": kind, "technology": tech, "boundary": boundary, "description": desc}
                if eid == BACKEND and "info" in spec.data:
                    item["derived_from"] = {WHOLE_ITEM: self.src(("info",))}
                draft.elements.append(item)
            draft.used_ids.add(eid)

    def group(self, facts: list[OpFacts]) -> list[_Group]:
        by_op = {id(f.op): f for f in facts}
        out = []
        for name, ops in group_operations(self.ops):
            g = _Group(name, ops[0].security, ops[0].security_parts is not None)
            g.facts = [by_op[id(op)] for op in ops]
            out.append(g)
        return out

    def flows_for(self, g: _Group) -> None:
        draft = self.draft
        sec_label = security_label(g.ops, g.declared)
        base = slug(g.name, "api")[:40]
        if self.variants.get(g.name, 1) > 1:
            base = f"{base[:34]}-{self.suffix(g)[:20]}".strip("-")  # room for '-backend' in 64 characters
        ops = g.ops
        first = ops[0]
        front: dict[str, Any] = {"id": draft.new_id(base), "title": f"{g.name} ({sec_label})"[:200],
                                 "from": CONSUMER, "to": GATEWAY}
        back: dict[str, Any] = {"id": draft.new_id(base + "-backend"), "title": f"{g.name}: gateway to backend"[:200],
                                "from": GATEWAY, "to": BACKEND}
        notes: list[str] = []
        back_notes: list[str] = [
            ("The OpenAPI document does not describe the gateway-to-backend channel: protocol https with TLS 1.2 is a "
             "placeholder and authentication is not set; take them from the gateway's endpoint configuration.")]
        front["derived_from"] = {WHOLE_ITEM: self.src(first.parts)}
        back["derived_from"] = {WHOLE_ITEM: self.src(first.parts)}

        # transport
        trs = [(t, f.op) for f in g.facts for t in f.transports]
        if trs:
            t, _ = min(trs, key=lambda x: x[0].rank)
            derive(front, "protocol", t.protocol, self.src(t.parts, t.note if t.rank != 0 else ""))
            derive(front, "tls.min_version", t.tls, self.src(t.parts, t.note))
            if t.rank == 1:
                notes.append(t.note[0].upper() + t.note[1:] + ".")
            hint = mtls_hint(self.spec, self.schemes, t, g.ops)
            if hint:
                notes.append(hint)
        else:
            front["protocol"] = "https"
            front["tls"] = {"min_version": "1.2"}
            notes.append("The document names no server, so the scheme is not stated: https with TLS 1.2 is a placeholder "
                         "to confirm.")
        back["protocol"] = "https"
        back["tls"] = {"min_version": "1.2"}

        # authentication
        authentication(self.spec, g.ops, g.declared, front, notes)

        # identifiers (weakest operation wins)
        ids = [(r, style, name, at, f.op) for f in g.facts for (r, style, name, at) in f.ids]
        if ids:
            _, style, name, at, op = min(ids, key=lambda x: x[0])
            if style == "unknown":
                unk = sorted({n for (_, s, n, _, _) in ids if s == "unknown"})
                notes.append(f"Identifier style not stated for {', '.join(unk[:8])} (strings without format or pattern): "
                             "set identifiers once you know whether they are random, sequential or natural.")
            else:
                note = {"incremental": f"'{name}' is typed as an integer", "natural": f"'{name}' is a natural identifier",
                        "uuid": f"'{name}' has format uuid"}[style]
                for item in (front, back):
                    derive(item, "identifiers", style, self.src(at, note))
        # files
        fin = next(((f.file_in, f.op) for f in g.facts if f.file_in), None)
        fout = next(((f.file_out, f.op) for f in g.facts if f.file_out), None)
        picked = fin or fout
        if picked is not None:
            direction = "both" if fin and fout else ("inbound" if fin else "outbound")
            at, op = picked
            for item in (front, back):
                derive(item, "file_transfer.direction", direction, self.src(at, f"{op.label}"))
            if fin and fout:
                notes.append(f"Files go out too: {fout[1].label} ({pointer_of(fout[0])}).")
        # URLs the caller supplies and the API calls (SSRF surface)
        url = next((f.urls for f in g.facts if f.urls), None)
        if url:
            derive(front, "client_supplied_urls", True, self.src(*url))
        # what the operations do, and idempotency keys on the writes
        self.operations_of(g, front)
        # 429
        lacking = [f for f in g.facts if not f.has_429]
        if lacking:
            f = lacking[0]
            derive(front, "rate_limit", False, self.src(f.responses_parts, f"{f.op.label} declares no 429 response"))
            if len(lacking) < len(g.facts):
                notes.append(f"{len(lacking)} of {len(g.facts)} operations declare no 429 (Too Many Requests) response.")
        else:
            f = g.facts[0]
            derive(front, "rate_limit", True, self.src(f.responses_parts + ("429",),
                                                       "a declared 429 documents throttling; it does not prove the gateway "
                                                       "enforces it"))
            notes.append("Every operation declares a 429 response: that documents throttling, it does not prove it; "
                         "check the WSO2 throttling tier.")
        # schema validation
        weak = next(((f.weak, f.op) for f in g.facts if f.weak), None)
        if weak:
            (at, reason), op = weak
            derive(front, "schema_validation", False, self.src(at, f"{op.label}: {reason}"))
        elif any(f.has_body for f in g.facts):
            notes.append("The request schemas are strict (bounded strings, closed objects), but schema_validation stays false "
                         "until the gateway enforces them (WSO2 API-level schema validation).")
        # personal data
        cats: dict[str, tuple[pd_fields.Category, Parts]] = {}
        for f in g.facts:
            for cat, name, at in f.pd:
                self.data.note(cat, name, at)
                cats.setdefault(cat.key, (cat, at))
        if cats:
            keys = [c.key for c in pd_fields.CATEGORIES if c.key in cats]
            first_at = next(iter(cats.values()))[1]  # the first field found, in document order
            for item in (front, back):
                item["data"] = list(keys)
                item.setdefault("derived_from", {})["data"] = self.src(first_at)
        deprecated = [op.label for op in ops if op.deprecated]
        if deprecated:
            notes.append(f"Deprecated: {', '.join(deprecated[:10])}.")
        listed = ", ".join(op.label for op in ops[:MAX_OPS_LISTED])
        if len(ops) > MAX_OPS_LISTED:
            listed += f" and {len(ops) - MAX_OPS_LISTED} more"
        front["description"] = shorten((f"Operations: {listed}. Security: {sec_label}. " + " ".join(notes)).strip(), MAX_TEXT)
        back["description"] = shorten((f"Operations: {listed}. " + " ".join(back_notes)).strip(), MAX_TEXT)
        draft.flows += [front, back]

    def operations_of(self, g: _Group, front: dict[str, Any]) -> None:
        """``operations`` from the methods (GET reads; POST, PUT, PATCH, DELETE write; a POST to a payments,
        transfers or refunds path initiates or refunds a payment) and ``idempotency_key`` from the header
        parameters of the POST and PATCH operations: true when every one declares one, false naming the first
        that does not."""
        kinds: list[str] = []
        writes: list[OpFacts] = []
        for f in g.facts:
            m = f.op.method.lower()
            if m in ("get", "head", "options"):
                kind = "read"
            else:
                words = set(pd_fields.words(f.op.path))
                if m in ("post", "patch"):  # PUT and DELETE are idempotent by HTTP's own rules
                    writes.append(f)
                kind = "write"
                if words & {"refund", "refunds"}:
                    kind = "refund"
                elif m == "post" and words & {"payment", "payments", "transfer", "transfers", "vrp", "vrps"} \
                        and not words & {"consent", "consents"}:
                    kind = "payment_initiation"
            if kind not in kinds:
                kinds.append(kind)
        order = ["read", "write", "payment_initiation", "refund"]
        derive(front, "operations", sorted(kinds, key=order.index),
               self.src(g.facts[0].op.parts, "from the HTTP methods and paths; add payment_change, payee_change where "
                        "an operation does that"))
        if not writes:
            return
        lacking = next((f for f in writes if f.idempotency is None), None)
        if lacking is None:
            derive(front, "idempotency_key", True, self.src(writes[0].idempotency or writes[0].op.parts,
                                                            "every write operation declares an idempotency key header; "
                                                            "the backend must de-duplicate by it"))
        else:
            derive(front, "idempotency_key", False,
                   self.src(lacking.op.parts, f"{lacking.op.label} declares no idempotency key header"))

    def callbacks(self) -> None:
        """One flow from the gateway to the consumer for the callbacks of the operations (OpenAPI 3) and the
        webhooks of the document (3.1): the bank calls the consumer back. How it is signed and authenticated is
        left unstated: the document does not say."""
        spec = self.spec
        found: list[tuple[str, Parts]] = []
        for op in self.ops:
            cbs = op.data.get("callbacks")
            if isinstance(cbs, dict):
                found += [(f"{op.label} callback '{name}'", op.parts + ("callbacks", name)) for name in cbs]
        hooks = spec.data.get("webhooks")
        if isinstance(hooks, dict):
            found += [(f"webhook '{name}'", ("webhooks", name)) for name in hooks]
        if not found:
            return
        names = ", ".join(n for n, _ in found[:MAX_OPS_LISTED]) + (f" and {len(found) - MAX_OPS_LISTED} more"
                                                                  if len(found) > MAX_OPS_LISTED else "")
        flow: dict[str, Any] = {
            "id": self.draft.new_id("callbacks"), "title": "Callbacks and webhooks to the API consumer",
            "from": GATEWAY, "to": CONSUMER, "protocol": "https", "tls": {"min_version": "1.2"},
            "derived_from": {WHOLE_ITEM: self.src(found[0][1])},
            "description": shorten(
                f"The bank calls the consumer back: {names}. The document does not say how the calls are signed or "
                "authenticated: state message_signing and authentication once known. If a notification service calls "
                "out directly rather than through the gateway, make it the source. https with TLS 1.2 is a placeholder.",
                MAX_TEXT),
        }
        derive(flow, "callback", True, self.src(found[0][1]))
        derive(flow, "operations", ["notification"], self.src(found[0][1]))
        self.draft.flows.append(flow)
        self.findings.append(f"The document declares {len(found)} callback(s) or webhook(s) ({names}): drafted as flow "
                             f"'{flow['id']}' from the gateway to the consumer; say how they are signed.")

    def suffix(self, g: _Group) -> str:
        """What tells this group's security apart from the other groups with the same name, for its flow id."""
        def names(x: _Group) -> set[str]:
            return {str(n) for req in x.security for n in req} | ({"anonymous"} if any(not r for r in x.security) else set())

        others = [x for x in self.groups if x.name == g.name and x is not g]
        if not g.declared:
            return "undeclared"
        if not g.security:
            return "no-auth"
        own = names(g) - set[str].intersection(*(names(x) for x in others)) if others else names(g)
        return slug("-".join(sorted(own)), "sec")[:24] if own else "sec"


def group_name(op: Operation) -> str:
    """The name an operation is grouped under: its first tag, else its first path segment."""
    return op.tags[0] if op.tags else (next((s for s in op.path.split("/") if s), "") or "root")


def group_operations(ops: list[Operation]) -> list[tuple[str, list[Operation]]]:
    """The groups ``build_draft`` makes one flow pair of, in the order of their flows.

    Operations share a group when they have the same first tag (else first path segment) and
    the same schemes in the same alternatives (their scopes may differ: they are merged). The
    group's consumer -> gateway flow has ``derived_from['id']`` = the group's first operation.
    """
    groups: dict[tuple, tuple[str, list[Operation]]] = {}
    for op in ops:
        name = group_name(op)
        key = (name, security_key(op.security, op.security_parts is not None))
        groups.setdefault(key, (name, []))[1].append(op)
    return list(groups.values())


def flows_by_operation(spec: Spec, draft: Draft) -> dict[tuple[str, str], tuple[dict[str, Any], dict[str, Any]]]:
    """('GET', '/accounts') -> (its consumer -> gateway flow, its gateway -> backend flow) in a draft ``build_draft`` made."""
    out: dict[tuple[str, str], tuple[dict[str, Any], dict[str, Any]]] = {}
    for _, ops in group_operations(operations(spec)):
        src = spec.source(ops[0].parts)
        pair = [next((f for f in draft.flows if f.get("from") == a and f.get("to") == b
                      and src in ((f.get("derived_from") or {}).get(WHOLE_ITEM), (f.get("derived_from") or {}).get(""))), None)
                for a, b in ((CONSUMER, GATEWAY), (GATEWAY, BACKEND))]
        if pair[0] is not None and pair[1] is not None:
            for op in ops:
                out[(op.method.upper(), op.path)] = (pair[0], pair[1])
    return out


def build_draft(spec: Spec, draft: Draft | None = None) -> Draft:
    """The model drafted from the document (see the package docstring); adds to ``draft`` when given."""
    if draft is None:
        draft = Draft(source=spec.label, kind="openapi")
    return _Builder(spec, draft).build()
