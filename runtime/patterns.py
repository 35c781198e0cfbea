"""Run-time support for AWS ``pattern`` constraints.

Generated models carry patterns already translated by
``codegen.patterns.translate`` and check values with::

    compile_pattern(SOURCE).search(value) is not None

Patterns are searched, not fully matched: an AWS pattern constrains a value
only as far as it anchors itself with ``^``/``$``.
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import regex

__all__ = ["FLAGS", "compile_pattern"]

# Plain version-0 behaviour (regex.VERSION0, whose value is written out so that importing
# generated models does not import `regex`; the first pattern check does). Deliberately
# *not* regex.ASCII: that would also shrink \p{L} and friends to ASCII. The translator
# spells out every ASCII-only construct (\d, \w, \s, \b, POSIX classes) itself, and emits
# no syntax whose meaning differs between VERSION0 and VERSION1.
FLAGS = 0x2000


@lru_cache(maxsize=None)
def compile_pattern(source: str) -> regex.Pattern[Any]:
    """Compile a translated pattern once; later calls return the same object."""
    import regex

    return regex.compile(source, FLAGS)
