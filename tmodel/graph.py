"""The data-flow graph of a model and the facts that rules match.

Pure functions of the model: nothing here mutates it. Every list is sorted, so the same model
always gives the same facts in the same order.

Facts are plain dicts, namespaced by what they describe:
- ``element``: the element's own fields plus derived ones (zone, exposure, data reaching it);
- ``flow``: the flow's own fields plus ``source``/``target`` (the ends' facts), boundary crossing
  and the data carried;
- ``model``: metadata plus model-wide derived facts.
The derived fact names and types are declared in ``DERIVED`` so that the catalog loader can
reject a rule that names a fact which does not exist.
"""

from __future__ import annotations

import typing
from collections import deque
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from tmodel.model.enums import (
    HIGH_IMPACT_CLASSIFICATIONS,
    HIGH_IMPACT_PD,
    ZONE_TRUST,
    Classification,
    ElementKind,
    FileDirection,
    GrantType,
    PdCategory,
    Technology,
    Volume,
    Zone,
)
from tmodel.model.types import DataAsset, Element, Flow, Model

if TYPE_CHECKING:  # networkx is imported when a graph is first built: a tenth of a second the app's first screen does without
    import networkx as nx

OUTSIDE_ZONES = {Zone.INTERNET.value, Zone.PARTNER.value}
BANK_ZONES = {Zone.DMZ.value, Zone.INTERNAL.value, Zone.RESTRICTED.value}

# The facts of a flow's two ends that rules can read as flow.source.* and flow.target.*
END_KEYS = ("id", "kind", "technology", "zone", "exposed_to_internet", "exposed_to_outside", "logging",
            "privileged_access", "byod_access", "public_clients", "ropc_grant", "token_lifetime_minutes", "handles_pd")

# Derived facts: name -> type spec ("bool", "int", "str", ("enum", EnumClass), ("list", EnumClass|"str"))
DERIVED: dict[str, dict[str, Any]] = {
    "element": {
        "zone": ("enum", Zone),
        "boundary_path": ("list", "str"),
        "exposed_to_internet": "bool",
        "exposed_to_outside": "bool",
        "directly_exposed": "bool",
        "internet_path": ("list", "str"),
        "classifications": ("list", Classification),
        "pd_categories": ("list", PdCategory),
        "handles_pd": "bool",
        "handles_sensitive": "bool",
        "external_reachers": ("list", "str"),
        "ships_logs_centrally": "bool",
        "uses_hsm": "bool",
        "in_flows": "int",
        "out_flows": "int",
        "receives_files": "bool",
        "caller_zones": ("list", Zone),
        # zones more trusted than this element's own that other elements on its virtualization platform sit in
        "platform_higher_zones": ("list", Zone),
        # linked configuration files (tmodel.analysis.config_facts); their settings are element.config.*
        "config_linked": "bool",
        "config_drift": ("list", "str"),
    },
    "flow": {
        "crosses_boundary": "bool",
        "source_zone": ("enum", Zone),
        "target_zone": ("enum", Zone),
        "from_internet": "bool",
        "from_outside": "bool",
        "inbound": "bool",
        "public_endpoint": "bool",
        "classifications": ("list", Classification),
        "pd_categories": ("list", PdCategory),
        "carries_pd": "bool",
        "carries_sensitive": "bool",
        "carries_credentials": "bool",
        "carries_unmasked_pd": "bool",
        "carries_clear_pd": "bool",
        "pd_attributes_unused": ("list", "str"),
        "cross_border": "bool",
        "cross_border_unnotified": "bool",
        "cross_border_non_adequate": "bool",
        "transfers_files": "bool",
        "oauth": "bool",
        "redirect_flow": "bool",
        "front_channel": "bool",
        "carries_tokens": "bool",
        "forwards_client_cert": "bool",
        "target_directly_exposed": "bool",
    },
    "model": {
        "has_pd": "bool",
        "pd_categories": ("list", PdCategory),
        "pd_categories_high_volume": ("list", PdCategory),
        "has_internet_exposure": "bool",
        "technologies": ("list", Technology),
        "has_log_collector": "bool",
        "has_cross_border": "bool",
        "has_file_transfer": "bool",
        "has_ciba": "bool",
        "has_oauth": "bool",
        "has_redirect_flow": "bool",
        "has_outside_bearer_tokens": "bool",
        "has_byod": "bool",
        "element_count": "int",
        "flow_count": "int",
    },
}


