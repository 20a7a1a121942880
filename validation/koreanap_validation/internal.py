"""Problems of the validator itself, never of the data it reads.

A rule that cannot run (a library missing or broken, an unexpected failure
inside the rule) raises :class:`RuleCannotRun`. It is not a data error: the
``koreanap`` command exits 2 with its one line, the catalogue's validation job
records ``error`` (not ``invalid``) with the same line.
"""
from __future__ import annotations

import re
from importlib import metadata

EXIT_INTERNAL = 2
"""Exit code of ``koreanap validate`` when a rule cannot run (as for unusable input)."""

DISTRIBUTION = "ckanext-koreanap"
"""The installed distribution whose requirements pin the rules' libraries."""


class RuleCannotRun(Exception):
    """A rule could not run, so the data was not judged by it.

    :param rule: the rule (its check type, e.g. ``koreanap-mesh-asset``)
    :param message: what went wrong and how to fix it, one line
    :param resource: the resource being validated, when known
    """

    exit_code = EXIT_INTERNAL

    def __init__(self, rule: str, message: str, resource: str | None = None) -> None:
        super().__init__(message)
        self.rule = rule
        self.message = message
        self.resource = resource

    def __str__(self) -> str:
        where = f' on resource "{self.resource}"' if self.resource else ""
        return f"rule {self.rule} cannot run{where}: {self.message}"


def pinned_requirement(name: str) -> str:
    """The requirement this project declares for the library ``name``
    (e.g. ``trimesh==5.2.0``), or just ``name`` when it is not found."""
    wanted = _canonical(name)
    try:
        requirements = metadata.requires(DISTRIBUTION) or []
    except metadata.PackageNotFoundError:
        return name
    for requirement in requirements:
        spec = requirement.split(";")[0].strip()
        match = re.match(r"[A-Za-z0-9._-]+", spec)
        if match and _canonical(match.group(0)) == wanted:
            return spec.replace(" ", "")
    return name


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def missing_library(rule: str, module: str, error: BaseException,
                    distribution: str | None = None) -> RuleCannotRun:
    """The :class:`RuleCannotRun` for a library that failed to import, naming
    it and the command that installs it. Callers keep the ``import`` statement
    itself in their own code, so dependency checkers (deptry) see it.

    :param rule: the rule that needs the library
    :param module: the import name (``trimesh``)
    :param error: what the import raised (ImportError, or anything a broken
        install raises at import)
    :param distribution: the package's name on PyPI when it differs
    """
    reason = str(error).splitlines()[0] if str(error) else type(error).__name__
    state = "not installed" if isinstance(error, ModuleNotFoundError) else "broken"
    requirement = pinned_requirement(distribution or module)
    return RuleCannotRun(rule, f"the library {module} is {state} ({reason}); "
                               f"install it with: pip install '{requirement}'")
