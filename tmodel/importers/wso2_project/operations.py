"""The operations the consumer flows are made of (from the definition, else from api.yaml) with their
WSO2 facts (auth type, throttling tier, scopes, policies), their rate limit, and the findings about
auth types and throttling."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tmodel.importers.wso2_project.api import Api
from tmodel.importers.wso2_project.security import canonical_auth_type

UNLIMITED = "unlimited"


def is_unlimited(tier: str | None) -> bool:
    return tier is not None and tier.strip().lower() == UNLIMITED


@dataclass
class OpFacts:
    """One operation with the WSO2 facts the model uses for it (from the definition or api.yaml)."""

    verb: str
    target: str
    where: str  # source of the operation itself
    auth_type: str | None = None
    auth_src: str = ""
    tier: str | None = None
    tier_src: str = ""
    scopes: list[str] = field(default_factory=list)
    scopes_src: str = ""
    policies: list[str] = field(default_factory=list)
    template: Any = None  # a flow of the OpenAPI draft this operation belongs to (data, identifiers, ...)

    @property
    def name(self) -> str:
        return f"{self.verb} {self.target}"


def rate_limit(api: Api, op: OpFacts) -> tuple[bool | None, str, str]:
    """(rate_limit, source, note) for calls to one operation."""
    anonymous = canonical_auth_type(op.auth_type) == "None"
    tier: str | None
    if api.api_tier:
        tier, src = api.api_tier[0], api.src(api.api_tier[1])
        level = f"API-level policy '{tier}' (apiThrottlingPolicy; it overrides the resource tiers)"
    else:
        tier, src = op.tier, op.tier_src
        level = f"resource tier '{tier}'" if tier else ""
    subs = [] if anonymous else api.subscription_tiers
    subs_real = bool(subs) and not any(is_unlimited(t) for t, _ in subs)
    if tier and not is_unlimited(tier):
        return True, src, f"throttled by the {level}"
    if subs_real:
        names = ", ".join(t for t, _ in subs)
        return True, api.src(subs[0][1]), f"throttled per application by the subscription tiers ({names})"
    if anonymous and not tier:
        return None, "", "no authentication, so no subscription tier applies, and no resource tier is stated"
    if is_unlimited(tier):
        extra = "; no authentication, so no subscription tier applies" if anonymous else (
            "; a subscription tier 'Unlimited' is offered too" if any(is_unlimited(t) for t, _ in subs) else
            "" if subs else "; no subscription tiers are stated")
        return False, src, f"not throttled: {level}{extra}"
    unl = next(((t, p) for t, p in subs if is_unlimited(t)), None)
    if unl:
        return False, api.src(unl[1]), "not throttled: no resource tier is stated and subscription tier 'Unlimited' is offered"
    return None, "", "no throttling tier is stated"


def operations_from_api(api: Api) -> list[OpFacts]:
    ops = []
    for o in api.operations:
        ops.append(OpFacts(o.verb, o.target, api.src(o.path), o.auth_type, api.src(o.auth_path) if o.auth_path else "",
                           o.tier, api.src(o.tier_path) if o.tier_path else "", list(o.scopes),
                           api.src(o.scopes_path) if o.scopes_path else "", list(o.policies)))
    return ops


def auth_type_findings(ops: list[OpFacts]) -> list[str]:
    out = []
    none = [o for o in ops if canonical_auth_type(o.auth_type) == "None"]
    if none:
        listed = "; ".join(f"{o.name} ({o.auth_src})" for o in none[:6]) + (f"; and {len(none) - 6} more" if len(none) > 6 else "")
        out.append(f"{len(none)} operation(s) have authType None, so the gateway lets anyone call them without a token, "
                   f"key or certificate: {listed}. Each is its own flow with authentication none")
    odd = sorted({o.auth_type for o in ops if o.auth_type and canonical_auth_type(o.auth_type) not in
                  ("None", "Application & Application User", "Application", "Application User")})
    for v in odd:
        out.append(f"authType '{v}' is not a WSO2 value (Application & Application User, Application, Application User, "
                   "None)")
    return out


def throttling_findings(api: Api, ops: list[OpFacts]) -> list[str]:
    out = []
    if api.api_tier and is_unlimited(api.api_tier[0]):
        out.append(f"apiThrottlingPolicy is Unlimited ({api.src(api.api_tier[1])}): no API-level limit, and it overrides "
                   "the resource tiers")
    elif not api.api_tier:
        unl = [o for o in ops if is_unlimited(o.tier)]
        if unl:
            out.append(f"{len(unl)} of {len(ops)} operation(s) have throttling tier Unlimited (first: {unl[0].name} at "
                       f"{unl[0].tier_src})")
    subs = [(t, p) for t, p in api.subscription_tiers if is_unlimited(t)]
    if subs:
        out.append(f"subscription tier Unlimited is offered ({api.src(subs[0][1])}): an application subscribed on it has "
                   "no per-application limit; offer only bounded tiers")
    return out