# Who can reach a target, from the least to the most exposed (the risk method's likelihood axis)
INTERNAL, PARTNER, PARTNER_UNAUTHENTICATED = "internal", "partner", "partner_unauthenticated"
INTERNET_AUTHENTICATED, INTERNET_ANONYMOUS = "internet_authenticated", "internet_anonymous"
POSITIONS = (INTERNAL, PARTNER, PARTNER_UNAUTHENTICATED, INTERNET_AUTHENTICATED, INTERNET_ANONYMOUS)
POSITION_TEXT = {
    INTERNAL: "only from the bank's internal network",
    PARTNER: "by an authenticated partner over a dedicated, mutual-TLS or allow-listed channel",
    PARTNER_UNAUTHENTICATED: "from a partner's network without authentication",
    INTERNET_AUTHENTICATED: "from the internet by an authenticated client",
    INTERNET_ANONYMOUS: "from the internet without authentication",
}

# fields that say what an item is, not how well it is protected: never 'unstated'
_STRUCTURAL = {"id", "title", "kind", "technology", "boundary", "description", "derived_from", "source", "target",
               "protocol", "data", "operations", "callback"}


@dataclass
class Facts:
    model: dict[str, Any]
    elements: dict[str, dict[str, Any]] = field(default_factory=dict)
    flows: dict[str, dict[str, Any]] = field(default_factory=dict)
    graph: nx.MultiDiGraph | None = None
    # item id -> fact paths (relative to the item) that the model leaves unstated or marks as placeholders
    unstated: dict[str, frozenset[str]] = field(default_factory=dict)
    # item id -> who can reach it (one of POSITIONS)
    position: dict[str, str] = field(default_factory=dict)

    def mark_stated(self, item: str, path: str) -> None:
        """A source other than the model (a linked configuration file) states this fact of ``item``."""
        if path in self.unstated.get(item, ()):
            self.unstated[item] = self.unstated[item] - {path}
        if item in self.elements:
            for fid, f in self.flows.items():
                for side in ("source", "target"):
                    if f[side].get("id") == item and f"{side}.{path}" in self.unstated.get(fid, ()):
                        self.unstated[fid] = self.unstated[fid] - {f"{side}.{path}"}


_FIELD_NAMES: dict[type, tuple[str, ...]] = {}
_SUBMODELS: dict[type, tuple[str, ...]] = {}
_LEFT_OUT: dict[Any, frozenset[str]] = {}  # what an item's shape leaves unstated, by shape (see _shape)


def unstated_fields(obj: Element | Flow) -> frozenset[str]:
    """Protection fields the model does not state for this item (pydantic's fields-set), plus the
    ones an importer marked as placeholders in ``derived_from``: unknowns, not weaknesses."""
    shape = _shape(obj)
    left = _LEFT_OUT.get(shape)
    if left is None:
        if len(_LEFT_OUT) > 50_000:  # a long-lived process (the app) meets ever new shapes
            _LEFT_OUT.clear()
        left = _LEFT_OUT[shape] = _walk_unstated(obj)
    out = left - _not_relevant(obj)
    placeholders = [path for path, src in (obj.derived_from or {}).items() if "placeholder" in str(src).lower()]
    return out.union(placeholders) if placeholders else out


def _shape(m: BaseModel) -> tuple[Any, ...]:
    """What decides which fields of an item are unstated: its class, the fields it sets, and the same of each
    sub-object it holds. Items of one shape (most flows of a large model) share the answer."""
    cls = type(m)
    subs = _SUBMODELS.get(cls)
    if subs is None:
        subs = _SUBMODELS[cls] = tuple(n for n, f in cls.model_fields.items() if _mentions_model(f.annotation))
    values = m.__dict__
    return (cls, frozenset(m.model_fields_set),
            tuple((n, _shape(v)) for n in subs if isinstance(v := values.get(n), BaseModel)))


