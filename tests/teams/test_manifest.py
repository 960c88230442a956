"""The install kit: manifest with the command menu, icons of the sizes Teams wants, and the upload zip."""

from __future__ import annotations

import json
import struct
import zipfile
import zlib


from adapters.teams.icons import color_icon, outline_icon
from adapters.teams.package import MANIFEST_DIR, build, main

APP_ID = "0b9d6c1e-7a1f-4c38-9d7e-5a1b2c3d4e5f"


def read_png(data: bytes) -> tuple[int, int, list[bytes]]:
    """Width, height and the unfiltered RGBA rows of an 8-bit RGBA PNG (what icons.py writes)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, width, height = 8, b"", 0, 0
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos:pos + 4])
        kind, body = data[pos + 4:pos + 8], data[pos + 8:pos + 8 + length]
        (crc,) = struct.unpack(">I", data[pos + 8 + length:pos + 12 + length])
        assert crc == zlib.crc32(kind + body) & 0xFFFFFFFF
        if kind == b"IHDR":
            width, height, depth, color = struct.unpack(">IIBB", body[:10])
            assert (depth, color) == (8, 6)
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    raw = zlib.decompress(idat)
    stride = 1 + width * 4
    rows = [raw[i * stride:(i + 1) * stride] for i in range(height)]
    assert all(r[0] == 0 for r in rows)
    return width, height, [r[1:] for r in rows]


def test_manifest_has_the_command_menu_and_bot():
    manifest = json.loads((MANIFEST_DIR / "manifest.json").read_text())
    assert manifest["manifestVersion"] == "1.17"
    for key in ("id", "version", "developer", "name", "description", "icons", "accentColor", "bots"):
        assert key in manifest
    [bot] = manifest["bots"]
    assert set(bot["scopes"]) == {"personal", "team", "groupChat"}
    [commands] = bot["commandLists"]
    titles = [c["title"] for c in commands["commands"]]
    assert titles == ["top", "cost", "query", "optimize", "recommend", "ask", "help"]
    assert all(len(c["title"]) <= 32 and len(c["description"]) <= 128 for c in commands["commands"])
    assert len(manifest["name"]["short"]) <= 30 and len(manifest["description"]["short"]) <= 80


def test_shipped_icons_are_the_sizes_teams_wants():
    width, height, _ = read_png((MANIFEST_DIR / "color.png").read_bytes())
    assert (width, height) == (192, 192)
    width, height, rows = read_png((MANIFEST_DIR / "outline.png").read_bytes())
    assert (width, height) == (32, 32)
    pixels = [row[i:i + 4] for row in rows for i in range(0, len(row), 4)]
    assert all(p[:3] == b"\xff\xff\xff" for p in pixels)  # white only
    alphas = {p[3] for p in pixels}
    assert 0 in alphas and 255 in alphas  # transparent background, opaque lens


def test_shipped_icons_match_the_generator():
    assert (MANIFEST_DIR / "color.png").read_bytes() == color_icon()
    assert (MANIFEST_DIR / "outline.png").read_bytes() == outline_icon()


def test_package_fills_in_the_app_id(tmp_path):
    out = build(APP_ID, tmp_path / "qopt.zip")
    with zipfile.ZipFile(out) as archive:
        assert sorted(archive.namelist()) == ["color.png", "manifest.json", "outline.png"]
        manifest = json.loads(archive.read("manifest.json"))
    assert manifest["id"] == APP_ID and manifest["bots"][0]["botId"] == APP_ID


def test_package_refuses_a_non_guid(tmp_path, capsys):
    assert main(["--app-id", "my-bot", "--out", str(tmp_path / "x.zip")]) == 2
    assert "GUID" in capsys.readouterr().err
    assert not (tmp_path / "x.zip").exists()
