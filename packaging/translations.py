"""Keep the translation catalogues in step with the code: extract, update, compile, check.

    uv run python packaging/translations.py update    # new strings into every .po, old ones out
    uv run python packaging/translations.py compile   # .po -> .mo (the files the program reads)
    uv run python packaging/translations.py check     # fails on a missing or stale translation

The strings are found by reading the code's syntax tree (calls of ``_``, ``N_``, ``ngettext``
and ``pgettext`` with literal arguments), so no gettext tools are needed: the standard library
reads the compiled ``.mo`` files and this script writes them. Entries are grouped by the file
that uses them first and carry no line numbers, so that two people translating different
modules rarely touch the same lines of a ``.po`` file.
"""

from __future__ import annotations

import argparse
import ast
import re
import struct
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "inspector"
LOCALE_DIR = PACKAGE / "locale"
DOMAIN = "inspector"

# Python's format fields: a translation must keep exactly the fields of its English text.
_FIELD_CHARS = "abcdefghijklmnopqrstuvwxyz_0123456789"

PLURAL_FORMS = {
    "ru": "nplurals=3; plural=(n%10==1 && n%100!=11 ? 0 : n%10>=2 && n%10<=4 && "
    "(n%100<10 || n%100>=20) ? 1 : 2);",
}
PLURAL_COUNTS = {"ru": 3}


@dataclass
class Message:
    """One entry of a catalogue: the English text(s) and their translation(s)."""

    msgid: str
    plural: str | None = None
    context: str | None = None
    sources: list[str] = field(default_factory=list)
    translations: list[str] = field(default_factory=list)

    @property
    def key(self) -> tuple[str | None, str]:
        return (self.context, self.msgid)

    def translated(self) -> bool:
        return bool(self.translations) and all(self.translations)


# --- extraction --------------------------------------------------------------------------------

_MARKERS = {"_": ("msgid",), "N_": ("msgid",), "ngettext": ("msgid", "plural"),
            "pgettext": ("context", "msgid")}  # fmt: skip


def _literal(node: ast.expr) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def _marked(tree: ast.AST) -> Iterator[tuple[ast.Call, dict[str, str]]]:
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        name = node.func.id if isinstance(node.func, ast.Name) else None
        if name is None and isinstance(node.func, ast.Attribute):
            name = node.func.attr if node.func.attr in ("ngettext", "pgettext") else None
        roles = _MARKERS.get(name or "")
        if roles is None or len(node.args) < len(roles):
            continue
        texts = [_literal(arg) for arg in node.args[: len(roles)]]
        if all(text is not None for text in texts):
            yield node, dict(zip(roles, texts, strict=True))  # type: ignore[arg-type]


def extract(package: Path = PACKAGE) -> list[Message]:
    """Every marked string of the package, in the order of first use (file by file)."""
    found: dict[tuple[str | None, str], Message] = {}
    for path in sorted(package.rglob("*.py")):
        source = path.relative_to(package.parent).as_posix()
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        calls = sorted(_marked(tree), key=lambda item: (item[0].lineno, item[0].col_offset))
        for _call, parts in calls:
            message = Message(parts["msgid"], parts.get("plural"), parts.get("context"))
            kept = found.setdefault(message.key, message)
            if source not in kept.sources:
                kept.sources.append(source)
    return list(found.values())


def unmarked_calls(package: Path = PACKAGE) -> list[str]:
    """Markers given a text built on the spot (an f-string, ``+`` or ``%``): the catalogue can
    never hold such a text. ``_(name)`` of a variable is fine: it translates a text marked
    elsewhere with ``N_``."""
    problems = []
    for path in sorted(package.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in _MARKERS
                and any(isinstance(arg, ast.JoinedStr | ast.BinOp) for arg in node.args[:2])
            ):
                problems.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    return problems


# --- .po reading and writing -------------------------------------------------------------------


def _quote(text: str) -> str:
    escaped = (
        text.replace("\\", "\\\\").replace('"', '\\"').replace("\t", "\\t").replace("\n", "\\n")
    )
    return f'"{escaped}"'


def _unquote(text: str) -> str:
    body = text.strip()[1:-1]
    out, i = [], 0
    while i < len(body):
        char = body[i]
        if char == "\\" and i + 1 < len(body):
            nxt = body[i + 1]
            out.append({"n": "\n", "t": "\t", '"': '"', "\\": "\\"}.get(nxt, nxt))
            i += 2
        else:
            out.append(char)
            i += 1
    return "".join(out)


