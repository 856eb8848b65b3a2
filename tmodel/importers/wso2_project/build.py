"""The draft model of an apictl project: the OpenAPI importer's draft of the definition when there
is one (else a skeleton), the project's metadata, the consumer flows replaced by ones carrying the
gateway's facts, the backend flows, and the findings in the order a reviewer reads them."""

from __future__ import annotations

from typing import Any

from tmodel.importers.common import Draft, slug
from tmodel.importers.wso2_project.api import Api, api_title
from tmodel.importers.wso2_project.compare import disagreements
from tmodel.importers.wso2_project.definition import load_definition
from tmodel.importers.wso2_project.flows import Parts, backend_flows, consumer_flows
from tmodel.importers.wso2_project.gateway import gateway_and_api_findings
from tmodel.importers.wso2_project.layout import locate
from tmodel.importers.wso2_project.operations import (
    auth_type_findings,
    operations_from_api,
    throttling_findings,
)
from tmodel.importers.wso2_project.read import read_api
from tmodel.importers.wso2_project.security import Alternative, security_alternatives


def build(path: str) -> Draft:
    """The draft model of the apictl project at ``path``; ProblemError on bad input."""
    project = locate(path)
    api = read_api(project)
    findings: list[str] = list(api.notes)
    spec_view = None
    if project.definition_path:
        spec_view = load_definition(project)
    draft = Draft(source=path, kind="wso2")
    parts = None
    if spec_view is not None:
        draft = spec_view.draft
        draft.source, draft.kind = path, "wso2"
        parts = _parts_of(draft)
        if parts is None:
            draft = Draft(source=path, kind="wso2")
    if parts is None:
        parts = _skeleton(draft, api)
    _metadata(draft, api)

    alts, f = security_alternatives(api)
    findings += f
    if spec_view is not None:
        ops, f = spec_view.operations(api)
        findings += f
    else:
        ops = operations_from_api(api)
    findings += auth_type_findings(ops)
    findings += throttling_findings(api, ops)
    schema = lambda tmpl: _schema_validation(api, spec_view, tmpl)

    # replace the OpenAPI draft's consumer flows by ones that carry the gateway's facts
    templates = [f for f in draft.flows if f.get("from") == parts.consumer and f.get("to") == parts.gateway]
    for template in templates:
        draft.flows.remove(template)
        draft.used_ids.discard(template["id"])
    credentials = _credentials_asset(draft, api, alts)
    rest, draft.flows = draft.flows, []
    consumer_flows(draft, api, ops, alts, parts, credentials, schema, findings)
    draft.flows += rest
    request_data = sorted({d for f in draft.flows if f.get("to") == parts.gateway for d in f.get("data") or []}
                          - {credentials})
    backend_flows(draft, api, parts, findings, request_data)
    gateway_and_api_findings(draft, api, parts, findings)
    if spec_view is not None:
        findings += disagreements(spec_view, api)
    draft.findings += findings
    draft.unmapped += api.unmapped
    for extra in project.extras:
        draft.unmapped.append(extra)
    _drop_unused_assets(draft)
    return draft


def _drop_unused_assets(draft: Draft) -> None:
    used = {d for f in draft.flows for d in f.get("data") or []}
    for a in list(draft.data_assets):
        if a["id"] not in used:
            draft.data_assets.remove(a)
            draft.unmapped.append(f"data asset '{a.get('title', a['id'])}' is carried by no flow of the imported model: dropped")


def _metadata(draft: Draft, api: Api) -> None:
    title = api_title(api)
    desc = api.description or f"The {api.name} API on WSO2 API Manager."
    layout = {"4.x": "API Manager 4.x", "3.x": "API Manager 3.x (Meta-information/)"}[api.project.layout]
    desc += (f"\n\nImported from the apictl project {api.project.source} ({layout}): context {api.context or '(not stated)'}, "
             f"provider {api.provider or '(not stated)'}.")
    keep = {k: v for k, v in draft.metadata.items() if k in ("pd_level",)}
    draft.metadata = {
        "id": slug(f"{api.name}-{api.version}", "wso2-api"),
        "title": title[:200] or "WSO2 API",
        "owner": (api.owner or "API owner (not stated in the project)")[:200],
        "description": desc[:4000],
        "tags": ["wso2", "apictl"] + [t[:200] for t in api.tags if t.lower() not in ("wso2", "apictl")][:8],
        **keep,
    }


