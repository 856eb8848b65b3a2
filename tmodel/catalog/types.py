"""Catalog format: requirements, controls and threat rules, linked by id.

A catalog file holds any of the three kinds of record. Ids are global across every loaded
catalog, so a rule in one catalog may name a control defined in another.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from tmodel.model.enums import DescribedEnum, ElementKind, GostLevel, Stride, Technology

CatId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,79}$")]
BduId = Annotated[str, StringConstraints(pattern=r"^УБИ\.\d{3}$")]
Condition = Annotated[
    Any,
    Field(
        description="A declarative condition: {all: [...]}, {any: [...]}, {not: ...} or "
        "{fact: PATH, OP: VALUE} with OP one of eq, ne, in, not_in, contains, contains_any, gt, ge, lt, le, exists, empty",
        json_schema_extra={"$ref": "#/$defs/Condition"},
    ),
]


class Confidence(DescribedEnum):
    HIGH = ("high", "Read in the normative text or a verbatim reproduction of it")
    MEDIUM = ("medium", "Seen only in secondary sources; verify against the official text")
    DOCUMENT = ("document", "The clause number is not confirmed: the document is cited as a whole")


class AppliesTo(DescribedEnum):
    ELEMENT = ("element", "Matched against each element")
    FLOW = ("flow", "Matched against each flow")
    MODEL = ("model", "Matched once against the whole model")


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class RuText(Strict):
    """The record's text in Russian: the catalog format's second language, kept beside the English so
    the two cannot drift apart. A field left out falls back to the English text, marked as such."""


class RuCatalogInfo(RuText):
    title: str | None = None
    not_applicable_reason: str | None = None


class RuRequirement(RuText):
    title: str | None = None
    text: str | None = None


class RuControl(RuText):
    title: str | None = None
    description: str | None = None
    question: str | None = Field(None, description="The audit question (question.text)")
    evidence: str | None = Field(None, description="The evidence expected (question.evidence)")


class RuRule(RuText):
    title: str | None = None
    description: str | None = None
    detection: str | None = None
    false_positives: str | None = None
    mitigation: str | None = None


class CatalogInfo(Strict):
    id: CatId
    title: str
    version: str = "1"
    description: str = ""
    framework: str | None = Field(None, description="Framework id of the requirements in this catalog (e.g. fapi-sec)")
    framework_title: str | None = None
    framework_titles: dict[str, str] = Field(
        default_factory=dict, description="Titles of other frameworks whose requirements this catalog also holds"
    )
    applies_when: Condition | None = Field(
        None, description="Model-level condition under which the catalog applies; otherwise its rules do not run and "
        "its frameworks are reported as not applicable")
    not_applicable_reason: str = Field("", description="Why the catalog does not apply when applies_when is false")
    ru: RuCatalogInfo | None = Field(None, description="The title and reason in Russian")


class Requirement(Strict):
    id: CatId
    framework: str | None = Field(None, description="Defaults to the catalog's framework")
    clause: str = Field(description="Clause or item number as the source gives it, or the document name when unconfirmed")
    title: str
    text: str = Field(description="The requirement in short, in the catalog's words")
    source: str = Field(description="The document (and edition) it comes from")
    confidence: Confidence
    seed: list[str] = Field(default_factory=list, description="Seed requirement ids (S1..S20c) this traces to")
    ru: RuRequirement | None = Field(None, description="Title and text in Russian")


class Question(Strict):
    text: str = Field(description="What the auditor asks")
    evidence: str = Field(description="What evidence is expected")
    required_at: list[GostLevel] = Field(
        default_factory=lambda: [GostLevel.MINIMAL, GostLevel.STANDARD, GostLevel.ENHANCED],
        description="GOST R 57580.1 levels at which an answer is required for 'tmodel check'",
    )
    applies_when: Condition | None = Field(None, description="Model-level condition; otherwise not applicable")


class Check(Strict):
    rules: list[CatId] = Field(description="The control is met where none of these rules fires")
    covers_hops_behind: bool = Field(
        False, description="A policy that, in place on the hop in front of a flow (e.g. input validation or throttling "
        "at the gateway), also protects the hops behind it; transport controls such as TLS protect one hop only")


class Control(Strict):
    id: CatId
    title: str
    description: str = Field(description="What to do, specifically")
    satisfies: list[CatId] = Field(default_factory=list, description="Requirement ids")
    seed: list[str] = Field(default_factory=list, description="Seed requirement ids (S1..S20c)")
    check: Check | None = None
    question: Question | None = None
    ru: RuControl | None = Field(None, description="Title, description, question and evidence in Russian")


class Applies(Strict):
    to: AppliesTo
    kinds: list[ElementKind] = Field(default_factory=list, description="Element kinds (element rules)")
    technologies: list[Technology] = Field(default_factory=list, description="Element technologies (element rules)")


class References(Strict):
    requirements: list[CatId] = Field(default_factory=list)
    cwe: list[int] = Field(default_factory=list)
    capec: list[int] = Field(default_factory=list)
    links: list[str] = Field(default_factory=list)
    bdu: list[BduId] = Field(
        default_factory=list,
        description="Threats of the FSTEC threat database (БДУ ФСТЭК России, bdu.fstec.ru) this rule is an instance of, "
        "as УБИ.NNN; cite only ids whose official name and description fit the rule",
    )


class Rule(Strict):
    id: CatId
    title: str
    stride: list[Stride] = Field(min_length=1)
    applies: Applies
    scope: Condition | None = Field(None, description="Where the rule is relevant (defaults to every target it applies to)")
    when: Condition = Field(description="The condition under which the threat exists")
    likelihood: int = Field(ge=1, le=5)
    impact: int = Field(ge=1, le=5)
    description: str = Field(description="The threat, written for the architect")
    detection: str = Field(description="Why it fires: the facts it looks at")
    false_positives: str = ""
    mitigation: str = Field(description="What to do")
    fix: str = Field(
        "",
        description="The exact change that removes the finding, as the configured product reads it (e.g. the "
        "deployment.toml table and keys to set); shown by 'tmodel audit' under each finding",
    )
    controls: list[CatId] = Field(default_factory=list, description="Mitigating controls")
    references: References = Field(default_factory=References)
    ru: RuRule | None = Field(None, description="Title, description, detection, false positives and mitigation in Russian")


class CatalogFile(Strict):
    catalog: CatalogInfo
    requirements: list[Requirement] = Field(default_factory=list)
    controls: list[Control] = Field(default_factory=list)
    rules: list[Rule] = Field(default_factory=list)


Op = Literal["eq", "ne", "in", "not_in", "contains", "contains_any", "gt", "ge", "lt", "le", "exists", "empty"]


LANGS = ("en", "ru")
FALLBACK_MARK = "[en] "  # shown before English text a Russian view falls back to


def text_in(record: Any, field: str, lang: str, *, english: str | None = None) -> str:
    """A record's text in ``lang``: the Russian from its ``ru:`` block, else the English marked as
    a fallback (so a reader sees what is missing); the English as is for 'en'. ``english`` overrides
    where the English value lives elsewhere (a control's question text)."""
    en = english if english is not None else getattr(record, field, "") or ""
    if lang != "ru" or not en:
        return str(en)
    ru = getattr(getattr(record, "ru", None), field, None)
    return str(ru) if ru else FALLBACK_MARK + str(en)