def _po_lines(keyword: str, text: str) -> list[str]:
    if "\n" not in text.rstrip("\n") or text == "":
        return [f"{keyword} {_quote(text)}"]
    pieces = text.splitlines(keepends=True)
    return [f'{keyword} ""'] + [_quote(piece) for piece in pieces]


def header(language: str) -> str:
    return (
        "Project-Id-Version: b24-inspector\n"
        f"Language: {language}\n"
        "MIME-Version: 1.0\n"
        "Content-Type: text/plain; charset=UTF-8\n"
        "Content-Transfer-Encoding: 8bit\n"
        f"Plural-Forms: {PLURAL_FORMS[language]}\n"
    )


def read_po(path: Path) -> tuple[str, list[Message]]:
    """The header and the entries of a .po file (obsolete ``#~`` entries are dropped)."""
    header_text = ""
    messages: list[Message] = []
    current: dict[str, str] = {}
    sources: list[str] = []
    last: str | None = None

    def finish() -> None:
        nonlocal header_text, current, sources, last
        if "msgid" in current:
            if current["msgid"] == "" and "msgctxt" not in current:
                header_text = current.get("msgstr", "")
            else:
                forms = sorted(k for k in current if k.startswith("msgstr["))
                translations = [current[k] for k in forms] if forms else [current.get("msgstr", "")]
                messages.append(
                    Message(
                        current["msgid"],
                        current.get("msgid_plural"),
                        current.get("msgctxt"),
                        sources,
                        translations,
                    )
                )
        current, sources, last = {}, [], None

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line:
            finish()
        elif line.startswith("#:"):
            if "msgid" in current:
                finish()
            sources.extend(line[2:].split())
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            if last is not None:
                current[last] += _unquote(line)
        else:
            keyword, _space, rest = line.partition(" ")
            if keyword == "msgid" and "msgid" in current:
                finish()
            current[keyword] = _unquote(rest)
            last = keyword
    finish()
    return header_text, messages


def write_po(path: Path, header_text: str, messages: Iterable[Message]) -> None:
    lines = ['msgid ""', 'msgstr ""', *(_quote(line) for line in header_text.splitlines(True))]
    for message in messages:
        lines.append("")
        if message.sources:
            lines.append("#: " + " ".join(message.sources))
        if message.context is not None:
            lines.extend(_po_lines("msgctxt", message.context))
        lines.extend(_po_lines("msgid", message.msgid))
        if message.plural is not None:
            lines.extend(_po_lines("msgid_plural", message.plural))
            forms = message.translations or []
            for index in range(max(len(forms), 1)):
                text = forms[index] if index < len(forms) else ""
                lines.extend(_po_lines(f"msgstr[{index}]", text))
        else:
            text = message.translations[0] if message.translations else ""
            lines.extend(_po_lines("msgstr", text))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def po_path(language: str) -> Path:
    return LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"


def mo_path(language: str) -> Path:
    return po_path(language).with_suffix(".mo")


def languages() -> list[str]:
    return sorted(PLURAL_FORMS)


def update(language: str) -> tuple[int, int]:
    """Bring the language's .po in step with the code; returns (added, dropped)."""
    path = po_path(language)
    old = {m.key: m for m in read_po(path)[1]} if path.exists() else {}
    merged = []
    for message in extract():
        kept = old.pop(message.key, None)
        if kept is not None and (kept.plural is None) == (message.plural is None):
            message.translations = kept.translations
        elif message.plural is not None:
            message.translations = [""] * PLURAL_COUNTS[language]
        merged.append(message)
    write_po(path, header(language), merged)
    added = sum(1 for m in merged if not m.translated())
    return added, len(old)


# --- .mo compiling -----------------------------------------------------------------------------


