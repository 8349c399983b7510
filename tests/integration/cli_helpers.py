"""Run `python -m tale_desktop ...` as a parent would, in a subprocess with the test's data dirs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from typing import Any


@dataclass
class Result:
    code: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)


def run_cli(*args: str, env: dict[str, str] | None = None, timeout: float = 60) -> Result:
    full_env = {**os.environ, "PYTHONWARNINGS": "error::ResourceWarning", **(env or {})}
    proc = subprocess.run([sys.executable, "-m", "tale_desktop", *args], capture_output=True, text=True,
                          env=full_env, timeout=timeout)
    return Result(proc.returncode, proc.stdout, proc.stderr)
