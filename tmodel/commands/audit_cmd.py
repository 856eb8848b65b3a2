"""``tmodel audit wso2-config DEPLOYMENT_TOML [--model MODEL] [--element ID] [--format text|json] [--catalog DIR]``.

Reads a WSO2 API Manager 4.x deployment.toml merged over the product's 4.7.0 defaults
(tmodel.sources.wso2_config) and shows the analysis of the rules that read its settings
(tmodel.analysis.config_findings): each finding with its level as ``tmodel analyze``, the register
and SARIF give it, the key's line (or "(default)" when the file leaves the key out), why, and the
TOML that fixes it (the rule's ``fix:``). With --model, the levels are the model's and the audit
also reports where the gateway's real settings contradict what the model claims (drift), and how
to link the file so every analysis and the register include the findings.

Exit codes: 0 no open high or critical finding; 1 at least one; 2 bad input (unreadable file,
invalid TOML, a value of the wrong type, invalid model or catalog). Never imports textual.
"""

from __future__ import annotations

import json
import os
import sys
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from tmodel.analysis.config_facts import Drift
    from tmodel.analysis.config_findings import ConfigFinding
    from tmodel.catalog.load import Catalog
    from tmodel.model.load import Loaded
    from tmodel.model.types import Model
    from tmodel.sources.wso2_config import ConfigAudit, Setting


def register(main: click.Group) -> None:
    @main.group("audit")
    def audit_group() -> None:
        """Audit real configuration files (WSO2 deployment.toml)."""

    @audit_group.command("wso2-config")
    @click.argument("toml_path", metavar="DEPLOYMENT_TOML", type=click.Path(dir_okay=True))
    @click.option("--model", "model_path", type=click.Path(dir_okay=False), default=None,
                  help="Compare with this model's claims about the gateway (drift).")
    @click.option("--element", "element_id", default=None,
                  help="The model element the file configures (default: the model's configs: link, else its WSO2 gateway).")
    @click.option("--link", is_flag=True,
                  help="Add the configs: entry to MODEL (comments kept), so every analysis audits the file.")
    @click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
    @click.option("--catalog", "catalogs", multiple=True, type=click.Path(file_okay=False),
                  help="A folder of extra catalogs (repeatable); same ids replace shipped records.")
    def wso2_config(toml_path: str, model_path: str | None, element_id: str | None, link: bool, fmt: str,
                    catalogs: tuple[str, ...]) -> None:
        """Audit a WSO2 API Manager deployment.toml over the product defaults.

        Every key the file leaves out takes the WSO2 API Manager 4.7.0 default, and several
        defaults are weak (TLS 1.0/1.1, optional client certificates, the plain HTTP port, CORS *).
        The findings are the rules of the wso2-config catalog (a bank's catalog may override them),
        rated as the analysis rates them: with --model in the model's context, else as an
        internet-facing gateway that handles credentials. Each gives the key and its line, or
        '(default)', and the TOML that fixes it.

        Exit status: 0 when no open finding is high or critical, 1 when one is, 2 for bad input.
        """
        if link and model_path is None:
            raise click.UsageError("--link needs --model MODEL")
        run(toml_path, model_path, element_id, fmt, link, catalogs)


def run(toml_path: str, model_path: str | None, element_id: str | None, fmt: str, link: bool = False,
        catalogs: tuple[str, ...] = ()) -> None:
    from tmodel.analysis.config_findings import NODE, analyze_config, findings
    from tmodel.cli import EXIT_FINDINGS, EXIT_OK, fail, get_catalog
    from tmodel.problems import ProblemError
    from tmodel.sources.wso2_config import audit_file

    try:
        audit = audit_file(toml_path)
    except ProblemError as exc:
        fail(exc.problems)
    catalog = get_catalog(catalogs)

    drift_lines: list[str] | None = None
    drifts: list[Drift] = []
    link_text = ""
    if model_path is not None:
        lm, model = _load(model_path)
        element_id, linked = _element_for(model, model_path, toml_path, element_id)
        drifts, drift_lines = _drift(audit, model, element_id)
        if not linked and link:
            _write_link(model_path, toml_path, element_id)
        elif not linked:
            link_text = _link_yaml(model_path, toml_path, element_id)
        analysis = analyze_config(audit, catalog, model=model, model_path=model_path, located=lm.located,
                                  element_id=element_id)
        found = findings(analysis, catalog, audit, element_id)
        _note_inactive_rules(model, catalog, model_path)
    else:
        found = findings(analyze_config(audit, catalog), catalog, audit, NODE)

    if fmt == "json":
        click.echo(json.dumps(_as_json(audit, found, element_id, drifts, drift_lines is not None), indent=2, ensure_ascii=False))
    else:
        click.echo(_as_text(audit, found, element_id, drift_lines, link_text, model_path))
    sys.exit(EXIT_FINDINGS if _failing(found) else EXIT_OK)