def _mentions_model(tp: Any) -> bool:
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        return True
    return any(_mentions_model(a) for a in typing.get_args(tp))


def _walk_unstated(obj: BaseModel) -> frozenset[str]:
    out: set[str] = set()

    def walk(m: Any, prefix: str, stated: bool) -> None:
        cls = type(m)
        names = _FIELD_NAMES.get(cls)
        if names is None:
            names = _FIELD_NAMES[cls] = tuple(cls.model_fields)
        fields_set = m.model_fields_set
        values = m.__dict__  # pydantic keeps field values here; getattr per field was a third of the facts' time
        for name in names:
            if not prefix and name in _STRUCTURAL:
                continue
            value = values.get(name)
            here = stated and name in fields_set
            if isinstance(value, BaseModel):
                walk(value, f"{prefix}{name}.", here)
            elif not here:
                out.add(f"{prefix}{name}")

    walk(obj, "", True)
    return frozenset(out)


_OAUTH_FIELDS = {"authentication." + k for k in ("client_auth", "grant", "sender_constrained", "pkce", "par",
                                                  "signed_request_object", "token_in_query", "redirect_uri_exact_match",
                                                  "response_protection", "iss_in_response", "refresh_tokens")}
_REDIRECT_FIELDS = {"authentication." + k for k in ("pkce", "par", "redirect_uri_exact_match", "response_protection",
                                                    "iss_in_response")}
# what only an authorization server (an element that issues tokens) does
_ISSUER_FIELDS = {"public_clients", "ropc_grant", "token_lifetime_minutes", "request_object_max_lifetime_minutes",
                  "jws_algorithms", "redirects_only_registered", "frame_protection", "redirect_307_after_post"}
_TOKEN_ISSUERS = {Technology.IDENTITY_PROVIDER, Technology.WSO2_KEY_MANAGER}
# what serves web pages to browsers: login and consent pages, the WSO2 portals, web applications
_WEB_PAGE_SERVERS = _TOKEN_ISSUERS | {Technology.WSO2_PUBLISHER, Technology.WEB_APP}


def _not_relevant(obj: Element | Flow) -> set[str]:
    """Fields that do not apply to this item as the model describes it, so leaving them out says nothing:
    OAuth details of a flow that does not use OAuth, token-issuer settings of an element that issues none."""
    if isinstance(obj, Flow):
        auth = obj.authentication
        method = auth.method.value
        out = {p for p in ("authentication.ciba",) if method != "ciba"}
        if auth.ciba is not None and auth.ciba.mode.value != "ping":
            out.add("authentication.ciba.notification_token_bits")
        if method != "api_key":
            out.add("authentication.api_key_in")
        if "method" in auth.model_fields_set and method not in ("oauth2", "oidc", "ciba"):
            out |= _OAUTH_FIELDS
        elif method == "ciba" or auth.grant in (GrantType.CLIENT_CREDENTIALS, GrantType.JWT_BEARER, GrantType.TOKEN_EXCHANGE):
            out |= _REDIRECT_FIELDS
        if not obj.tls.mutual:
            out.add("tls.client_cert_verified")
        if obj.file_transfer.direction == FileDirection.NONE:
            out |= {"file_transfer.encrypted", "file_transfer.sandboxed", "file_transfer.caller_names_files",
                    "file_transfer.names_confined"}
        if obj.file_transfer.caller_names_files is not True:
            out.add("file_transfer.names_confined")
        return out
    out = set()
    if obj.technology not in _TOKEN_ISSUERS:
        out |= _ISSUER_FIELDS
    if obj.technology not in _WEB_PAGE_SERVERS:
        out.add("xss_protection")
    if not obj.stores_tokens:
        out.add("tokens_hashed")
    if not obj.privileged_access:
        out |= {"admin_mfa", "segregation_of_duties"}
    if obj.kind == ElementKind.EXTERNAL_ENTITY:
        out |= {f for f in type(obj).model_fields if f not in _STRUCTURAL}
    return out


