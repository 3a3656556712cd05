"""Masking, redaction and sanitising of text: pure functions, one place.

* ``MASK`` hides a setting value without revealing its length.
* ``redact`` removes secrets (webhook codes, tokens) from any text that may carry a URL or
  a request body: log records, exception messages, status lines.
* ``sanitize`` makes untrusted server text safe to show: no control characters, no bidi
  overrides, no zero-width tricks, no lone surrogates, bounded length.
* ``mask_outgoing`` is the one rule for every text or JSON-able value that leaves the
  program (terminal text and JSON, stderr, Copy as JSON, cURL, the support bundle): every
  known secret is replaced wherever it appears (``core.export.outgoing_secrets`` gathers
  them: the credential's own and the distinctive setting values).
* ``for_encoding`` fits a text to a stream that cannot write every character (a Latin-1
  or ASCII terminal): the mask falls back to ``ASCII_MASK``, nothing raises.
"""

from __future__ import annotations

import codecs
import functools
import logging
import math
import re
import unicodedata
from collections.abc import Iterable, Iterator
from itertools import chain
from typing import Any, TypeVar, overload

MASK = "••••••••"
"""The one placeholder for every masked value: fixed width, so the length stays hidden."""

SECRET_PLACEHOLDER = "•••"  # noqa: S105 (a placeholder, not a password)
"""What replaces a secret inside a longer text (a URL, a message)."""

ASCII_MASK = "********"
"""``MASK`` for a stream that cannot write the bullet (Latin-1, KOI8-R, ASCII terminals)."""
ASCII_PLACEHOLDER = "***"
"""``SECRET_PLACEHOLDER`` for such a stream."""

# The secret-shaped tokens ``redact`` replaces, compiled at its first call (compiling them
# cost the window's start-up about 1 ms, for a function it rarely calls so early).
_TOKEN_PATTERNS = (
    # /rest/<user_id>/<code>/ : the code is the webhook's secret.
    r"(/rest/\d+/)([^/?#\s\"'<>]+)",
    # auth=..., access_token=..., refresh_token=..., client_secret=..., an authorization
    # code=... in query strings and forms.
    r"(?i)\b(auth|access_token|refresh_token|client_secret|auth_id|refresh_id|code)=([^&\s\"'<>]+)",
    # "auth": "...", "access_token": "..." in JSON text.
    r"(?i)(\"(?:auth|access_token|refresh_token|client_secret|auth_id|refresh_id)\"\s*:\s*\")"
    r"((?:[^\"\\]|\\.)*)(\")",
    # 'auth': '...' in the repr of a dict (a debug log of a request body).
    r"(?i)('(?:auth|access_token|refresh_token|client_secret|auth_id|refresh_id)'\s*:\s*')"
    r"((?:[^'\\]|\\.)*)(')",
    # Authorization headers.
    r"(?i)\b(authorization:\s*(?:bearer|basic)\s+)(\S+)",
)


@functools.cache
def _token_patterns() -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(pattern) for pattern in _TOKEN_PATTERNS)


_MIN_SECRET_LEN = 4  # shorter strings would redact ordinary words
_SIEVE_STRIDE = 4  # see SecretSet


