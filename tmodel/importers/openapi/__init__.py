"""OpenAPI 3.0 / 3.1 and Swagger 2.0 documents -> a draft tmodel model.

Public API (the WSO2 importer builds on it):

``load_spec(path, label=None) -> Spec``
    Reads the file (``common.read_input``: size cap, BOM stripped, UTF-16/binary refused), parses
    YAML or JSON with positions (``common.parse_document``), detects the version ('2.0', '3.0',
    '3.1'), checks the document's skeleton (``paths`` is a mapping, every operation is a mapping,
    ``security`` is a list of requirement objects...) and every ``$ref`` (local only; external
    refused with the hint to bundle). Raises ``ProblemError`` with located problems
    (``file:line:col``). ``label`` is how derived values name the document in ``derived_from``
    (default: ``path`` as given), e.g. ``PizzaShackAPI-1.0.0/Definitions/swagger.yaml``.

``operations(spec) -> list[Operation]``
    One per path + method, in document order. Each has ``path`` ('/accounts/{AccountId}'),
    ``method`` (lower case), ``pointer`` ('#/paths/~1accounts~1{AccountId}/get'), ``tags``,
    ``security`` (the *effective* requirement: the operation's own ``security`` when it has the
    key, else the document's; a list of alternatives, each ``{scheme name: [scopes]}``;
    ``{}`` is an anonymous alternative; ``[]`` means nothing is required or nothing is declared
    - ``security_pointer`` tells which: '' when no security is declared anywhere), and
    ``extensions`` (the operation's own ``x-*`` keys and values: ``x-auth-type``,
    ``x-throttling-tier``, ``x-scope``, ``x-wso2-application-security``...).

``build_draft(spec, draft=None) -> Draft``
    The model: boundaries ``internet`` / ``dmz`` / ``internal``; elements ``consumer``
    (external_entity, partner_system), ``gateway`` (process, wso2_gateway) and ``backend``
    (process, backend_service), with those fixed ids; per group of operations (first tag, else
    first path segment, and effective security) a ``consumer -> gateway`` flow and a
    ``gateway -> backend`` flow; data assets for personal and bank data found in the schemas;
    findings and the list of what was not converted. Pass an existing ``draft`` to add to it
    (items that already exist with the fixed ids are kept, metadata keys already set win).

``group_operations(ops)`` / ``flows_by_operation(spec, draft)``
    How operations are grouped into flows, and which flow pair of a built draft holds an
    operation (``('GET', '/accounts') -> (consumer->gateway flow, gateway->backend flow)``), so
    another importer can refine those flows without re-implementing the grouping.

Every derived value records its source as ``<label>#/json/pointer`` (sometimes followed by a
note in parentheses saying what the document does not state), so "why it fired" can show it.

The modules behind this API: ``spec`` (reading and checking the document; its operations),
``schemas`` (walking request and response schemas), ``facts`` (what one operation says),
``security`` (security requirements -> authentication facts), ``assets`` (personal data -> data
assets), ``findings`` (the document as a whole; what is not converted) and ``build`` (grouping
the operations and drafting the model).
"""

from tmodel.importers.openapi.build import (
    build_draft,
    flows_by_operation,
    group_operations,
)
from tmodel.importers.openapi.spec import Operation, Spec, load_spec, operations

__all__ = ["Operation", "Spec", "build_draft", "flows_by_operation", "group_operations", "load_spec", "operations"]
