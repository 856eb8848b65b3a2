"""The command palette: every action of the app, the current screen's actions, every model and item."""

from __future__ import annotations

from functools import partial
from typing import Any, Callable

from rich.text import Text
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.markup import escape

from tmodel.tui.screens.starting import start_new_model
from tmodel.tui.service import SECTIONS
from tmodel.tui.widgets.navbar import SCREENS

Command = tuple[str, str, Callable[[], Any]]


class TmodelCommands(Provider):
    def commands(self) -> list[Command]:
        app: Any = self.app
        svc = app.service
        out: list[Command] = [(f"Go to {title}", f"Screen {i} ({i})", partial(app.action_go, mode))
                              for i, (mode, title) in enumerate(SCREENS, 1)]
        out += [
            ("New model from a template", "Choose an id and a template; the model opens on Structure (n on Models)",
             partial(start_new_model, app)),
            ("Save the model", "Write the open model to disk atomically (ctrl+s)", app.action_save),
            ("Toggle dark / light theme", "ctrl+t", app.action_toggle_theme),
            ("Switch the language: English / Русский", "Labels, statuses and catalog titles in English or Russian "
             "(model data as written)", app.action_switch_language),
            ("Help", "Keys and screens (F1 or ?)", app.action_help),
            ("Quit", "Asks first when there are unsaved changes (ctrl+q)", app.action_quit),
        ]
        screen = self.screen
        for title, help_text, action in getattr(screen, "PALETTE", []):
            out.append((title, help_text, partial(screen.run_action, action)))
        for path in svc.files:
            out.append((f"Open model {svc.rel(path)}", "", partial(app.open_model, path)))
        e = svc.current
        if e is not None:
            for section in SECTIONS:
                for x in svc.items(section):
                    ident = str(x.get("id"))
                    out.append((f"Show {section[:-1].replace('_', ' ')} {ident}", escape(str(x.get("title", ""))),
                                partial(app.goto, "structure", section=section, ident=ident)))
            if e.analysis is not None:
                for t in e.analysis.threats:
                    out.append((f"Threat {t.id}", escape(t.title), partial(app.goto, "threats", threat=t.id)))
        return out

    async def discover(self) -> Hits:
        for title, help_text, cb in self.commands():
            if title.startswith(("Show ", "Threat ", "Open model")):
                continue
            yield DiscoveryHit(Text(title), cb, text=title, help=help_text or None)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, help_text, cb in self.commands():
            score = matcher.match(title)
            if score > 0:
                yield Hit(score, _highlight(matcher, title), cb, text=title, help=help_text or None)


def _highlight(matcher: Any, title: str) -> Text:
    """Like ``Matcher.highlight`` but without parsing ``title`` as markup (titles come from models)."""
    text = Text(title)
    _, offsets = matcher.fuzzy_search.match(matcher.query, title)
    for o in offsets:
        if not title[o].isspace():
            text.stylize("bold underline", o, o + 1)
    return text
