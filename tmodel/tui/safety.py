"""The app's safety net: an unexpected exception keeps unsaved work (``tmodel.tui.recovery``) and
exits with EXIT_INTERNAL; a model with a recovery file waiting offers to restore it when opened."""

from __future__ import annotations

import difflib
from typing import TYPE_CHECKING, Any

from tmodel.tui.recovery import EXIT_INTERNAL, discard_recovery, pending_recovery, record_crash, unsaved_texts
from tmodel.tui.screens.dialogs import RecoverScreen
from tmodel.tui.service import EditError


if TYPE_CHECKING:  # the mixin is only ever used with App: type it as one
    from textual.app import App

    _AppBase = App[None]
else:
    _AppBase = object


class CrashSafe(_AppBase):
    """Mixed into the App (before ``App``): overrides its unhandled-exception hook."""

    service: Any
    crash: Any = None

    def on_mount(self) -> None:
        self.offer_recovery()

    def offer_recovery(self) -> None:
        e = self.service.current
        if e is None or e.doc is None or e.dirty:
            return
        text = pending_recovery(e.path, e.doc.text())
        if text is None:
            return
        diff = "".join(difflib.unified_diff(e.doc.text().splitlines(keepends=True), text.splitlines(keepends=True),
                                            fromfile=f"{e.rel} (file)", tofile=f"{e.rel} (recovered)"))

        def answer(choice: str | None) -> None:
            if choice == "restore":
                try:
                    self.service.restore_text(text)
                except EditError as exc:
                    self.notify(f"Could not restore: {exc}", severity="error", markup=False)
                    return
                discard_recovery(e.path)
                self.notify(f"Restored the unsaved changes of {e.rel}: ctrl+s saves them, ctrl+z undoes.", markup=False)
            elif choice == "discard":
                discard_recovery(e.path)

        self.push_screen(RecoverScreen(e.rel, diff), answer)

    def _handle_exception(self, error: Exception) -> None:
        """An unexpected exception: keep every unsaved model in a recovery file, the traceback in a
        log, say where in one line, and exit with EXIT_INTERNAL (never 0, never a lost model)."""
        if getattr(self, "crash", None) is None:
            self.crash = record_crash(error, unsaved_texts(self.service.dirty_entries()))
            self._exit_renderables.append(self.crash.line())
        self._return_code = EXIT_INTERNAL
        if self._exception is None:  # the pilot re-raises it in tests
            self._exception = error
            self._exception_event.set()
        self._close_messages_no_wait()