def compile_po(path: Path) -> bytes:
    """The .mo bytes of a .po file (GNU format, as ``gettext.GNUTranslations`` reads it)."""
    header_text, messages = read_po(path)
    pairs: dict[bytes, bytes] = {b"": header_text.encode()}
    for message in messages:
        if not message.translated():
            continue  # an untranslated entry falls back to English
        text = message.msgid if message.plural is None else f"{message.msgid}\0{message.plural}"
        if message.context is not None:
            text = f"{message.context}\x04{text}"
        pairs[text.encode()] = "\0".join(message.translations).encode()
    keys = sorted(pairs)
    ids = b"".join(key + b"\0" for key in keys)
    strs = b"".join(pairs[key] + b"\0" for key in keys)
    start = 7 * 4 + 16 * len(keys)
    id_table: list[int] = []
    offset = start
    for key in keys:
        id_table += [len(key), offset]
        offset += len(key) + 1
    str_table: list[int] = []
    offset = start + len(ids)
    for key in keys:
        str_table += [len(pairs[key]), offset]
        offset += len(pairs[key]) + 1
    head = struct.pack("Iiiiiii", 0x950412DE, 0, len(keys), 7 * 4, 7 * 4 + 8 * len(keys), 0, 0)
    tables = struct.pack(f"{len(id_table)}i", *id_table) + struct.pack(
        f"{len(str_table)}i", *str_table
    )
    return head + tables + ids + strs


def compile_all() -> list[Path]:
    written = []
    for language in languages():
        target = mo_path(language)
        data = compile_po(po_path(language))
        if not target.exists() or target.read_bytes() != data:
            target.write_bytes(data)
            written.append(target)
    return written


# --- checking ----------------------------------------------------------------------------------


def format_fields(text: str) -> set[str]:
    """The ``{name}`` fields of *text* (``{{`` is a literal brace)."""
    fields, i = set(), 0
    while i < len(text):
        if text.startswith("{{", i) or text.startswith("}}", i):
            i += 2
            continue
        if text[i] == "{":
            end = text.find("}", i)
            name = text[i + 1 : end].split(":")[0].split("!")[0] if end > i else ""
            if name and all(c in _FIELD_CHARS for c in name.lower()):
                fields.add(name)
            i = end + 1 if end > i else i + 1
            continue
        i += 1
    return fields


_PERCENT_FIELD = re.compile(r"%(?:\((\w+)\))?[sdr]")


def percent_fields(text: str) -> list[str]:
    """argparse's ``%(name)s`` and ``%s`` fields of *text*, in order (names, or "" unnamed)."""
    return sorted(match.group(1) or "" for match in _PERCENT_FIELD.finditer(text))


def problems(language: str) -> list[str]:
    """What is wrong with a language's catalogue, as sentences (empty when all is well)."""
    found: list[str] = []
    path = po_path(language)
    if not path.exists():
        return [f"{path.relative_to(ROOT)} is missing: run `update`"]
    catalogue = {m.key: m for m in read_po(path)[1]}
    for message in extract():
        entry = catalogue.pop(message.key, None)
        label = repr(message.msgid[:60])
        if entry is None:
            found.append(f"{language}: not in the catalogue: {label}")
        elif not entry.translated():
            found.append(f"{language}: untranslated: {label}")
        else:
            expected = format_fields(message.msgid) | format_fields(message.plural or "")
            for form in entry.translations:
                if format_fields(form) - expected:
                    found.append(f"{language}: unknown fields in the translation of {label}")
                if percent_fields(form) != percent_fields(message.msgid):
                    found.append(f"{language}: %-fields differ in the translation of {label}")
            if message.plural is not None and len(entry.translations) != PLURAL_COUNTS[language]:
                found.append(f"{language}: wrong number of plural forms for {label}")
    found.extend(f"{language}: no longer used: {m.msgid[:60]!r}" for m in catalogue.values())
    if not mo_path(language).exists() or mo_path(language).read_bytes() != compile_po(path):
        found.append(f"{language}: the compiled catalogue is stale: run `compile`")
    found.extend(f"a marker given a text built on the spot: {where}" for where in unmarked_calls())
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("action", choices=("update", "compile", "check", "stats"))
    args = parser.parse_args(argv)
    if args.action == "update":
        for language in languages():
            open_entries, dropped = update(language)
            print(f"{language}: {open_entries} entries to translate, {dropped} dropped")
        return 0
    if args.action == "compile":
        for path in compile_all():
            print(f"wrote {path.relative_to(ROOT)}")
        return 0
    if args.action == "stats":
        for language in languages():
            entries = read_po(po_path(language))[1]
            done = sum(1 for m in entries if m.translated())
            print(f"{language}: {len(entries)} entries, untranslated: {len(entries) - done}")
        return 0
    failures = [problem for language in languages() for problem in problems(language)]
    for problem in failures:
        print(problem, file=sys.stderr)
    print(f"{len(failures)} problems")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
