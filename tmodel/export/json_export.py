"""The full analysis as JSON, with a versioned schema id. Deterministic: same model, same bytes."""

from __future__ import annotations

import json

from tmodel import __version__
from tmodel.analysis.result import Analysis

ANALYSIS_FORMAT = 1
ANALYSIS_SCHEMA_ID = "https://tmodel.dev/schemas/analysis-v1.schema.json"


def analysis_dict(a: Analysis) -> dict:
    return {
        "$schema": ANALYSIS_SCHEMA_ID,
        "format_version": ANALYSIS_FORMAT,
        "tool": {"name": "tmodel", "version": __version__},
        "summary": {
            "threats": len(a.threats),
            "by_level": a.counts_by_level(),
            "by_residual_level_unresolved": a.counts_by_level(residual=True, unresolved_only=True),
            "by_status": a.counts_by_status(),
            "coverage": a.coverage(),
        },
        **a.to_dict(),
    }


def analysis_json(a: Analysis) -> str:
    return json.dumps(analysis_dict(a), indent=2, ensure_ascii=False) + "\n"
