"""The project's definition (Definitions/swagger.yaml) through the OpenAPI importer: its draft, which
of the draft's flows holds each operation, the operations with their x-auth-type, x-throttling-tier
and scopes, and what enableSchemaValidation means against its schemas."""

from __future__ import annotations

import os
import re
from typing import Any

from tmodel.importers.common import Draft, mapping_at
from tmodel.importers.wso2_project.api import Api
from tmodel.importers.wso2_project.layout import Project
from tmodel.importers.wso2_project.operations import OpFacts
from tmodel.importers.wso2_project.security import canonical_auth_type

READ_EXTENSIONS = {"x-auth-type", "x-throttling-tier", "x-scope", "x-wso2-application-security", "x-wso2-cors",
                   "x-wso2-production-endpoints", "x-wso2-sandbox-endpoints", "x-wso2-basePath", "x-wso2-transports",
                   "x-wso2-auth-header", "x-wso2-response-cache"}


class DefinitionView:
    """The OpenAPI importer's view of the project's definition, and how it meets api.yaml.

    ``oa`` is the OpenAPI importer (``tmodel.importers.openapi``), whose functions are looked up
    when they are called.
    """

    def __init__(self, project: Project, spec: Any, oa: Any):
        self.project, self.spec, self.oa = project, spec, oa
        self.fallback: dict[str, Any] | None = None
        self.ops = oa.operations(spec)
        self.draft: Draft = oa.build_draft(spec)
        self.templates = self._templates()
        self.name = os.path.basename(spec.label)
        self.draft.unmapped = [u for u in self.draft.unmapped
                               if not any(u.startswith(f"vendor extension {k}:") for k in READ_EXTENSIONS)]

    def src(self, parts: tuple) -> str:
        return self.spec.source(tuple(parts))

    def _templates(self) -> dict[tuple[str, str], dict]:
        """operation (VERB, path) -> the OpenAPI draft's consumer -> gateway flow that holds it.

        From the OpenAPI importer's ``flows_by_operation``. When an operation has no flow there,
        ``fallback`` (every data asset found) stands in for all of them, and a finding says so.
        """
        gw = next((e["id"] for e in self.draft.elements if e.get("technology") == "wso2_gateway"), None)
        fronts = [f for f in self.draft.flows if f.get("to") == gw and gw is not None]
        pairs = self.oa.flows_by_operation(self.spec, self.draft)
        out = {key: pair[0] for key, pair in pairs.items()}
        if fronts and any((op.method.upper(), op.path) not in out for op in self.ops):
            # cannot tell which operation is in which flow: every flow carries all the data found
            data = [d for f in fronts for d in f.get("data") or []]
            first = next((f["derived_from"]["data"] for f in fronts if "data" in (f.get("derived_from") or {})), None)
            self.fallback = {"data": list(dict.fromkeys(data))}
            if first:
                self.fallback["derived_from"] = {"data": first}
            return {}
        return out

    # -- operations --

    def operations(self, api: Api) -> tuple[list[OpFacts], list[str]]:
        """The definition's operations with their WSO2 facts, and the findings about them."""
        findings: list[str] = []
        out = []
        placeholder = self._placeholder_scheme()
        for op in self.ops:
            ext = op.extensions
            f = OpFacts(op.method.upper(), op.path, self.src(op.parts))
            at = ext.get("x-auth-type")
            if isinstance(at, str) and at.strip():
                f.auth_type, f.auth_src = at.strip(), self.src(op.parts + ("x-auth-type",))
            tier = ext.get("x-throttling-tier")
            if isinstance(tier, str) and tier.strip():
                f.tier, f.tier_src = tier.strip(), self.src(op.parts + ("x-throttling-tier",))
            scopes, ssrc = self.scopes(op)
            f.scopes, f.scopes_src = scopes, ssrc
            f.template = self.templates.get((f.verb, f.target)) or self.fallback
            out.append(f)
        anon = [(op, f) for op, f in zip(self.ops, out) if op.security_parts is not None
                and (not op.security or any(not r for r in op.security)) and canonical_auth_type(f.auth_type) != "None"]
        if anon:
            op, f = anon[0]
            findings.append(f"{self.name} lets {len(anon)} operation(s) be called anonymously by its 'security' (first: "
                            f"{f.name} at {self.src(op.security_parts)}), but the WSO2 gateway decides by x-auth-type "
                            f"({f.auth_type or 'missing, read as Application & Application User'}) and the API's "
                            "securityScheme: the model follows the gateway and requires authentication")
        if self.fallback is not None:
            findings.append("the OpenAPI import's flows could not be paired with the operations: every consumer flow "
                            "carries all the data assets found, and identifiers and file transfers are not carried over")
        if placeholder:
            findings.append(f"the definition's security scheme 'default' is the one WSO2 generates ({placeholder}: "
                            "implicit flow, authorizationUrl https://test.com): it does not say which grants the key "
                            "manager allows; the model records the implicit grant it names, so set authentication.grant "
                            "to the grants the applications really use")
        return out, findings

    def scopes(self, op: Any) -> tuple[list[str], str]:
        """An operation's scopes (its security requirements', then x-scope's) and where the first one is."""
        found: list[str] = []
        src = ""
        for i, req in enumerate(op.security):
            for name, sc in req.items():
                for x in sc or []:
                    if isinstance(x, str) and x not in found:
                        found.append(x)
                        src = src or self.src(tuple(op.security_parts) + (i, name))
        xs = op.extensions.get("x-scope")
        if isinstance(xs, str) and xs.strip():
            for x in re.split(r"[,\s]+", xs.strip()):
                if x and x not in found:
                    found.append(x)
                    src = src or self.src(op.parts + ("x-scope",))
        return found, src

    def _placeholder_scheme(self) -> str:
        comps = mapping_at(self.spec.data, "components")
        schemes = mapping_at(comps, "securitySchemes")
        d = schemes.get("default")
        if isinstance(d, dict) and d.get("type") == "oauth2":
            imp = (d.get("flows") or {}).get("implicit") if isinstance(d.get("flows"), dict) else None
            if isinstance(imp, dict) and str(imp.get("authorizationUrl", "")).rstrip("/") == "https://test.com":
                return self.src(("components", "securitySchemes", "default"))
        return ""

    # -- schema validation --

    def schema_validation(self, src: str, template: Any) -> tuple[bool, str, str]:
        """enableSchemaValidation true, for one group: strict (or nothing to validate) -> true; weak -> false."""
        weak = isinstance(template, dict) and template.get("schema_validation") is False \
            and "schema_validation" in (template.get("derived_from") or {})
        if weak:
            where = template["derived_from"]["schema_validation"]
            return (False, where, (f"enableSchemaValidation is true ({src}), but the schema it validates against is weak "
                                   f"({where}): oversized or unexpected input still passes, so schema_validation stays false."))
        return (True, src, (f"enableSchemaValidation is true: the gateway validates requests and responses against "
                            f"{self.name}, whose request schemas the OpenAPI import found strict (or there is no body)."))


def load_definition(project: Project) -> DefinitionView:
    """The project's definition through the OpenAPI importer (its located problems pass through)."""
    from tmodel.importers import openapi

    assert project.definition_path and project.definition_label
    spec = openapi.load_spec(project.definition_path, project.definition_label)
    return DefinitionView(project, spec, openapi)
