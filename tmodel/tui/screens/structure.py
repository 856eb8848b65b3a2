"""Screen 3: the model's structure as a tree, and a form for the selected item.

Boundaries are nested by parent; elements, flows and data assets are listed with their key facts.
a adds to the selected section, r renames (references and risk decisions follow), d deletes after
a confirmation that lists what still refers to the item.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Input, TextArea, Tree

from tmodel.tui.screens.base import TScreen
from tmodel.tui.screens.dialogs import AddItemScreen, ConfirmScreen, RenameScreen
from tmodel.tui.screens.starting import SnippetScreen
from tmodel.tui.service import SECTION_TITLES, SECTIONS
from tmodel.tui.widgets.common import ZONE_STYLE, T
from tmodel.tui.widgets.form import ItemForm

Node = tuple[str, Any]  # (section, id or None)


class StructureScreen(TScreen):
    MODE = "structure"
    AUTO_FOCUS = "#st-tree"
    BINDINGS = [
        Binding("a", "add", "Add"), Binding("i", "insert_snippet", "Snippet"), Binding("r", "rename", "Rename"),
        Binding("d,delete", "delete", "Delete"), Binding("f", "focus_form", "Form"),
        Binding("escape", "focus_tree", "Tree"),
    ]
    PALETTE = [
        ("Add a boundary", "New trust boundary", "add('boundaries')"),
        ("Add an element", "New process, external entity or data store", "add('elements')"),
        ("Add a flow", "New data flow between two elements", "add('flows')"),
        ("Add a data asset", "New data asset", "add('data_assets')"),
        ("Insert a component snippet", "WSO2 gateway with key manager, identity provider or HSM, merged into this model", "insert_snippet"),
        ("Rename the selected item", "Change its id; references and risk decisions follow", "rename"),
        ("Delete the selected item", "Asks first, listing what refers to it", "delete"),
    ]

    def compose_body(self) -> ComposeResult:
        with Horizontal(id="st-body"):
            tree: Tree[Node] = Tree(T("model"), id="st-tree")
            tree.show_root = True
            tree.guide_depth = 3
            yield tree
            with Vertical(id="st-form-host"):
                yield ItemForm(self.service, classes="st-form")

    @property
    def item_tree(self) -> Tree[Node]:
        return self.query_one("#st-tree", Tree)

    FORM_DELAY = 0.15  # seconds the tree cursor rests before the form of its item is built
    _pending_show: Any = None

    @property
    def form(self) -> ItemForm:
        """The newest form (it is retired while the cursor moves to another item)."""
        return list(self.query(ItemForm).results(ItemForm))[-1]

    def show_form(self, section: str | None, ident: str | None, *, focus: str | None = None) -> Any:
        """Replace the form by a new one for ``(section, ident)``; the old one is retired first, so
        nothing it reports any more can edit the model. Returns the mount awaitable."""
        old = self.form
        old.retire()
        new = ItemForm(self.service, section, ident, focus=focus, classes="st-form")  # it focuses once its rows exist
        self._form_version = self.entry.version if self.entry is not None else -1
        mounted = self.query_one("#st-form-host").mount(new)
        old.remove()
        return mounted

    def refresh_view(self) -> None:
        self.rebuild_tree()
        form = self.form
        e = self.entry
        if form.retired:
            return  # the cursor is moving: the form of where it rests is built fresh
        if form.section is not None and not self._exists(form.section, form.ident):
            self.show_form(None, None)
        elif form.section is not None and e is not None and getattr(self, "_form_version", None) != e.version:
            # the model changed under the form (undo, redo, triage elsewhere): show the model's values
            self.show_form(form.section, form.ident, focus=self._focused_key())

    def _focused_key(self) -> str | None:
        w = self.app.focused
        while w is not None and not (w.id or "").startswith("f-"):
            w = w.parent  # type: ignore[assignment]
            if w is self:
                return None
        return w.id[2:] if w is not None and w.id else None

    def _exists(self, section: str, ident: str | None) -> bool:
        return section == "metadata" or any(str(x.get("id")) == ident for x in self.service.items(section))

    def _signature(self) -> list[Any]:
        svc = self.service
        return [(s, [(str(x.get("id")), str(x.get("parent"))) for x in svc.items(s)]) for s in SECTIONS]

    def rebuild_tree(self) -> None:
        """Relabel in place when only fields changed; rebuild when items came, went or were renamed."""
        tree = self.item_tree
        e = self.entry
        sig = (id(e), self._signature()) if e is not None else None
        if e is not None and sig == getattr(self, "_sig", None):
            self._relabel()
            return
        self._sig = sig
        keep = tree.cursor_node.data if tree.cursor_node is not None else None
        tree.clear()
        if e is None:
            tree.root.set_label(T("No model open: press 1 and open one"))
            return
        title = Text()
        title.append(e.title or e.rel, style="bold")
        title.append(f"  {e.rel}", style="dim")
        tree.root.set_label(title)
        tree.root.data = ("metadata", None)
        svc = self.service
        zones = {str(b.get("id")): str(b.get("zone", "")) for b in svc.items("boundaries")}
        for section in SECTIONS:
            items = svc.items(section)
            head = tree.root.add(T(f"{SECTION_TITLES[section]} ({len(items)})", "bold"), data=(section, None), expand=True)
            if section == "boundaries":
                self._boundaries(head, items)
                continue
            for x in items:
                head.add_leaf(self._label(section, x, zones), data=(section, str(x.get("id"))))
        tree.root.expand()
        self._labelled = {(s, str(x.get("id"))): x for s in SECTIONS for x in svc.items(s)}
        self._labelled_zones = zones
        if keep is not None:
            self.select_node(keep, focus_form=False)

    def _boundaries(self, head: Any, items: list[dict[str, Any]]) -> None:
        ids = {str(b.get("id")) for b in items}
        children: dict[str | None, list[dict[str, Any]]] = {}
        for b in items:
            parent = b.get("parent")
            children.setdefault(str(parent) if parent in ids and parent != b.get("id") else None, []).append(b)
        seen: set[str] = set()

        def add(node: Any, parent: str | None) -> None:
            for b in children.get(parent, []):
                bid = str(b.get("id"))
                if bid in seen:
                    continue
                seen.add(bid)
                kids = children.get(bid)
                label = self._label("boundaries", b, {})
                child = node.add(label, data=("boundaries", bid), expand=True) if kids else node.add_leaf(label, data=("boundaries", bid))
                if kids:
                    add(child, bid)

        add(head, None)
        for b in items:  # parents forming a cycle: still list them
            if str(b.get("id")) not in seen:
                head.add_leaf(self._label("boundaries", b, {}), data=("boundaries", str(b.get("id"))))

    def _label(self, section: str, x: dict[str, Any], zones: dict[str, str]) -> Text:
        t = Text()
        t.append(str(x.get("id", "?")), style="bold")
        t.append("  ")
        t.append(str(x.get("title", "")))
        if section == "boundaries":
            zone = str(x.get("zone", ""))
            t.append(f"  {zone}", style=ZONE_STYLE.get(zone, "dim"))
        elif section == "elements":
            t.append(f"  {x.get('kind', '')}", style="dim")
            zone = zones.get(str(x.get("boundary", "")), "")
            if zone:
                t.append(f" · {zone}", style=ZONE_STYLE.get(zone, "dim"))
        elif section == "flows":
            t.append(f"  {x.get('from', '?')} → {x.get('to', '?')}", style="dim")
        elif section == "data_assets":
            t.append(f"  {x.get('classification', '')}", style="dim")
        return t

    def _relabel(self) -> None:
        """Relabel the items whose data changed. An edit re-reads only the items it touched: the others are the same
        objects as when they were labelled (a model of a thousand items relabelled whole took a quarter second)."""
        e = self.entry
        assert e is not None
        svc = self.service
        zones = {str(b.get("id")): str(b.get("zone", "")) for b in svc.items("boundaries")}
        items = {(s, str(x.get("id"))): x for s in SECTIONS for x in svc.items(s)}
        title = Text()
        title.append(e.title or e.rel, style="bold")
        title.append(f"  {e.rel}", style="dim")
        self.item_tree.root.set_label(title)
        labelled: dict[Node, Any] = getattr(self, "_labelled", {})
        if getattr(self, "_labelled_zones", None) != zones:
            labelled = {}
        stack = list(self.item_tree.root.children)
        while stack:
            node = stack.pop()
            stack.extend(node.children)
            if node.data and node.data[1] is not None and node.data in items:
                x = items[node.data]
                if labelled.get(node.data) is not x:
                    node.set_label(self._label(node.data[0], x, zones))
        self._labelled = items
        self._labelled_zones = zones

    # -- selection ---------------------------------------------------------------------------
    def _find(self, data: Node) -> Any:
        stack = [self.item_tree.root]
        while stack:
            node = stack.pop()
            if node.data == data:
                return node
            stack.extend(node.children)
        return None

    def select_node(self, data: Node, *, focus_form: bool = True) -> bool:
        node = self._find(data)
        if node is None:
            return False
        parent = node.parent
        while parent is not None:
            parent.expand()
            parent = parent.parent
        _ = self.item_tree.last_line  # lay the lines out now, so the node knows its line
        self.item_tree.move_cursor(node, animate=False)
        return True

    async def show_item(self, section: str, ident: str | None) -> None:
        """Select ``(section, ident)`` in the tree and open its form (used by other screens and tests)."""
        self.select_node((section, ident))
        form = self.form
        if (section == "metadata" or ident is not None) and (form.retired or (section, ident) != (form.section, form.ident)):
            await self.show_form(section, ident)

    def take_pending(self, request: dict[str, Any] | None) -> None:
        if request:
            self.select_node((request["section"], request.get("ident")))
            self._show_selected()

    def on_tree_node_highlighted(self, event: Tree.NodeHighlighted) -> None:
        """The old form retires at once (nothing it reports can edit the model any more); the new
        one is built once the cursor rests, so holding an arrow key does not build every form."""
        event.stop()
        data = event.node.data
        if data is None or (data[0] != "metadata" and data[1] is None) or data == (self.form.section, self.form.ident):
            return
        self.form.retire()
        if self._pending_show is not None:
            self._pending_show.stop()
        self._pending_show = self.set_timer(self.FORM_DELAY, self._show_selected)

    def _show_selected(self) -> None:
        self._pending_show = None
        node = self.item_tree.cursor_node
        data = node.data if node is not None else None
        if data is None:
            return
        section, ident = data
        form = self.form
        if (section == "metadata" or ident is not None) and (form.retired or (section, ident) != (form.section, form.ident)):
            self.show_form(section, ident)

    def on_item_form_edited(self, event: ItemForm.Edited) -> None:
        event.stop()
        if event.form.retired:
            return
        e = self.entry
        self._form_version = e.version if e is not None else -1
        for note in event.notes:
            self.note(note)
        self.sync()
        if event.rebuild and not event.form.retired:
            self.show_form(event.form.section, event.form.ident, focus="-".join(event.path))

    # -- actions -----------------------------------------------------------------------------
    def _selected(self) -> Node | None:
        node = self.item_tree.cursor_node
        return node.data if node is not None else None

    def action_focus_form(self) -> None:
        for w in self.form.query("Select, Input, TextArea, Switch, SelectionList"):
            if w.focusable:
                w.focus()
                return
        self.note("Select a boundary, element, flow or data asset in the tree first.", severity="warning")

    def action_focus_tree(self) -> None:
        """Back to the tree. Escape is a cancel: text typed in a box and not yet applied is
        dropped (the box shows the model's value again) instead of being applied on leaving."""
        w, form = self.app.focused, self.form
        row = form._row_of(w) if isinstance(w, (Input, TextArea)) else None
        if row is not None:
            row.revert(form._value(row.spec.path))
            row.set_error("")
        self.item_tree.focus()

    def action_add(self, section: str | None = None) -> None:
        if self.entry is None or self.entry.doc is None:
            self.note("Open a model that can be edited first.", severity="warning")
            return
        sel = self._selected()
        section = section or (sel[0] if sel and sel[0] in SECTIONS else "elements")

        def done(ident: str | None) -> None:
            if ident:
                self.sync()
                self.select_node((section, ident))
                self._show_selected()
                self.note(f"Added {ident}. Fill in its fields on the right.")

        self.app.push_screen(AddItemScreen(section), done)

    def action_insert_snippet(self) -> None:
        if self.entry is None or self.entry.doc is None:
            self.note("Open a model that can be edited first.", severity="warning")
            return

        def done(plan: Any) -> None:
            if plan is not None:
                self.sync()
                first = next((x for s in ("elements", "flows", "boundaries", "data_assets") for x in plan.add[s]), None)
                if first is not None:
                    section = next(s for s in plan.add if first in plan.add[s])
                    self.select_node((section, str(first["id"])))
                    self._show_selected()
                if plan.added:
                    self.note(f"Snippet inserted ({plan.summary()}); ctrl+z undoes it.")
                else:
                    self.note("Nothing to insert: the model already has everything this snippet holds.")

        self.app.push_screen(SnippetScreen(), done)

    def action_rename(self) -> None:
        sel = self._selected()
        if not sel or sel[0] not in SECTIONS or sel[1] is None:
            self.note("Select a boundary, element, flow or data asset to rename.", severity="warning")
            return
        section, ident = sel

        def done(result: dict[str, Any] | None) -> None:
            if result:
                self.sync()
                self.select_node((section, result["new"]))
                self._show_selected()
                self.note(rename_note(ident, result["new"], result["changes"]))

        self.app.push_screen(RenameScreen(section, ident), done)

    def action_delete(self) -> None:
        sel = self._selected()
        if not sel or sel[0] not in SECTIONS or sel[1] is None:
            self.note("Select a boundary, element, flow or data asset to delete.", severity="warning")
            return
        section, ident = sel
        refs = self.service.references_to(ident)
        lines = [f"Delete {AddItemScreen.NAMES.get(section, section)} '{ident}'?"]
        if refs:
            lines += ["", "These still refer to it and will need fixing (they show up as problems):"] + [f"  • {r}" for r in refs]
        else:
            lines.append("Nothing else refers to it.")

        def done(yes: bool | None) -> None:
            if yes:
                self.service.remove_item(section, ident)
                self.sync()
                self.note(f"Deleted {ident}" + (f"; {len(refs)} dangling reference(s) to fix" if refs else "."),
                          severity="warning" if refs else "information")

        self.app.push_screen(ConfirmScreen(f"Delete {ident}", lines, yes="Delete"), done)


def rename_note(old: str, new: str, changes: list[str]) -> str:
    """What a rename did, counted from the changes the document reports (the item itself is one)."""
    if old == new:
        return f"{old} keeps its id: nothing changed."
    rest = changes[1:]  # the first change is the item's own id
    refs = [c for c in rest if not c.startswith("decision")]
    decisions = [c for c in rest if c.startswith("decision")]
    out = f"Renamed {old} to {new}: {len(refs)} reference(s) updated"
    if decisions:
        out += f", {len(decisions)} risk decision(s) kept"
    return out
