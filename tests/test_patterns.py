r"""Tests for codegen.patterns (AWS pattern -> Python ``regex``) and runtime.patterns.

Reference semantics: ECMA-262 where ECMA and Java agree, Java (JDK 18
``java.util.regex``) for Java-only syntax, and ECMA for ``$`` (the very end).
"""

from __future__ import annotations

import string
import time

import botocore.loaders
import pytest
import regex
from hypothesis import given
from hypothesis import strategies as st

from codegen.patterns import UnsupportedPattern, translate
from runtime.patterns import FLAGS, compile_pattern


def matches(pattern: str, value: str) -> bool:
    """Does ``value`` satisfy the AWS ``pattern`` (search semantics)?"""
    return compile_pattern(translate(pattern)).search(value) is not None


def check(pattern: str, accepted: list[str], rejected: list[str]) -> None:
    """Assert what the pattern accepts and rejects, naming the culprits."""
    wrong = [v for v in accepted if not matches(pattern, v)]
    wrong += [v for v in rejected if matches(pattern, v)]
    assert not wrong, f"{pattern!r} -> {translate(pattern)!r} misjudges {wrong!r}"


# --------------------------------------------------------------------------
# The whole botocore corpus


@pytest.fixture(scope="session")
def corpus() -> dict[str, list[str]]:
    """Every distinct ``pattern`` of the installed botocore -> the shapes using it."""
    loader = botocore.loaders.Loader()
    patterns: dict[str, list[str]] = {}
    for service in loader.list_available_services("service-2"):
        model = loader.load_service_model(service, "service-2")
        for name, shape in model["shapes"].items():
            if "pattern" in shape:
                patterns.setdefault(shape["pattern"], []).append(f"{service}.{name}")
    return patterns


def test_every_botocore_pattern_translates_and_compiles(corpus):
    started = time.perf_counter()
    failures = []
    for pattern, shapes in corpus.items():
        try:
            source = translate(pattern)
            regex.compile(source, FLAGS)
        except Exception as exc:  # report everything, not just the first
            failures.append(f"{', '.join(shapes[:3])}: {exc}")
            continue
        # Generated code embeds the source as a string literal.
        assert source.isascii() and source.isprintable(), (shapes, source)
    elapsed = time.perf_counter() - started
    print(
        f"\n{len(corpus)} distinct botocore patterns translated and compiled in {elapsed:.2f}s"
    )
    assert len(corpus) > 1000, "the corpus walk found suspiciously few patterns"
    assert not failures, "\n".join(failures)


def test_translation_is_deterministic(corpus):
    sample = sorted(corpus)[::50]
    assert [translate(p) for p in sample] == [translate(p) for p in sample]


# --------------------------------------------------------------------------
# Search semantics and anchors


def test_patterns_are_searched_not_fully_matched():
    check("abc", accepted=["abc", "xxabcxx"], rejected=["ab", "ABC"])
    check("^abc$", accepted=["abc"], rejected=["xabc", "abcx", "xxabcxx"])
    check("[0-9]{3}", accepted=["a123b"], rejected=["12"])


def test_dollar_is_the_very_end_not_before_a_trailing_newline():
    check(
        "^h-[0-9a-z]{8,32}$",
        accepted=["h-abcdefgh"],
        rejected=["h-abcdefgh\n", "h-abcdefgh\r\n"],
    )
    assert translate("a$") == r"a\Z"


def test_dollar_inside_a_class_is_literal():
    check("^[$]+$", accepted=["$$"], rejected=["a"])


