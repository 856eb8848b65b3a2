"""What every importer shares: reading the input with positions, located problems, text cut to
the model's limits and values described in messages, the draft model, provenance, and writing a
model that validates without ever overwriting what the user wrote.

An importer turns an outside document into a ``Draft``: plain data in the model file's own
spelling (``from``/``to``), plus two lists the user must see:

- ``unmapped``: input that has no equivalent in tmodel and was not converted. Nothing is
  dropped silently: each entry says where it was in the input and what it was.
- ``findings``: what the input itself says that a reviewer must know (a security scheme that
  disagrees with the project, a secret exported in clear text, an operation without auth).

Every value an importer derives is recorded in the item's ``derived_from`` (field name ->
``input#/json/pointer`` or ``input:line``), and the analysis shows it in "why it fired".
"""

from __future__ import annotations

import datetime as dt
import os
import re
import stat
import unicodedata
from dataclasses import dataclass, field
from typing import Any

import yaml

from tmodel.model.yamlsafe import Located, parse_yaml
from tmodel.problems import Problem, ProblemError
from tmodel.textsafe import neutralize

MAX_INPUT_BYTES = 10 * 1024 * 1024
SCHEMA_LINE = "# yaml-language-server: $schema=https://tmodel.dev/schemas/model-v1.schema.json"


# --- reading ---------------------------------------------------------------------------------

def read_input(path: str, what: str) -> str:
    """The text of an input file (UTF-8, byte-order mark removed), or ProblemError saying why not.

    ``what`` names the expected document in messages, e.g. "an OpenAPI document".
    """

    def problem(line: int, message: str, hint: str) -> ProblemError:
        return ProblemError([Problem(path, line, 1 if line else 0, message, hint)])

    try:
        st = os.stat(path)
    except OSError as exc:
        raise problem(0, f"cannot read the file: {exc.strerror or exc}", "check the path") from None
    if stat.S_ISDIR(st.st_mode):
        raise problem(0, f"this is a folder, not {what}", f"pass the file that holds {what}")
    if not stat.S_ISREG(st.st_mode):  # a FIFO would block the read, a device would never end
        raise problem(0, f"this is not a regular file (a pipe or device), not {what}", "save the input to a file and pass that")
    if st.st_size > MAX_INPUT_BYTES:
        raise problem(1, f"file is {st.st_size:,} bytes, over the {MAX_INPUT_BYTES:,}-byte limit", f"check that this is {what}")
    try:
        with open(path, "rb") as fh:
            raw = fh.read(MAX_INPUT_BYTES + 1)
    except OSError as exc:
        raise problem(0, f"cannot read the file: {exc.strerror or exc}", "check the file's permissions") from None
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise problem(1, "the file is UTF-16 text, not UTF-8", "save it as UTF-8")
    if b"\x00" in raw[:8192]:
        raise problem(1, f"this is a binary file, not {what}", f"pass the file that holds {what}")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        col = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise ProblemError([Problem(path, line, col, "the file is not valid UTF-8 text", "save it as UTF-8")]) from None


def parse_document(text: str, path: str, what: str) -> Located:
    """YAML or JSON text as located plain data (a mapping), or ProblemError with every problem.

    Duplicate keys are errors here too: a document whose meaning depends on which duplicate a
    parser keeps must be fixed before it can be trusted.
    """
    if not text.strip():
        raise ProblemError([Problem(path, 1, 1, f"the file is empty, not {what}", f"pass the file that holds {what}")])
    located, problems = parse_yaml(text, path)
    errors = [p for p in problems if p.is_error]
    if located is None or errors:
        raise ProblemError(problems or [Problem(path, 1, 1, f"cannot read {what}", "")])
    if not isinstance(located.data, dict):
        kind = "a list" if isinstance(located.data, list) else f"a single {type(located.data).__name__} value"
        raise ProblemError([Problem(path, 1, 1, f"{what} is a mapping of keys, but this file holds {kind}",
                                    f"pass the file that holds {what}")])
    return located


def located_problem(located: Located, path: str, loc: tuple, message: str, hint: str = "", *,
                    key: bool = False) -> Problem:
    """A problem in the file ``path`` at the data path ``loc``: at its value, or with ``key`` at its key."""
    line, col = located.where(loc, key=key)
    return Problem(path, line, col, message, hint)


# --- text ------------------------------------------------------------------------------------

MAX_TITLE = 200  # the model's titles (types.Short)
MAX_TEXT = 4000  # the model's descriptions (types.Text)


def one_line(text: Any) -> str:
    """``text`` on one line: runs of whitespace (newlines too) become one space."""
    return " ".join(str(text).split())