def external_ancestors(g: Any, externals: set[str]) -> Any:
    """node -> the sorted external entities that reach it along flows (as nx.ancestors, the node itself
    excluded), for every node in one pass: each strongly connected component's set of external
    ancestors is an integer bit mask OR-ed along a topological order of the condensation (a graph
    search per data store was most of the analysis time on large models)."""
    import networkx as nx

    order = sorted(x for x in externals if x in g)
    bit = {x: 1 << i for i, x in enumerate(order)}
    cond = nx.condensation(g)
    mapping = cond.graph["mapping"]
    own = {c: sum(bit.get(m, 0) for m in cond.nodes[c]["members"]) for c in cond.nodes}
    above: dict[int, int] = {}
    for c in nx.topological_sort(cond):
        mask = 0
        for p in cond.predecessors(c):
            mask |= above[p] | own[p]
        above[c] = mask

    def of(node: str) -> list[str]:
        if node not in mapping:
            return []
        c = mapping[node]
        members = cond.nodes[c]["members"]
        mask = above[c] | (own[c] if len(members) > 1 else 0)  # in a cycle a node reaches itself; nx excludes it
        mask &= ~bit.get(node, 0)
        out = []
        while mask:  # the set bits only: a scan of every external entity per node was quadratic
            low = mask & -mask
            out.append(order[low.bit_length() - 1])
            mask ^= low
        return out

    return of


def _positions(model: Model, zone_of: Any) -> dict[str, str]:
    """Who can reach each element and flow: the flow's own entry (zone of its source, its
    authentication, mutual TLS or an allow-list) or, for a hop inside the bank, whoever reaches the
    element it leaves from. Monotone propagation over the graph: linear in the flows per pass."""
    rank = {p: i for i, p in enumerate(POSITIONS)}
    elements = {e.id: e for e in model.elements}
    pos: dict[str, str] = {}
    for e in model.elements:
        z = zone_of(e.id)
        if z == Zone.INTERNET.value:
            pos[e.id] = INTERNET_ANONYMOUS
        elif z == Zone.PARTNER.value:
            pos[e.id] = PARTNER
        elif e.kind == ElementKind.EXTERNAL_ENTITY and z is None:
            pos[e.id] = INTERNET_AUTHENTICATED
        else:
            pos[e.id] = INTERNAL

    def entry(f: Flow) -> str | None:
        z = zone_of(f.source)
        src = elements.get(f.source)
        stated_none = (f.authentication.method.value == "none" and "method" in f.authentication.model_fields_set
                       and "authentication" in f.model_fields_set)
        if z == Zone.PARTNER.value:
            return PARTNER_UNAUTHENTICATED if stated_none and not f.tls.mutual else PARTNER
        if z == Zone.INTERNET.value or (src is not None and src.kind == ElementKind.EXTERNAL_ENTITY and z is None):
            if f.tls.mutual or f.authorization.ip_allowlist:
                return PARTNER
            if stated_none:
                return INTERNET_ANONYMOUS
            return INTERNET_AUTHENTICATED
        return None

    flows = sorted(model.flows, key=lambda f: f.id)
    direct = {f.id: entry(f) for f in flows}
    inside = {e.id for e in model.elements if pos[e.id] == INTERNAL}
    out_of: dict[str, list[Flow]] = {}
    for f in flows:
        out_of.setdefault(f.source, []).append(f)
    # worklist: an element's position only rises, at most len(POSITIONS) - 1 times, so this is linear
    queue = deque(sorted(pos))
    while queue:
        eid = queue.popleft()
        for f in out_of.get(eid, ()):
            p = direct[f.id] or pos[eid]
            if f.target in inside and rank[p] > rank[pos[f.target]]:
                pos[f.target] = p
                queue.append(f.target)
    for f in flows:
        pos[f.id] = direct[f.id] or pos.get(f.source, INTERNAL)
    return pos


