"""Build the Teams app package (a zip of manifest.json and the two icons) for upload.

    .venv/bin/python -m adapters.teams.package --app-id <QOPT_TEAMS_APP_ID> [--out qopt-teams.zip]

The shipped manifest carries a zero GUID; the package puts the bot's Entra app id in `id` and `bots[0].botId`
(the app id defaults to QOPT_TEAMS_APP_ID from the environment or `.env`).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import zipfile
from pathlib import Path
from typing import Any

MANIFEST_DIR = Path(__file__).parent / "manifest"
FILES = ("manifest.json", "color.png", "outline.png")
_GUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")


def manifest_for(app_id: str) -> dict[str, Any]:
    if not _GUID.fullmatch(app_id or ""):
        raise ValueError(f"the app id must be the bot's Entra application (client) id, a GUID; got {app_id!r}")
    manifest = json.loads((MANIFEST_DIR / "manifest.json").read_text(encoding="utf-8"))
    manifest["id"] = app_id
    for bot in manifest["bots"]:
        bot["botId"] = app_id
    return manifest


def build(app_id: str, out: Path) -> Path:
    manifest = manifest_for(app_id)
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("manifest.json", json.dumps(manifest, indent=2, ensure_ascii=False))
        for name in FILES[1:]:
            archive.write(MANIFEST_DIR / name, arcname=name)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m adapters.teams.package", description=__doc__.splitlines()[0])
    parser.add_argument("--app-id", help="the bot's Entra app id (default: QOPT_TEAMS_APP_ID)")
    parser.add_argument("--out", type=Path, default=Path("qopt-teams.zip"), help="zip to write")
    args = parser.parse_args(argv)
    app_id = args.app_id
    if not app_id:
        from qopt.config import load_settings

        app_id = load_settings().teams_app_id or ""
    try:
        path = build(app_id.strip(), args.out)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"wrote {path}: upload it in Teams (Apps > Manage your apps > Upload an app)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
