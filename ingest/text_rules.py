"""What curated text may hold, shared by the YAML and CSV readers and the models.

- characters no curated file may hold (controls, non-characters, bidirectional controls, line separators
  YAML reads as line breaks), each found with its position and named with its code point;
- how YAML scalars are typed: YAML 1.2 core numbers and booleans only; the YAML 1.1 forms that readers
  disagree on (`017`, `1:30`, `0x1F`, `1_000`, `yes`/`off`) are refused, never converted;
- text that shows nothing (only spaces and zero-width or filler characters).
"""

from __future__ import annotations

import re
import unicodedata

# What no curated file may hold: C0 controls but tab/LF/CR, DEL, C1 controls (NEL included: YAML reads it as
# a line break), surrogates, non-characters (U+FDD0-U+FDEF, U+FFFE, U+FFFF), and U+2028/U+2029, which YAML
# reads as line breaks (every line number after them would be off by one).
NON_PRINTABLE = re.compile(
    "[^\x09\x0A\x0D\x20-\x7E\xA0-\u2027\u202A-\uD7FF\uE000-\uFDCF\uFDF0-\uFFFD\U00010000-\U0010ffff]")
# Bidirectional controls: they make text display in another order than it is stored ("Trojan Source").
BIDI = re.compile("[\u202A-\u202E\u2066-\u2069]")
# Characters that show nothing: zero-width space/joiners, word joiner, BOM, Hangul fillers.
_INVISIBLE = frozenset("\u200B\u200C\u200D\u2060\uFEFF\u3164\u115F\u1160\uFFA0\u180E")


def code_point(ch: str) -> str:
    """A character as typed and as Unicode names it: `'\u0410' (U+0410 CYRILLIC CAPITAL LETTER A)`; the code point
    and name alone for a character that shows nothing."""
    name = unicodedata.name(ch, "")
    number = f"U+{ord(ch):04X}{' ' + name if name else ''}"
    return f"{ch!r} ({number})" if ch.isprintable() and ch not in _INVISIBLE else number


def non_ascii(text: str, limit: int = 3) -> str:
    """The non-ASCII characters of `text` with their code points ('' when all ASCII), for a message."""
    seen = list(dict.fromkeys(ch for ch in text if ord(ch) > 0x7E))
    if not seen:
        return ""
    shown = ", ".join(code_point(ch) for ch in seen[:limit])
    return f"; it holds the non-ASCII character(s) {shown}{', ...' if len(seen) > limit else ''}"


def forbidden_character(text: str) -> tuple[int, str, str] | None:
    """The first character of `text` no curated file may hold: (its index, the message, the fix)."""
    bad = NON_PRINTABLE.search(text)
    bidi = BIDI.search(text)
    if bidi is not None and (bad is None or bidi.start() < bad.start()):
        return (bidi.start(), f"bidirectional control {code_point(bidi.group())}: it makes text display in "
                "another order than it is stored", "delete the character (most editors do not show it)")
    if bad is None:
        return None
    ch = bad.group()
    if ch in "\u2028\u2029\x85":
        return (bad.start(), f"character {code_point(ch)} is read by YAML as a line break (so every line "
                "number after it would be wrong)", "delete it, or replace it with a space or a real line break")
    what = "control character" if unicodedata.category(ch) == "Cc" else "non-character"
    return (bad.start(), f"{what} U+{ord(ch):04X} is not allowed (it is invisible, and not text)",
            "delete the character (most editors do not show it)")


def visible(text: str) -> bool:
    """Whether `text` shows at least one character (not only spaces, format or filler characters)."""
    return any(not ch.isspace() and ch not in _INVISIBLE and unicodedata.category(ch) != "Cf" for ch in text)


# --- YAML scalars ----------------------------------------------------------------------------------------

BOOL, INT, FLOAT = "tag:yaml.org,2002:bool", "tag:yaml.org,2002:int", "tag:yaml.org,2002:float"
REFUSED = "tag:policygraph:refused"  # a plain scalar YAML readers disagree on: refused with its reason
_CORE_BOOL = frozenset({"true", "True", "TRUE", "false", "False", "FALSE"})
_YAML11_BOOL = frozenset({"yes", "Yes", "YES", "no", "No", "NO", "on", "On", "ON", "off", "Off", "OFF"})
_CORE_INT = re.compile(r"[-+]?(?:0|[1-9][0-9]*)")
_LEADING_ZERO = re.compile(r"[-+]?0[0-9]+")
_CORE_FLOAT = re.compile(r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
                         r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)")