LEVELS = ("critical", "high", "medium", "low")


def _note_inactive_rules(model: Model, catalog: Catalog, model_path: str) -> None:
    """The model's metadata.catalogs may leave out the catalogs that hold the configuration rules: say so, or an
    empty audit would read as a clean configuration."""
    from tmodel.analysis.config_findings import config_facts_of
    from tmodel.analysis.engine import applicable_catalogs

    active = applicable_catalogs(model, catalog)
    off = sorted({r.catalog for r in catalog.rules.values() if config_facts_of(r.rule.when) and r.catalog not in active})
    if off:
        click.echo(f"note: {model_path} lists metadata.catalogs without {', '.join(off)}: their configuration rules are "
                   "not applied to this model, so they report nothing here; add them to metadata.catalogs", err=True)


def _failing(found: list[ConfigFinding]) -> bool:
    """Any unresolved finding at high or critical (the CLI exits 1)."""
    return any(f.threat.unresolved and f.threat.level in ("critical", "high") for f in found)


def _counts(found: list[ConfigFinding]) -> dict[str, int]:
    return {level: sum(1 for f in found if f.threat.level == level) for level in LEVELS}


# --- the model side --------------------------------------------------------------------------

def _write_link(model_path: str, toml_path: str, element_id: str) -> None:
    """Add the configs: entry to the model: comments and key order kept, validated, written atomically."""
    from tmodel.analysis.config_facts import relative_link
    from tmodel.cli import fail
    from tmodel.fsutil import problem as write_problem
    from tmodel.model.save import ChangedOnDisk, EditError, ModelDocument
    from tmodel.problems import Problem, ProblemError

    rel = relative_link(model_path, toml_path)
    try:
        doc = ModelDocument.open(model_path)
        doc.add_item("configs", {"kind": "wso2_deployment_toml", "path": rel, "element": element_id})
    except ProblemError as exc:
        fail(exc.problems)
    except (OSError, EditError) as exc:
        fail([Problem(model_path, 0, 0, f"cannot add the configs: entry: {exc}", "")])
    result = doc.validate()
    if not result.ok:
        fail(result.errors)
    try:
        doc.save()
    except ChangedOnDisk:
        fail([Problem(model_path, 0, 0, "the model changed on disk meanwhile; nothing written", "run the command again")])
    except OSError as exc:
        fail([write_problem(model_path, exc)])
    click.echo(f"{model_path}: linked {rel} to element {element_id}; every analysis now audits it", err=True)


def _same_file(a: str, b: str) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return os.path.normcase(os.path.abspath(a)) == os.path.normcase(os.path.abspath(b))


def _load(model_path: str) -> tuple[Loaded, Model]:
    """The valid model (its warnings printed), or exit 2 with its errors."""
    from tmodel.cli import fail
    from tmodel.model.load import load_model

    lm = load_model(model_path)
    for p in lm.problems:
        if not p.is_error:
            click.echo(p.format(), err=True)
    if not lm.ok or lm.model is None:
        fail([p for p in lm.problems if p.is_error])
    return lm, lm.model


def _element_for(model: Model, model_path: str, toml_path: str, element_id: str | None) -> tuple[str, bool]:
    """(element id, whether the model already links this file)."""
    from tmodel.cli import fail
    from tmodel.model.enums import ConfigKind, Technology
    from tmodel.problems import Problem

    base = os.path.dirname(os.path.abspath(model_path))
    link = next((c for c in model.configs if c.kind == ConfigKind.WSO2_DEPLOYMENT_TOML
                 and _same_file(os.path.join(base, c.path), toml_path)), None)
    if element_id is not None:
        if model.element(element_id) is None:
            ids = ", ".join(e.id for e in model.elements)
            fail([Problem(model_path, 0, 0, f"no element '{element_id}' in the model", f"elements: {ids}")])
        return element_id, link is not None and link.element == element_id
    if link is not None:
        return link.element, True
    gateways = [e.id for e in model.elements if e.technology == Technology.WSO2_GATEWAY]
    if len(gateways) == 1:
        return gateways[0], False
    if not gateways:
        fail([Problem(model_path, 0, 0, "the model has no element with technology wso2_gateway and no configs: link to this file",
                      "pass --element ID: the element this deployment.toml configures")])
    fail([Problem(model_path, 0, 0, f"the model has several WSO2 gateways ({', '.join(gateways)})",
                  "pass --element ID: the one this deployment.toml configures")])


