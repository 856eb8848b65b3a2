"""Text that is safe to show on a terminal.

Model, catalog and input text can hold terminal control characters: written through YAML escapes
(``"\\e]0;title\\a"``), JSON (``"\\u001b[2J"``), TOML, a workbook cell or a file name. Printed raw,
they retitle the terminal, clear the screen, move the cursor over earlier output or hide text.

``neutralize`` replaces every C0 control but tab and newline, DEL, and every C1 control
(U+0080..U+009F: 0x9B is a one-byte CSI to some terminals) with a visible stand-in: the Unicode
"control picture" (``ESC`` -> ``␛``, ``BEL`` -> ``␇``) for C0 and DEL, ``<U+009B>`` for C1.
Nothing is dropped, so the reader sees that something was there.

Used in two places: the YAML reader (``tmodel.model.yamlsafe``) neutralizes every string it reads,
so models and catalogs carry no control character into the analysis, the app or an export; and
the command line wraps its standard output and error (``SafeStream``) so that text from any other
source (TOML, OpenAPI JSON, workbooks, paths) is neutralized too. The colours ``analyze`` itself
prints (``ESC [ 1;31 m`` ...) are the only sequences let through.
"""

from __future__ import annotations

import io
import re
from typing import Any

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# the SGR colour sequences tmodel writes itself (tmodel.analysis.table): bold, 8 colours, reset
_OUR_COLOURS = re.compile(r"\x1b\[(?:0|1;3[0-7]|3[0-7])m")


def _picture(m: re.Match[str]) -> str:
    c = ord(m.group())
    if c < 0x20:
        return chr(0x2400 + c)
    if c == 0x7F:
        return "\u2421"
    return f"<U+{c:04X}>"


def has_control(text: str) -> bool:
    return _CONTROL.search(text) is not None


def neutralize(text: Any) -> str:
    """``text`` with every terminal control character (but tab and newline) made visible."""
    s = "" if text is None else str(text)
    return _CONTROL.sub(_picture, s) if _CONTROL.search(s) else s


def neutralize_value(text: str) -> str:
    """A string read from a document: carriage returns become line breaks (as YAML does with the
    line breaks it reads itself), then ``neutralize``."""
    if text.isprintable():  # most values: no control character (they are all unprintable), no line break; one C pass
        return text
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return neutralize(text)


def neutralize_output(text: str) -> str:
    """Like ``neutralize``, but keeping tmodel's own colour sequences."""
    if not _CONTROL.search(text):
        return text
    out: list[str] = []
    pos = 0
    for m in _OUR_COLOURS.finditer(text):
        out.append(neutralize(text[pos:m.start()]))
        out.append(m.group())
        pos = m.end()
    out.append(neutralize(text[pos:]))
    return "".join(out)


class SafeStream(io.TextIOBase):
    """A text stream that neutralizes what is written to it and forwards everything else."""

    def __init__(self, inner: Any):
        self._inner = inner

    def write(self, s: str) -> int:
        if isinstance(s, str):
            safe = neutralize_output(s)
            try:
                self._inner.write(safe)
            except UnicodeEncodeError:  # a terminal set to ASCII: '?' for what it cannot show
                enc = self.encoding or "ascii"
                self._inner.write(safe.encode(enc, "replace").decode(enc))
        else:  # pragma: no cover - bytes written to a text stream: let the inner stream decide
            self._inner.write(s)
        return len(s)

    def writelines(self, lines: Any) -> None:
        for line in lines:
            self.write(line)

    def flush(self) -> None:
        self._inner.flush()

    def isatty(self) -> bool:
        return bool(getattr(self._inner, "isatty", lambda: False)())

    def fileno(self) -> int:
        return self._inner.fileno()

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return getattr(self._inner, "encoding", "utf-8")

    @property
    def errors(self) -> str | None:  # type: ignore[override]
        return getattr(self._inner, "errors", None)

    def writable(self) -> bool:
        return True

    def readable(self) -> bool:
        return False

    def __getattr__(self, name: str) -> Any:
        if name == "buffer":  # never hand out the raw bytes stream: writes there would bypass us
            raise AttributeError(name)
        return getattr(self._inner, name)