def test_java_string_anchors():
    # \A ... \z (from an AWS IPv4 pattern)
    ipv4 = r"\A(25[0-5]|2[0-4]\d|[0-1]?\d?\d)(\.(25[0-5]|2[0-4]\d|[0-1]?\d?\d)){3}\z"
    check(
        ipv4,
        accepted=["10.0.0.1", "255.255.255.255"],
        rejected=["10.0.0.1\n", "x10.0.0.1", "256.0.0.1"],
    )
    # Java's \Z: the end, or before one final line terminator, never inside "\r\n"
    check(
        r"^a\Z",
        accepted=["a", "a\n", "a\r\n", "a\r", "a\u2028"],
        rejected=["a\n\n", "a\nb", "ab"],
    )
    assert compile_pattern(translate(r"\Z")).search("a\r\n").start() == 1


def test_dot_excludes_java_line_terminators_unless_dotall():
    check(
        "^.$",
        accepted=["a", "é", "\U0001f600", "\x00"],
        rejected=["\n", "\r", "\x85", "\u2028", "\u2029"],
    )
    check("(?s)^.{2}$", accepted=["\r\n", "a\n"], rejected=["a"])
    check("^(?s:.).$", accepted=["\na"], rejected=["a\n"])


# --------------------------------------------------------------------------
# ASCII-only escapes and Java's POSIX classes

LATIN1_AND_FRIENDS = [chr(cp) for cp in range(0x100)] + list(
    "ſıİKÅ٣１ẞ€\u2028\u3000\ufeff\U0001f600"
)

CLASS_PREDICATES = {
    r"\d": lambda c: c in string.digits,
    r"\w": lambda c: c in string.ascii_letters + string.digits + "_",
    r"\s": lambda c: c in " \t\n\x0b\f\r",  # Java's \s is ASCII
    r"\p{Lower}": lambda c: c in string.ascii_lowercase,
    r"\p{Upper}": lambda c: c in string.ascii_uppercase,
    r"\p{ASCII}": lambda c: ord(c) < 0x80,
    r"\p{Alpha}": lambda c: c in string.ascii_letters,
    r"\p{Digit}": lambda c: c in string.digits,
    r"\p{Alnum}": lambda c: c in string.ascii_letters + string.digits,
    r"\p{Punct}": lambda c: c in "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~",
    r"\p{Graph}": lambda c: 0x21 <= ord(c) <= 0x7E,
    r"\p{Print}": lambda c: 0x20 <= ord(c) <= 0x7E,
    r"\p{Blank}": lambda c: c in " \t",
    r"\p{Cntrl}": lambda c: ord(c) < 0x20 or ord(c) == 0x7F,
    r"\p{XDigit}": lambda c: c in string.hexdigits,
    r"\p{Space}": lambda c: c in " \t\n\x0b\f\r",
    r"\p{L1}": lambda c: ord(c) <= 0xFF,
    r"\p{all}": lambda c: True,
    r"\p{LD}": lambda c: c.isalpha() or c in "0123456789٣１",  # letters + Nd
}


def _negate(escape: str) -> str:
    return escape.swapcase() if len(escape) == 2 else escape.replace(r"\p", r"\P")


@pytest.mark.parametrize("escape", sorted(CLASS_PREDICATES))
def test_character_class_escapes_match_their_java_definition(escape):
    predicate = CLASS_PREDICATES[escape]
    negated = _negate(escape)
    forms = {  # pattern -> the set of characters it should accept
        f"^{escape}$": predicate,
        f"^[{escape}]$": predicate,
        f"^[^{escape}]$": lambda c: not predicate(c),
        f"^{negated}$": lambda c: not predicate(c),
        f"^[x{negated}]$": lambda c: c == "x" or not predicate(c),
    }
    if escape == r"\p{LD}":
        del forms[f"^[x{negated}]$"]  # \P{LD} inside a class is rejected
    for pattern, accepts in forms.items():
        wrong = [c for c in LATIN1_AND_FRIENDS if matches(pattern, c) != accepts(c)]
        assert not wrong, f"{pattern!r} -> {translate(pattern)!r} misjudges {wrong!r}"


