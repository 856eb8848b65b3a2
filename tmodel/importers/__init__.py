"""Importers: start a model from what exists (OpenAPI, WSO2 apictl projects, Threagile, Threat
Dragon) and audit what the gateway really runs (WSO2 deployment.toml)."""
