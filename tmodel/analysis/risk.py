"""The risk method (v2): likelihood x impact on a 5x5 matrix. One place, used by every view.

- Likelihood and impact (1..5) start from the rule's defaults: how easy the attack is for an
  attacker who can reach the target, and how bad it is for data of ordinary sensitivity.
- Likelihood by who can reach the target (attacker position): +1 from the internet without
  authentication; 0 from the internet by an authenticated client or from a partner's network
  without authentication; -1 only for an authenticated partner over a dedicated, mutual-TLS or
  allow-listed channel; -1 only from the bank's internal network. A hop inside the bank is reached by whoever reaches the element it leaves from.
- Impact by what the target holds or carries: +1 for payment data or special and biometric
  personal data; 0 for bank secrecy, confidential data, secrets and general personal data, or
  when the model states no data; -1 when it carries only internal or public data.
- Both are capped to 1..5. Score = likelihood x impact. Level from the matrix.
- Residual likelihood: -2 when a mitigating control is met on the target or on the hop in front of
  it (or the threat is decided as mitigated by a control that is met there), -1 when one is only
  partial (or the decision names no control, or one the analysis cannot check); never below 1. Impact does not change: controls make a threat less likely, not less
  harmful. Residual level from the same matrix.
- A fact the model does not state is an unknown: a rule that fires only because of unknowns
  gives a question to answer, not a threat.
"""

from __future__ import annotations

from tmodel.graph import (
    INTERNAL,
    INTERNET_ANONYMOUS,
    INTERNET_AUTHENTICATED,
    PARTNER,
    PARTNER_UNAUTHENTICATED,
    POSITION_TEXT,
)
from tmodel.model.enums import HIGH_IMPACT_PD, Classification, Level

# MATRIX[likelihood-1][impact-1]
_L, _M, _H, _C = Level.LOW, Level.MEDIUM, Level.HIGH, Level.CRITICAL
MATRIX: list[list[Level]] = [
    [_L, _L, _L, _L, _M],  # likelihood 1
    [_L, _L, _M, _M, _H],  # likelihood 2
    [_L, _M, _M, _H, _H],  # likelihood 3
    [_L, _M, _H, _H, _C],  # likelihood 4
    [_M, _H, _H, _C, _C],  # likelihood 5
]

LIKELIHOOD_NAMES = {1: "rare", 2: "unlikely", 3: "possible", 4: "likely", 5: "almost certain"}
IMPACT_NAMES = {1: "negligible", 2: "minor", 3: "moderate", 4: "major", 5: "severe"}

POSITION_ADJUSTMENT = {INTERNET_ANONYMOUS: 1, INTERNET_AUTHENTICATED: 0, PARTNER_UNAUTHENTICATED: 0, PARTNER: -1, INTERNAL: -1}

_TOP_CLASSES = {Classification.PAYMENT.value}
_TOP_PD = {p.value for p in HIGH_IMPACT_PD}
_LOW_CLASSES = {Classification.PUBLIC.value, Classification.INTERNAL.value}


def level(likelihood: int, impact: int) -> Level:
    return MATRIX[likelihood - 1][impact - 1]


def clamp(v: int) -> int:
    return max(1, min(5, v))


def data_adjustment(classifications: list[str], pd_categories: list[str]) -> tuple[int, str]:
    """Impact adjustment for the data a target holds or carries, and its reason."""
    classes, pds = set(classifications), set(pd_categories)
    if classes & _TOP_CLASSES or pds & _TOP_PD:
        return 1, "impact +1: payment data or special/biometric personal data"
    if classes and classes <= _LOW_CLASSES and not pds:
        return -1, "impact -1: only internal or public data"
    return 0, ""


def score(likelihood: int, impact: int, *, position: str, classifications: list[str],
          pd_categories: list[str]) -> tuple[int, int, list[str]]:
    """Adjusted (likelihood, impact) and the reasons for each adjustment."""
    notes: list[str] = []
    lk, im = likelihood, impact
    adj = POSITION_ADJUSTMENT.get(position, 0)
    if position:
        lk = clamp(lk + adj)
        sign = f"{adj:+d}" if adj else "+0"
        notes.append(f"likelihood {sign}: reachable {POSITION_TEXT[position]}")
    d, why = data_adjustment(classifications, pd_categories)
    if d:
        im = clamp(im + d)
        notes.append(why)
    return lk, im, notes


def residual_likelihood(likelihood: int, *, met: bool, partial: bool) -> int:
    if met:
        return clamp(likelihood - 2)
    if partial:
        return clamp(likelihood - 1)
    return likelihood


def method_text() -> list[str]:
    """The method in lines of text, for the register's Method sheet and the record."""
    doc = (__doc__ or "").strip().splitlines()
    return [line.strip() for line in doc[2:] if line.strip()]