@given(st.characters())
def test_ascii_escapes_on_arbitrary_characters(c):
    for escape in (r"\d", r"\w", r"\s", r"\p{Punct}", r"\p{Alnum}"):
        expected = CLASS_PREDICATES[escape](c)
        assert matches(f"^{escape}$", c) == expected
        assert matches(f"^[{_negate(escape)}]$", c) != expected


def test_digits_and_word_characters_are_ascii_but_letters_are_unicode():
    check(r"^\d+$", accepted=["0123456789"], rejected=["٣", "１", "²"])
    check(r"^\w+$", accepted=["az_AZ09"], rejected=["é", "ß", "٣", "-"])
    check(r"^\p{L}+$", accepted=["é", "ßẞ", "日本", "abc"], rejected=["1", "_", "é1"])
    check(r"^[\w-]+$", accepted=["a-b_c"], rejected=["é"])


def test_word_boundaries_are_ascii():
    # from bedrock-agent: (\bTSTALIASID\b|[0-9a-zA-Z]+)
    check(
        r"^.*\bTSTALIASID\b.*$",
        accepted=["TSTALIASID", " TSTALIASID-", "éTSTALIASIDé"],
        rejected=["xTSTALIASID", "TSTALIASID_", "TSTALIASID9"],
    )
    check(r"a\B", accepted=["ab"], rejected=["a", "a-", "aé"])


def test_whitespace_mixed_with_negated_escapes_in_one_class():
    check(r"^[\W\s]+$", accepted=[" -é\t"], rejected=["a", "_", "0"])
    check(r"^[\w\W\s\S]*$", accepted=["anything\n at all é😀"], rejected=[])
    check(r"^[^\W\d]+$", accepted=["ab_C"], rejected=["a1", "é"])


# --------------------------------------------------------------------------
# Other Java-isms found in the botocore models


def test_letter_or_digit_and_punct():
    # sagemaker: ^(\p{LD}|\p{Punct}| )+$
    check(
        r"^(\p{LD}|\p{Punct}| )+$",
        accepted=["Abc 123 é!~", "٣", "日本"],
        rejected=["a\tb", "€", "«", "a\u3000b"],
    )
    check(r"^\P{LD}+$", accepted=["!-€ "], rejected=["a", "٣"])


def test_unicode_properties():
    check(r"^\p{IsAlphabetic}+$", accepted=["é", "Ⅻ", "abc"], rejected=["1", "_"])
    check(
        r"^[^\p{C}\p{IsWhitespace}]+$",
        accepted=["abc", "é😀"],
        rejected=["a b", "a\u3000b", "a\x85b", "a\x00b", "a\u200bb"],
    )
    check(r"^\p{Zs}$", accepted=[" ", "\xa0", "\u3000"], rejected=["\t", "a"])
    check(r"^\p{Pd}$", accepted=["-", "\u2013"], rejected=["_"])
    check(r"^\p{Pc}$", accepted=["_", "\u203f"], rejected=["-"])
    check(r"^\P{C}+$", accepted=["abc é"], rejected=["a\x00", "a\u200b"])
    check(r"^[\P{M}\p{M}]{1,3}$", accepted=["a\u0301", "\n"], rejected=["abcd"])
    check(r"^\pL$", accepted=["é"], rejected=["1"])
    check(r"^\p{IsL}$", accepted=["é"], rejected=["1"])


def test_any_character():
    check(r"^[\p{all}]*$", accepted=["\n\x00é\U0001f600", ""], rejected=[])
    check(r"^\P{all}$", accepted=[], rejected=["a", "\n"])


def test_braced_and_plain_hex_escapes():
    # ([\w!$&()*+,./:;=?@\x{60}-]|%...)+ from the models
    check(r"^[\x{60}]$", accepted=["`"], rejected=["a"])
    check(r"^\x{1F600}$", accepted=["\U0001f600"], rejected=["\ud83d"])
    check(r"^[a'\x{0022}]+$", accepted=["\"a'"], rejected=["b"])
    check(r"^[^\x0a\x0d]+$", accepted=["abc"], rejected=["a\nb", "a\rb"])


