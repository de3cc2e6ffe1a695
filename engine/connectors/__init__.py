"""Connectors: what service tasks do, by name, in either BPMN dialect.

``reading`` reads a service task's call (SpiffWorkflow ``serviceTaskOperator`` or Camunda external task),
``spec`` makes it an executable task (``engine.definitions.specs`` puts it in Docket's parser), ``script_engine``
dispatches it to the registry (``engine.behaviours``), ``runner`` checks and runs it in the command's ``context``,
``checking`` is what ``docket check`` says about it. The built-in connectors (``notify``, ``email``,
``document``, ``http``, ``members``) are registered by ``builtin``, which the composition root loads.
"""
