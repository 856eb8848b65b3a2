"""The findings of a configuration file: the analysis of the rules that read its settings.

``tmodel audit wso2-config`` shows these, so the audit, ``tmodel analyze``, the register and SARIF
give every finding the same level: they are all one analysis. A finding is a threat whose rule
tests an ``element.config.*`` fact (catalogs/wso2-config.yaml, or a bank's catalog that overrides
or adds such rules) on the element the file is linked to. The first config fact the rule's
``when`` names locates it in the file; the rule's ``fix:`` is the change that removes it.

Without a model the file is analysed as the configuration of one node, taken as an internet-facing
WSO2 gateway that handles credentials (what a bank's API gateway is); with a model, in the model's
own context (its exposure and data), which is what ``tmodel analyze`` does.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from tmodel.analysis.config_facts import apply, audit_linked
from tmodel.analysis.engine import analyze
from tmodel.analysis.result import Analysis, Threat
from tmodel.catalog.load import Catalog
from tmodel.graph import INTERNET_ANONYMOUS, compute_facts
from tmodel.model.enums import ElementKind, Technology
from tmodel.model.types import Element, Metadata, Model
from tmodel.model.yamlsafe import Located
from tmodel.sources.wso2_config import ConfigAudit, Setting

CONFIG_FACT = "element.config."
NODE = "node"  # the element id of the one-node model an audit without a model analyses
NODE_CONTEXT = "an internet-facing WSO2 gateway that handles credentials"


@dataclass(frozen=True)
class ConfigFinding:
    threat: Threat
    setting: Setting | None  # the setting that locates it (None: the rule names no setting this file has)
    fix: str


def config_facts_of(condition: Any) -> list[str]:
    """The setting names an ``element.config.*`` condition reads, in the order it names them."""
    out: list[str] = []
    if isinstance(condition, dict):
        fact = condition.get("fact")
        if isinstance(fact, str) and fact.startswith(CONFIG_FACT):
            out.append(fact[len(CONFIG_FACT):])
        for key, value in condition.items():
            if key in ("all", "any", "not"):
                for c in value if isinstance(value, list) else [value]:
                    out += [n for n in config_facts_of(c) if n not in out]
    return out


def findings(analysis: Analysis, catalog: Catalog, audit: ConfigAudit, element_id: str) -> list[ConfigFinding]:
    """The threats on ``element_id`` whose rule reads the configuration, in the analysis' order (worst first)."""
    out: list[ConfigFinding] = []
    for t in analysis.threats:
        compiled = catalog.rules.get(t.rule)
        if t.target != element_id or compiled is None:
            continue
        names = config_facts_of(compiled.rule.when)
        if not names:
            continue
        setting = next((audit.settings[n] for n in names if n in audit.settings), None)
        out.append(ConfigFinding(t, setting, compiled.rule.fix.strip()))
    return out


def node_model() -> Model:
    """The one-node model an audit without a model analyses."""
    return Model(
        metadata=Metadata(id="wso2-config-audit", title="WSO2 API Manager node", owner="tmodel audit"),
        elements=[Element(id=NODE, title="WSO2 API Manager node", kind=ElementKind.PROCESS,
                          technology=Technology.WSO2_GATEWAY, derived_from={})],
    )


def analyze_config(audit: ConfigAudit, catalog: Catalog, *, model: Model | None = None, model_path: str = "",
                   located: Located | None = None, element_id: str = NODE, as_of: dt.date | None = None) -> Analysis:
    """The analysis with ``audit`` as the configuration of ``element_id``: of the model (its other linked files
    too, as ``tmodel analyze`` reads them), or of the one-node model when there is none."""
    if model is None:
        model = node_model()
        facts = compute_facts(model)
        apply(facts, model, {NODE: [audit]})
        facts.elements[NODE].update(exposed_to_internet=True, handles_sensitive=True)
        facts.position[NODE] = INTERNET_ANONYMOUS  # its listeners answer anyone on the internet
        return analyze(model, catalog, path=audit.path, facts=facts, as_of=as_of)
    facts = compute_facts(model)
    audits, _ = audit_linked(model, model_path, located=located)
    audits[element_id] = [audit]
    apply(facts, model, audits)
    return analyze(model, catalog, path=model_path, located=located, facts=facts, as_of=as_of)