def test_utf16_escapes_and_surrogate_pairs():
    certificate_line = r"^-{5}BEGIN\u0020CERT-{5}\u000D?\u000A$"
    check(
        certificate_line,
        accepted=["-----BEGIN CERT-----\n", "-----BEGIN CERT-----\r\n"],
        rejected=["-----BEGIN CERT-----"],
    )
    check(
        r"^[\uD800\uDC00-\uDBFF\uDFFF]$",
        accepted=["\U0001f600", "\U00010000", "\U0010ffff"],
        rejected=["a", "\uffff", "\ud800"],
    )
    xml_chars = r"^[\u0020-\uD7FF\uE000-\uFFFD\uD800\uDC00-\uDBFF\uDFFF\t]*$"
    check(
        xml_chars,
        accepted=["héllo \U0001f600\t", ""],
        rejected=["\x00", "a\nb", "\uffff"],
    )
    check(r"^\uD83D\uDE00$", accepted=["\U0001f600"], rejected=["\ud83d\ude00"])


@given(st.integers(0, 0x10FFFF), st.integers(0, 0x10FFFF), st.integers(0, 0x10FFFF))
def test_ranges_written_as_java_utf16_escapes(a, b, c):
    lo, hi = min(a, b), max(a, b)
    if any(0xD800 <= cp <= 0xDFFF for cp in (lo, hi)):
        return  # lone surrogates cannot be range ends written as pairs

    def utf16(cp: int) -> str:
        units = chr(cp).encode("utf-16-be")
        return "".join(
            f"\\u{int.from_bytes(units[i:i + 2], 'big'):04X}"
            for i in range(0, len(units), 2)
        )

    assert matches(f"^[{utf16(lo)}-{utf16(hi)}]$", chr(c)) == (lo <= c <= hi)


def test_octal_escapes():
    # [^/:|\000-\037]+ from the models
    check(r"^[^/:|\000-\037]+$", accepted=["abc"], rejected=["a\x1fb", "a\x00", "a/b"])
    check(r"^\0101$", accepted=["A"], rejected=["\x08" + "1"])
    check(r"^\0777$", accepted=["?7"], rejected=[])  # \0mnn needs m <= 3


def test_quote_escapes():
    check(
        r"^\Qa.b*(1)\E+$",
        accepted=["a.b*(1)", "a.b*(1))"],
        rejected=["axb*(1)", "a.bb(1)"],
    )
    check(r"^[\Q]-\E]+$", accepted=["]-", "-"], rejected=["a"])


def test_stacked_quantifier_is_a_no_op_as_in_java():
    # rbin: Java applies {0,1011} to an empty atom, so the rule id is exactly 11 chars.
    rbin = r"^arn:\S+:rbin:[a-z\-0-9]{0,63}:[0-9]{12}:rule/[0-9a-zA-Z]{11}{0,1011}$"
    prefix = "arn:aws:rbin:us-east-1:123456789012:rule/"
    check(
        rbin,
        accepted=[prefix + "abcdefghijk"],
        rejected=[prefix, prefix + "abcdefghijk" * 2],
    )
    check("^a{2}{3}$", accepted=["aa"], rejected=["aaaaaa"])
    check("^{3}a$", accepted=["a"], rejected=["aa"])


def test_quantified_assertions_as_in_java():
    # sagemaker: ([\p{L}...]*)${1,128}; chime: ^[-_a-zA-Z0-9]*${2,64}$
    check(r"^[-_a-zA-Z0-9]*${2,64}$", accepted=["abc", ""], rejected=["ab c", "abc\n"])
    # efs: a repeated negative look-ahead is the look-ahead once
    efs = r"^(\/|(\/(?!\.)+[^$#<>;`|&?{}^*/\n]+){1,4})$"
    check(efs, accepted=["/", "/a/b"], rejected=["/.a", "//a", "/a/b/c/d/e"])
    check("^(?!a)*a$", accepted=["a"], rejected=["b"])  # minimum 0: always succeeds