def build_graph(model: Model) -> nx.MultiDiGraph:
    import networkx as nx

    g = nx.MultiDiGraph()
    for e in sorted(model.elements, key=lambda e: e.id):
        g.add_node(e.id)
    for f in sorted(model.flows, key=lambda f: f.id):
        if f.source in g and f.target in g:
            g.add_edge(f.source, f.target, key=f.id)
    return g


def boundary_paths(model: Model) -> dict[str, list[str]]:
    """Boundary id -> ids from the outermost boundary to it (cycles cut)."""
    parents = {b.id: b.parent for b in model.boundaries}
    out: dict[str, list[str]] = {}
    for b in model.boundaries:
        path: list[str] = []
        cur: str | None = b.id
        seen: set[str] = set()
        while cur is not None and cur in parents and cur not in seen:
            seen.add(cur)
            path.append(cur)
            cur = parents[cur]
        out[b.id] = path[::-1]
    return out


def _bfs_paths(g: nx.MultiDiGraph, sources: list[str]) -> dict[str, list[str]]:
    """Shortest path (list of node ids) from any source to every reachable node."""
    prev: dict[str, str | None] = {}
    queue: deque[str] = deque()
    for s in sorted(sources):
        prev[s] = None
        queue.append(s)
    while queue:
        node = queue.popleft()
        for nxt in sorted(set(g.successors(node))):
            if nxt not in prev:
                prev[nxt] = node
                queue.append(nxt)
    paths: dict[str, list[str]] = {}
    for node in prev:
        path: list[str] = []
        cur: str | None = node
        while cur is not None:
            path.append(cur)
            cur = prev[cur]
        paths[node] = path[::-1]
    return paths


def _dump(obj: Element | Flow) -> dict[str, Any]:
    return obj.model_dump(mode="json", by_alias=False)


_USER_AGENTS = {Technology.USER, Technology.WEB_APP, Technology.BYOD_DEVICE}
API_PROTOCOLS = {"https", "http", "grpc", "soap", "websocket"}
# the management and token plane talks to a gateway too, but it is not an API consumer
_NOT_API_CALLERS = {Technology.WSO2_PUBLISHER, Technology.WSO2_KEY_MANAGER, Technology.IDENTITY_PROVIDER,
                    Technology.LOG_COLLECTOR, Technology.HSM}


def caller_zones(in_edges: list[Flow], elements: dict[str, Element], zone: Any) -> list[str]:
    """The zones API consumers call this element from: the sources of its API-protocol in-flows, the
    management and token plane and data stores left out; an external entity outside every boundary
    counts as the internet."""
    out: set[str] = set()
    for f in in_edges:
        src = elements.get(f.source)
        if src is None or f.protocol.value not in API_PROTOCOLS or src.technology in _NOT_API_CALLERS \
                or src.kind == ElementKind.DATA_STORE:
            continue
        z = zone(f.source)
        if z is None and src.kind == ElementKind.EXTERNAL_ENTITY:
            z = Zone.INTERNET.value
        if z is not None:
            out.add(z)
    return sorted(out, key=lambda z: ZONE_TRUST[Zone(z)])


def _is_front_channel(f: Flow, source: Element | None) -> bool:
    method, grant = f.authentication.method.value, f.authentication.grant
    redirect = method in ("oauth2", "oidc") and (
        grant in (GrantType.AUTHORIZATION_CODE, GrantType.IMPLICIT) or (grant is None and method == "oidc"))
    return redirect and source is not None and source.technology in _USER_AGENTS


def _clear_by_law(a: DataAsset) -> bool:
    """Every attribute of the asset is one a law requires in clear: nothing is left to mask."""
    return bool(a.attributes) and set(a.attributes) <= set(a.clear_by_law)


def _unused_attributes(f: Flow, carried: list[DataAsset]) -> list[str]:
    """Attributes of the flow's personal-data assets that the receiver does not use (flow.data_used);
    empty while data_used is unset (the minimization review is not done: an unknown, not a finding)."""
    if f.data_used is None:
        return []
    used = set(f.data_used)
    return sorted({x for a in carried if a.pd_category != PdCategory.NONE for x in a.attributes} - used)