class SecretSet:
    """Secrets prepared once, to redact many texts quickly.

    A source may hold thousands of settings, and every text shown from it is redacted
    against every setting value: replacing each secret in turn would cost (texts x
    secrets), minutes for 10,000 settings. Here only the runs of a text are looked at: a
    secret lies inside a run of characters that occur in some secret, at least as long as
    the shortest secret (L). Setting values are tokens, passwords, logins and hosts; the
    texts around them (labels, names, sentences) break into words shorter than that, so
    one regular expression, at C speed, finds nothing in most texts.

    In a run, each position is looked up by length in hash sets (the longest secret
    starting there wins). Once the runs looked at have cost about what it costs to make,
    a sieve speeds this up (q-gram filtering): every secret of length L or longer holds
    one of its first ``stride`` pieces of length ``gram`` (L - stride + 1) at a position
    that is a multiple of ``stride`` from the run's start, so looking up the run's pieces
    at those positions alone, in one set, rules out most runs at C speed, and only a
    position whose piece is in the sieve is looked up further. A set whose texts have few
    runs (an export of 50,000 settings checks their labels) never makes the sieve (for
    50,000 secrets, 200,000 pieces). Secrets shorter than 4 characters are ignored: they
    would redact ordinary words.

    *compact* is for a set kept as long as its source is shown (``Source.distinctive_set``):
    the sieve then looks at every position of a text (stride 1) with pieces as long as the
    shortest secret, so a secret of that length is its own piece and, when every secret
    has one length (the usual case), the sieve is the very set of secrets. It holds the
    caller's string objects and little else: about 40 bytes per secret instead of ~450
    for four new pieces of each, for a sieve about three times slower on long texts. A set
    made for one export (``export.outgoing_secrets``) is dropped after it: it keeps the
    fast sieve.
    """

    __slots__ = (
        "_by_length",
        "_gram",
        "_lengths",
        "_runs",
        "_scanned",
        "_sieve",
        "_sieve_cost",
        "_stride",
    )

    def __init__(self, secrets: Iterable[str] = (), *, compact: bool = False) -> None:
        by_length: dict[int, set[str]] = {}
        for secret in secrets:
            if secret and len(secret) >= _MIN_SECRET_LEN:
                by_length.setdefault(len(secret), set()).add(secret)
        self._by_length = {length: frozenset(found) for length, found in by_length.items()}
        self._lengths = sorted(by_length, reverse=True)
        shortest = self._lengths[-1] if self._lengths else 0
        # A longer stride means fewer look-ups per text but more pieces kept per secret.
        stride = 1 if compact else _SIEVE_STRIDE
        self._gram = gram = max(_MIN_SECRET_LEN, shortest - stride + 1) if shortest else 0
        self._stride = stride = shortest - gram + 1
        self._runs: re.Pattern[str] | None = None  # made when first needed (see above)
        self._sieve: frozenset[str] | None = None
        # What making the sieve costs, in look-ups of one position's piece: none when it
        # is the set of secrets itself.
        one_piece_each = stride == 1 and len(self._by_length) <= 1
        self._sieve_cost = 0 if one_piece_each else stride * len(self)
        self._scanned = 0

    def __len__(self) -> int:
        return sum(len(found) for found in self._by_length.values())

    @property
    def shortest(self) -> int:
        """The length of the shortest secret (0 for none): a shorter text holds none."""
        return self._lengths[-1] if self._lengths else 0

    def __repr__(self) -> str:
        return f"SecretSet({len(self)} secrets)"

    def __iter__(self) -> Iterator[str]:
        for found in self._by_length.values():
            yield from found

    def __or__(self, other: Iterable[str]) -> SecretSet:
        return SecretSet((*self, *other))

    def found_in(self, text: str) -> bool:
        """Whether *text* holds one of the secrets."""
        return self.replace(text) is not text

    def prepare(self) -> SecretSet:
        """Make both filters now, rather than when texts first need them: for a set made
        on a worker thread and used on the window's (which should not spend the ~10 ms
        the expression takes for 50,000 secrets, nor the sieve's time). Returns the set."""
        if self._lengths:
            self._runs_pattern()
            self._sieve_once_paid(self._sieve_cost)
        return self

    def _runs_pattern(self) -> re.Pattern[str]:
        """Each whole run of the secrets' characters at least as long as the shortest
        secret. The look-behind starts a match only where a run starts, so a search is
        linear in the text's length."""
        if self._runs is None:
            alphabet = set("".join(chain.from_iterable(self._by_length.values())))
            characters = "[" + "".join(map(re.escape, sorted(alphabet))) + "]"
            self._runs = re.compile(f"(?<!{characters}){characters}{{{self._lengths[-1]},}}")
        return self._runs

    def _sieve_once_paid(self, positions: int) -> frozenset[str] | None:
        """The sieve, once the positions looked up without it (*positions* more now)
        have cost about what making it costs; None until then."""
        if self._sieve is None:
            self._scanned += positions * len(self._lengths)
            if self._scanned < self._sieve_cost:
                return None
            gram, stride = self._gram, self._stride
            if stride == 1 and len(self._by_length) == 1:
                self._sieve = self._by_length[gram]  # every secret is its own piece
            else:
                self._sieve = frozenset(
                    secret[offset : offset + gram]
                    for found in self._by_length.values()
                    for secret in found
                    for offset in range(stride)
                )
        return self._sieve

    def _may_hold_one(self, text: str, begin: int, end: int, sieve: frozenset[str]) -> bool:
        """False when no secret can be in ``text[begin:end]``, by the sieve at C speed."""
        gram, stride = self._gram, self._stride
        starts = range(begin, end - gram + 1, stride)
        pieces = map(text.__getitem__, map(slice, starts, range(begin + gram, end + 1, stride)))
        return not sieve.isdisjoint(pieces)

    def replace(self, text: str) -> str:
        """*text* with every occurrence of a secret replaced by ``SECRET_PLACEHOLDER``.

        Returns *text* itself (the same object) when it holds no secret.
        """
        shortest = self.shortest
        if not shortest or len(text) < shortest:
            return text
        # A secret lies inside a run of the secrets' characters: only runs are looked at.
        runs = [match.span() for match in self._runs_pattern().finditer(text)]
        if not runs:
            return text
        sieve = self._sieve_once_paid(sum(end - begin for begin, end in runs))
        if sieve is not None and not any(
            self._may_hold_one(text, begin, end, sieve) for begin, end in runs
        ):
            return text
        gram, lengths, by_length = self._gram, self._lengths, self._by_length
        pieces: list[str] = []
        start = 0
        for begin, end in runs:
            i, last = begin, end - shortest
            while i <= last:
                # A secret starting here begins with one of the sieve's pieces.
                if sieve is None or text[i : i + gram] in sieve:
                    for length in lengths:
                        if text[i : i + length] in by_length[length]:
                            pieces += (text[start:i], SECRET_PLACEHOLDER)
                            i = start = i + length
                            break
                    else:
                        i += 1
                else:
                    i += 1
        if not pieces:
            return text
        pieces.append(text[start:])
        return "".join(pieces)


