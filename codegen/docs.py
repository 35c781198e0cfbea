"""Turns the HTML documentation of service models into plain-text docstrings."""

from __future__ import annotations

import re
import textwrap
from html.parser import HTMLParser

#: Elements that start a paragraph of their own.
_BLOCKS = {
    "p",
    "note",
    "important",
    "dl",
    "dt",
    "dd",
    "div",
    "pre",
    "h1",
    "h2",
    "h3",
    "h4",
}
_LISTS = {"ul", "ol"}
_WIDTH = 80
_CODE_SPAN = re.compile(r"`\s*([^`]*?)\s*`")


class _Text(HTMLParser):
    """Collects paragraphs as (indent, bullet, text) triples."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.paragraphs: list[tuple[int, str, str]] = []
        self._words: list[str] = []
        self._depth = 0  # list nesting
        self._bullet = ""
        self._href: list[str | None] = []
        self._numbers: list[int | None] = []

    def _flush(self) -> None:
        text = " ".join("".join(self._words).split())
        if text:
            indent = max(self._depth - 1, 0) * 2
            self.paragraphs.append((indent, self._bullet, text))
            self._bullet = ""
        self._words = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BLOCKS:
            self._flush()
        elif tag in _LISTS:
            self._flush()
            self._depth += 1
            self._numbers.append(0 if tag == "ol" else None)
        elif tag == "li":
            self._flush()
            number = self._numbers[-1] if self._numbers else None
            if number is None:
                self._bullet = "- "
            else:
                self._numbers[-1] = number + 1
                self._bullet = f"{number + 1}. "
        elif tag == "br":
            self._flush()
        elif tag == "code":
            self._words.append("`")
        elif tag == "a":
            self._href.append(dict(attrs).get("href"))

    def handle_endtag(self, tag: str) -> None:
        if tag in _BLOCKS or tag == "li":
            self._flush()
        elif tag in _LISTS:
            self._flush()
            self._depth = max(self._depth - 1, 0)
            if self._numbers:
                self._numbers.pop()
        elif tag == "code":
            self._words.append("`")
        elif tag == "a" and self._href:
            href = self._href.pop()
            if href and href.startswith("http"):
                self._words.append(f" ({href})")

    def handle_data(self, data: str) -> None:
        self._words.append(data)

    def close(self) -> None:
        super().close()
        self._flush()


def html_to_text(html: str | None, width: int = _WIDTH) -> str:
    """Plain text of a model's HTML documentation, wrapped to `width` columns.

    Paragraphs are separated by a blank line, list items get `- ` (or `1. `) bullets,
    `<code>` becomes backticks and links keep their address.
    """
    if not html:
        return ""
    parser = _Text()
    parser.feed(html)
    parser.close()
    out: list[str] = []
    previous_bullet = ""
    for indent, bullet, text in parser.paragraphs:
        text = _CODE_SPAN.sub(r"`\1`", text).replace("``", "")
        first = " " * indent + bullet
        block = textwrap.fill(
            text,
            width=width,
            initial_indent=first,
            subsequent_indent=" " * len(first),
            break_long_words=False,
            break_on_hyphens=False,
        )
        # Consecutive list items stay together; other paragraphs get a blank line.
        if out and not (bullet and previous_bullet):
            out.append("")
        out.append(block)
        previous_bullet = bullet
    return "\n".join(out)