def _platform_higher_zones(e: Element, on_platform: dict[str, set[str]], zone: Any) -> list[str]:
    """Zones more trusted than ``e``'s that other elements on the same virtualization platform sit in
    (``on_platform``: platform -> the zones of the elements on it; ``e``'s own zone is never above itself)."""
    own = zone(e.id)
    if not e.platform or own is None:
        return []
    rank = ZONE_TRUST[Zone(own)]
    return sorted(z for z in on_platform.get(e.platform, ()) if ZONE_TRUST[Zone(z)] > rank)


def has_outside_bearer_tokens(fmap: dict[str, dict[str, Any]]) -> bool:
    """Bearer tokens used by a party outside the bank (sources in the bank's own zones excluded)."""
    return any(x["carries_tokens"] and x["from_outside"] and x["source_zone"] not in BANK_ZONES
               and x["authentication"]["sender_constrained"] == "none" for x in fmap.values())


def flow_unstated(f: Flow, unstated: dict[str, frozenset[str]], as_end: dict[tuple[str, str], frozenset[str]],
                  shared: dict[frozenset[str], frozenset[str]] | None = None) -> frozenset[str]:
    """A flow's unstated facts: its own, and its ends' as ``source.*`` / ``target.*`` (``unstated``: the elements';
    ``as_end`` caches an element's paths as an end; ``shared`` hands out one set per distinct value)."""
    own = set(unstated_fields(f))
    for side, eid in (("source", f.source), ("target", f.target)):
        key = (side, eid)
        if key not in as_end:
            as_end[key] = frozenset(f"{side}.{k}" for k in unstated.get(eid, ()))
        own |= as_end[key]
    s = frozenset(own)
    return shared.setdefault(s, s) if shared is not None else s


