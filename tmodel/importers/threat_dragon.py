"""``tmodel import threat-dragon FILE``: a Threat Dragon version 2 JSON model as a tmodel draft.

Every value records its JSON pointer into the file
(``payment-online.json#/detail/diagrams/0/cells/5/data/isEncrypted``). The tables named in
capitals are in ``threat_dragon_vocabulary``; positions on the canvas are read by
``threat_dragon_geometry``.

Cells (``detail.diagrams[].cells``), by ``shape`` (``data.type`` when the shape is missing):

- ``actor`` -> external entity, technology user (web_app when its name says browser, mobile_app
  when it says mobile, partner_system when it says partner or third party, identity_provider when
  ``providesAuthentication``);
- ``process`` -> process: technology from the name where it is unambiguous (``PROCESS_WORDS``), a
  ``isWebApplication`` process is the server side of a web application (backend_service; tmodel's
  web_app is the browser side), anything else ``other``;
- ``store`` -> data store: message_queue / file_storage / log_collector / hsm when the name says so,
  otherwise database. ``isALog`` -> holds_logs, ``isEncrypted`` -> encrypted_at_rest, ``isSigned``
  on a log store -> log_integrity;
- ``flow`` -> flow between the cells it connects. ``protocol`` by ``PROTOCOLS`` (free text); TLS
  from the protocol when it says so, else from ``isEncrypted`` (1.2 assumed: Threat Dragon states no
  version); authentication from words in the flow's name or description (OAuth, OIDC, mTLS, basic,
  API key), else none (Threat Dragon does not record it: a finding says so). ``isBidirectional``
  is one tmodel flow (a flow carries its response); ``isPublicNetwork`` is checked against the zones.
  A flow end left loose on the canvas (a point, not a cell) is connected to the nearest element
  within ``SNAP`` pixels, with a finding; otherwise the flow is listed as not converted. A flow that
  names a cell id the diagram does not have is an error (the file is damaged).
- ``trust-boundary-box`` -> boundary holding the elements whose centre lies inside it (the
  innermost box wins; a box inside another is nested in it). Zones come from the box's name where it
  says internet, DMZ or partner; otherwise internal, with a finding.
- ``trust-boundary-curve``: a line encloses nothing, so it is listed as not converted together with
  the flows it crosses (where the boundary runs). ``td-text-block`` and unknown shapes are listed.

Elements in no box: actors go to an ``internet`` boundary (an actor is outside the system; the
worst case is assumed and said), processes and stores to an ``unassigned`` internal boundary.
Threat Dragon has no data assets: ``storesCredentials`` and ``handlesCardPayment`` become a
credentials / payment data asset carried on the flows of that store or process, with a finding.

Threats attached to cells cannot become tmodel threats (tmodel derives threats from its catalogs):
each is listed as not converted and quoted in its element's or flow's description. Several
diagrams are imported into one model (ids stay unique; same-named elements are kept apart, a
finding says so). Version 1 files (``diagramJson``) are refused with a hint.
"""

from __future__ import annotations

import json
import math
from typing import Any

from tmodel.importers import threat_dragon_geometry as geo
from tmodel.importers.common import (
    MAX_TITLE,
    Draft,
    clip,
    derive,
    describe,
    has_value,
    id_stem,
    in_reading_order,
    located_problem,
    mapping_at,
    one_line,
    parse_document,
    pointer,
    read_input,
    shorten,
    slug,
)
from tmodel.importers.threat_dragon_vocabulary import (
    ACTOR_WORDS,
    AUTH_WORDS,
    DETAIL_KNOWN,
    KIND,
    PROCESS_WORDS,
    PROTOCOLS,
    SHAPE_OF_TYPE,
    STORE_WORDS,
    TOP_KNOWN,
    ZONE_WORDS,
)
from tmodel.model.enums import ZONE_TRUST
from tmodel.model.yamlsafe import Located
from tmodel.problems import Problem, ProblemError

WHAT = "a Threat Dragon model"
SNAP = 30  # pixels: a loose flow end this close to an element's box is taken as attached to it