def test_possessive_and_lazy_quantifiers():
    check("^a*+a$", accepted=[], rejected=["a", "aaa"])
    check(r"^arn:\d{2}+:x$", accepted=["arn:12:x"], rejected=["arn:1:x"])
    check(r"^[\/]?+[a-z]+$", accepted=["/ab", "ab"], rejected=["//ab"])
    check("^a+?$", accepted=["aaa"], rejected=[""])
    assert compile_pattern(translate("a+?")).search("aaa").group() == "a"


def test_class_intersection_and_union():
    check(
        r"^[\p{Print}&&[^|:/]]+$",
        accepted=["abc d~"],
        rejected=["a|b", "a:b", "a/b", "é", "\t"],
    )
    check(r"^[a-z&&[def]]+$", accepted=["fed"], rejected=["a"])
    check(r"^[a-z&&[^bc]]+$", accepted=["ad"], rejected=["b", "A"])
    check(r"^[a-c[x-z]]+$", accepted=["abxz"], rejected=["d"])
    check(
        r"^[a-[bc]]+$", accepted=["a-bc"], rejected=["d"]
    )  # '-' before '[' is literal
    check(r"^[a&b]+$", accepted=["a&b"], rejected=["c"])  # a single '&' is literal


def test_hyphen_after_a_class_escape_is_literal():
    check(r"^[\p{L}\p{N}\p{Z}-_]+$", accepted=["a-_ 1"], rejected=["."])
    check(r"^[a-]+$", accepted=["a-"], rejected=["b"])


def test_case_insensitive_flag_is_ascii_only_and_scoped():
    check(
        "^(?i)(true|false)$",
        accepted=["TRUE", "True", "false"],
        rejected=["truee", "ｔrue"],
    )
    check(
        "^(?i)k$", accepted=["k", "K"], rejected=["\u212a"]
    )  # no Unicode folding (Kelvin sign)
    check("^(?i)[a-cX]+$", accepted=["aBcxX"], rejected=["d"])
    check("^(?i:a)b$", accepted=["Ab", "ab"], rejected=["AB"])
    check(
        "^(?:(?i)a|b)c$", accepted=["Ac", "Bc"], rejected=["aC"]
    )  # lasts to the group's end
    script = r"^(?![^:\\]*/action/|(?i).*<script>.*</script>.*)[^:\\]+$"
    check(
        script,
        accepted=["hello", "<b>SCRIPT</b>"],
        rejected=["x<SCRIPT>y</Script>z", "a:b", "x/action/"],
    )


@given(st.text(max_size=20), st.data())
def test_case_insensitive_literal_text(text, data):
    def fold(s: str) -> str:
        return "".join(c.lower() if c.isascii() else c for c in s)

    pattern = f"^(?i){java_escape(text)}$"
    swapped = "".join(
        c.swapcase() if c.isascii() and data.draw(st.booleans()) else c for c in text
    )
    other = data.draw(st.text(max_size=20))
    assert matches(pattern, swapped)
    assert matches(pattern, other) == (fold(other) == fold(text))


def test_back_references():
    # directconnect-like: ^(?!.*?(.)\1{3})[-_!@#$a-zA-Z0-9]*$
    check(
        r"^(?!.*?(.)\1{3})[-_!@#$a-zA-Z0-9]*$",
        accepted=["aaab", "abab"],
        rejected=["aaaa", "xbbbb"],
    )
    check(
        r"^(a)(b)(c)(d)(e)(f)(g)(h)(i)(j)\10$",
        accepted=["abcdefghijj"],
        rejected=["abcdefghija0"],
    )
    check(r"^(a)\10$", accepted=["aa0"], rejected=["aa"])  # only one group: \1 then '0'
    check(r"^(?<x>ab)\k<x>$", accepted=["abab"], rejected=["abba"])