def _drift(audit: ConfigAudit, model: Model, element_id: str) -> tuple[list[Drift], list[str]]:
    """The drift items and their lines."""
    from tmodel.analysis.config_facts import drift

    items = drift(audit, model, element_id)
    return items, [d.describe() for d in items]


def _link_yaml(model_path: str, toml_path: str, element_id: str) -> str:
    from tmodel.analysis.config_facts import relative_link

    rel = relative_link(model_path, toml_path)
    return (f"configs:\n  - kind: wso2_deployment_toml\n    path: {_yaml_scalar(rel)}\n    element: {element_id}\n")


def _yaml_scalar(text: str) -> str:
    import yaml

    return yaml.safe_dump(text, default_style=None, width=10_000).strip().removesuffix("...").strip()


# --- output ----------------------------------------------------------------------------------

def _as_text(audit: ConfigAudit, found: list[ConfigFinding], element_id: str | None, drift_lines: list[str] | None, link_text: str,
             model_path: str | None) -> str:
    from tmodel.analysis.config_findings import NODE_CONTEXT

    out: list[str] = []
    for f in found:
        t, s = f.threat, f.setting
        status = "" if t.status == "open" else f" ({t.status})"
        if s is not None and s.line:
            out.append(f"{audit.path}:{s.line}: {t.level}{status}: {t.title} [{t.rule}]")
            out.append(f"    {s.key} = {_one_line(s.raw)}")
        elif s is not None:
            out.append(f"{audit.path}: {t.level}{status}: {t.title} (default) [{t.rule}]")
            out.append(f"    {s.key} unset; product default: {_one_line(s.raw)}")
        else:
            out.append(f"{audit.path}: {t.level}{status}: {t.title} [{t.rule}]")
        out.append(f"    why: {_one_line(t.description)}")
        fix = f.fix.splitlines() or ["(the rule gives no fix: see its mitigation) " + _one_line(t.mitigation)]
        out.append(f"    fix: {fix[0]}")
        out += [f"         {ln}" if ln else "" for ln in fix[1:]]
    parts = ", ".join(f"{n} {level}" for level, n in _counts(found).items() if n)
    defaults = sum(1 for f in found if f.setting is not None and not f.setting.line)
    out.append(f"{audit.path}: {len(found)} finding(s){': ' + parts if parts else ''}; {defaults} from keys left at the "
               f"{audit.product} default")
    if model_path is None:
        out.append(f"Levels as the analysis rates them for {NODE_CONTEXT}; run with --model MODEL to rate them in the "
                   "model's context, compare with the model and get its configs: entry.")
    else:
        out.append(f"Levels as 'tmodel analyze {model_path}' rates them on element {element_id}.")
    if drift_lines is not None:
        out.append("")
        if drift_lines:
            out.append(f"Drift: {len(drift_lines)} fact(s) where {model_path} claims something the configuration does not do "
                       f"(element {element_id}):")
            out += [f"  {d}" for d in drift_lines]
        else:
            out.append(f"Drift: none; {model_path} agrees with this configuration on element {element_id}.")
    if link_text:
        out.append("")
        out.append(f"Link the file in {model_path} so every analysis and the register include these findings and the drift:")
        out += ["  " + ln for ln in link_text.rstrip("\n").splitlines()]
    return "\n".join(out)


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def _as_json(audit: ConfigAudit, found: list[ConfigFinding], element_id: str | None, drifts: list[Drift],
             with_drift: bool) -> dict[str, Any]:
    from tmodel.sources.wso2_config import default_source

    def setting(s: Setting) -> dict[str, Any]:
        out = {"name": s.name, "key": s.key, "value": s.value, "line": s.line, "raw": s.raw, "default": s.default}
        if s.default:
            out["default_from"] = default_source(s.name)
        return out

    data: dict[str, Any] = {
        "file": audit.path,
        "product": audit.product,
        "summary": {**_counts(found), "findings": len(found), "failing": _failing(found)},
        "findings": [{"id": f.threat.rule, "threat": f.threat.id, "level": f.threat.level, "status": f.threat.status,
                      "likelihood": f.threat.likelihood, "impact": f.threat.impact, "title": f.threat.title,
                      "detail": f.threat.description, "fix": f.fix, "why": f.threat.why,
                      "where": audit.where(f.setting.name) if f.setting is not None else audit.path,
                      "setting": setting(f.setting) if f.setting is not None else None} for f in found],
        "settings": {name: setting(s) for name, s in audit.settings.items()},
    }
    if with_drift:
        data["element"] = element_id
        data["drift"] = [{"target": d.target, "field": d.field, "claim": d.claim, "actual": d.actual, "source": d.source}
                         for d in drifts]
    return data