def _prepared(secrets: Iterable[str] | SecretSet) -> SecretSet:
    return secrets if isinstance(secrets, SecretSet) else SecretSet(secrets)


def redact(text: str, secrets: Iterable[str] | SecretSet = ()) -> str:
    """Return *text* with every known secret and every secret-shaped token replaced.

    Pass a ``SecretSet`` when redacting many texts against the same (many) secrets.
    """
    text = _prepared(secrets).replace(text)
    webhook_path, query_secret, json_secret, repr_secret, auth_header = _token_patterns()
    # Each pattern needs one of these characters: most texts (a tree's cells) have none.
    if "/rest/" in text:
        text = webhook_path.sub(lambda m: m.group(1) + SECRET_PLACEHOLDER, text)
    if "=" in text:
        text = query_secret.sub(lambda m: f"{m.group(1)}={SECRET_PLACEHOLDER}", text)
    if '"' in text:
        text = json_secret.sub(lambda m: m.group(1) + SECRET_PLACEHOLDER + m.group(3), text)
    if "'" in text:
        text = repr_secret.sub(lambda m: m.group(1) + SECRET_PLACEHOLDER + m.group(3), text)
    if ":" in text:
        text = auth_header.sub(lambda m: m.group(1) + SECRET_PLACEHOLDER, text)
    return text


# Characters that can hide or reorder text, or that terminals and Qt interpret.
_INVISIBLE = {
    "\u200b",  # zero width space
    "\u200c",  # zero width non-joiner
    "\u200d",  # zero width joiner
    "\u2060",  # word joiner
    "\ufeff",  # zero width no-break space / BOM
    "\u00ad",  # soft hyphen
}
_ANSI_ESCAPE = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)|[@-Z\\-_])")
_LINE_BREAKS = frozenset("\n\t\r\u2028\u2029")
DEFAULT_MAX_LEN = 2000