# --------------------------------------------------------------------------
# Literal text


def java_escape(text: str) -> str:
    """Quote ``text`` for a Java regex: backslash every ASCII symbol."""
    return "".join("\\" + c if c.isascii() and not c.isalnum() else c for c in text)


@given(st.text(), st.text())
def test_escaped_literal_behaves_like_substring_search(text, value):
    assert matches(java_escape(text), value) == (text in value)


@given(st.text(), st.text(), st.text())
def test_escaped_literal_is_found_anywhere(text, before, after):
    assert matches(java_escape(text), before + text + after)


@given(st.text(), st.text())
def test_anchored_literal_matches_only_itself(text, value):
    pattern = f"^{java_escape(text)}$"
    assert matches(pattern, text)
    assert not matches(pattern, text + "\n")
    assert matches(pattern, value) == (value == text)


# --------------------------------------------------------------------------
# Rejections


@pytest.mark.parametrize(
    ("pattern", "reason"),
    [
        ("(abc", "missing ')'"),
        ("abc)", "unbalanced ')'"),
        ("[abc", "unterminated character class"),
        (r"\p{Foo}", r"unknown character property \p{Foo}"),
        (r"\p{IsLatin}", "unknown character property"),
        ("(?m)^a$", "inline flag(s) 'm'"),
        ("(?x)a b", "inline flag(s) 'x'"),
        (r"\h", r"escape \h"),
        (r"[\b]", r"escape \b is not supported inside a character class"),
        ("*a", "nothing to repeat"),
        ("a**", "nothing to repeat"),
        ("a{x}", "does not start a quantifier"),
        ("a{3,2}", "min > max"),
        (r"\2(a)", "back-reference"),
        (r"(?i)(a)\1", "back-reference under (?i)"),
        (r"(?i)\p{Lu}", "under (?i)"),
        (r"[\P{LD}]", "negated multi-property"),
        ("[^a[b]]", "negated class"),
        ("[a&&[b]c]", "after a nested class"),
        ("[]a]", "class starting with ']'"),
        ("[z-a]", "out of order"),
        (r"[a-\d]", "range ends with a class escape"),
        (r"\0", "octal"),
        (r"\x{110000}", r"malformed \x"),
        (r"\u12", r"malformed \u"),
        ("(?#comment)", "unknown group construct"),
        ("a{4294967296}", "does not compile"),
        ("(?=(a))?b", "optional look-around containing a capturing group"),
        ("\\", "unexpected end"),
    ],
)
def test_untranslatable_patterns_are_rejected(pattern, reason):
    with pytest.raises(UnsupportedPattern) as info:
        translate(pattern)
    error = info.value
    assert isinstance(error, ValueError)
    assert error.pattern == pattern
    assert reason in error.reason
    assert reason in str(error) and repr(pattern) in str(error)


# --------------------------------------------------------------------------
# Runtime


def test_runtime_flags_keep_unicode_properties():
    assert not FLAGS & regex.ASCII
    assert compile_pattern(r"\p{L}").search("é")


def test_compile_pattern_is_cached():
    source = translate("^[a-z]+$")
    assert compile_pattern(source) is compile_pattern(source)


def test_vertical_tab_escape_is_ecma():
    """`\\v` is U+000B (ECMA), in and out of classes; botocore 1.44 uses it in a class."""
    source = translate(r"^[\P{C}\n\r\t\f\v\p{Cf}]*$")
    assert compile_pattern(source).search("a\vb\u200b")
    assert not compile_pattern(source).search("a\x00")
    assert compile_pattern(translate(r"^\v$")).search("\x0b")
    assert not compile_pattern(translate(r"^\v$")).search("\n")


def test_flags_are_regex_version0():
    """runtime.patterns writes VERSION0's value out (to keep `regex` off the import path)."""
    assert FLAGS == regex.VERSION0
