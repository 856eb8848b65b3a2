"""The form of one model item: fields built from the model's types, each edit applied at once.

Selects and switches apply when changed; text applies on Enter or when focus leaves the box.
An edit the model would reject is not applied: the control shows the model's value again and the
reason shows under the field. Related fields change together (protocol and TLS): the service
makes the companion edit and the form is rebuilt to show it.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import events, on
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Input, Label, Select, SelectionList, Static, Switch, TextArea
from textual.widgets.selection_list import Selection

from tmodel.tui.fields import FieldSpec, coerce, display, field_specs
from tmodel.tui.service import EditError, Service
from tmodel.tui.widgets.common import SearchSelect, T, TextBox, TextField

CIBA = ("authentication", "ciba")


class FieldRow(Vertical):
    """One field: label, control, help line, and the inline validation message.

    ``shown`` is the value the control displays as built (or as last applied or reverted): a
    control reporting that value again (a Select does so once mounted) changes nothing."""

    def __init__(self, spec: FieldSpec, control: Widget, note: str = "", shown: Any = None) -> None:
        super().__init__(classes=f"field depth-{min(spec.depth, 2)}")
        self.spec = spec
        self.control = control
        self.note = note
        self.shown = shown

    def compose(self):
        label = T(self.spec.label, "bold")
        if isinstance(self.control, Switch):
            with Horizontal(classes="bool-row"):
                yield self.control
                yield Static(_yes_no(self.control.value), classes="bool-state")
                with Vertical(classes="bool-text"):
                    yield Label(label, classes="field-label")
                    if self.spec.help:
                        yield Static(T(self.spec.help), classes="field-help")
        else:
            yield Label(label, classes="field-label")
            yield self.control
            if self.spec.help:
                yield Static(T(self.spec.help), classes="field-help")
        yield Static(T(self.note), classes="field-error" + ("" if self.note else " hidden"))

    def show_state(self) -> None:
        for state in self.query(".bool-state").results(Static):  # a fixed width (tmodel.tcss): no new layout
            state.update(_yes_no(bool(self.control.value)), layout=False)  # type: ignore[attr-defined]

    def set_error(self, message: str) -> None:
        if message == self.note:
            return  # shown already: no redraw (an accepted edit clears a message that is not there)
        self.note = message
        for err in self.query(".field-error").results(Static):
            err.update(T(message))
            err.set_class(not message, "hidden")
        self.set_class(bool(message), "invalid")

    def revert(self, value: Any) -> None:
        """Show ``value`` again (the model's, after a rejected edit); the echo it causes is ignored."""
        self.shown = value
        c = self.control
        if isinstance(c, Select):
            shown = Select.NULL if value is None else str(value)
            c.value = shown if shown is Select.NULL or shown in {v for _, v in c._options} else Select.NULL
        elif isinstance(c, Switch):
            c.value = bool(value)
            self.show_state()
        elif isinstance(c, SelectionList):
            chosen = {str(v) for v in (value or [])}
            with c.prevent(SelectionList.SelectedChanged):
                c.deselect_all()
                for v in chosen:
                    c.select(v)
        elif isinstance(c, TextArea):
            c.text = display(self.spec, value)
        elif isinstance(c, Input):
            c.value = display(self.spec, value)


class ItemForm(VerticalScroll):
    """The form of one item, ``(section, ident)`` of the service's current model.

    A form belongs to its item for life: selecting another item mounts a new form and retires
    this one, so a control of the item just left that reports late can never edit another item.
    Events of a retired form are dropped."""

    class Edited(Message):
        def __init__(self, form: "ItemForm", path: tuple[str, ...], rebuild: bool, notes: list[str]) -> None:
            super().__init__()
            self.form, self.path, self.rebuild, self.notes = form, path, rebuild, notes

        @property
        def section(self) -> str | None:
            return self.form.section

        @property
        def ident(self) -> str | None:
            return self.form.ident

    def __init__(self, service: Service, section: str | None = None, ident: str | None = None, *,
                 focus: str | None = None, **kw: Any) -> None:
        super().__init__(**kw)
        self.service = service
        self.section = section
        self.ident = ident
        self.retired = False
        self.can_focus = False
        self._focus_key = focus

    def on_mount(self) -> None:
        """Focus the field the user was on (``focus``: a field key) once the rows exist. The rows are
        composed in this form's own task, after the screen has mounted it: only here are they sure to be
        there, so a rebuilt form (a longer one composes for longer) never loses the focus."""
        key, self._focus_key = self._focus_key, None
        if key is None or self.retired:
            return
        for w in self.query(f"#f-{key}"):
            if w.focusable:
                w.focus()
            break

    def retire(self) -> None:
        """From now on nothing this form reports edits the model; it leaves the screen."""
        self.retired = True
        self.display = False

    def compose(self):
        section, ident = self.section, self.ident
        if section is None:
            yield Static(T("Select a boundary, element, flow or data asset on the left to edit it."), classes="hint")
            return
        head = Text()
        head.append({"metadata": "Model", "boundaries": "Boundary", "elements": "Element", "flows": "Flow",
                     "data_assets": "Data asset"}[section], style="bold")
        if ident is not None:
            head.append("  ")
            head.append(ident, style="bold reverse")
            head.append("   r rename · d delete · esc tree", style="dim")
        yield Static(head, classes="form-title")
        problems = self._problems()
        if problems:
            yield Static(T("\n".join(problems)), classes="form-problems")
        show_ciba = self._value(("authentication", "method")) == "ciba" or self._value(CIBA) is not None
        for spec in field_specs(section):
            if spec.path[: len(CIBA)] == CIBA and not show_ciba:
                continue
            if spec.kind == "group":
                title = Text(spec.label, style="bold")
                if spec.help:
                    title.append(f"  {spec.help}", style="dim")
                yield Static(title, classes=f"group depth-{min(spec.depth, 2)}")
                continue
            yield self._row(spec)

    def _problems(self) -> list[str]:
        e = self.service.current
        if e is None or self.section is None:
            return []
        out = []
        for p in e.problems:
            where = self.service.item_at_line(p.line) if p.line else None
            if where == (self.section, self.ident):
                out.append(f"{'error' if p.is_error else 'warning'} (line {p.line}): {p.message}" + (f" — {p.hint}" if p.hint else ""))
        return out

    def _value(self, path: tuple[str, ...], default: Any = None) -> Any:
        if self.section is None:
            return default
        try:
            return self.service.value(self.section, self.ident, path, default)
        except EditError:
            return default

    def _row(self, spec: FieldSpec) -> FieldRow:
        cur = self._value(spec.path)
        note = ""
        control: Widget
        shown: Any = cur
        if spec.kind in ("enum", "ref"):
            if spec.kind == "enum":
                options = [(Text(f"{m.value} — {m.description}"), m.value) for m in spec.enum]
            else:
                options = [(Text(f"{x.get('id')} — {x.get('title', '')}"), str(x.get("id")))
                           for x in self.service.items(spec.ref or "") if x.get("id") is not None]
            values = {v for _, v in options}
            value: Any = str(cur) if cur is not None else (spec.default if spec.default is not None else Select.NULL)
            if value is not Select.NULL and value not in values:
                note = f"'{value}' is not an allowed value here: choose one"
                value = Select.NULL
            shown = None if value is Select.NULL else value
            control = SearchSelect(options, value=value, allow_blank=spec.optional or value is Select.NULL,
                                   prompt="(not set)", id=f"f-{spec.key}", compact=True)
        elif spec.kind == "refs":
            chosen = set(cur or [])
            control = SelectionList(*[Selection(Text(f"{x.get('id')} — {x.get('title', '')}"), str(x.get("id")), str(x.get("id")) in chosen)
                                      for x in self.service.items(spec.ref or "") if x.get("id") is not None],
                                    id=f"f-{spec.key}", classes="refs")
        elif spec.kind == "bool":
            control = Switch(value=bool(cur) if cur is not None else bool(spec.default), animate=False, id=f"f-{spec.key}")
        elif spec.kind == "longtext":
            control = TextBox(display(spec, cur), id=f"f-{spec.key}", soft_wrap=True, classes="longtext")
        else:
            shown_text = display(spec, cur)
            placeholder = {"list": "comma-separated", "date": "YYYY-MM-DD", "int": "a whole number"}.get(spec.kind, "")
            if cur is None and spec.default not in (None, "", []):
                placeholder = f"default: {display(spec, spec.default)}"
            control = TextField(shown_text, placeholder=placeholder, id=f"f-{spec.key}", compact=True)
        return FieldRow(spec, control, note, shown)

    # -- applying edits ---------------------------------------------------------------------
    def _row_of(self, widget: Widget) -> FieldRow | None:
        if self.retired:
            return None
        node: Any = widget
        while node is not None and node is not self and not isinstance(node, FieldRow):
            node = node.parent
        return node if isinstance(node, FieldRow) else None

    def apply(self, row: FieldRow, raw: Any) -> bool:
        spec = row.spec
        if self.section is None or self.retired:
            return False
        try:
            value = coerce(spec, raw)
        except ValueError as exc:
            row.set_error(f"not applied: {exc}")
            return False
        cur = self._value(spec.path)
        if _same(cur, value, spec):
            row.set_error("")
            return False
        if spec.default is not None and _same(None, value, spec) and not self.service.in_original(self.section, self.ident, spec.path):
            value = None  # back to the default on a key this session added: remove it again
        try:
            notes = self.service.set_field(self.section, self.ident, spec.path, value)
        except EditError as exc:
            row.set_error(f"not applied, the field shows the model's value again: {exc}")
            row.revert(cur)
            return False
        row.shown = value
        row.set_error("")
        rebuild = spec.path == ("authentication", "method") or bool(notes)
        self.post_message(self.Edited(self, spec.path, rebuild, notes or []))
        return True

    def _echo(self, row: FieldRow, value: Any) -> bool:
        """Is ``value`` what the row already shows (a control echoing its own value)?"""
        shown = row.shown
        if isinstance(row.control, Switch):
            base = shown if shown is not None else row.spec.default
            return bool(base) == bool(value)
        if isinstance(shown, list) or isinstance(value, list):
            return [str(x) for x in (shown or [])] == [str(x) for x in (value or [])]
        if shown is None or value is None:
            return shown is None and value is None
        return str(shown) == str(value)

    @on(Select.Changed)
    def _select(self, event: Select.Changed) -> None:
        event.stop()
        row = self._row_of(event.select)
        value = None if event.value is Select.NULL else event.value
        if row is not None and not self._echo(row, value):
            self.apply(row, value)

    @on(Switch.Changed)
    def _switch(self, event: Switch.Changed) -> None:
        event.stop()
        row = self._row_of(event.switch)
        if row is not None:
            row.show_state()
            if not self._echo(row, event.value):
                self.apply(row, event.value)

    @on(SelectionList.SelectedChanged)
    def _refs(self, event: SelectionList.SelectedChanged) -> None:
        event.stop()
        row = self._row_of(event.selection_list)
        if row is not None:
            chosen = set(event.selection_list.selected)
            order = [str(x.get("id")) for x in self.service.items(row.spec.ref or "")]
            value = [i for i in order if i in chosen]
            if not self._echo(row, value):
                self.apply(row, value)

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        row = self._row_of(event.input)
        if row is not None:
            self.apply(row, event.value)

    def on_descendant_blur(self, event: events.DescendantBlur) -> None:
        widget = event.widget
        row = self._row_of(widget)
        if row is None:
            return
        if isinstance(widget, Input):
            self.apply(row, widget.value)
        elif isinstance(widget, TextArea):
            self.apply(row, widget.text)


def _yes_no(value: bool) -> Text:
    return Text("yes", style="bold #43a047") if value else Text("no", style="dim")


def _same(cur: Any, value: Any, spec: FieldSpec) -> bool:
    """Would writing ``value`` change nothing? An absent key counts as its default."""
    if cur is None:
        cur = spec.default
    if cur is None and value is None:
        return True
    if spec.kind in ("text", "longtext") and not cur and not value:
        return True
    if isinstance(cur, list) or isinstance(value, list):
        return list(cur or []) == list(value or [])
    if spec.kind == "bool":
        return bool(cur if cur is not None else spec.default) == bool(value)
    if cur is None:
        return False
    return str(cur) == str(value)
