"""``tmodel import threagile FILE``: a Threagile YAML model as a tmodel draft.

What converts (every value records ``threagile.yaml:<line>`` of the key it came from; the
tables named in capitals are in ``threagile_vocabulary``):

- ``technical_assets`` -> elements. ``type`` -> kind; ``technology`` -> Technology by ``TECHNOLOGY``
  (the original is kept in the description); ``encryption`` other than none -> encrypted_at_rest;
  ``out_of_scope`` + justification -> said in the description and listed in the findings (tmodel
  has no out-of-scope flag: the analysis covers the asset, decide its threats); ``owner`` and
  ``data_assets_stored`` -> the description.
- ``trust_boundaries`` -> boundaries. Threagile's boundary ``type`` says how a segment is isolated,
  not how far it is trusted, so every type maps to ``internal`` unless the boundary's name or id says
  DMZ, partner or internet (``ZONE_WORDS``); a parent is lowered to the least trusted zone nested in
  it (a nested boundary is a segment of its parent). ``trust_boundaries_nested`` -> parent.
  Assets in no boundary go to an ``internet`` boundary when Threagile marks them ``internet: true``,
  otherwise to an explicit ``unassigned`` boundary (internal) listed in the findings.
- ``communication_links`` -> flows from the asset that holds them: ``protocol`` by ``PROTOCOL``
  (Threagile never states a TLS version: encrypted protocols get 1.2 with a note saying so; SSH
  protocols become sftp, tmodel's SSH-protected protocol); ``authentication`` by ``AUTHENTICATION``
  (client certificates on SSH are SSH keys); ``ip_filtered`` -> authorization.ip_allowlist;
  ``authorization``, ``vpn`` and ``readonly`` -> the description; ``data_assets_sent`` and
  ``data_assets_received`` -> data.
- ``data_assets`` -> data assets: ``confidentiality`` by ``CONFIDENTIALITY`` (restricted rounds up
  to confidential; strictly-confidential is listed in the findings: tmodel's higher classes are
  kinds of data, not levels); ``quantity`` by ``QUANTITY``; personal data only where the asset's
  own text says so (PII, personal data; negated mentions such as "should not contain PII" do not
  count) -> pd_category general, and metadata.pd_level uz3 as a placeholder, both in the findings.
- title, author, date (-> reviewed_on), overviews and the management summary -> metadata.

Everything else is listed as not converted, once per key with the lines where it occurs:
CIA ratings and justifications, usage, size, machine, tags, shared runtimes, abuse cases,
security requirements, questions, individual risk categories, diagram tweaks, and each
``risk_tracking`` entry (Threagile's risk ids are not tmodel threat ids, so their statuses cannot
become decisions). Broken references (an unknown asset, data asset or boundary id) are errors:
Threagile refuses such a model too.
"""

from __future__ import annotations

import datetime as dt
import difflib
import html
import re
from typing import Any

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
    read_input,
    shorten,
    slug,
)
from tmodel.importers.threagile_vocabulary import (
    ASSET_CONVERTED,
    AUTHENTICATION,
    AUTHORIZATION,
    BOUNDARY_CONVERTED,
    BOUNDARY_TYPES,
    CONFIDENTIALITY,
    CREDENTIAL_TERMS,
    DATA_CONVERTED,
    ENCRYPTED,
    KIND,
    LINK_CONVERTED,
    NEGATION,
    PD_TERMS,
    PROTOCOL,
    QUANTITY,
    SERVER_TECHNOLOGIES,
    STORE_TECHNOLOGIES,
    TECHNOLOGY,
    TOP_CONVERTED,
    WHY_NOT,
    WHY_TOP,
    ZONE_WORDS,
)
from tmodel.model.enums import ZONE_TRUST, Zone
from tmodel.model.yamlsafe import Located
from tmodel.problems import Problem, ProblemError

WHAT = "a Threagile model"


