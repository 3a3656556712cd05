"""How a portal's host is shown, so that a look-alike cannot pass for the real portal.

A host typed or pasted by someone else may mix alphabets: ``bitrix24.cоm`` with a Cyrillic
``о`` looks exactly like ``bitrix24.com``. Browsers show such a host in its ASCII
(punycode) form; ``display_host`` does the same, after Chromium's IDN display policy:

* a label that mixes scripts (Latin with Cyrillic or Greek, Cyrillic with Greek, …) is
  shown as ``xn--…``; Latin with the Chinese, Japanese or Korean scripts is allowed, as
  those do not look like Latin letters;
* a label holding a character made to look like another (fullwidth and mathematical
  letters, a dotless i, invisible joiners, …) is shown as ``xn--…``;
* a label written only with Cyrillic letters that look like Latin ones (``аррӏе``) under a
  non-Cyrillic top-level domain is shown as ``xn--…`` (a "whole-script confusable");
* anything else stays readable: ``пример.рф`` or ``müller.de`` are shown as typed.

Each such host comes with a warning sentence for the status line. No Qt here.
"""

from __future__ import annotations

import unicodedata

from .. import i18n
from ..i18n import N_
from .masking import sanitize

# Scripts that may share a label with Latin without looking like it (Chromium allows these
# combinations for Chinese, Japanese and Korean names).
_CJK = frozenset({"CJK", "HIRAGANA", "KATAKANA", "HANGUL", "BOPOMOFO"})
# Cyrillic letters that look like Latin ones (Chromium's whole-script confusable list).
_CYRILLIC_LOOK_LATIN = frozenset("аԁеһіјӏорԛѕԝхусъыьҽпгѵѡ")
# Latin letters outside ASCII that pass for ASCII ones.
_LATIN_CONFUSABLE = frozenset("ıȷɑɡǀɩʟǃꞵ")
_MAX_SHOWN = 200


def _script(ch: str) -> str | None:
    """The script of a letter (its Unicode name's first word), None for digits and '-'."""
    if ch.isascii():
        return "LATIN" if ch.isalpha() else None
    if not ch.isalpha():
        return "OTHER"  # a symbol, a mark or an invisible character: never plain
    name = unicodedata.name(ch, "")
    return name.split(" ", 1)[0] if name else "OTHER"


def _confusable_char(ch: str) -> bool:
    if ch.isascii():
        return False
    if ch in _LATIN_CONFUSABLE:
        return True
    # Fullwidth, mathematical, circled and ligature forms: NFKC turns them into others.
    return unicodedata.normalize("NFKC", ch) != ch


# The warning for each reason a label is shown in ASCII (whole sentences, for translation).
_LOOK_ALIKE = N_(
    "Careful: the portal address has a character made to look like another, so it could pass "
    "for another site. It is shown as {host}; use it only if you are sure it is your portal."
)
_NOT_LETTER = N_(
    "Careful: the portal address has a character that is not a letter or a digit, so it could "
    "pass for another site. It is shown as {host}; use it only if you are sure it is your portal."
)
_MIXED = N_(
    "Careful: the portal address mixes letters from different alphabets, so it could pass for "
    "another site. It is shown as {host}; use it only if you are sure it is your portal."
)
_CYRILLIC = N_(
    "Careful: the portal address is written in Cyrillic letters that look like Latin ones, so it "
    "could pass for another site. It is shown as {host}; use it only if you are sure it is your "
    "portal."
)


def _risky_label(label: str, tld: str) -> str | None:
    """Why *label* must be shown in ASCII (the warning to show), or None when it may be shown
    as typed."""
    if label.isascii():
        return None
    if any(_confusable_char(ch) for ch in label):
        return _LOOK_ALIKE
    scripts = {s for s in map(_script, label) if s is not None}
    if "OTHER" in scripts:
        return _NOT_LETTER
    if len(scripts) > 1 and not scripts <= _CJK | {"LATIN"}:
        return _MIXED
    letters = [ch for ch in label if ch.isalpha()]
    if (
        scripts == {"CYRILLIC"}
        and tld.isascii()
        and all(ch in _CYRILLIC_LOOK_LATIN for ch in letters)
    ):
        return _CYRILLIC
    return None


def _ascii_label(label: str) -> str:
    if label.isascii():
        return label
    try:
        return "xn--" + label.encode("punycode").decode("ascii")
    except UnicodeError:  # pragma: no cover - punycode encodes any str
        return label.encode("ascii", "backslashreplace").decode("ascii")


def display_host(host: str) -> tuple[str, str | None]:
    """How to show *host* (``name`` or ``name:port``): (text, warning or None).

    A host that could pass for another is shown in its ASCII (punycode) form, with a
    warning sentence saying so; any other host is shown as typed (sanitised).
    """
    if host.startswith("["):  # an IPv6 literal: ASCII
        return sanitize(host, max_len=_MAX_SHOWN), None
    name, sep, port = host.rpartition(":")
    if not sep or not port.isdigit():
        name, sep, port = host, "", ""
    labels = name.split(".")
    tld = labels[-1] if labels[-1] or len(labels) == 1 else labels[-2]
    reasons = [r for r in (_risky_label(label, tld) for label in labels) if r]
    if not reasons:
        return sanitize(host, max_len=_MAX_SHOWN), None
    ascii_host = ".".join(_ascii_label(label) for label in labels) + sep + port
    text = sanitize(ascii_host, max_len=_MAX_SHOWN)
    return text, i18n._(reasons[0]).format(host=text)


def shown_host(host: str) -> str:
    """The text of ``display_host``: *host* as it may be shown, without the warning."""
    return display_host(host)[0]
