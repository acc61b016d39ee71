"""Runs (or, with --dry-run, only prints) the commands a deploy step needs."""
from __future__ import annotations

import os
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Dict, Mapping, Optional, Sequence, Union

from .targets import REPO

Cmd = Sequence[Union[str, Path]]


class CommandFailed(RuntimeError):
    pass


def format_command(cmd: Cmd, env: Optional[Mapping[str, str]] = None,
                   cwd: Optional[Path] = None) -> str:
    """One shell line: `cd DIR && VAR=value cmd args...`, quoted so it can be pasted."""
    parts = [f"{k}={shlex.quote(str(v))}" for k, v in (env or {}).items()]
    parts += [shlex.quote(str(c)) for c in cmd]
    line = " ".join(parts)
    if cwd is not None and Path(cwd) != REPO:
        line = f"cd {shlex.quote(str(cwd))} && {line}"
    return line


class Runner:
    """Prints every command as `+ LINE`; runs it unless dry_run."""

    def __init__(self, dry_run: bool = False, out=None):
        self.dry_run = dry_run
        self.out = out or sys.stdout

    def say(self, text: str) -> None:
        print(text, file=self.out, flush=True)

    def run(self, cmd: Cmd, *, env: Optional[Dict[str, str]] = None, cwd: Optional[Path] = None,
            capture: bool = False, check: bool = True) -> str:
        """Runs cmd with env added to the environment; returns stdout+stderr if capture."""
        self.say("+ " + format_command(cmd, env, cwd))
        if self.dry_run:
            return ""
        full_env = dict(os.environ, **(env or {}))
        proc = subprocess.run([str(c) for c in cmd], env=full_env, cwd=str(cwd or REPO),
                              stdout=subprocess.PIPE if capture else None,
                              stderr=subprocess.STDOUT if capture else None, text=True)
        if check and proc.returncode != 0:
            if capture:
                self.say(proc.stdout)
            raise CommandFailed(f"exit status {proc.returncode}: {format_command(cmd)}")
        return proc.stdout if capture else ""