def sanitize(text: str, *, max_len: int = DEFAULT_MAX_LEN, single_line: bool = True) -> str:
    """Make untrusted text safe to display as plain text.

    Strips ANSI escape sequences, control and format characters (which covers bidi
    overrides and isolates, zero-width characters), replaces lone surrogates, and cuts the
    result at *max_len* characters with an ellipsis. The Unicode line and paragraph
    separators (U+2028, U+2029), which Qt breaks lines at, count as line breaks.
    """
    if text.isprintable():
        # No control, format (bidi, zero-width), surrogate or line-separator character,
        # so nothing below would change it: only the length is left to check.
        return text if len(text) <= max_len else text[: max_len - 1] + "…"
    text = _ANSI_ESCAPE.sub("", text)
    out: list[str] = []
    for ch in text:
        if ch in _LINE_BREAKS:
            out.append(" " if single_line else "\t" if ch == "\t" else "\n")
            continue
        category = unicodedata.category(ch)
        if category == "Cs":  # lone surrogate from a JSON "\udxxx" escape
            out.append("\ufffd")
        elif category in ("Cc", "Cf") or ch in _INVISIBLE:
            continue
        else:
            out.append(ch)
        if len(out) > max_len:
            break
    result = "".join(out)
    if len(result) > max_len:
        result = result[: max_len - 1] + "…"
    return result


_NOT_PLAIN_ASCII = re.compile(r"[^\n\x20-\x7e]")


def _json_escape(match: re.Match[str]) -> str:
    char = match.group()
    if char.isprintable():
        return char
    code = ord(char)
    if code > 0xFFFF:  # JSON escapes astral characters as a UTF-16 surrogate pair
        code -= 0x10000
        return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"
    return f"\\u{code:04x}"


def json_for_display(text: str) -> str:
    """JSON text (from ``json.dumps(..., ensure_ascii=False)``) safe to print or paste.

    Every character that is not printable (bidi overrides, zero-width and other format
    characters, C1 controls, line separators, lone surrogates) is written as a ``\\u``
    escape: the JSON value stays the same, but nothing a terminal or an editor would
    interpret or hide is left, and a lone surrogate can no longer make writing the text
    fail. Letters of every script stay readable. ``json.dumps`` already escapes the C0
    controls, so a raw newline can only be the indentation's.
    """
    return _NOT_PLAIN_ASCII.sub(_json_escape, text)


def safe_text(
    text: str, secrets: Iterable[str] | SecretSet = (), *, max_len: int = DEFAULT_MAX_LEN
) -> str:
    """Redact, then sanitise: for any server- or URL-derived text that reaches a person.

    Redacts again after sanitising: a secret split by an invisible character (a zero-width
    space, an ANSI sequence) is joined together by ``sanitize``.
    """
    secrets = _prepared(secrets)
    redacted = redact(text, secrets)
    result = sanitize(redacted, max_len=max_len)
    if result is not redacted:  # unchanged text cannot hold a secret the first pass missed
        result = redact(result, secrets)
    if len(result) > max_len:  # a placeholder can be longer than a short value it hides
        result = result[: max_len - 1] + "…"
    return result


_Value = TypeVar("_Value")


@overload
def mask_outgoing(value: str, secrets: Iterable[str] | SecretSet, *, shapes: bool = ...) -> str: ...
@overload
def mask_outgoing(
    value: _Value, secrets: Iterable[str] | SecretSet, *, shapes: bool = ...
) -> Any: ...
def mask_outgoing(value: Any, secrets: Iterable[str] | SecretSet, *, shapes: bool = True) -> Any:
    """THE rule for everything that leaves the program: every known secret masked.

    *value* is a text (terminal output, a warning, a cURL command) or JSON-able data
    (dicts, lists, strings, numbers). Every string in it, keys included, has every secret
    in *secrets* replaced wherever it appears, and (with *shapes*, the default) every
    secret-shaped token too: a webhook path's code, ``auth=`` and ``access_token``
    values, an Authorization header (``redact``). Working on data rather than on its JSON
    text keeps the JSON valid, catches a secret that JSON would escape (a quote, a
    backslash), and leaves numbers as numbers. A number that JSON cannot hold (NaN,
    Infinity) becomes a string, so the result always dumps as strict JSON.

    *shapes* is off only for a cURL command, whose ``${B24_WEBHOOK_CODE}`` stands where
    the secret-shaped patterns look.
    """
    return mask_outgoing_strings(value, secrets, shapes=shapes)[0]


