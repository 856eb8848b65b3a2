"""Which files a model's ``configs:`` entries may make tmodel read.

A model is often someone else's file (a pull request, a shared folder), and every command that
reads it (validate, check, analyze, export, the app) opens its linked configurations. A link
must therefore stay inside the model's repository: the nearest folder above the model that
holds ``.git`` or ``tmodel.toml``, else the model's own folder. ``../`` out of it, an absolute
path elsewhere, or a symlink whose target is elsewhere is refused, as is anything but a regular
file (a FIFO would hang the analysis, a device would be read forever).

``tmodel --allow-outside-configs ...`` (or ``TMODEL_ALLOW_OUTSIDE_CONFIGS=1``) lifts the
confinement for links the user trusts; regular files only still holds.
"""

from __future__ import annotations

import os
import stat

_allow_outside = False


def allow_outside(value: bool) -> None:
    global _allow_outside
    _allow_outside = value


def outside_allowed() -> bool:
    return _allow_outside or os.environ.get("TMODEL_ALLOW_OUTSIDE_CONFIGS", "") not in ("", "0")


def repository_root(model_path: str) -> str:
    """The folder a model's links are confined to (see the module's docstring)."""
    folder = os.path.dirname(os.path.realpath(model_path))
    cur = folder
    while True:
        if os.path.exists(os.path.join(cur, ".git")) or os.path.isfile(os.path.join(cur, "tmodel.toml")):
            return cur
        parent = os.path.dirname(cur)
        if parent == cur:
            return folder
        cur = parent


class LinkRefused(Exception):
    def __init__(self, message: str, hint: str):
        super().__init__(message)
        self.message = message
        self.hint = hint


def check_link(model_path: str, full: str, shown: str) -> None:
    """Raise ``LinkRefused`` unless ``full`` (the link resolved against the model) may be read.

    FileNotFoundError propagates (the caller reports a missing file its own way)."""
    st = os.stat(full)  # follows symlinks: the file that would be read
    if not stat.S_ISREG(st.st_mode):
        kind = "a folder" if stat.S_ISDIR(st.st_mode) else "a pipe" if stat.S_ISFIFO(st.st_mode) else \
            "a device" if stat.S_ISCHR(st.st_mode) or stat.S_ISBLK(st.st_mode) else "not a regular file"
        raise LinkRefused(f"linked configuration '{shown}' is {kind}, not a file; it was not read",
                          "link the deployment.toml file itself")
    if outside_allowed():
        return
    root = repository_root(model_path)
    real = os.path.realpath(full)
    if os.path.commonpath([root, real]) != root:
        raise LinkRefused(f"linked configuration '{shown}' is outside the model's repository ({root}); it was not read",
                          "copy the file into the repository and link the copy, or run with "
                          "'tmodel --allow-outside-configs ...' (or TMODEL_ALLOW_OUTSIDE_CONFIGS=1) if you trust this model")
