"""Draw the Teams app icons (PNG) without any imaging library: `python -m adapters.teams.icons`.

Teams wants a 192x192 full-colour icon and a 32x32 outline icon (white on a transparent background). Both show
a magnifying lens — qopt looks for expensive SQL — drawn with anti-aliased edges.
"""

from __future__ import annotations

import math
import struct
import zlib
from pathlib import Path

ACCENT = (0x1F, 0x6F, 0xEB)
WHITE = (0xFF, 0xFF, 0xFF)


def png(width: int, height: int, pixels: list[list[tuple[int, int, int, int]]]) -> bytes:
    """RGBA pixels to PNG bytes (filter 0 on every row)."""
    raw = b"".join(b"\x00" + b"".join(struct.pack("4B", *p) for p in row) for row in pixels)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)  # 8-bit RGBA
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")


def _lens_coverage(x: float, y: float, size: int) -> float:
    """How much of the point lies on the lens (ring plus handle), 0..1, with a one-pixel soft edge."""
    cx = cy = size * 0.42
    radius, ring = size * 0.24, size * 0.075
    ring_distance = abs(math.hypot(x - cx, y - cy) - radius) - ring / 2
    # Handle: a thick segment from the ring towards the bottom-right corner.
    ax, ay = cx + radius * 0.72, cy + radius * 0.72
    bx, by = size * 0.80, size * 0.80
    t = max(0.0, min(1.0, ((x - ax) * (bx - ax) + (y - ay) * (by - ay)) / ((bx - ax) ** 2 + (by - ay) ** 2)))
    handle_distance = math.hypot(x - (ax + t * (bx - ax)), y - (ay + t * (by - ay))) - size * 0.06
    return max(0.0, min(1.0, 0.5 - min(ring_distance, handle_distance)))


def color_icon(size: int = 192) -> bytes:
    rows = []
    for j in range(size):
        row = []
        for i in range(size):
            a = _lens_coverage(i + 0.5, j + 0.5, size)
            row.append(tuple(round(c * (1 - a) + w * a) for c, w in zip(ACCENT, WHITE)) + (255,))
        rows.append(row)
    return png(size, size, rows)  # type: ignore[arg-type]


def outline_icon(size: int = 32) -> bytes:
    rows = [[(*WHITE, round(255 * _lens_coverage(i + 0.5, j + 0.5, size))) for i in range(size)] for j in range(size)]
    return png(size, size, rows)


def write_icons(folder: Path) -> None:
    (folder / "color.png").write_bytes(color_icon())
    (folder / "outline.png").write_bytes(outline_icon())


if __name__ == "__main__":
    write_icons(Path(__file__).parent / "manifest")
