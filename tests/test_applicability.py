"""Honest compliance (issue 12): a framework that does not fit the model is reported as not applicable
with its reason, never as partly met; a requirement counts as met only when something in the model is
in its scope."""

from __future__ import annotations

from tests.conftest import AS_OF
from tmodel.analysis.engine import analyze
from tmodel.model.load import load_model_text

BARE = """format_version: 1
metadata: {id: bare, title: Bare internal integration, owner: Team}
boundaries:
  - {id: dmz, title: DMZ, zone: dmz}
  - {id: internal, title: Internal, zone: internal}
elements:
  - {id: gw, title: Gateway, kind: process, technology: wso2_gateway, boundary: dmz, logging: central}
  - {id: svc, title: Service, kind: process, technology: backend_service, boundary: internal, logging: central}
flows:
  - id: gw-svc
    title: Forwarded call
    from: gw
    to: svc
    protocol: https
    tls: {min_version: "1.2", forward_secrecy: true, mutual: true, client_cert_verified: true}
    authentication: {method: jwt}
"""


def test_a_bare_model_shows_no_met_requirement_of_a_framework_that_does_not_fit(catalog):
    lm = load_model_text(BARE, "bare.yaml")
    assert lm.ok, [p.format() for p in lm.errors]
    a = analyze(lm.model, catalog, path="bare.yaml", as_of=AS_OF)
    shown = {f.id for f in a.frameworks}
    for fid in ("fapi-sec", "fapi-paok", "pdn-152fz"):  # no OAuth/OIDC flow, no CIBA, no personal data
        assert fid in a.frameworks_not_applicable and fid not in shown, fid
        assert a.not_applicable_reasons[fid], fid
    assert "no" in a.not_applicable_reasons["pdn-152fz"].lower()
