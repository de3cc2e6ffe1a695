"""The service task as Docket runs it: a connector call read from either dialect.

Docket's parser (``engine.definitions.specs``) reads every ``bpmn:serviceTask`` into a :class:`ConnectorTask`
with :class:`ConnectorTaskParser` (:func:`engine.connectors.reading.read_service_task`). When it runs,
the task evaluates its parameters on the case data, asks the script engine to call the connector
(``script_engine.call_service``), and puts the result where the BPMN says: ``resultVariable`` or the Camunda
output parameters. Anything that goes wrong becomes a ``WorkflowTaskException`` naming the step, so the
command marks the case in error (like a failing script) and keeps its earlier state.
"""

from __future__ import annotations

from typing import Any

from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.exceptions import WorkflowException
from SpiffWorkflow.spiff.parser.task_spec import SpiffTaskParser
from SpiffWorkflow.spiff.serializer.task_spec import ServiceTaskConverter
from SpiffWorkflow.spiff.specs.defaults import ServiceTask

from .reading import Output, read_service_task


class ConnectorTask(ServiceTask):
    """A ``bpmn:serviceTask`` that calls a registered connector."""

    def __init__(self, wf_spec: Any, name: str, operation_name: str, operation_params: dict[str, Any],
                 result_variable: str | None, outputs: tuple[Output, ...] | list[Any] = (), **kwargs: Any) -> None:
        super().__init__(wf_spec, name, operation_name, operation_params, result_variable, **kwargs)
        self.result_variable = result_variable or None  # no result variable: the result is not kept
        self.output_mappings = tuple(o if isinstance(o, Output) else Output(*o) for o in outputs)

    def _execute(self, task: Any) -> bool:
        params = {name: value["value"] for name, value in self.evaluate_params(task).items()}
        engine = task.workflow.script_engine
        try:
            result = engine.call_service(task, operation_name=self.operation_name, operation_params=params)
        except WorkflowException:
            raise
        except Exception as exc:  # the connector's own failure, already worded for people
            raise WorkflowTaskException(f"connector '{self.operation_name}': {exc}", task=task,
                                        exception=exc) from exc
        if self.result_variable:
            task.data[self.result_variable] = result
        if self.output_mappings:
            scope = {**task.data, **(result if isinstance(result, dict) else {}), "result": result}
            for output in self.output_mappings:  # the result's fields shadow case data, as a Camunda local would
                try:
                    task.data[output.name] = engine.environment.evaluate(output.expression, scope)
                except Exception as exc:
                    raise WorkflowTaskException(f"output parameter '{output.name}' of connector "
                                                f"'{self.operation_name}': {exc}", task=task, exception=exc) from exc
        return True


class ConnectorTaskParser(SpiffTaskParser):
    """Reads a service task of either dialect into a :class:`ConnectorTask`."""

    def create_task(self) -> ConnectorTask:
        call = read_service_task(self.node)
        if call.connector is None or call.problems:
            line, message = call.problems[0] if call.problems else (call.line, "the service task names no connector")
            raise ValidationException(message, node=self.node, file_name=self.filename)
        extensions = self.parse_extensions()
        return self.spec_class(
            self.spec, self.bpmn_id, operation_name=call.connector,
            operation_params={p.name: {"value": p.expression, "type": "any"} for p in call.params},
            result_variable=call.result_variable, outputs=call.outputs,
            prescript=extensions.get("preScript"), postscript=extensions.get("postScript"), **self.bpmn_attributes)


class ConnectorTaskConverter(ServiceTaskConverter):
    """Serializes a :class:`ConnectorTask` spec (for version diffs), outputs included."""

    def to_dict(self, spec: ConnectorTask) -> dict[str, Any]:
        dct = super().to_dict(spec)
        dct["outputs"] = [[o.name, o.expression, o.line] for o in spec.output_mappings]
        return dct