class _Importer:
    def __init__(self, path: str, located: Located):
        self.path = path
        self.label = path
        self.loc = located
        self.data = located.data
        self.draft = Draft(source=path, kind="threagile")
        self.errors: list[Problem] = []
        self.unmapped_keys: dict[tuple[str, str], list[int]] = {}
        self.element_of: dict[str, str] = {}  # threagile asset id -> element id
        self.asset_path: dict[str, tuple] = {}  # threagile asset id -> path of its mapping
        self.data_of: dict[str, str] = {}  # threagile data asset id -> data asset id
        self.data_path: dict[str, tuple] = {}
        self.boundary_of_id: dict[str, str] = {}  # threagile boundary id -> boundary id
        self.used_data: set[str] = set()
        # collected while converting, reported as findings at the end
        self.strict: list[str] = []
        self.pd: list[tuple[str, str]] = []
        self.credentials: list[str] = []
        self.unknown_tech: list[str] = []
        self.stored_on: dict[str, list[str]] = {}
        self.out_of_scope: list[str] = []
        self.defaults: dict[str, str] = {}
        self.self_links: list[str] = []
        self.tracked = 0

    # --- positions, problems, sources ------------------------------------------------------

    def line(self, path: tuple) -> int:
        return self.loc.where(path, key=True)[0]

    def src(self, path: tuple) -> str:
        return f"{self.label}:{self.line(path)}"

    def error(self, path: tuple, message: str, hint: str = "", *, value: bool = False) -> None:
        self.errors.append(located_problem(self.loc, self.path, path, message, hint, key=not value))

    def not_converted(self, section: str, key: str, path: tuple) -> None:
        self.unmapped_keys.setdefault((section, key), []).append(self.line(path))

    def mapping(self, path: tuple, value: Any, what: str, *, optional: bool = True) -> dict:
        if value is None and optional:
            return {}
        if isinstance(value, dict):
            return value
        self.error(path, f"{what} is {describe(value)}, but Threagile writes it as a mapping of names to entries",
                   "indent the entries under it as 'Name: {id: ..., ...}'")
        return {}

    def id_list(self, path: tuple, value: Any, what: str) -> list[tuple[int, str]]:
        """(index, id) pairs of a list of ids; a wrong type is an error."""
        if value is None:
            return []
        if not isinstance(value, list):
            self.error(path, f"{what} is {describe(value)}, not a list of ids", "write one '- id' per line")
            return []
        out = []
        for i, v in enumerate(value):
            if isinstance(v, (str, int)) and not isinstance(v, bool):
                out.append((i, str(v)))
            else:
                self.error(path + (i,), f"{what} holds {describe(v)}, not an id", "write the id of the referenced item")
        return out

    def unknown_ref(self, path: tuple, what: str, value: str, known: dict) -> None:
        close = difflib.get_close_matches(value, sorted(known), n=1, cutoff=0.6)
        self.error(path, f"unknown {what} '{value}'",
                   f"did you mean '{close[0]}'?" if close else f"use the id of one of the model's {what}s", value=True)

    # --- the whole model -------------------------------------------------------------------

    def run(self) -> Draft:
        d = self.data
        if "technical_assets" not in d and "threagile_version" not in d:
            raise ProblemError([Problem(self.path, 1, 1, "this is not a Threagile model: it has no 'threagile_version' "
                                        "and no 'technical_assets'", "pass the threagile.yaml of the model")])
        self.metadata()
        self.data_assets()
        self.assets()
        self.boundaries()
        self.links()
        if self.errors:
            raise ProblemError(sorted(set(self.errors)))
        self.rest()
        self.finish()
        return self.draft

    def metadata(self) -> None:
        d = self.data
        title = _title(_text(d.get("title"))) or "Imported Threagile model"
        author = mapping_at(d, "author")
        owner = _title(_text(author.get("name")))
        meta: dict[str, Any] = {"id": slug(title, "threagile-model"), "title": title,
                                "owner": owner or "unknown (set the team that answers for this integration)"}
        parts = []
        for key, label in (("application_description", "Application"), ("business_overview", "Business overview"),
                           ("technical_overview", "Technical overview")):
            v = d.get(key)
            text = _text(v.get("description")) if isinstance(v, dict) else _text(v)
            if text:
                parts.append(f"{label}: {text}")
        summary = _text(d.get("management_summary_comment"))
        if summary:
            parts.append(f"Management summary: {summary}")
        version = _text(d.get("threagile_version"))
        parts.append(f"Imported from the Threagile model {self.path}" + (f" (threagile_version {version})." if version else "."))
        meta["description"] = clip(parts, f"{self.label}:1")
        if owner:
            self.draft.findings.append(f"metadata.owner is the Threagile author '{owner}' ({self.src(('author', 'name'))}): "
                                       "set the team that answers for the integration")
        else:
            self.draft.findings.append("Threagile names no author: set metadata.owner")
        date = d.get("date")
        if isinstance(date, dt.datetime):
            date = date.date()
        if isinstance(date, dt.date):
            meta["reviewed_on"] = date
            self.draft.findings.append(f"metadata.reviewed_on is the Threagile model's date {date.isoformat()} "
                                       f"({self.src(('date',))}): confirm it was a security review")
        elif date not in (None, ""):
            self.draft.unmapped.append(f"date '{date}' ({self.src(('date',))}): not a YYYY-MM-DD date, so not "
                                       "used as metadata.reviewed_on")
        self.draft.metadata = meta

    # --- data assets -----------------------------------------------------------------------

    def data_assets(self) -> None:
        section = self.mapping(("data_assets",), self.data.get("data_assets"), "'data_assets'")
        for name, item in section.items():
            path = ("data_assets", name)
            if not isinstance(item, dict):
                self.error(path, f"data asset '{name}' is {describe(item)}, not a mapping", "give it id, confidentiality, quantity ...")
                continue
            tid = _ident(item.get("id"))
            if tid is None:
                self.error(path, f"data asset '{name}' has no id", "add 'id:'")
                continue
            if tid in self.data_of:
                self.error(path + ("id",), f"duplicate data asset id '{tid}'", "ids must be unique")
                continue
            asset: dict[str, Any] = {"id": self.draft.new_id(tid, "data"), "title": _title(name) or tid}
            self.data_of[tid] = asset["id"]
            self.data_path[tid] = path
            notes = []
            desc = _text(item.get("description"))
            if desc and desc != asset["title"]:
                notes.append(desc if desc.endswith(".") else desc + ".")
            conf = _text(item.get("confidentiality"))
            cls, note = CONFIDENTIALITY.get(conf or "", ("confidential", ""))
            if conf not in CONFIDENTIALITY:
                note = (f"Threagile confidentiality '{conf}' is unknown" if conf else "Threagile gives no confidentiality") + \
                    "; confidential assumed: review"
                self.draft.findings.append(f"data asset '{asset['id']}': {note} ({self.src(path + ('confidentiality',))})")
            derive(asset, "classification", cls, self.src(path + ("confidentiality",)))
            if note:
                notes.append(note + ".")
            if conf == "strictly-confidential":
                self.strict.append(asset["id"])
            qty = _text(item.get("quantity"))
            if qty in QUANTITY:
                vol, qnote = QUANTITY[qty]
                derive(asset, "volume", vol, self.src(path + ("quantity",)))
                if qnote:
                    notes.append(qnote + ".")
            elif qty:
                notes.append(f"Threagile quantity '{qty}' is unknown; volume left at the default.")
            for key, label in (("origin", "Origin"), ("owner", "Owner")):
                v = _text(item.get(key))
                if v:
                    notes.append(f"{label}: {v}.")
            pd_src = self._pd_evidence(path, item, name)
            if pd_src:
                derive(asset, "pd_category", "general", pd_src[0])
                notes.append(f"Personal data: the Threagile text says \"{pd_src[1]}\"; category 'general' assumed: confirm.")
                self.pd.append((asset["id"], pd_src[0]))
            if CREDENTIAL_TERMS.search(" ".join(filter(None, [name, desc]))) and cls != "credentials":
                self.credentials.append(asset["id"])
            asset["description"] = clip(notes, self.src(path))
            asset.setdefault("derived_from", {})[""] = self.src(path)
            self.draft.data_assets.append(asset)
            for key in item:
                if key not in DATA_CONVERTED and has_value(item[key]):
                    self.not_converted("data_assets", key, path + (key,))


    def _pd_evidence(self, path: tuple, item: dict, name: str) -> tuple[str, str] | None:
        """(source, quoted phrase) where the asset's own text says it holds personal data."""
        for key in ("description", "justification_cia_rating", "tags"):
            value = item.get(key)
            texts = [str(t) for t in value] if isinstance(value, list) else [_text(value) or ""]
            for text in texts:
                for m in PD_TERMS.finditer(text):
                    sentence_start = max(text.rfind(".", 0, m.start()), text.rfind(";", 0, m.start())) + 1
                    before = text[max(sentence_start, m.start() - 40): m.start()]
                    if NEGATION.search(before):
                        continue
                    ends = [i for i in (text.find(".", m.end()), text.find(";", m.end())) if i >= 0]
                    sentence = one_line(text[sentence_start: min(ends) + 1 if ends else len(text)])
                    return self.src(path + (key,)), shorten(sentence, 160)
        if PD_TERMS.search(name):
            return self.src(path), name
        return None

    # --- technical assets ------------------------------------------------------------------

    def assets(self) -> None:
        raw = self.data.get("technical_assets")
        if raw is None:
            self.error(("technical_assets",), "the Threagile model has no technical assets, so there is nothing to convert",
                       "a Threagile model lists its components under 'technical_assets'")
            return
        section = self.mapping(("technical_assets",), raw, "'technical_assets'", optional=False)
        for name, item in section.items():
            path = ("technical_assets", name)
            if not isinstance(item, dict):
                self.error(path, f"technical asset '{name}' is {describe(item)}, not a mapping", "give it id, type, technology ...")
                continue
            tid = _ident(item.get("id"))
            if tid is None:
                self.error(path, f"technical asset '{name}' has no id", "add 'id:'")
                continue
            if tid in self.element_of:
                self.error(path + ("id",), f"duplicate technical asset id '{tid}'", "ids must be unique")
                continue
            kind_raw = _text(item.get("type"))
            if kind_raw not in KIND:
                self.error(path + ("type",), f"technical asset type '{kind_raw or ''}' is not a Threagile type",
                           "use external-entity, process or datastore")
                continue
            self.element_of[tid] = self.draft.new_id(tid, "element")
            self.asset_path[tid] = path

        for tid, path in self.asset_path.items():
            self.draft.elements.append(self.element(tid, path, section[path[1]]))

    def element(self, tid: str, path: tuple, item: dict) -> dict[str, Any]:
        el: dict[str, Any] = {"id": self.element_of[tid], "title": _title(path[1]) or tid}
        notes = []
        desc = _text(item.get("description"))
        if desc and desc != el["title"]:
            notes.append(desc if desc.endswith(".") else desc + ".")
        kind = KIND[_text(item.get("type")) or ""]
        derive(el, "kind", kind, self.src(path + ("type",)))
        tech_raw = _text(item.get("technology")) or ""
        tech, meaning = TECHNOLOGY.get(tech_raw, ("other", ""))
        if tech_raw == "gateway" and re.search(r"wso2", " ".join([path[1], desc or "", str(item.get("tags") or "")]), re.I):
            tech, meaning = "wso2_gateway", "a gateway named as WSO2"
        if kind == "external_entity" and tech in SERVER_TECHNOLOGIES:
            tech, meaning = "partner_system", (meaning or tech_raw) + "; an external entity, so a third party's system"
        elif kind == "data_store" and tech not in STORE_TECHNOLOGIES:
            tech = "database" if tech == "identity_provider" else "other"
            meaning = (meaning or tech_raw) + " kept as a data store"
        derive(el, "technology", tech, self.src(path + ("technology",)))
        if tech_raw and tech_raw not in TECHNOLOGY:
            notes.append(f"Threagile technology '{tech_raw}' is unknown to the importer; technology other.")
            self.unknown_tech.append(f"{el['id']} ('{tech_raw}', {self.src(path + ('technology',))})")
        elif tech_raw:
            notes.append(f"Threagile technology: {tech_raw}" + (f" ({meaning})." if meaning else "."))
        enc = _text(item.get("encryption"))
        if enc in ENCRYPTED:
            derive(el, "encrypted_at_rest", True, self.src(path + ("encryption",)))
            notes.append(f"Encryption at rest: {enc}.")
        elif enc == "none" and kind == "data_store":
            derive(el, "encrypted_at_rest", False, self.src(path + ("encryption",)))
        elif enc and enc != "none":
            notes.append(f"Threagile encryption '{enc}' is unknown; encrypted_at_rest left false.")
        owner = _text(item.get("owner"))
        if owner:
            notes.append(f"Owner: {owner}.")
        stored = []
        for key in ("data_assets_stored", "data_assets_processed"):
            for i, x in self.id_list(path + (key,), item.get(key), f"'{key}'"):
                if x not in self.data_of:
                    self.unknown_ref(path + (key, i), "data asset", x, self.data_of)
                elif key == "data_assets_stored":
                    stored.append(self.data_of[x])
        if stored:
            notes.append(f"Stores (Threagile): {', '.join(stored)}.")
            for x in stored:
                self.stored_on.setdefault(x, []).append(el["id"])
        if item.get("out_of_scope") is True:
            why = _text(item.get("justification_out_of_scope"))
            notes.insert(0, "Out of scope in Threagile" + (f": {why.rstrip('.')}." if why else " (no justification given)."))
            self.out_of_scope.append(f"{el['id']} ({self.src(path + ('out_of_scope',))})")
        el["description"] = clip(notes, self.src(path))
        el.setdefault("derived_from", {})[""] = self.src(path)
        for key, value in item.items():
            if key not in ASSET_CONVERTED and has_value(value):
                self.not_converted("technical_assets", key, path + (key,))
        return el

    # --- trust boundaries ------------------------------------------------------------------

    def boundaries(self) -> None:
        section = self.mapping(("trust_boundaries",), self.data.get("trust_boundaries"), "'trust_boundaries'")
        placed: dict[str, tuple[str, tuple]] = {}  # asset id -> (boundary id, path of the list entry)
        parent_of: dict[str, tuple[str, tuple]] = {}  # threagile boundary id -> (parent threagile id, path)
        entries: list[tuple[str, tuple, dict]] = []
        for name, item in section.items():
            path = ("trust_boundaries", name)
            if not isinstance(item, dict):
                self.error(path, f"trust boundary '{name}' is {describe(item)}, not a mapping", "give it id, type, technical_assets_inside")
                continue
            tid = _ident(item.get("id"))
            if tid is None:
                self.error(path, f"trust boundary '{name}' has no id", "add 'id:'")
                continue
            if tid in self.boundary_of_id:
                self.error(path + ("id",), f"duplicate trust boundary id '{tid}'", "ids must be unique")
                continue
            self.boundary_of_id[tid] = self.draft.new_id(tid, "boundary")
            entries.append((tid, path, item))
        for tid, path, item in entries:
            for i, aid in self.id_list(path + ("technical_assets_inside",), item.get("technical_assets_inside"),
                                       "'technical_assets_inside'"):
                if aid not in self.element_of:
                    self.unknown_ref(path + ("technical_assets_inside", i), "technical asset", aid, self.element_of)
                elif aid in placed:
                    other = placed[aid][0]
                    self.error(path + ("technical_assets_inside", i),
                               f"technical asset '{aid}' is inside two trust boundaries ('{other}' and '{tid}')",
                               "an asset sits in one boundary: nest one boundary in the other instead")
                else:
                    placed[aid] = (tid, path + ("technical_assets_inside", i))
            for i, bid in self.id_list(path + ("trust_boundaries_nested",), item.get("trust_boundaries_nested"),
                                       "'trust_boundaries_nested'"):
                if bid not in self.boundary_of_id:
                    self.unknown_ref(path + ("trust_boundaries_nested", i), "trust boundary", bid, self.boundary_of_id)
                elif bid == tid:
                    self.error(path + ("trust_boundaries_nested", i), f"trust boundary '{tid}' is nested in itself",
                               "remove it from its own trust_boundaries_nested")
                elif bid in parent_of:
                    self.error(path + ("trust_boundaries_nested", i),
                               f"trust boundary '{bid}' is nested in two boundaries ('{parent_of[bid][0]}' and '{tid}')",
                               "a boundary has one parent")
                else:
                    parent_of[bid] = (tid, path + ("trust_boundaries_nested", i))
        # cycles: a boundary that is (indirectly) its own parent
        for bid in parent_of:
            seen, cur = {bid}, parent_of[bid][0]
            while cur in parent_of and cur not in seen:
                seen.add(cur)
                cur = parent_of[cur][0]
            if cur == bid:
                self.error(parent_of[bid][1], f"trust boundary nesting of '{bid}' forms a cycle", "remove one nesting")
                return

        zone_of: dict[str, str] = {}
        how: dict[str, str] = {}
        for tid, path, _item in entries:
            words = " ".join([path[1], tid])
            zone = next((z for z, rx in ZONE_WORDS if rx.search(words)), "internal")
            zone_of[tid] = zone
            how[tid] = "from its name" if zone != "internal" else "no trust level stated: internal assumed"
        # tmodel nests only segments of the same or a more trusted zone: a less trusted boundary nested
        # in a more trusted one (a DMZ drawn inside the company network) keeps its zone and loses the nesting
        unnested: dict[str, str] = {}
        for child, (parent, _) in list(parent_of.items()):
            if ZONE_TRUST[Zone(zone_of[child])] < ZONE_TRUST[Zone(zone_of[parent])]:
                unnested[child] = parent
                del parent_of[child]
        assumed = []
        for tid, path, item in entries:
            btype = _text(item.get("type")) or ""
            b: dict[str, Any] = {"id": self.boundary_of_id[tid], "title": _title(path[1]) or tid, "zone": zone_of[tid]}
            if tid in parent_of:
                b["parent"] = self.boundary_of_id[parent_of[tid][0]]
            notes = []
            desc = _text(item.get("description"))
            if desc and desc != b["title"]:
                notes.append(desc if desc.endswith(".") else desc + ".")
            kind = BOUNDARY_TYPES.get(btype)
            notes.append(f"Threagile type {btype or '(none)'}" + (f" ({kind})" if kind else " (unknown type)") +
                         f"; zone {zone_of[tid]}: {how[tid]}. From {self.src(path)}.")
            if tid in unnested:
                parent = unnested[tid]
                notes.append(f"Nested in '{self.boundary_of_id[parent]}' ({zone_of[parent]}) in Threagile; not nested here "
                             "because tmodel nests only segments as trusted as their parent or more.")
                self.draft.findings.append(f"boundary '{self.boundary_of_id[tid]}' ({zone_of[tid]}) is nested in "
                                           f"'{self.boundary_of_id[parent]}' ({zone_of[parent]}) in Threagile: un-nested, "
                                           "as tmodel nests only segments as trusted as their parent or more")
            if how[tid].startswith("no trust"):
                assumed.append(b["id"])
            b["description"] = clip(notes, self.src(path))
            self.draft.boundaries.append(b)
            for key in item:
                if key not in BOUNDARY_CONVERTED and has_value(item[key]):
                    self.not_converted("trust_boundaries", key, path + (key,))
        if entries:
            named = [f"{self.boundary_of_id[t]} ({zone_of[t]})" for t, _, _ in entries if not how[t].startswith("no trust")]
            msg = ["Threagile boundary types say how a segment is isolated, not how far it is trusted"]
            if named:
                msg.append(f"zones set from the boundary names: {', '.join(named)}")
            if assumed:
                msg.append(f"internal assumed for {', '.join(assumed)}")
            self.draft.findings.append("; ".join(msg) + ": review every zone")

        # place the elements
        unassigned: list[str] = []
        for tid, path in self.asset_path.items():
            el = self.draft.existing("elements", self.element_of[tid])
            item = self.data["technical_assets"][path[1]]
            internet = item.get("internet") is True
            if tid in placed:
                btid, entry = placed[tid]
                derive(el, "boundary", self.boundary_of_id[btid], self.src(entry))
                if internet:
                    self.draft.findings.append(f"'{el['id']}' is marked internet: true ({self.src(path + ('internet',))}) "
                                               f"but sits in the boundary '{self.boundary_of_id[btid]}': kept there; check its zone")
            elif internet:
                derive(el, "boundary", self._default_boundary("internet"), self.src(path + ("internet",)))
            else:
                derive(el, "boundary", self._default_boundary("unassigned"), self.src(path))
                unassigned.append(el["id"])
        if unassigned:
            self.draft.findings.append(f"in no Threagile trust boundary and not marked internet: {', '.join(unassigned)}; "
                                       "placed in the boundary 'unassigned' (internal): move each to its real zone")

    def _default_boundary(self, which: str) -> str:
        bid = self.defaults.get(which)
        if bid:
            return bid
        if which == "internet":
            b = {"id": self.draft.new_id("internet"), "title": "Internet", "zone": "internet",
                 "description": "Technical assets that Threagile marks 'internet: true' and places in no trust boundary."}
        else:
            b = {"id": self.draft.new_id("unassigned"), "title": "Outside every Threagile trust boundary", "zone": "internal",
                 "description": "Technical assets that Threagile places in no trust boundary and does not mark as on the "
                                "internet. The zone 'internal' is an assumption: move each element to its real boundary."}
        self.draft.boundaries.append(b)
        self.defaults[which] = b["id"]
        return b["id"]

    # --- communication links ---------------------------------------------------------------

    def links(self) -> None:
        for tid, path in self.asset_path.items():
            item = self.data["technical_assets"][path[1]]
            links = self.mapping(path + ("communication_links",), item.get("communication_links"),
                                 f"'communication_links' of '{tid}'")
            for name, link in links.items():
                lpath = path + ("communication_links", name)
                if not isinstance(link, dict):
                    self.error(lpath, f"communication link '{name}' is {describe(link)}, not a mapping", "give it target, protocol ...")
                    continue
                flow = self.flow(tid, path, lpath, name, link)
                if flow:
                    self.draft.flows.append(flow)

    def flow(self, tid: str, apath: tuple, path: tuple, name: str, link: dict) -> dict[str, Any] | None:
        target = _ident(link.get("target"))
        if target is None:
            self.error(path, f"communication link '{name}' has no target", "add 'target:' with a technical asset id")
            return None
        if target not in self.element_of:
            self.unknown_ref(path + ("target",), "technical asset", target, self.element_of)
            return None
        data: list[str] = []
        sent: list[str] = []
        received: list[str] = []
        for key, bucket in (("data_assets_sent", sent), ("data_assets_received", received)):
            for i, x in self.id_list(path + (key,), link.get(key), f"'{key}'"):
                if x not in self.data_of:
                    self.unknown_ref(path + (key, i), "data asset", x, self.data_of)
                    continue
                bucket.append(self.data_of[x])
                if self.data_of[x] not in data:
                    data.append(self.data_of[x])
        if self.errors:
            return None
        src, dst = self.element_of[tid], self.element_of[target]
        if src == dst:
            self.self_links.append(f"'{name}' ({self.src(path)})")
            return None
        f: dict[str, Any] = {"id": self.draft.new_id(id_stem(_plain(name)), "flow"), "title": _title(name) or "Communication link"}
        derive(f, "from", src, self.src(apath))
        derive(f, "to", dst, self.src(path + ("target",)))
        notes = []
        desc = _text(link.get("description"))
        if desc and desc != f["title"]:
            notes.append(desc if desc.endswith(".") else desc + ".")

        proto_raw = _text(link.get("protocol")) or ""
        proto, transport = PROTOCOL.get(proto_raw, ("other", "none"))
        at = self.src(path + ("protocol",))
        derive(f, "protocol", proto, at)
        if transport == "tls":
            derive(f, "tls.min_version", "1.2", at)
            notes.append(f"Threagile protocol {proto_raw}: encrypted; TLS 1.2 assumed (Threagile states no version).")
        elif transport == "ssh":
            derive(f, "tls.min_version", "none", at)
            notes.append(f"Threagile protocol {proto_raw}: protected by SSH, not TLS (tmodel protocol sftp).")
        else:
            derive(f, "tls.min_version", "none", at)
            if proto == "other" or proto_raw not in PROTOCOL:
                notes.append(f"Threagile protocol {proto_raw or '(none)'}" +
                             ("" if proto_raw in PROTOCOL else ", unknown to the importer") + ": not encrypted.")
        if proto == "other" and proto_raw in PROTOCOL and transport == "tls":
            notes.insert(-1, f"Protocol {proto_raw}.")

        auth_raw = _text(link.get("authentication")) or "none"
        method, note = AUTHENTICATION.get(auth_raw, ("none", f"unknown Threagile authentication '{auth_raw}': none assumed"))
        at = self.src(path + ("authentication",))
        if method == "mtls" and transport == "ssh":
            method, note = "ssh_key", "an SSH key ('client-certificate' on an SSH protocol)"
        elif method == "basic" and transport == "ssh":
            note = "an SSH password ('credentials' on an SSH protocol)"
        derive(f, "authentication.method", method, at)
        if method == "mtls":
            if transport != "tls":
                # mutual TLS needs TLS: the certificate cannot be checked on a plaintext channel
                notes.append("Threagile says client-certificate authentication on an unencrypted protocol: "
                             "method mtls without TLS is impossible, so none is recorded: review.")
                derive(f, "authentication.method", "none", at)
            else:
                derive(f, "tls.mutual", True, at)
        if note:
            notes.append(f"Authentication: {note}.")
        authz = _text(link.get("authorization"))
        if authz in AUTHORIZATION and authz != "none":
            notes.append(f"Authorization: {AUTHORIZATION[authz]}.")
        elif authz and authz not in AUTHORIZATION:
            notes.append(f"Threagile authorization '{authz}'.")
        if link.get("ip_filtered") is True:
            derive(f, "authorization.ip_allowlist", True, self.src(path + ("ip_filtered",)))
        if link.get("vpn") is True:
            notes.append("Runs over a VPN (Threagile 'vpn: true'); tmodel has no VPN field: set the zones and TLS it implies.")
        if link.get("readonly") is True:
            notes.append("Read-only (Threagile).")
        if data:
            f["data"] = data
            f.setdefault("derived_from", {})["data"] = self.src(path + ("data_assets_sent" if sent else "data_assets_received",))
            self.used_data.update(data)
            if sent and received and sent != received:
                notes.append(f"Sends {', '.join(sent)}; receives {', '.join(received)}.")
            elif received and not sent:
                notes.append(f"Receives {', '.join(received)} (response).")
        f["description"] = clip(notes, self.src(path))
        f.setdefault("derived_from", {})[""] = self.src(path)
        for key, value in link.items():
            if key not in LINK_CONVERTED and has_value(value):
                self.not_converted("communication_links", key, path + (key,))
        return f


    # --- what is left over -----------------------------------------------------------------

    def rest(self) -> None:
        d, un = self.data, self.draft.unmapped
        for key, value in d.items():
            if key in TOP_CONVERTED or not has_value(value):
                continue
            at = self.src((key,))
            if key == "risk_tracking" and isinstance(value, dict):
                for rid, entry in value.items():
                    e = entry if isinstance(entry, dict) else {}
                    bits = [str(e.get(k)) for k in ("status",) if e.get(k)]
                    extra = ", ".join(f"{k} {_plain(e[k])}" for k in ("ticket", "date", "checked_by") if has_value(e.get(k)))
                    just = _plain(e.get("justification"))
                    un.append(f"risk_tracking '{rid}' ({self.src((key, rid))}): {' '.join(bits) or 'no status'}"
                              + (f" ({extra})" if extra else "") + (f": {just}" if just else ""))
                    self.tracked += 1
            elif key == "individual_risk_categories" and isinstance(value, dict):
                for cname, cat in value.items():
                    c = cat if isinstance(cat, dict) else {}
                    risks = mapping_at(c, "risks_identified")
                    listed = "; ".join(
                        f"{_plain(r)} ({_plain(v.get('severity')) if isinstance(v, dict) else '?'})" for r, v in risks.items())
                    un.append(f"individual risk category '{_plain(cname)}' ({self.src((key, cname))}), "
                              f"STRIDE {_plain(c.get('stride')) or '?'}, CWE {_plain(c.get('cwe')) or '?'}"
                              + (f": {listed}" if listed else "")
                              + ". tmodel threats come from its catalogs: add a catalog rule if tmodel does not find it")
            elif key == "shared_runtimes" and isinstance(value, dict):
                for rname, rt in value.items():
                    r = rt if isinstance(rt, dict) else {}
                    running = r.get("technical_assets_running")
                    names = ", ".join(self.element_of.get(str(x), str(x)) for x in running) if isinstance(running, list) else ""
                    un.append(f"shared runtime '{_plain(rname)}' ({self.src((key, rname))})" + (f" runs {names}" if names else "")
                              + ": tmodel has no shared runtime; a compromise of one of them reaches the others")
            elif key in ("abuse_cases", "security_requirements", "questions") and isinstance(value, dict):
                listed_names = list(value)
                what = {"abuse_cases": "abuse case(s)", "security_requirements": "security requirement(s)",
                        "questions": "question(s)"}[key]
                shown = "; ".join(_plain(n) for n in listed_names)
                extra = ""
                if key == "questions":
                    open_ = sum(1 for v in value.values() if not has_value(v))
                    extra = f", {open_} unanswered"
                un.append(f"{key} ({at}): {len(listed_names)} {what}{extra}: {shorten(shown, 600)}; {WHY_TOP[key]}")
            elif key.startswith("diagram_tweak"):
                self.not_converted("(top level)", "diagram_tweak_*", (key,))
            elif key == "includes":
                un.append(f"includes ({at}): {_plain(value)}: the included files were not read; their content is "
                          "missing from this model")
                self.draft.findings.append(f"the model includes other files ({at}) that were not read: import the "
                                           "complete model (merge the includes first)")
            else:
                why = WHY_TOP.get(key, "no tmodel equivalent")
                un.append(f"{key} ({at}): {shorten(_plain(value), 300)}; {why}")
        author = d.get("author")
        if isinstance(author, dict):
            for k, v in author.items():
                if k != "name" and has_value(v):
                    un.append(f"author.{k} ({self.src(('author', k))}): {_plain(v)}")
        for key in ("business_overview", "technical_overview"):
            v = d.get(key)
            if isinstance(v, dict):
                for k, val in v.items():
                    if k != "description" and has_value(val):
                        un.append(f"{key}.{k} ({self.src((key, k))}): {shorten(_plain(val), 200)}")

        for (section, key), lines in self.unmapped_keys.items():
            lines = sorted(set(lines))
            shown = ", ".join(map(str, lines[:8])) + (", ..." if len(lines) > 8 else "")
            why = WHY_NOT.get(key, "no tmodel field" if key != "diagram_tweak_*" else "diagram layout")
            where = f"{section}" if section == "(top level)" else f"{section}.*.{key}"
            un.append(f"{where} ({self.label} line{'s' if len(lines) > 1 else ''} {shown}): {why}")

    def finish(self) -> None:
        dr = self.draft
        for asset in dr.data_assets:
            if asset["id"] not in self.used_data:
                where = self.stored_on.get(asset["id"])
                dr.findings.append(f"data asset '{asset['id']}' is on no communication link"
                                   + (f" (Threagile stores it on {', '.join(where)})" if where else "")
                                   + ": tmodel sees data only on flows; add it to the flows that carry it, or remove it")
        if self.strict:
            dr.findings.append(f"strictly-confidential data ({', '.join(self.strict)}) became 'confidential': if it is "
                               "bank secrecy, payment data or credentials, set that classification")
        if self.credentials:
            dr.findings.append(f"data assets that mention credentials, passwords, secrets or tokens ({', '.join(self.credentials)}): "
                               "consider classification 'credentials'")
        if self.pd:
            dr.metadata["pd_level"] = "uz3"
            dr.findings.append("personal data where the Threagile text says so: "
                               + ", ".join(f"{a} ({s})" for a, s in self.pd)
                               + "; pd_category 'general' assumed: confirm it and review the other data assets")
            dr.findings.append("metadata.pd_level is 'uz3' as a placeholder (Threagile has no 152-FZ level): set the level "
                               "from the ISPDn protection level act")
        if self.out_of_scope:
            dr.findings.append(f"out of scope in Threagile: {', '.join(self.out_of_scope)}; tmodel has no out-of-scope flag, "
                               "so the analysis covers them: decide their threats or remove them")
        if self.unknown_tech:
            dr.findings.append(f"technologies unknown to the importer became 'other': {', '.join(self.unknown_tech)}")
        if self.tracked:
            dr.findings.append(f"{self.tracked} Threagile risk_tracking entr{'y is' if self.tracked == 1 else 'ies are'} listed as "
                               "not converted: Threagile risk ids are not tmodel threat ids, so their statuses cannot become "
                               "decisions; after 'tmodel analyze', record each on the matching tmodel threat")
        if self.self_links:
            dr.unmapped.append(f"communication links from an asset to itself, not converted (a tmodel flow joins two "
                               f"elements): {', '.join(self.self_links)}")
        tls_assumed = [f["id"] for f in dr.flows if f.get("tls", {}).get("min_version") == "1.2"]
        if tls_assumed:
            dr.findings.append(f"{len(tls_assumed)} encrypted flow(s) got TLS 1.2 as an assumption (Threagile states no "
                               "version): set the real lowest version on each")
        dr.metadata = {k: v for k, v in dr.metadata.items() if v not in (None, "")}
        for section in ("data_assets", "boundaries", "elements", "flows"):
            setattr(dr, section, [in_reading_order(x) for x in getattr(dr, section)])


def import_threagile(path: str) -> Draft:
    """The draft model of a Threagile YAML file, or ProblemError with located problems."""
    text = read_input(path, WHAT)
    located = parse_document(text, path, WHAT)
    return _Importer(path, located).run()


# --- text helpers ------------------------------------------------------------------------------

_TAG = re.compile(r"<[^>]{1,200}>")


def _plain(value: Any) -> str:
    """A value as one line of plain text (HTML tags removed)."""
    if value is None:
        return ""
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, list):
        return ", ".join(_plain(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{_plain(k)}: {_plain(v)}" for k, v in value.items())
    return one_line(html.unescape(_TAG.sub("", str(value))))


def _text(value: Any) -> str | None:
    if value is None or isinstance(value, (dict, list)):
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    s = _plain(value)
    return s or None


def _ident(value: Any) -> str | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (str, int, float)):
        s = str(value).strip()
        return s or None
    return None


def _title(value: Any) -> str:
    return shorten(_plain(value), MAX_TITLE)
