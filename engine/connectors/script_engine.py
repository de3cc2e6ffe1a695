"""The script engine Docket runs workflows with: the sandbox, and service tasks calling registered connectors.

SpiffWorkflow hands a service task's call to ``script_engine.call_service``; its own implementation has a
broken error path (it names an undefined variable). Here the call goes to :func:`run_connector` and a failure
comes back as a :class:`ConnectorError` that :class:`ConnectorTask` reports on the step.
"""

from __future__ import annotations

from typing import Any

from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine

from engine.scripts import SandboxEnvironment

from .runner import run_connector


class ConnectorScriptEngine(PythonScriptEngine):
    """SpiffWorkflow's script engine on the sandbox, with service tasks dispatched to connectors."""

    def call_service(self, task: Any, operation_name: str = "", operation_params: Any = None,
                     **kwargs: Any) -> Any:
        """The result of the connector ``operation_name`` called with ``operation_params`` (evaluated values)."""
        return run_connector(task, operation_name, operation_params or {})


def make_connector_script_engine(helpers: dict[str, Any] | None = None) -> ConnectorScriptEngine:
    """The engine every workflow runs on: sandboxed scripts with ``helpers``, connectors for service tasks."""
    return ConnectorScriptEngine(environment=SandboxEnvironment(helpers))
