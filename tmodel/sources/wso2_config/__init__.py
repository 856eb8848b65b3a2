"""A source of facts: the real configuration of a WSO2 API Manager 4.x node (deployment.toml).

``audit_text`` / ``audit_file`` read the file over the product's 4.7.0 defaults into settings;
``ConfigAudit.facts()`` gives them to the analysis (tmodel.analysis.config_facts) as the linked
element's ``config`` facts. The findings, their severity and the TOML that fixes each are rules
of catalogs/wso2-config.yaml.
"""

from tmodel.sources.wso2_config.reader import Setting, display_key
from tmodel.sources.wso2_config.settings import (
    FACT_TYPES,
    SIMPLE,
    WHAT,
    ConfigAudit,
    audit_file,
    audit_text,
    default_source,
)

__all__ = ["FACT_TYPES", "SIMPLE", "WHAT", "ConfigAudit", "Setting", "audit_file", "audit_text", "default_source", "display_key"]
