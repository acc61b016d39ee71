"""``firmware_models/manifest.json``: one entry per model, written atomically."""
from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Dict

SCHEMA = 1


def read(path: os.PathLike) -> Dict[str, Any]:
    p = Path(path)
    if not p.is_file():
        return {"schema": SCHEMA, "models": {}}
    data = json.loads(p.read_text())
    data.setdefault("models", {})
    return data


def update(path: os.PathLike, name: str, entry: Dict[str, Any]) -> None:
    """Set ``models[name] = entry``, keeping the other models' entries."""
    p = Path(path)
    data = read(p)
    data["schema"] = SCHEMA
    data["models"][name] = entry
    tmp = p.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(data, indent=2, sort_keys=False) + "\n")
    os.replace(tmp, p)
