"""The risk method: likelihood x impact on a 5x5 matrix, adjusted by facts. One place, used everywhere.

- Likelihood and impact (1..5) start from the rule's defaults.
- Likelihood +1 when the target is reachable from the internet (an element exposed to the
  internet zone, or a flow whose source is in the internet zone).
- Impact +1 when the target handles special or biometric personal data, bank secrecy, payment
  data or credentials.
- Both are capped at 5. Score = likelihood x impact. Level from ``MATRIX``.
- Residual likelihood: -2 when a mitigating control is met (or the threat is decided as
  mitigated), -1 when one is only partial; never below 1. Impact does not change: controls make
  a threat less likely, not less harmful. Residual level from the same matrix.
"""

from __future__ import annotations

from tmodel.model.enums import Level

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


def level(likelihood: int, impact: int) -> Level:
    return MATRIX[likelihood - 1][impact - 1]


def clamp(v: int) -> int:
    return max(1, min(5, v))


def score(likelihood: int, impact: int, *, exposed: bool, sensitive: bool) -> tuple[int, int, list[str]]:
    """Adjusted (likelihood, impact) and the reasons for each adjustment."""
    notes: list[str] = []
    lk, im = likelihood, impact
    if exposed:
        lk = clamp(lk + 1)
        notes.append("likelihood +1: reachable from the internet")
    if sensitive:
        im = clamp(im + 1)
        notes.append("impact +1: special/biometric personal data, bank secrecy, payment data or credentials")
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