class _Importer:
    def __init__(self, path: str, located: Located):
        self.path = path
        self.label = path
        self.loc = located
        self.data = located.data
        self.draft = Draft(source=path, kind="threat-dragon")
        self.errors: list[Problem] = []
        self.boxes: list[dict[str, Any]] = []  # {id, rect, path, title, diagram}
        self.nodes: dict[tuple[int, str], dict[str, Any]] = {}  # (diagram, cell id) -> info
        self.other_cells: dict[tuple[int, str], str] = {}  # (diagram, cell id) -> shape (boxes, curves, text)
        self.flows_raw: list[tuple[int, int, dict]] = []
        self.curves: list[tuple[int, int, dict]] = []
        self.defaults: dict[str, str] = {}
        self.out_of_scope: list[str] = []
        self.snapped: list[str] = []
        self.https_unchecked: list[str] = []
        self.http_checked: list[str] = []
        self.no_protocol: list[str] = []
        self.auth_found: list[str] = []
        self.no_props: list[str] = []
        self.multi = False
        self.threat_count = 0

    # --- helpers -----------------------------------------------------------------------------

    def src(self, *parts: Any) -> str:
        return self.label + pointer(*parts)

    def error(self, path: tuple, message: str, hint: str = "") -> None:
        self.errors.append(located_problem(self.loc, self.path, path, message, hint))

    def fail_now(self, path: tuple, message: str, hint: str = "") -> None:
        self.error(path, message, hint)
        raise ProblemError(self.errors)

    # --- the whole model -------------------------------------------------------------------

    def run(self) -> Draft:
        d = self.data
        if "detail" not in d and "summary" not in d:
            self.fail_now((), "this is not a Threat Dragon model: it has no 'summary' and no 'detail'",
                          "pass the JSON file Threat Dragon saved")
        detail = d.get("detail")
        if not isinstance(detail, dict):
            self.fail_now(("detail",), f"'detail' is {describe(detail, empty='missing')}, but Threat Dragon writes a mapping with 'diagrams'",
                          "pass the JSON file Threat Dragon saved")
        diagrams = detail.get("diagrams")
        if diagrams is None:
            diagrams = []
        if not isinstance(diagrams, list):
            self.fail_now(("detail", "diagrams"), f"'detail.diagrams' is {describe(diagrams, empty='missing')}, not a list of diagrams",
                          "pass the JSON file Threat Dragon saved")
        self.version_check(d, diagrams)
        self.multi = len(diagrams) > 1
        self.metadata(d, detail)
        for di, diagram in enumerate(diagrams):
            self.read_diagram(di, diagram)
        if self.errors:
            raise ProblemError(sorted(set(self.errors)))
        self.place_boxes()
        self.place_elements()
        for di, ci, cell in self.flows_raw:
            self.flow(di, ci, cell)
        if self.errors:
            raise ProblemError(sorted(set(self.errors)))
        self.cross_checks()
        for di, ci, cell in self.curves:
            self.curve(di, ci, cell)
        self.leftovers(d, detail, diagrams)
        self.finish()
        return self.draft

    def version_check(self, d: dict, diagrams: list) -> None:
        version = d.get("version")
        legacy = next((i for i, g in enumerate(diagrams) if isinstance(g, dict) and "diagramJson" in g), None)
        hint = ("open it in Threat Dragon 2 (which upgrades version 1 models), save it, and import the saved file")
        if legacy is not None:
            self.fail_now(("detail", "diagrams", legacy, "diagramJson"),
                          "this is a Threat Dragon version 1 model (diagrams keep their cells under 'diagramJson'); "
                          "only version 2 JSON is imported", hint)
        if version is None:
            if diagrams:
                self.draft.findings.append("the file has no 'version': read as Threat Dragon version 2")
            return
        v = str(version).strip()
        if v.startswith("1.") or v == "1":
            self.fail_now(("version",), f"this is a Threat Dragon version {v} model; only version 2 JSON is imported", hint)
        if not v.startswith("2."):
            self.draft.findings.append(f"Threat Dragon version {v} ({self.src('version')}) is not one this importer "
                                       "knows (2.x): read as version 2, check the result")

    def metadata(self, d: dict, detail: dict) -> None:
        summary = mapping_at(d, "summary")
        title = _title(summary.get("title")) or "Imported Threat Dragon model"
        owner = _title(summary.get("owner"))
        meta: dict[str, Any] = {"id": slug(title, "threat-dragon-model"), "title": title,
                                "owner": owner or "unknown (set the team that answers for this integration)"}
        if not owner:
            self.draft.findings.append("the Threat Dragon summary names no owner: set metadata.owner")
        parts = []
        desc = _plain(summary.get("description"))
        if desc:
            parts.append(desc if desc.endswith(".") else desc + ".")
        reviewer = _plain(detail.get("reviewer"))
        if reviewer:
            parts.append(f"Threat Dragon reviewer: {reviewer}.")
        contributors = detail.get("contributors")
        if isinstance(contributors, list):
            names = [_plain(c.get("name")) if isinstance(c, dict) else _plain(c) for c in contributors]
            names = [n for n in names if n]
            if names:
                parts.append(f"Contributors: {', '.join(names)}.")
        parts.append(f"Imported from the Threat Dragon model {self.path}.")
        meta["description"] = clip(parts, self.src("summary"))
        self.draft.metadata = meta

    # --- reading the cells -------------------------------------------------------------------

    def read_diagram(self, di: int, diagram: Any) -> None:
        dpath = ("detail", "diagrams", di)
        if not isinstance(diagram, dict):
            self.error(dpath, f"diagram {di} is {describe(diagram, empty='missing')}, not a mapping", "pass the JSON file Threat Dragon saved")
            return
        cells = diagram.get("cells")
        if cells is None:
            self.draft.findings.append(f"diagram {di} ('{_plain(diagram.get('title'))}') has no cells")
            return
        if not isinstance(cells, list):
            self.error(dpath + ("cells",), f"'cells' of diagram {di} is {describe(cells, empty='missing')}, not a list",
                       "pass the JSON file Threat Dragon saved")
            return
        seen: dict[str, int] = {}
        for ci, cell in enumerate(cells):
            cpath = dpath + ("cells", ci)
            if not isinstance(cell, dict):
                self.error(cpath, f"cell {ci} of diagram {di} is {describe(cell, empty='missing')}, not a mapping", "")
                continue
            data = cell.get("data")
            if data is not None and not isinstance(data, dict):
                self.error(cpath + ("data",), f"'data' of cell {ci} is {describe(data, empty='missing')}, not a mapping", "")
                continue
            shape = cell.get("shape")
            if not isinstance(shape, str):
                shape = SHAPE_OF_TYPE.get(str((data or {}).get("type")), "")
            cid = cell.get("id")
            if cid is not None and not isinstance(cid, (str, int)):
                self.error(cpath + ("id",), f"the id of cell {ci} is {describe(cid, empty='missing')}, not a string", "")
                continue
            cid = str(cid) if cid is not None else f"#{ci}"
            if cid in seen:
                self.error(cpath + ("id",), f"cell id '{cid}' is used twice in diagram {di} (cells {seen[cid]} and {ci})",
                           "each cell has its own id; the file is damaged")
                continue
            seen[cid] = ci
            if shape in KIND:
                self.node(di, ci, cid, shape, cell)
            elif shape == "flow":
                self.flows_raw.append((di, ci, cell))
            elif shape == "trust-boundary-box":
                self.box(di, ci, cid, cell)
            elif shape in ("trust-boundary-curve", "trust-broundary-curve"):
                self.other_cells[(di, cid)] = "trust boundary curve"
                self.curves.append((di, ci, cell))
            elif shape == "td-text-block":
                self.other_cells[(di, cid)] = "text block"
                text = _plain((data or {}).get("name")) or _plain(_get(cell, "attrs", "text", "text"))
                self.draft.unmapped.append(f"text block ({self.src(*cpath)}): \"{shorten(text, 200)}\": free text on the "
                                           "diagram; put what matters into the model's descriptions")
            else:
                self.other_cells[(di, cid)] = shape or "cell"
                name = _plain((data or {}).get("name"))
                self.draft.unmapped.append(f"cell of shape '{shape or '(none)'}'" + (f" '{name}'" if name else "")
                                           + f" ({self.src(*cpath)}): not a Threat Dragon shape this importer knows")

    def node(self, di: int, ci: int, cid: str, shape: str, cell: dict) -> None:
        data = cell.get("data") or {}
        cpath = ("detail", "diagrams", di, "cells", ci)
        dp = cpath + ("data",)
        name = _title(data.get("name")) or _title(_get(cell, "attrs", "text", "text"))
        title = name or f"Unnamed {shape}"
        el: dict[str, Any] = {"id": self.draft.new_id(name, shape), "title": title}
        notes: list[str] = []
        if not name:
            notes.append(f"The {shape} has no name in Threat Dragon.")
        derive(el, "kind", KIND[shape], self.src(*cpath, "shape"))
        tech, tech_src, tech_note = self.technology(shape, name, data, dp)
        derive(el, "technology", tech, tech_src)
        if tech_note:
            notes.append(tech_note)
        desc = _plain(data.get("description"))
        if desc:
            notes.insert(0, desc if desc.endswith(".") else desc + ".")
        if shape == "store":
            if data.get("isALog") is True:
                derive(el, "holds_logs", True, self.src(*dp, "isALog"))
            if isinstance(data.get("isEncrypted"), bool):
                derive(el, "encrypted_at_rest", data["isEncrypted"], self.src(*dp, "isEncrypted"))
            if data.get("isSigned") is True:
                if data.get("isALog") is True:
                    derive(el, "log_integrity", True, self.src(*dp, "isSigned"))
                else:
                    notes.append("Threat Dragon: the stored data is signed (isSigned).")
                    self.no_props.append(f"isSigned on '{el['id']}'")
            if data.get("storesInventory") is True:
                notes.append("Threat Dragon: stores inventory (storesInventory).")
                self.no_props.append(f"storesInventory on '{el['id']}'")
        if shape == "process":
            if data.get("handlesGoodsOrServices") is True:
                notes.append("Threat Dragon: handles goods or services.")
                self.no_props.append(f"handlesGoodsOrServices on '{el['id']}'")
            level = _plain(data.get("privilegeLevel"))
            if level:
                notes.append(f"Threat Dragon privilege level: {level}.")
                self.no_props.append(f"privilegeLevel on '{el['id']}'")
        if data.get("outOfScope") is True:
            why = _plain(data.get("reasonOutOfScope"))
            notes.insert(0, "Out of scope in Threat Dragon" + (f": {why.rstrip('.')}." if why else " (no reason given)."))
            self.out_of_scope.append(el["id"])
        if self.multi:
            notes.append(f"Diagram: {self.diagram_title(di)}.")
        notes += self.threats(di, ci, dp, data, f"{shape} '{title}'")
        el["description"] = clip(notes, self.src(*cpath))
        el.setdefault("derived_from", {})[""] = self.src(*cpath)
        self.draft.elements.append(el)
        self.nodes[(di, cid)] = {"id": el["id"], "rect": geo.rect(cell), "path": cpath, "shape": shape, "data": data,
                                 "diagram": di, "title": title}

    def technology(self, shape: str, name: str, data: dict, dp: tuple) -> tuple[str, str, str]:
        """(technology, its source, a note for the description)."""
        name_src = self.src(*dp, "name")
        if shape == "actor":
            if data.get("providesAuthentication") is True:
                return "identity_provider", self.src(*dp, "providesAuthentication"), \
                    "Threat Dragon: provides authentication, so an identity provider."
            for tech, rx in ACTOR_WORDS:
                if rx.search(name):
                    return tech, name_src, f"Technology {tech} from the name."
            return "user", self.src(*dp[:-1], "shape"), ""
        if shape == "process":
            for tech, rx in PROCESS_WORDS:
                if rx.search(name):
                    return tech, name_src, f"Technology {tech} from the name."
            if data.get("isWebApplication") is True:
                return "backend_service", self.src(*dp, "isWebApplication"), \
                    "Threat Dragon: a web application (server side; tmodel's web_app is the browser side)."
            return "other", self.src(*dp[:-1], "shape"), "Threat Dragon does not say what this process is: set its technology."
        for tech, rx in STORE_WORDS:
            if rx.search(name):
                return tech, name_src, f"Technology {tech} from the name."
        return "database", self.src(*dp[:-1], "shape"), ""

    def threats(self, di: int, ci: int, dp: tuple, data: dict, on: str) -> list[str]:
        threats = data.get("threats")
        if not isinstance(threats, list) or not threats:
            return []
        quoted: list[str] = []
        for ti, t in enumerate(threats):
            if not isinstance(t, dict):
                continue
            title = _plain(t.get("title")) or "(untitled)"
            meta = "; ".join(x for x in (_plain(t.get("type")), _plain(t.get("status")),
                                         f"severity {_plain(t.get('severity'))}" if t.get("severity") else "") if x)
            self.draft.unmapped.append(f"threat '{title}' on {on} ({meta}) [{self.src(*dp, 'threats', ti)}]")
            self.threat_count += 1
            text = f"{len(quoted) + 1}) {title} ({meta})"
            desc, mit = _plain(t.get("description")), _plain(t.get("mitigation"))
            if desc:
                text += f": {desc.rstrip('.')}."
            if mit:
                text += f" Mitigation: {mit.rstrip('.')}."
            quoted.append(text)
        return ["Threat Dragon threats (not converted):"] + quoted if quoted else []

    def box(self, di: int, ci: int, cid: str, cell: dict) -> None:
        data = cell.get("data") or {}
        cpath = ("detail", "diagrams", di, "cells", ci)
        name = _title(data.get("name")) or _title(_get(cell, "attrs", "label", "text"))
        rect = geo.rect(cell)
        self.other_cells[(di, cid)] = "trust boundary box"
        if rect is None:
            self.draft.unmapped.append(f"trust boundary box '{name or '(unnamed)'}' ({self.src(*cpath)}): it has no position "
                                       "and size, so what it encloses is unknown")
            return
        self.boxes.append({"cid": cid, "rect": rect, "path": cpath, "name": name, "diagram": di,
                           "desc": _plain(data.get("description"))})

    def diagram_title(self, di: int) -> str:
        diagrams = self.data["detail"]["diagrams"]
        return _plain(diagrams[di].get("title")) or f"diagram {di}"

    # --- boundaries --------------------------------------------------------------------------

    def place_boxes(self) -> None:
        for b in self.boxes:
            b["id"] = self.draft.new_id(b["name"], "boundary")
        for b in self.boxes:
            outer = [o for o in self.boxes if o is not b and o["diagram"] == b["diagram"]
                     and geo.inside(geo.center(b["rect"]), o["rect"]) and geo.area(o["rect"]) > geo.area(b["rect"])]
            b["parent"] = min(outer, key=lambda o: geo.area(o["rect"])) if outer else None
            zone = next((z for z, rx in ZONE_WORDS if rx.search(b["name"])), None)
            b["zone"], b["how"] = (zone, "from its name") if zone else ("internal", "not stated: internal assumed")
        # tmodel nests only segments as trusted as their parent or more: a less trusted box drawn inside a
        # more trusted one keeps its zone and loses the nesting
        for b in self.boxes:
            p = b["parent"]
            b["unnested"] = None
            if p and ZONE_TRUST[b["zone"]] < ZONE_TRUST[p["zone"]]:
                b["unnested"], b["parent"] = p, None
        assumed = []
        for b in self.boxes:
            out: dict[str, Any] = {"id": b["id"], "title": b["name"] or "Unnamed trust boundary", "zone": b["zone"]}
            if b["parent"]:
                out["parent"] = b["parent"]["id"]
            notes = [b["desc"]] if b["desc"] else []
            notes.append(f"Threat Dragon trust boundary box; zone {b['zone']}: {b['how']}. From {self.src(*b['path'])}.")
            if b["unnested"]:
                p = b["unnested"]
                notes.append(f"Drawn inside '{p['id']}' ({p['zone']}); not nested here because tmodel nests only "
                             "segments as trusted as their parent or more.")
                self.draft.findings.append(f"box '{b['id']}' ({b['zone']}) is drawn inside '{p['id']}' ({p['zone']}): "
                                           "un-nested, as tmodel nests only segments as trusted as their parent or more")
            if self.multi:
                notes.append(f"Diagram: {self.diagram_title(b['diagram'])}.")
            out["description"] = clip(notes, self.src(*b["path"]))
            if b["how"].startswith("not stated"):
                assumed.append(b["id"])
            self.draft.boundaries.append(out)
        if assumed:
            self.draft.findings.append(f"Threat Dragon boxes state no trust level: {', '.join(assumed)} assumed internal; "
                                       "set each box's real zone (partner for a third party's network)")

    def place_elements(self) -> None:
        outside_actors, unassigned = [], []
        for n in self.nodes.values():
            el = self.draft.existing("elements", n["id"])
            rect = n["rect"]
            inside = [b for b in self.boxes if b["diagram"] == n["diagram"] and rect and geo.inside(geo.center(rect), b["rect"])]
            if inside:
                b = min(inside, key=lambda x: geo.area(x["rect"]))
                derive(el, "boundary", b["id"], self.src(*b["path"]))
            elif n["shape"] == "actor":
                derive(el, "boundary", self.default_boundary("internet"), self.src(*n["path"], "shape"))
                outside_actors.append(el["id"])
            else:
                derive(el, "boundary", self.default_boundary("unassigned"), self.src(*n["path"]))
                unassigned.append(el["id"])
            if rect is None:
                el["description"] = clip((el.get("description", "") + " The cell has no position, so no boundary box "
                                           "could hold it.").strip(), self.src(*n["path"]))
        if outside_actors:
            self.draft.findings.append(f"actors in no trust boundary box: {', '.join(outside_actors)}; placed in the "
                                       "'internet' boundary (an actor is outside the system, the worst case is assumed): "
                                       "move partners to a partner boundary")
        if unassigned:
            self.draft.findings.append(f"processes and stores in no trust boundary box: {', '.join(unassigned)}; placed in "
                                       "the boundary 'unassigned' (internal): move each to its real zone")

    def default_boundary(self, which: str) -> str:
        if which in self.defaults:
            return self.defaults[which]
        if which == "internet":
            b = {"id": self.draft.new_id("internet"), "title": "Internet (actors outside every boundary box)",
                 "zone": "internet",
                 "description": "Threat Dragon actors drawn outside every trust boundary box. Threat Dragon does not "
                                "say where an actor is; the internet is assumed as the worst case."}
        else:
            b = {"id": self.draft.new_id("unassigned"), "title": "Outside every Threat Dragon boundary box",
                 "zone": "internal",
                 "description": "Processes and stores drawn outside every trust boundary box (trust boundary curves "
                                "enclose nothing). The zone 'internal' is an assumption: move each element to its real "
                                "boundary."}
        self.draft.boundaries.append(b)
        self.defaults[which] = b["id"]
        return b["id"]

    # --- flows -------------------------------------------------------------------------------

    def end(self, di: int, ci: int, cell: dict, which: str) -> tuple[dict | None, str, str]:
        """(node, source of the end, note) for a flow end; node None when it cannot be connected."""
        cpath = ("detail", "diagrams", di, "cells", ci, which)
        e = cell.get(which)
        if not isinstance(e, dict):
            self.error(cpath, f"the {which} of flow cell {ci} is {describe(e, empty='missing')}, not a mapping with 'cell' or 'x'/'y'",
                       "the file is damaged: redraw the flow in Threat Dragon")
            return None, "", ""
        if "cell" in e:
            cid = str(e["cell"])
            node = self.nodes.get((di, cid))
            if node:
                return node, self.src(*cpath, "cell"), ""
            if (di, cid) in self.other_cells:
                return None, "", f"its {which} is a {self.other_cells[(di, cid)]}, not an element"
            self.error(cpath + ("cell",), f"flow cell {ci} {'starts' if which == 'source' else 'ends'} at cell '{cid}', "
                       f"which is not in diagram {di}", "the file is damaged: reconnect or redraw the flow in Threat Dragon")
            return None, "", ""
        x: Any = e.get("x")
        y: Any = e.get("y")
        if not (geo.is_number(x) and geo.is_number(y)):
            self.error(cpath, f"the {which} of flow cell {ci} has neither 'cell' nor a position", "the file is damaged")
            return None, "", ""
        best, dist = None, math.inf
        for n in self.nodes.values():
            if n["diagram"] == di and n["rect"]:
                dd = geo.distance((x, y), n["rect"])
                if dd < dist:
                    best, dist = n, dd
        if best is not None and dist <= SNAP:
            return best, self.src(*cpath), f"its {which} is loose on the canvas, {dist:.0f} px from '{best['title']}'"
        return None, "", f"its {which} is loose on the canvas at ({x:g}, {y:g}), near no element"

    def flow(self, di: int, ci: int, cell: dict) -> None:
        data = cell.get("data") or {}
        cpath = ("detail", "diagrams", di, "cells", ci)
        dp = cpath + ("data",)
        name = _title(data.get("name")) or _title(_label(cell))
        title = name or "Data flow"
        s_node, s_src, s_note = self.end(di, ci, cell, "source")
        t_node, t_src, t_note = self.end(di, ci, cell, "target")
        if self.errors:
            return
        if s_node is None or t_node is None:
            why = "; ".join(x for x in (s_note, t_note) if x and (s_node is None or x != s_note))
            self.draft.unmapped.append(f"flow '{title}' ({self.src(*cpath)}): not converted, {why}: connect it in "
                                       "Threat Dragon, or add the flow by hand")
            self.threats(di, ci, dp, data, f"the unconverted flow '{title}'")
            return
        if s_node["id"] == t_node["id"]:
            self.draft.unmapped.append(f"flow '{title}' ({self.src(*cpath)}): not converted, it goes from "
                                       f"'{s_node['title']}' to itself (a tmodel flow joins two elements)")
            self.threats(di, ci, dp, data, f"the unconverted flow '{title}'")
            return
        f: dict[str, Any] = {"id": self.draft.new_id(id_stem(name), "flow"), "title": title}
        derive(f, "from", s_node["id"], s_src)
        derive(f, "to", t_node["id"], t_src)
        notes: list[str] = []
        desc = _plain(data.get("description"))
        if desc:
            notes.append(desc if desc.endswith(".") else desc + ".")
        for note in (s_note, t_note):
            if note:
                notes.append(f"In Threat Dragon {note}; connected to it by the importer.")
                self.snapped.append(f"'{f['id']}' ({note})")
        self.transport(f, dp, data, notes)
        text = " ".join([name, desc])
        for method, rx in AUTH_WORDS:
            m = rx.search(text)
            if m:
                where = "description" if desc and rx.search(desc) else "name"
                derive(f, "authentication.method", method, self.src(*dp, where))
                if method == "mtls":
                    if f.get("tls", {}).get("min_version", "none") == "none":
                        derive(f, "authentication.method", "none", self.src(*dp, where))
                        notes.append(f"The {where} says '{m.group(0)}' but the flow has no TLS: mutual TLS not recorded.")
                        break
                    derive(f, "tls.mutual", True, self.src(*dp, where))
                notes.append(f"Authentication {method} from the {where} ('{m.group(0)}').")
                self.auth_found.append(f["id"])
                break
        if data.get("isBidirectional") is True:
            notes.append("Bidirectional in Threat Dragon (one tmodel flow: a flow carries its response).")
        if data.get("isPublicNetwork") is True:
            notes.append("Threat Dragon: crosses a public network.")
        if data.get("outOfScope") is True:
            why = _plain(data.get("reasonOutOfScope"))
            notes.insert(0, "Out of scope in Threat Dragon" + (f": {why.rstrip('.')}." if why else " (no reason given)."))
            self.out_of_scope.append(f["id"])
        if self.multi:
            notes.append(f"Diagram: {self.diagram_title(di)}.")
        notes += self.threats(di, ci, dp, data, f"flow '{title}'")
        f["description"] = clip(notes, self.src(*cpath))
        f.setdefault("derived_from", {})[""] = self.src(*cpath)
        f["_public"] = data.get("isPublicNetwork") is True
        f["_points"] = self.polyline(di, cell, s_node, t_node)
        self.draft.flows.append(f)

    def transport(self, f: dict, dp: tuple, data: dict, notes: list[str]) -> None:
        raw = _plain(data.get("protocol"))
        key = raw.lower().replace(" ", "")
        proto, transport = PROTOCOLS.get(key, ("other", ""))
        encrypted = data.get("isEncrypted")
        p_src, e_src = self.src(*dp, "protocol"), self.src(*dp, "isEncrypted")
        if not raw:
            self.no_protocol.append(f["id"])
            notes.append("Threat Dragon gives no protocol: set it.")
        elif key not in PROTOCOLS:
            notes.append(f"Threat Dragon protocol '{raw}' is not one tmodel knows: protocol other.")
        derive(f, "protocol", proto, p_src if "protocol" in data else self.src(*dp))
        if transport == "tls":
            derive(f, "tls.min_version", "1.2", p_src)
            notes.append(f"Protocol {raw}: TLS 1.2 assumed (Threat Dragon states no version).")
            if encrypted is False:
                self.https_unchecked.append(f["id"])
        elif transport == "none":
            derive(f, "tls.min_version", "none", p_src)
            if encrypted is True:
                self.http_checked.append(f["id"])
                notes.append(f"Threat Dragon marks it encrypted, but the protocol {raw} has no TLS: check.")
        elif transport == "ssh":
            derive(f, "tls.min_version", "none", p_src)
            notes.append(f"Protocol {raw}: protected by SSH, not TLS (tmodel protocol sftp).")
        elif encrypted is True:
            derive(f, "tls.min_version", "1.2", e_src)
            notes.append("Encrypted in Threat Dragon: TLS 1.2 assumed (no version stated).")
        else:
            derive(f, "tls.min_version", "none", e_src)

    def polyline(self, di: int, cell: dict, s: dict, t: dict) -> list[tuple[float, float]]:
        pts = [geo.end_point(cell.get("source"), s)]
        pts += geo.vertices(cell)
        pts.append(geo.end_point(cell.get("target"), t))
        return [p for p in pts if p is not None]

    def curve(self, di: int, ci: int, cell: dict) -> None:
        data = cell.get("data") or {}
        cpath = ("detail", "diagrams", di, "cells", ci)
        name = _plain(data.get("name")) or _plain(_label(cell))
        pts = []
        for which in ("source", "target"):
            e = cell.get(which)
            if isinstance(e, dict) and "cell" in e:
                n = self.nodes.get((di, str(e["cell"])))
                p = geo.center(n["rect"]) if n and n["rect"] else None
            else:
                p = geo.end_point(e, None)
            if p is not None:
                pts.append(p)
        line = pts[:1] + geo.vertices(cell) + pts[1:]
        crossed = [f["id"] for f in self.draft.flows if f.get("_points") and geo.crosses(f["_points"], line)]
        self.draft.unmapped.append(
            f"trust boundary curve '{name or '(unnamed)'}' ({self.src(*cpath)}): a line encloses nothing, so it is not a "
            "tmodel boundary; " + (f"it crosses the flows {', '.join(crossed)} (from the drawing): put the elements on "
                                   "each side into their own boundaries" if crossed else "it crosses no flow"))

    # --- checks across the model -------------------------------------------------------------

    def cross_checks(self) -> None:
        zone_of = {b["id"]: b["zone"] for b in self.draft.boundaries}
        el_zone = {e["id"]: zone_of.get(e.get("boundary")) for e in self.draft.elements}
        public_wrong = [f["id"] for f in self.draft.flows if f["_public"]
                        and "internet" not in (el_zone.get(f["from"]), el_zone.get(f["to"]))]
        if public_wrong:
            self.draft.findings.append(f"Threat Dragon says these flows cross a public network but neither end is in the "
                                       f"internet zone: {', '.join(public_wrong)}; set the zones or the flows' TLS accordingly")
        pairs, seen = [], set()
        ends = {(f["from"], f["to"]): f["id"] for f in self.draft.flows}
        for (a, b), fid in ends.items():
            if (b, a) in ends and (b, a) not in seen:
                seen.add((a, b))
                pairs.append(f"{fid} / {ends[(b, a)]}")
        if pairs:
            self.draft.findings.append(f"flows drawn in both directions between the same elements: {'; '.join(pairs)}; a "
                                       "tmodel flow is a call and carries its response: merge each pair into the caller's flow")
        # derived data assets: credentials in stores, card payments in processes
        for n in self.nodes.values():
            data, dp = n["data"], n["path"] + ("data",)
            if n["shape"] == "store" and data.get("storesCredentials") is True:
                self.data_asset(n, "credentials", f"Credentials in {n['title']}", self.src(*dp, "storesCredentials"),
                                f"the credentials stored in '{n['title']}' (Threat Dragon: storesCredentials)")
            if n["shape"] == "process" and data.get("handlesCardPayment") is True:
                self.data_asset(n, "payment", f"Card payment data in {n['title']}", self.src(*dp, "handlesCardPayment"),
                                f"the card payments handled by '{n['title']}' (Threat Dragon: handlesCardPayment)")

    def data_asset(self, node: dict, classification: str, title: str, source: str, what: str) -> None:
        asset: dict[str, Any] = {"id": self.draft.new_id(f"{classification}-{node['id']}"), "title": _title(title)}
        flows = [f for f in self.draft.flows if node["id"] in (f["from"], f["to"])]
        asset["description"] = (f"Stands for {what}. Threat Dragon has no data assets, so this one is put on every flow "
                                "of the element: remove it from the flows that do not carry it.")
        derive(asset, "classification", classification, source)
        asset["derived_from"][""] = source
        self.draft.data_assets.append(asset)
        for f in flows:
            f.setdefault("data", []).append(asset["id"])
            f.setdefault("derived_from", {}).setdefault("data", source)
        self.draft.findings.append(f"data asset '{asset['id']}' ({classification}) stands for {what}; it is on "
                                   f"{len(flows)} flow(s) of '{node['id']}': check which ones carry it")

    # --- what is left ------------------------------------------------------------------------

    def leftovers(self, d: dict, detail: dict, diagrams: list) -> None:
        for key, value in d.items():
            if key not in TOP_KNOWN and has_value(value):
                self.draft.unmapped.append(f"top-level '{key}' ({self.src(key)}): not a Threat Dragon key this importer knows")
        for key, value in detail.items():
            if key not in DETAIL_KNOWN and has_value(value):
                self.draft.unmapped.append(f"detail.{key} ({self.src('detail', key)}): not a Threat Dragon key this "
                                           "importer knows")
        for di, g in enumerate(diagrams):
            if not isinstance(g, dict):
                continue
            title = _plain(g.get("title")) or f"diagram {di}"
            dtype = _plain(g.get("diagramType"))
            extra = f"; its description: \"{shorten(_plain(g.get('description')), 300)}\"" if _plain(g.get("description")) else ""
            self.draft.unmapped.append(f"diagram '{title}'" + (f" ({dtype})" if dtype else "")
                                       + f" ({self.src('detail', 'diagrams', di)}): the drawing (positions, sizes, styles, "
                                       f"thumbnail) is not kept{extra}")
        if self.no_props:
            self.draft.unmapped.append(f"element properties with no tmodel field (kept in the descriptions): "
                                       f"{', '.join(self.no_props)}")

    def finish(self) -> None:
        dr = self.draft
        for f in dr.flows:
            f.pop("_public", None)
            f.pop("_points", None)
        if dr.flows:
            no_auth = [f["id"] for f in dr.flows if f["id"] not in self.auth_found]
            if no_auth:
                dr.findings.append(f"Threat Dragon does not record authentication: {len(no_auth)} flow(s) have "
                                   "authentication.method none: set the real method on each")
        if self.no_protocol:
            dr.findings.append(f"Threat Dragon gives no protocol for {len(self.no_protocol)} flow(s) "
                               f"({', '.join(self.no_protocol)}): protocol 'other', TLS from 'isEncrypted': set both")
        if self.https_unchecked:
            dr.findings.append(f"the protocol says TLS but 'isEncrypted' is unchecked: {', '.join(self.https_unchecked)}; "
                               "TLS taken from the protocol")
        if self.http_checked:
            dr.findings.append(f"'isEncrypted' is checked but the protocol has no TLS: {', '.join(self.http_checked)}; "
                               "the protocol was kept: check")
        if self.snapped:
            dr.findings.append(f"flow ends left loose on the canvas were connected to the nearest element: "
                               f"{'; '.join(self.snapped)}: check")
        if self.out_of_scope:
            dr.findings.append(f"out of scope in Threat Dragon: {', '.join(self.out_of_scope)}; tmodel has no out-of-scope "
                               "flag, so the analysis covers them: decide their threats or remove them")
        if self.threat_count:
            dr.findings.append(f"{self.threat_count} Threat Dragon threat(s) are listed as not converted and quoted in their "
                               "element's or flow's description: tmodel derives its threats from its catalogs; after "
                               "'tmodel analyze', record each one's status as a decision on the matching tmodel threat")
        if not dr.elements:
            dr.findings.append("the Threat Dragon model has no actors, processes or stores: nothing but the summary was "
                               "converted")
        if not any(dr.data_assets):
            dr.findings.append("Threat Dragon has no data assets: the flows carry no data; add data assets with their "
                               "classification, or the analysis cannot rate what the flows expose")
        else:
            dr.findings.append("Threat Dragon has no data assets: only credentials and card data flagged on stores and "
                               "processes became data assets; add the data the flows really carry")
        if self.multi:
            dr.findings.append(f"{len(self.data['detail']['diagrams'])} diagrams were imported into one model; elements "
                               "with the same name in different diagrams were kept apart: merge those that are the same")
        for section in ("data_assets", "boundaries", "elements", "flows"):
            setattr(dr, section, [in_reading_order(x) for x in getattr(dr, section)])


