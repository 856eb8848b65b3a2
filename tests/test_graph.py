"""Graph facts: boundary crossings, exposure paths, personal-data reach, determinism, no mutation."""

from __future__ import annotations

import copy

from tests.rulecases import apply_patch, base_data
from tmodel.graph import compute_facts
from tmodel.model.types import Model


def _model(data) -> Model:
    return Model.model_validate(data)


def test_flow_crossing_and_zones():
    f = compute_facts(_model(base_data()))
    tg = f.flows["tpp-gw"]
    assert tg["crosses_boundary"] and tg["source_zone"] == "internet" and tg["target_zone"] == "dmz"
    assert tg["from_internet"] and tg["from_outside"] and tg["inbound"] and tg["public_endpoint"]
    bd = f.flows["backend-db"]
    assert bd["crosses_boundary"] and bd["source_zone"] == "internal" and bd["target_zone"] == "restricted"
    assert not bd["from_outside"] and not bd["public_endpoint"]


def test_internet_exposure_and_path():
    f = compute_facts(_model(base_data()))
    assert f.elements["db"]["exposed_to_internet"]
    assert f.elements["db"]["internet_path"] == ["tpp", "gw", "backend", "db"]
    assert not f.elements["tpp"]["exposed_to_internet"]  # it is the internet
    assert f.elements["gw"]["directly_exposed"] and not f.elements["backend"]["directly_exposed"]


def test_personal_data_reach_and_external_reachers():
    f = compute_facts(_model(base_data()))
    assert f.elements["db"]["pd_categories"] == ["general"]
    assert f.elements["db"]["external_reachers"] == ["partner", "tpp"]
    assert f.elements["siem"]["pd_categories"] == [] and f.elements["siem"]["external_reachers"] == []
    assert f.flows["tpp-gw"]["carries_pd"] and f.flows["tpp-gw"]["carries_credentials"]
    assert f.model["has_pd"] and f.model["pd_categories"] == ["general"]


def test_cross_border_facts():
    data = apply_patch(base_data(), {"data_assets[documents].cross_border": {"transfer": True, "countries": ["KZ"]}})
    f = compute_facts(_model(data))
    assert f.flows["partner-gw"]["cross_border"] and f.flows["partner-gw"]["cross_border_unnotified"]
    assert not f.flows["tpp-gw"]["cross_border"]
    assert f.model["has_cross_border"]


def test_cross_border_adequacy_is_three_valued():
    cb = {"transfer": True, "countries": ["KZ"], "rkn_notified": True}
    for adequate, expected in ((None, False), (True, False), (False, True)):
        data = apply_patch(base_data(), {"data_assets[documents].cross_border": {**cb, "adequate_protection": adequate}})
        assert compute_facts(_model(data)).flows["partner-gw"]["cross_border_non_adequate"] is expected, adequate


def test_masking_facts_respect_attributes_required_in_clear():
    patch = {"data_assets[documents].masked": False, "data_assets[documents].attributes": ["payer_name", "payer_account"]}
    f = compute_facts(_model(apply_patch(base_data(), patch)))
    assert f.flows["partner-gw"]["carries_unmasked_pd"] and f.flows["partner-gw"]["carries_clear_pd"]
    # the law requires only the payer's name in clear: the account is still to be masked
    f = compute_facts(_model(apply_patch(base_data(), {**patch, "data_assets[documents].clear_by_law": ["payer_name"]})))
    assert f.flows["partner-gw"]["carries_unmasked_pd"]
    # both required in clear: nothing to mask, but the PD is still in clear (for the log rules)
    both = {**patch, "data_assets[documents].clear_by_law": ["payer_name", "payer_account"]}
    f = compute_facts(_model(apply_patch(base_data(), both)))
    assert not f.flows["partner-gw"]["carries_unmasked_pd"] and f.flows["partner-gw"]["carries_clear_pd"]


def test_unused_attributes_only_once_reviewed():
    f = compute_facts(_model(base_data()))
    assert f.flows["tpp-gw"]["pd_attributes_unused"] == []  # data_used unset: not reviewed, no finding
    f = compute_facts(_model(apply_patch(base_data(), {"flows[tpp-gw].data_used": ["balance"]})))
    assert f.flows["tpp-gw"]["pd_attributes_unused"] == ["account_alias", "transactions"]


def test_platform_shared_with_more_trusted_zones():
    data = apply_patch(base_data(), {"elements[gw].platform": "k8s", "elements[backend].platform": "k8s",
                                     "elements[db].platform": "k8s", "elements[files].platform": "other"})
    f = compute_facts(_model(data))
    assert f.elements["gw"]["platform_higher_zones"] == ["internal", "restricted"]
    assert f.elements["backend"]["platform_higher_zones"] == ["restricted"]
    assert f.elements["db"]["platform_higher_zones"] == [] and f.elements["files"]["platform_higher_zones"] == []
    assert f.elements["km"]["platform_higher_zones"] == []  # no platform stated


def test_nested_boundary_path():
    f = compute_facts(_model(base_data()))
    assert f.elements["db"]["boundary_path"] == ["internal", "restricted"]


def test_facts_are_deterministic_and_do_not_mutate_the_model():
    data = base_data()
    m = _model(data)
    before = m.model_dump()
    a, b = compute_facts(m), compute_facts(_model(copy.deepcopy(data)))
    assert a.elements == b.elements and a.flows == b.flows and a.model == b.model
    assert list(a.elements) == sorted(a.elements) and list(a.flows) == sorted(a.flows)
    assert m.model_dump() == before


def test_external_ancestors_in_one_pass_equal_a_search_per_node():
    """graph.external_ancestors (bit masks over the condensation) gives what nx.ancestors gives, on random
    graphs with cycles and self-loops."""
    import random

    import networkx as nx

    from tmodel.graph import external_ancestors

    for seed in range(200):
        rnd = random.Random(seed)
        n = rnd.randint(1, 30)
        g = nx.DiGraph()
        g.add_nodes_from(f"n{i}" for i in range(n))
        for _ in range(rnd.randint(0, 60)):
            a, b = rnd.randrange(n), rnd.randrange(n)
            if a != b or rnd.random() < 0.1:
                g.add_edge(f"n{a}", f"n{b}")
        ext = {f"n{i}" for i in range(n) if rnd.random() < 0.4}
        reach = external_ancestors(g, ext)
        for v in g:
            assert reach(v) == sorted(x for x in nx.ancestors(g, v) if x in ext), (seed, v)
