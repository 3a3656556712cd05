"""Inflate a compressed answer in bounded steps, so the size cap counts decoded bytes.

httpx would inflate each raw read of up to 64 KiB in one go (about 1000x for a gzip
bomb) before the caller sees how large the body has grown. ``BodyDecoder`` hands zlib a
``max_length`` instead, so a bomb never inflates in memory much past the cap. It reads
exactly what ``ACCEPT_ENCODING`` asks the server for, gzip and deflate; anything else is
named as unsupported, never guessed at. No httpx here: plain ``zlib``.
"""

from __future__ import annotations

import zlib
from typing import Any

from ...i18n import _, ngettext

# Only what BodyDecoder inflates itself; httpx would also offer br/zstd if installed.
ACCEPT_ENCODING = "gzip, deflate"


class BodyDecoder:
    """Inflates a gzip or deflate body in bounded steps (``zlib``'s ``max_length``).

    ``feed(data, limit)`` returns at most *limit* bytes; returning exactly *limit* means
    there may be more, which the caller treats as over its cap. ``unsupported`` names an
    encoding that cannot be read (br, zstd, more than one layer…), else it is ``""``.
    Raises ``zlib.error`` for data that is not what it claims to be.
    """

    def __init__(self, encodings: list[str]) -> None:
        layers = [e.strip().lower() for e in encodings]
        layers = [e for e in layers if e not in ("", "identity")]
        self.unsupported = ""
        self._kind = ""
        if len(layers) > 1:
            self.unsupported = ", ".join(layers)
        elif layers and layers[0] in ("gzip", "x-gzip"):
            self._kind = "gzip"
        elif layers and layers[0] == "deflate":
            self._kind = "deflate"
        elif layers:
            self.unsupported = layers[0]
        self._inflater: Any = (
            zlib.decompressobj(zlib.MAX_WBITS | 16) if self._kind == "gzip" else None
        )
        self._pending = b""  # deflate: the first bytes, until zlib or raw is known
        self._fed = False

    def feed(self, data: bytes, limit: int) -> bytes:
        if not self._kind:
            return data
        self._fed = self._fed or bool(data)
        if self._inflater is None:
            # "deflate" is zlib-wrapped by the standard, raw in practice: look at the header.
            self._pending += data
            if len(self._pending) < 2:
                return b""
            data, self._pending = self._pending, b""
            wrapped = (data[0] & 0x0F) == 8 and ((data[0] << 8) | data[1]) % 31 == 0
            self._inflater = zlib.decompressobj(zlib.MAX_WBITS if wrapped else -zlib.MAX_WBITS)
        out = b""
        while data and len(out) < limit:
            if self._inflater.eof:
                # A further gzip member may follow; anything else after the end is ignored.
                if self._kind != "gzip" or not data.startswith(b"\x1f\x8b"):
                    return out
                self._inflater = zlib.decompressobj(zlib.MAX_WBITS | 16)
            out += self._inflater.decompress(data, limit - len(out))
            data = self._inflater.unused_data if self._inflater.eof else b""
        return out

    def finish(self) -> None:
        """Check that the compressed body ended where its format says it ends."""
        if not self._kind or not self._fed:
            return  # an empty body is empty, whatever it says it is compressed with
        if self._inflater is None:
            raise zlib.error("a deflate body of one byte")
        if not self._inflater.eof:
            raise zlib.error("the compressed body ended early")


def size_text(size: int) -> str:
    """A byte count for a message: "16 MiB", "64 KiB", "1.5 MiB" or "1000 bytes"."""
    mib, kib = 1024 * 1024, 1024
    if size >= mib:
        if size % mib == 0:
            return _("{size} MiB").format(size=size // mib)
        return _("{size:.1f} MiB").format(size=size / mib)
    if size >= kib and size % kib == 0:
        return _("{size} KiB").format(size=size // kib)
    return ngettext("{size} byte", "{size} bytes", size).format(size=size)
