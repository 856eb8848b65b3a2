"""Every shipped catalog record speaks Russian and English (issue 14): the Russian lives in the record's
own ru: block, so the two cannot drift into parallel files; a user catalog may give one language and
the other falls back, marked."""

from __future__ import annotations

import re

import pytest

from tmodel.catalog.load import load_catalogs
from tmodel.catalog.types import FALLBACK_MARK, Rule, RuRule, text_in

CYRILLIC = re.compile(r"[А-Яа-яЁё]")
# identifiers, fact paths, config keys and numbers must survive translation unchanged
CODE = re.compile(r"`[^`]+`")


@pytest.fixture(scope="module")
def shipped():
    return load_catalogs([])


def _fields(kind, r):
    if kind == "requirement":
        return {"title": r.title, "text": r.text}
    if kind == "control":
        out = {"title": r.title, "description": r.description}
        if r.question:
            out |= {"question": r.question.text, "evidence": r.question.evidence}
        return out
    return {f: getattr(r, f) for f in ("title", "description", "detection", "false_positives", "mitigation")}


def _records(cat):
    yield from (("requirement", rid, r) for rid, r in cat.requirements.items())
    yield from (("control", rid, r) for rid, r in cat.controls.items())
    yield from (("rule", rid, c.rule) for rid, c in cat.rules.items())


def test_every_shipped_record_has_russian_for_every_english_text(shipped):
    missing = [f"{kind} {rid}: {f}" for kind, rid, r in _records(shipped) for f, en in _fields(kind, r).items()
               if en and en.strip() and not (r.ru and getattr(r.ru, f, None))]
    assert not missing, f"{len(missing)} text(s) without Russian:\n" + "\n".join(missing[:40])


def test_the_russian_is_russian_and_keeps_the_code(shipped):
    bad = []
    for kind, rid, r in _records(shipped):
        for f, en in _fields(kind, r).items():
            ru = getattr(r.ru, f, None) if r.ru else None
            if not ru:
                continue
            if not CYRILLIC.search(ru):
                bad.append(f"{rid}.{f}: no Cyrillic")
            lost = set(CODE.findall(en)) - set(CODE.findall(ru))
            if lost:
                bad.append(f"{rid}.{f}: code lost in translation {sorted(lost)[:3]}")
    assert not bad, "\n".join(bad[:40])


def test_catalog_headers_have_a_russian_title(shipped):
    assert [i.id for i in shipped.infos.values() if not (i.ru and i.ru.title)] == []


def test_a_record_without_russian_falls_back_to_english_marked():
    r = Rule.model_validate({"id": "X", "title": "Only English", "stride": ["S"], "applies": {"to": "model"},
                             "when": {"fact": "model.has_pd", "eq": True}, "likelihood": 1, "impact": 1,
                             "description": "d", "detection": "d", "mitigation": "m"})
    assert text_in(r, "title", "en") == "Only English"
    assert text_in(r, "title", "ru") == FALLBACK_MARK + "Only English"
    r2 = r.model_copy(update={"ru": RuRule(title="Только по-русски")})
    assert text_in(r2, "title", "ru") == "Только по-русски" and text_in(r2, "description", "ru") == FALLBACK_MARK + "d"
