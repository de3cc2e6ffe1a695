"""Sandboxed Python for BPMN conditions, expressions and script tasks."""

from .guards import SandboxViolation
from .sandbox import SandboxEnvironment, ScriptProblem, check_source, make_script_engine

__all__ = ["SandboxEnvironment", "SandboxViolation", "ScriptProblem", "check_source", "make_script_engine"]