def compute_facts(model: Model) -> Facts:
    g = build_graph(model)
    bpaths = boundary_paths(model)
    zone_of_boundary = {b.id: b.zone.value for b in model.boundaries}
    assets = {a.id: a for a in model.data_assets}
    elements = {e.id: e for e in model.elements}

    zone = {e.id: zone_of_boundary.get(e.boundary) if e.boundary else None for e in model.elements}.get

    internet = [e.id for e in model.elements if zone(e.id) == Zone.INTERNET.value]
    outside = [e.id for e in model.elements if zone(e.id) in OUTSIDE_ZONES or e.kind == ElementKind.EXTERNAL_ENTITY]
    outside_set = set(outside)  # membership per element: the list made it quadratic
    internet_paths = _bfs_paths(g, internet)
    outside_paths = _bfs_paths(g, outside)
    external_set = {e.id for e in model.elements if e.kind == ElementKind.EXTERNAL_ENTITY}
    reachers_of: list[Any] = []  # built on first use: only data stores holding personal data read it

    def reachers(eid: str) -> list[str]:
        if not reachers_of:
            reachers_of.append(external_ancestors(g, external_set))
        result: list[str] = reachers_of[0](eid)
        return result

    # data reaching each element: assets on flows touching it (requests and responses)
    touching: dict[str, set[str]] = {e.id: set() for e in model.elements}
    for f in model.flows:
        for eid in (f.source, f.target):
            if eid in touching:
                touching[eid].update(d for d in f.data if d in assets)

    in_of: dict[str, list[Flow]] = {e.id: [] for e in model.elements}
    out_of: dict[str, list[Flow]] = {e.id: [] for e in model.elements}
    for f in model.flows:
        in_of.setdefault(f.target, []).append(f)
        out_of.setdefault(f.source, []).append(f)

    on_platform: dict[str, set[str]] = {}
    for e in model.elements:
        z = zone(e.id)
        if e.platform and z is not None:
            on_platform.setdefault(e.platform, set()).add(z)
    fmap: dict[str, dict[str, Any]] = {}
    emap: dict[str, dict[str, Any]] = {}
    for e in sorted(model.elements, key=lambda e: e.id):
        d = _dump(e)
        ids = sorted(touching[e.id])
        classes = sorted({assets[a].classification.value for a in ids})
        pds = sorted({assets[a].pd_category.value for a in ids} - {PdCategory.NONE.value})
        in_edges, out_edges = in_of[e.id], out_of[e.id]
        d.update(
            zone=zone(e.id),
            boundary_path=bpaths.get(e.boundary, []) if e.boundary else [],
            exposed_to_internet=e.id in internet_paths and zone(e.id) != Zone.INTERNET.value,
            exposed_to_outside=e.id in outside_paths and e.id not in outside_set,
            directly_exposed=any(zone(f.source) in OUTSIDE_ZONES for f in in_edges),
            internet_path=internet_paths.get(e.id, []) if zone(e.id) != Zone.INTERNET.value else [],
            classifications=classes,
            pd_categories=pds,
            handles_pd=bool(pds),
            handles_sensitive=bool(set(classes) & {c.value for c in HIGH_IMPACT_CLASSIFICATIONS}) or bool(set(pds) & {p.value for p in HIGH_IMPACT_PD}),
            external_reachers=reachers(e.id) if pds and e.kind == ElementKind.DATA_STORE else [],
            ships_logs_centrally=any(elements[f.target].technology == Technology.LOG_COLLECTOR for f in out_edges if f.target in elements),
            uses_hsm=any(elements[x].technology == Technology.HSM for x in
                         [f.target for f in out_edges] + [f.source for f in in_edges] if x in elements),
            in_flows=len(in_edges),
            out_flows=len(out_edges),
            config_linked=False,
            config_drift=[],
            receives_files=any(f.file_transfer.direction in (FileDirection.INBOUND, FileDirection.BOTH) for f in in_edges)
            or any(f.file_transfer.direction in (FileDirection.OUTBOUND, FileDirection.BOTH) for f in out_edges),
            caller_zones=caller_zones(in_edges, elements, zone),
            platform_higher_zones=_platform_higher_zones(e, on_platform, zone),
        )
        emap[e.id] = d

    ends: dict[str, dict[str, Any]] = {}  # one dictionary per element, shared by the flows it is an end of

    def end(eid: str) -> dict[str, Any]:
        found = ends.get(eid)
        if found is None:
            x = emap.get(eid, {})
            found = ends[eid] = {k: x.get(k) for k in END_KEYS}
        return found

    for f in sorted(model.flows, key=lambda f: f.id):
        d = _dump(f)
        sz, tz = zone(f.source), zone(f.target)
        carried = [assets[a] for a in f.data if a in assets]
        classes = sorted({a.classification.value for a in carried})
        pds = sorted({a.pd_category.value for a in carried} - {PdCategory.NONE.value})
        s_el, t_el = elements.get(f.source), elements.get(f.target)
        method, grant = f.authentication.method.value, f.authentication.grant
        d.update(
            source=end(f.source),
            target=end(f.target),
            crosses_boundary=(s_el.boundary if s_el else None) != (t_el.boundary if t_el else None),
            source_zone=sz,
            target_zone=tz,
            from_internet=sz == Zone.INTERNET.value,
            from_outside=sz in OUTSIDE_ZONES or (s_el is not None and s_el.kind == ElementKind.EXTERNAL_ENTITY),
            inbound=(sz is not None and tz is not None and ZONE_TRUST[Zone(tz)] > ZONE_TRUST[Zone(sz)]),
            public_endpoint=sz == Zone.INTERNET.value or (sz in OUTSIDE_ZONES and tz not in OUTSIDE_ZONES),
            classifications=classes,
            pd_categories=pds,
            carries_pd=bool(pds),
            carries_sensitive=bool(set(classes) & {c.value for c in HIGH_IMPACT_CLASSIFICATIONS}) or bool(set(pds) & {p.value for p in HIGH_IMPACT_PD}),
            carries_credentials=Classification.CREDENTIALS.value in classes,
            # unmasked PD that should be masked: an asset whose every attribute a law requires in clear is not
            carries_unmasked_pd=any(a.pd_category != PdCategory.NONE and not a.masked and not _clear_by_law(a) for a in carried),
            # any PD in clear, legally required or not (what logs must not hold)
            carries_clear_pd=any(a.pd_category != PdCategory.NONE and not a.masked for a in carried),
            pd_attributes_unused=_unused_attributes(f, carried),
            cross_border=any(a.cross_border.transfer for a in carried),
            cross_border_unnotified=any(a.cross_border.transfer and a.pd_category != PdCategory.NONE and not a.cross_border.rkn_notified for a in carried),
            # PD to a country the model states is not on Roskomnadzor's adequate list (unset: not checked, no finding)
            cross_border_non_adequate=any(a.cross_border.transfer and a.pd_category != PdCategory.NONE
                                          and a.cross_border.adequate_protection is False for a in carried),
            transfers_files=f.file_transfer.direction != FileDirection.NONE,
            oauth=method in ("oauth2", "oidc", "ciba"),
            # a front-channel (browser/app redirect) flow: an explicit redirect grant, or OIDC with no grant stated
            redirect_flow=method in ("oauth2", "oidc") and (
                grant in (GrantType.AUTHORIZATION_CODE, GrantType.IMPLICIT) or (grant is None and method == "oidc")),
            # the browser leg of a redirect flow: it carries the authorization request and the code, never an
            # access token or the client's credentials (those travel on the client's back-channel flows)
            front_channel=_is_front_channel(f, s_el),
            carries_tokens=method in ("oauth2", "oidc", "ciba") and not _is_front_channel(f, s_el),
            # the source is a proxy that terminates its callers' mutual TLS: the client certificate can only
            # travel on to the target as an HTTP header (RFC 9700 section 4.13)
            forwards_client_cert=bool(s_el and s_el.technology == Technology.LOAD_BALANCER
                                      and any(x.tls.mutual for x in in_of.get(f.source, []))),
            target_directly_exposed=emap.get(f.target, {}).get("directly_exposed", False),
        )
        fmap[f.id] = d

    all_pd = sorted({a.pd_category.value for a in model.data_assets} - {PdCategory.NONE.value})
    mfacts = {
        "metadata": model.metadata.model_dump(mode="json"),
        "has_pd": bool(all_pd),
        "pd_categories": all_pd,
        # PD categories held in volume 'high' (100,000+ subjects): PP 1119 levels depend on it
        "pd_categories_high_volume": sorted({a.pd_category.value for a in model.data_assets
                                             if a.volume == Volume.HIGH} - {PdCategory.NONE.value}),
        "has_internet_exposure": bool(internet) or any(x["from_outside"] for x in fmap.values()),
        "technologies": sorted({e.technology.value for e in model.elements}),
        "has_log_collector": any(e.technology == Technology.LOG_COLLECTOR for e in model.elements),
        "has_cross_border": any(a.cross_border.transfer for a in model.data_assets),
        "has_file_transfer": any(x["transfers_files"] for x in fmap.values()),
        "has_ciba": any(x["authentication"]["method"] == "ciba" for x in fmap.values()),
        "has_oauth": any(x["oauth"] for x in fmap.values()),
        "has_redirect_flow": any(x["redirect_flow"] for x in fmap.values()),
        "has_outside_bearer_tokens": has_outside_bearer_tokens(fmap),
        "has_byod": any(e.byod_access or e.technology == Technology.BYOD_DEVICE for e in model.elements),
        "element_count": len(model.elements),
        "flow_count": len(model.flows),
    }
    # items that leave the same facts unstated share one set (a large model has few distinct ones)
    shared: dict[frozenset[str], frozenset[str]] = {}
    unstated = {e.id: shared.setdefault(s, s) for e in model.elements for s in [unstated_fields(e)]}
    as_end: dict[tuple[str, str], frozenset[str]] = {}  # an element's unstated paths as a flow's end, built once
    for f in model.flows:
        unstated[f.id] = flow_unstated(f, unstated, as_end, shared)
    return Facts(model=mfacts, elements=emap, flows=fmap, graph=g, unstated=unstated, position=_positions(model, zone))