# YAML 1.1 numbers (and 1.2's other bases): prefixes, underscores, base 60.
_OTHER_NUMBER = re.compile(r"[-+]?0[xX][0-9a-fA-F_]+|[-+]?0[oO][0-7_]+|[-+]?0[bB][01_]+"
                           r"|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?"
                           r"|[-+]?(?:[0-9][0-9_]*)?\.?[0-9_]*(?:[eE][-+]?[0-9]+)?")
_DATE_OR_NUMBER = re.compile(r"[-+]?[0-9][0-9_:.,-]*(?:[eE][-+]?[0-9]+)?")
NUMBER_FIX = "write it as a plain decimal number, or quote it if it is text"


def _looks_numeric(value: str) -> bool:
    unsigned = value.lstrip("+-")
    return (unsigned[:1].isdigit() or unsigned[:1] == ".") and any(c.isdigit() for c in value)


def _is_float(value: str) -> bool:
    return (bool(_CORE_FLOAT.fullmatch(value)) and not _LEADING_ZERO.fullmatch(value)
            and (any(c.isdigit() for c in value) or value.lstrip("+-").lower() in (".inf", ".nan")))


def _is_refused(value: str) -> bool:
    if value in _YAML11_BOOL or _LEADING_ZERO.fullmatch(value):
        return True
    if _looks_numeric(value) and _OTHER_NUMBER.fullmatch(value):
        return True
    if not any(ord(c) > 0x7F and unicodedata.category(c) == "Nd" for c in value):
        return False
    ascii_digits = "".join(str(unicodedata.digit(c)) if unicodedata.category(c) == "Nd" else c for c in value)
    return bool(_DATE_OR_NUMBER.fullmatch(ascii_digits))


def resolve_plain(value: str) -> str | None:
    """The tag of a plain scalar that looks like a boolean or a number (None: leave it to the resolver)."""
    if value in _CORE_BOOL:
        return BOOL
    if _CORE_INT.fullmatch(value):
        return INT
    if _is_float(value):
        return FLOAT
    return REFUSED if _is_refused(value) else None


def refusal(value: str) -> tuple[str, str]:
    """Why a plain scalar tagged REFUSED is refused, and the fix."""
    shown = repr(value) if len(value) <= 40 else f"{value[:30]!r}... ({len(value)} characters)"
    if value in _YAML11_BOOL:
        return (f"{value!r} is a YAML 1.1 boolean (read as {value.lower() in ('yes', 'on')}); policygraph reads "
                "YAML 1.2, where only true and false are booleans",
                f"write true or false, or quote it if it is text: \"{value}\"")
    if any(ord(c) > 0x7F for c in value):
        digits = ", ".join(code_point(c) for c in dict.fromkeys(c for c in value if ord(c) > 0x7F))
        return (f"{shown} is written with non-ASCII digits ({digits})",
                "use ASCII digits 0-9 (or quote it if it is text)")
    if _LEADING_ZERO.fullmatch(value):
        kind = "a number with a leading zero (YAML 1.1 reads it as octal)"
    elif ":" in value:
        kind = "a base-60 number (YAML 1.1 reads 1:30 as 90)"
    elif "_" in value:
        kind = "a number with underscores"
    else:
        kind = "a hexadecimal, octal or binary number"
    return (f"{shown} is {kind}: YAML readers disagree on what it means", NUMBER_FIX)


def non_ascii_digit(value: str) -> str | None:
    """A message when `value` holds a non-ASCII decimal digit (e.g. a date in Arabic-Indic digits)."""
    found = [c for c in dict.fromkeys(value) if ord(c) > 0x7F and unicodedata.category(c) == "Nd"]
    if not found:
        return None
    return f"non-ASCII digit(s) {', '.join(code_point(c) for c in found)}"