def _skeleton(draft: Draft, api: Api) -> Parts:
    """Boundaries and elements when there is no OpenAPI draft to start from."""
    internet, dmz, internal = draft.new_id("internet"), draft.new_id("dmz"), draft.new_id("internal")
    draft.boundaries += [
        {"id": internet, "title": "Internet", "zone": "internet",
         "description": "Where the API's consumers are assumed to be: the project does not say; change the zone if the "
                        "gateway is reachable only from a partner network"},
        {"id": dmz, "title": "DMZ", "zone": "dmz", "description": "The WSO2 API gateway"},
        {"id": internal, "title": "Internal network", "zone": "internal", "description": "The API's backend"},
    ]
    consumer, gateway = draft.new_id("consumer"), draft.new_id("gateway")
    draft.elements += [
        {"id": consumer, "title": "API consumer (subscribed application)", "kind": "external_entity",
         "technology": "partner_system", "boundary": internet,
         "description": "An application that calls the API through the gateway; who it is is not in the project"},
        {"id": gateway, "title": "WSO2 API gateway", "kind": "process", "technology": "wso2_gateway", "boundary": dmz,
         "description": ""},
    ]
    return Parts(consumer, gateway, None, internet, dmz, internal)


def _parts_of(draft: Draft) -> Parts | None:
    """The main elements of an OpenAPI draft (consumer -> WSO2 gateway -> backend)."""
    gw = next((e for e in draft.elements if e.get("technology") == "wso2_gateway"), None)
    if gw is None:
        return None
    consumer = next((f["from"] for f in draft.flows if f.get("to") == gw["id"]), None)
    if consumer is None:
        consumer = next((e["id"] for e in draft.elements if e.get("kind") == "external_entity"), None)
    backend = next((e["id"] for e in draft.elements if e.get("technology") == "backend_service"), None)
    zones = {b.get("zone"): b["id"] for b in draft.boundaries}
    if consumer is None or "internal" not in zones:
        return None
    return Parts(consumer, gw["id"], backend, zones.get("internet", ""), zones.get("dmz", ""), zones["internal"])


def _credentials_asset(draft: Draft, api: Api, alts: list[Alternative]) -> str | None:
    methods = sorted({a.method for a in alts if a.method != "none"})
    if not methods:
        return None
    existing = next((a for a in draft.data_assets if a.get("classification") == "credentials"
                     and a.get("id") != "backend-credentials"), None)
    if existing:
        return existing["id"]
    aid = draft.new_id("client-credentials")
    what = {"oauth2": "OAuth 2.0 access tokens", "api_key": "WSO2 API keys", "basic": "user names and passwords (Basic)",
            "mtls": "client certificates (the private key stays with the client)"}
    draft.data_assets.append({
        "id": aid, "title": "Client credentials presented to the gateway", "classification": "credentials",
        "description": "What the consumer sends to authenticate: " + ", ".join(what[m] for m in methods),
        "derived_from": {"": api.src(api.schemes_path) if api.schemes_path else api.project.api_label}})
    return aid


def _schema_validation(api: Api, spec_view: Any, template: Any) -> tuple[bool, str, str] | None:
    if api.schema_validation is None:
        return None
    on, path = api.schema_validation
    src = api.src(path)
    if not on:
        return (False, src, ("enableSchemaValidation is false: the gateway does not check requests or responses "
                             "against the definition."))
    if spec_view is None:
        return (True, src, ("enableSchemaValidation is true: the gateway validates requests and responses against the "
                            "definition deployed with the API, which is not part of this input (how strict it is is unknown)."))
    return spec_view.schema_validation(src, template)
