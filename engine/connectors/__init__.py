"""Connectors: what service tasks do, by name, in either BPMN dialect.

``reading`` reads a service task's call (SpiffWorkflow ``serviceTaskOperator`` or Camunda external task),
``spec`` makes it an executable task, ``script_engine`` dispatches it to the registry (``engine.behaviours``),
``runner`` checks and runs it in the command's ``context``, ``checking`` is what ``docket check`` says about
it. The built-in connectors (``notify``, ``email``, ``document``, ``http``, ``members``) register themselves on
import.
"""

from . import document, http_client, mailer, members, notify  # noqa: F401  (register the built-in connectors)