def mask_outgoing_strings(
    value: Any, secrets: Iterable[str] | SecretSet, *, shapes: bool = True
) -> tuple[Any, frozenset[str]]:
    """``mask_outgoing``, and every distinct string of its result (for a leak check that
    need not walk the result again)."""
    prepared = _prepared(secrets)
    # A big source repeats most of its strings (every setting's keys, the mask, its type):
    # each distinct string is masked once, which keeps a 50,000-setting export near the
    # cost of writing its JSON.
    done: dict[str, str] = {}

    def text(piece: str) -> str:
        masked = done.get(piece)
        if masked is None:
            masked = redact(piece, prepared) if shapes else prepared.replace(piece)
            done[piece] = masked
        return masked

    def walk(item: Any) -> Any:
        if isinstance(item, str):
            return text(item)
        if isinstance(item, bool | int) or item is None:
            return item
        if isinstance(item, float):
            if math.isfinite(item):
                return item
            return "NaN" if math.isnan(item) else "Infinity" if item > 0 else "-Infinity"
        if isinstance(item, dict):
            return {text(str(key)): walk(val) for key, val in item.items()}
        if isinstance(item, list | tuple):
            return [walk(val) for val in item]
        return text(str(item))

    return walk(value), frozenset(done.values())


# What a narrow stream gets instead of the characters the inspector itself writes.
_ASCII_STAND_INS = {
    "“": '"',
    "”": '"',
    "‘": "'",
    "’": "'",
    "…": "...",
    "—": "-",
    "–": "-",
    "→": "->",
    "⚠": "!",
    "•": "*",
    "²": "2",
    "³": "3",
    "−": "-",
}
_NOT_ASCII = re.compile(r"[^\x00-\x7f]")


def for_encoding(text: str, encoding: str | None, *, json_text: bool = False) -> str:
    """*text* as a stream with *encoding* can write it, never raising.

    Unchanged when the encoding can write all of it (UTF-8). Else the mask and the
    placeholder fall back to ``ASCII_MASK`` / ``ASCII_PLACEHOLDER``, quotes and dashes to
    their ASCII look-alikes, and any other character the encoding lacks becomes ``?`` in
    text, or a ``\\uXXXX`` escape in JSON text (*json_text*: the value stays the same,
    since every such character sits inside a JSON string).
    """
    name = encoding or "utf-8"
    try:
        codecs.lookup(name)
    except LookupError:
        name = "ascii"
    try:
        text.encode(name)
        return text
    except UnicodeEncodeError:
        pass

    def writable(piece: str) -> bool:
        try:
            piece.encode(name)
        except UnicodeEncodeError:
            return False
        return True

    if not writable(MASK):
        text = text.replace(MASK, ASCII_MASK)
    if not writable(SECRET_PLACEHOLDER):
        text = text.replace(SECRET_PLACEHOLDER, ASCII_PLACEHOLDER)

    def fix(match: re.Match[str]) -> str:
        char = match.group()
        if writable(char):
            return char
        if json_text:
            return _json_escape_always(char)
        return _ASCII_STAND_INS.get(char, "?")

    return _NOT_ASCII.sub(fix, text)


def _json_escape_always(char: str) -> str:
    code = ord(char)
    if code > 0xFFFF:
        code -= 0x10000
        return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"
    return f"\\u{code:04x}"


class RedactingFilter(logging.Filter):
    """A logging filter that redacts every record's final message.

    Installed on the root handlers by ``install_log_redaction`` so no library (httpx logs
    full URLs at INFO) can write a webhook code into a log.
    """

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__()
        self.secrets: set[str] = set(secrets)

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string must not kill logging
            message = str(record.msg)
        record.msg = redact(message, self.secrets)
        record.args = None
        if record.exc_info and not record.exc_text:
            # Format the traceback now: a handler's formatter would do it after this filter
            # ran, and an exception's message often holds the URL.
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text, self.secrets)
        if record.stack_info:
            record.stack_info = redact(record.stack_info, self.secrets)
        return True


def install_log_redaction(root: logging.Logger | None = None) -> RedactingFilter:
    """Redact all log output, and keep httpx/httpcore (which log URLs) at WARNING."""
    root = root or logging.getLogger()
    existing = next(
        (f for h in root.handlers for f in h.filters if isinstance(f, RedactingFilter)), None
    )
    redacting = existing or RedactingFilter()
    for handler in root.handlers:
        if redacting not in handler.filters:
            handler.addFilter(redacting)
    for name in ("httpx", "httpcore"):
        logging.getLogger(name).setLevel(logging.WARNING)
    return redacting