def import_threat_dragon(path: str) -> Draft:
    """The draft model of a Threat Dragon v2 JSON file, or ProblemError with located problems."""
    text = read_input(path, WHAT)
    if text.lstrip().startswith(("{", "[")):
        # a JSON parser's message ("Unterminated string") reads better than a YAML one for a damaged .json file
        try:
            json.loads(text)
        except json.JSONDecodeError as exc:
            raise ProblemError([Problem(path, exc.lineno, exc.colno, f"the file is not valid JSON: {exc.msg}",
                                        "the file is truncated or damaged: save it again from Threat Dragon")]) from None
        except RecursionError:
            raise ProblemError([Problem(path, 1, 1, "the JSON is nested too deeply", "pass the file Threat Dragon saved")]) from None
        except ValueError:  # Python's limit on integer digits (4,300): a damaged or hostile file
            raise ProblemError([Problem(path, 1, 1, "the JSON holds a number with thousands of digits",
                                        "the file is damaged: save it again from Threat Dragon")]) from None
    located = parse_document(text, path, WHAT)
    return _Importer(path, located).run()


# --- text helpers --------------------------------------------------------------------------------

def _get(d: Any, *keys: str) -> Any:
    for k in keys:
        if not isinstance(d, dict):
            return None
        d = d.get(k)
    return d


def _label(cell: dict) -> str:
    labels = cell.get("labels")
    if isinstance(labels, list) and labels:
        first = labels[0]
        if isinstance(first, str):
            return first
        return _plain(_get(first, "attrs", "labelText", "text") or _get(first, "attrs", "text", "text"))
    return ""


def _plain(value: Any) -> str:
    if value is None or isinstance(value, (dict, list)):
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return one_line(value)


def _title(value: Any) -> str:
    return shorten(_plain(value), MAX_TITLE)