def shorten(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` characters, the last of them '…' when it was cut."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def clip(parts: list[str] | str, source: str) -> str:
    """Parts of a description joined with spaces into at most MAX_TEXT characters.

    When too long, the longest parts (the source's own text, quoted threats) are shortened with a
    note saying where the full text is (``source``), so an importer's short notes always survive.
    """
    parts = [p for p in ([parts] if isinstance(parts, str) else parts) if p]
    marker = f" … [truncated; the full text is at {source}]"
    while len(" ".join(parts)) > MAX_TEXT:
        excess = len(" ".join(parts)) - MAX_TEXT
        i = max(range(len(parts)), key=lambda k: len(parts[k]))
        keep = max(len(parts[i]) - excess - len(marker), 0)
        if keep < 100:  # nothing long enough to shorten: cut the whole text
            text = " ".join(parts)
            return text[: MAX_TEXT - len(marker)] + marker
        parts[i] = parts[i][:keep].rstrip() + marker
    return " ".join(parts)


def has_value(value: Any) -> bool:
    """Whether a value says anything: None, '', [] and {} do not (0 and false do)."""
    return value not in (None, "", [], {})


def mapping_at(data: Any, key: str) -> dict[str, Any]:
    """``data[key]`` when both are mappings, else {}: untrusted input read without guessing its shape."""
    value = data.get(key) if isinstance(data, dict) else None
    return value if isinstance(value, dict) else {}


def describe(value: Any, *, empty: str | None = "empty", scalar: str = "type") -> str:
    """What kind of value this is, for messages such as "'paths' must be a mapping, but it is a list".

    A mapping is 'a mapping' and a list 'a list'. ``empty`` is what None is called ('empty',
    'missing', 'an empty value'; None: described by its type like any other value). ``scalar``
    says how any other value is described:

    - 'type': the type only, 'a single value (int)';
    - 'repr': the type and the value's repr on one line (120 characters), "a str ('abc')", 'a bool (True)';
    - 'value': a string as written (40 characters), else the repr, "a string ('abc')", 'a int (5)';
    - 'yaml': in a YAML author's words, "a string ('abc')", 'a number (5)', 'true/false'.
    """
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None and empty is not None:
        return empty
    name = type(value).__name__
    if scalar == "type":
        return f"a single value ({name})"
    if scalar == "repr":
        return f"a {name} ({shorten(one_line(repr(value)), 120)})"
    if scalar == "value":
        return f"a string ('{value[:40]}')" if isinstance(value, str) else f"a {name} ({value!r})"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, str):
        return f"a string ({value[:40]!r})"
    if isinstance(value, (int, float)):
        return f"a number ({value})"
    return f"a {name}"


# --- provenance ------------------------------------------------------------------------------

def pointer(*parts: Any) -> str:
    """A JSON pointer (RFC 6901) fragment: pointer('paths', '/a/{id}', 'get') == '#/paths/~1a~1{id}/get'."""
    return "#" + "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)


# --- the draft model -------------------------------------------------------------------------

_ID_BAD = re.compile(r"[^a-z0-9._-]+")


def slug(text: str, fallback: str = "item") -> str:
    """An id from a human name: ASCII lowercase, '-' between words, at most 64 characters."""
    text = _translit(text)
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    s = _ID_BAD.sub("-", ascii_text).strip("-._")
    s = re.sub(r"-{2,}", "-", s)[:64].strip("-._")
    return s or fallback


def id_stem(name: str, limit: int = 40) -> str:
    """A readable id stem from a long name: its slug cut at a word boundary ('' when nothing is left)."""
    s = slug(name, "")
    if len(s) <= limit:
        return s
    cut = s[:limit]
    return cut[: cut.rfind("-")] if "-" in cut[10:] else cut


_CYR = dict(zip("абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
                ["a", "b", "v", "g", "d", "e", "e", "zh", "z", "i", "y", "k", "l", "m", "n", "o", "p", "r", "s", "t",
                 "u", "f", "kh", "ts", "ch", "sh", "shch", "", "y", "", "e", "yu", "ya"]))


def _translit(text: str) -> str:
    return "".join(_CYR.get(ch, _CYR.get(ch.lower(), ch)) for ch in text)


# derived_from key of the source of a whole item (the item exists because of it): the model
# format's 'id' ('id' names the item's id field); '' in a draft is written as 'id'
WHOLE_ITEM = "id"


@dataclass
class Draft:
    """A model under construction, in the file format's spelling, plus what the user must read."""

    source: str
    kind: str  # 'openapi', 'wso2', 'threagile', 'threat-dragon'
    metadata: dict[str, Any] = field(default_factory=dict)
    data_assets: list[dict[str, Any]] = field(default_factory=list)
    boundaries: list[dict[str, Any]] = field(default_factory=list)
    elements: list[dict[str, Any]] = field(default_factory=list)
    flows: list[dict[str, Any]] = field(default_factory=list)
    unmapped: list[str] = field(default_factory=list)
    findings: list[str] = field(default_factory=list)
    used_ids: set[str] = field(default_factory=lambda: {"model"})

    def new_id(self, name: str, fallback: str = "item") -> str:
        """A fresh id from ``name``, unique across the whole model (ids share one namespace)."""
        base = slug(name, fallback)
        candidate, n = base, 2
        while candidate in self.used_ids:
            suffix = f"-{n}"
            candidate = base[: 64 - len(suffix)] + suffix
            n += 1
        self.used_ids.add(candidate)
        return candidate

    def item(self, section: str, item_id: str) -> dict[str, Any] | None:
        return next((x for x in getattr(self, section) if x.get("id") == item_id), None)

    def existing(self, section: str, item_id: str) -> dict[str, Any]:
        """An item the importer itself put in the draft: a KeyError otherwise (a bug, not bad input)."""
        hit = self.item(section, item_id)
        if hit is None:
            raise KeyError(f"{section}[{item_id}] is not in the draft")
        return hit

    def to_data(self) -> dict[str, Any]:
        data: dict[str, Any] = {"format_version": 1, "metadata": self.metadata}
        for section in ("data_assets", "boundaries", "elements", "flows"):
            items = getattr(self, section)
            if items:
                data[section] = [_whole_item_source(x) for x in items]
        return data


# the order of an item's keys as a reader expects them (importers that build items in another order)
KEY_ORDER = ("id", "title", "kind", "technology", "boundary", "zone", "parent", "from", "to", "description", "classification",
             "pd_category", "volume", "protocol", "tls", "authentication", "authorization", "data")


def in_reading_order(item: dict[str, Any]) -> dict[str, Any]:
    """The item's keys in KEY_ORDER, the others after them as they were, derived_from last with its
    entries sorted; an empty description is left out."""
    rank = {k: i for i, k in enumerate(KEY_ORDER)}
    out = {k: item[k] for k in sorted(item, key=lambda k: (k == "derived_from", rank.get(k, len(rank))))
           if not (k == "description" and not item[k])}
    if "derived_from" in out:
        out["derived_from"] = dict(sorted(out["derived_from"].items()))
    return out


def _whole_item_source(item: dict[str, Any]) -> dict[str, Any]:
    """The whole item's source is recorded under WHOLE_ITEM (an importer may write it under '')."""
    src = item.get("derived_from")
    if isinstance(src, dict) and "" in src:
        src = {(WHOLE_ITEM if k == "" else k): v for k, v in src.items()}
        item = {**item, "derived_from": dict(sorted(src.items()))}
    elif isinstance(src, dict):
        item = {**item, "derived_from": dict(sorted(src.items()))}
    return item


class _Dumper(yaml.SafeDumper):
    """Multi-line text as literal blocks, the way a person writes it in a model; never an alias
    (``&id001``/``*id001``) for a value the draft happens to share between two items."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    if "\n" in value.strip():
        return dumper.represent_scalar("tag:yaml.org,2002:str", _block_text(value), style="|")
    return dumper.represent_scalar("tag:yaml.org,2002:str", value)


_Dumper.add_representer(str, _str)


def derive(item: dict[str, Any], field_path: str, value: Any, source: str) -> None:
    """Set ``item[field_path] = value`` (dotted path creates sub-mappings) and record its source."""
    parts = field_path.split(".")
    target = item
    for p in parts[:-1]:
        target = target.setdefault(p, {})
    target[parts[-1]] = value
    item.setdefault("derived_from", {})[field_path] = source


# --- writing ---------------------------------------------------------------------------------

def schema_line(output: str | None) -> str:
    """The editor schema line: relative to a ``schemas/`` folder above the output when there is one."""
    if output:
        folder = os.path.dirname(os.path.abspath(output))
        probe = folder
        while True:
            candidate = os.path.join(probe, "schemas", "model-v1.schema.json")
            if os.path.isfile(candidate):
                return "# yaml-language-server: $schema=" + os.path.relpath(candidate, folder).replace(os.sep, "/")
            parent = os.path.dirname(probe)
            if parent == probe:
                break
            probe = parent
    return SCHEMA_LINE


def _tls_placeholders(draft: Draft) -> None:
    """An HTTPS flow whose input states no TLS version gets 1.2 as an announced placeholder.

    The model requires a version on every TLS channel; leaving it out would make the model invalid,
    and 'none' would claim a plaintext channel the input does not describe.
    """
    missing = [f for f in draft.flows if f.get("protocol", "https") in ("https", "grpc", "soap", "websocket")
               and not (f.get("tls") or {}).get("min_version")]
    for f in missing:
        derive(f, "tls.min_version", "1.2", f"{draft.source} (not stated: a placeholder to confirm)")
    if missing and not any("TLS version" in x for x in draft.findings):
        draft.findings.append(f"{len(missing)} flow(s) use TLS the input does not describe "
                              f"({', '.join(f['id'] for f in missing[:5])}{', ...' if len(missing) > 5 else ''}): "
                              "tls.min_version is set to 1.2 as a placeholder; set the real TLS version")


def render(draft: Draft, today: dt.date | None = None, output: str | None = None) -> str:
    """The model file's text: a header that says where it came from and what was not converted."""
    from tmodel import __version__

    today = today or dt.date.today()
    _tls_placeholders(draft)
    head = [
        schema_line(output),
        "#",
        f"# Imported by tmodel {__version__} on {today.isoformat()} from {draft.source} ({draft.kind}).",
        "# An importer knows only what the document says: review every value, then add what it",
        "# cannot know (zones, data volumes, controls in place). 'derived_from' records where each",
        "# imported value came from; remove an entry when you change that value by hand.",
    ]
    for title, items in (("Findings in the source (read these first)", draft.findings),
                         ("Not converted (no equivalent in tmodel)", draft.unmapped)):
        if items:
            head += ["#", f"# {title}:"]
            head += [f"#   - {one_line(neutralize(x))}" for x in items]
    data = draft.to_data()
    fit_lengths(data)
    body = yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100,
                     default_flow_style=False)
    return "\n".join(head) + "\n\n" + body


def _block_text(value: str) -> str:
    """Multi-line text as ``_str`` writes it (and the loader reads it back): a literal block."""
    return "\n".join(line.rstrip() for line in value.strip().splitlines()) + "\n"


def _as_dumped(node: Any) -> None:
    """Multi-line strings replaced, in place, by the text the literal block will read back as."""
    items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
    for k, v in list(items):
        if isinstance(v, str) and "\n" in v.strip():
            node[k] = _block_text(v)
        elif isinstance(v, (dict, list)):
            _as_dumped(v)


def fit_lengths(data: dict[str, Any]) -> None:
    """Shorten (with '…') every text the model format would refuse as too long, in place.

    An input may hold a 5,000-character description or context anywhere; the importer must still
    write a model its own loader accepts. The model's own validation says which values are too
    long and their limits, so no importer has to know every field's limit."""
    from pydantic import ValidationError

    from tmodel.model.types import Model

    _as_dumped(data)
    body = {k: v for k, v in data.items() if k != "format_version"}
    for _ in range(3):
        try:
            Model.model_validate(body, by_alias=True, by_name=False)
            return
        except ValidationError as exc:
            cut = False
            for err in exc.errors():
                limit = (err.get("ctx") or {}).get("max_length")
                if err["type"] != "string_too_long" or not isinstance(limit, int):
                    continue
                node: Any = body
                loc: list[Any] = list(err["loc"])
                for step in loc[:-1]:
                    node = node[step] if isinstance(node, (dict, list)) else None
                last: Any = loc[-1] if loc else None
                if (isinstance(node, dict) and isinstance(node.get(last), str)) or \
                        (isinstance(node, list) and isinstance(last, int) and isinstance(node[last], str)):
                    text = node[last]
                    block = "\n" in text.strip()  # a literal block reads back with a final newline
                    node[last] = _block_text(shorten(text, limit - 1)) if block else shorten(text, limit)
                    cut = True
            if not cut:
                return
        except Exception:  # noqa: BLE001 - shortening is best effort; emit_draft validates the result
            return


def url_scheme(url: str) -> str:
    """The scheme of a URL, lower case, also when Python cannot split the rest
    (``https://[bank]/api``: brackets that hold no IP address make ``urlsplit`` raise)."""
    from urllib.parse import urlsplit

    try:
        return urlsplit(url).scheme.lower()
    except ValueError:
        m = re.match(r"^([A-Za-z][A-Za-z0-9+.-]*):", url)
        return m.group(1).lower() if m else ""


def url_host(url: str) -> str:
    """The host of a URL, lower case; '' when there is none or the URL cannot be split."""
    from urllib.parse import urlsplit

    try:
        return urlsplit(url).hostname or ""
    except ValueError:
        return ""
