"""Fidelity: SpiffWorkflow's own test models (``../shared/conformance/spiffworkflow``) driven through Docket's
engine commands with the inputs of SpiffWorkflow's tests, asserting what those tests assert.

Each test names the SpiffWorkflow test it follows. Where SpiffWorkflow's test reaches into the workflow (a task's
state, ``workflow.data``), this suite reads the same facts through Docket: the elements that ran or wait (the
case diagram's query), the case data, its status and open tasks. Timers fire when the test moves the engine
clock, never by sleeping. The models run as deployed processes: a collaboration's pools are separate
processes whose messages travel between cases.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from conftest import PG_URL
from fidelity_support import CORPUS, Driver

from engine.migrate import upgrade
from engine.runtime import Runtime
from engine.schema import metadata

if not CORPUS.is_dir():
    pytest.skip(f"the conformance corpus is not at {CORPUS}", allow_module_level=True)

CALLS: list[int] = []  # calls of the test models' custom_function (SpiffWorkflow's tests inject one too)


def custom_function(*args: Any) -> Any:
    """The helper SpiffWorkflow's tests inject: counts its calls, or upper-cases its argument."""
    CALLS.append(1)
    return str(args[0]).upper() if args else len(CALLS)


def _truncate(url: str) -> None:
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        present = set(sa.inspect(conn).get_table_names())
        names = ", ".join(t.name for t in metadata.sorted_tables if t.name in present)
        conn.execute(sa.text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    engine.dispose()


@pytest.fixture(scope="module")
def fidelity_rt(tmp_path_factory: pytest.TempPathFactory, pg_migrated: bool) -> Iterator[Runtime]:
    """One database for the module: each test deploys its models (a new version of a shared key wins)."""
    url = PG_URL or f"sqlite:///{tmp_path_factory.mktemp('fidelity') / 'docket.sqlite'}"
    if PG_URL:
        _truncate(url)
    else:
        upgrade(url)
    runtime = Runtime(url, {"custom_function": custom_function})
    yield runtime
    runtime.dispose()
    if PG_URL:
        _truncate(url)


@pytest.fixture
def d(fidelity_rt: Runtime) -> Driver:
    CALLS.clear()
    return Driver(fidelity_rt)


# ---------------------------------------------------------------------------------------------- gateways


def test_exclusive_gateway_without_default(d: Driver) -> None:
    """ExclusiveGatewayNoDefaultTest: no condition holds -> the gateway fails (the case is in error there)."""
    d.deploy("bpmn/data/exclusive_gateway_no_default.bpmn")
    case = d.start("NoDefaultGateway", {"x": 1})
    assert d.status(case) == "error"
    assert d.path(case)["errors"] == {"Gateway_CheckValue"}


@pytest.mark.parametrize("given,outcome", [
    ({"v": -1, "u": -1, "w": -1}, {"v": 0, "u": -1, "w": -1}),  # testDefaultConditionOnly
    ({"v": 0, "u": 1, "w": 1}, {"v": 0, "u": 1, "w": 1}),  # testParallelCondition
    ({"v": 0, "u": -1, "w": -1}, "error"),  # testNoPathFromSecondGateway
])
def test_inclusive_gateway(d: Driver, given: dict[str, int], outcome: Any) -> None:
    """InclusiveGatewayTest."""
    d.deploy("bpmn/data/inclusive_gateway.bpmn")
    case = d.start("main")
    [task] = d.open_tasks(case)
    d.complete(case, task, given)
    if outcome == "error":
        assert d.status(case) == "error" and d.path(case)["errors"] == {"second"}
        return
    assert d.status(case) == "completed" and d.result(case) == outcome
    if given["u"] == 1:
        assert "increment_v" not in d.path(case)["completed"]
        assert {"u_plus_v", "w_plus_v"} <= d.path(case)["completed"]


def test_parallel_gateway_loop_input(d: Driver) -> None:
    """ParallelGatewayLoopInputTest."""
    d.deploy("bpmn/data/gateway_loop_input.bpmn")
    case = d.start("main")
    [task] = d.open_tasks(case)
    d.complete(case, task)
    assert d.status(case) == "completed" and d.result(case) == {"x": 2}


@pytest.mark.parametrize("how", ["message", "timer"])
def test_event_based_gateway(d: Driver, how: str) -> None:
    """EventBasedGatewayTest.testEventBasedGateway / testTimeout: the first event to arrive wins."""
    d.deploy("bpmn/data/event-gateway.bpmn")
    case = d.start("Process_0pvx19v")
    assert d.case(case)["wake_at"] is not None  # the gateway's timer wakes the case
    if how == "message":
        assert d.send("message_1")["delivered"] == [case]
    else:
        d.wait(case, timedelta(seconds=2))
    ran = d.path(case)["completed"]
    assert d.status(case) == "completed"
    winner = "message_1_event" if how == "message" else "timer_event"
    assert winner in ran and not {"message_1_event", "message_2_event", "timer_event"} - {winner} & ran


# ---------------------------------------------------------------------------------------------- timers


def test_duration_timer(d: Driver) -> None:
    """TimerDurationTest: a 0.25 s intermediate timer."""
    d.deploy("bpmn/data/timer.bpmn")
    case = d.start("timer")
    assert d.case(case)["wake_at"] is not None
    assert d.wait(case, timedelta(seconds=0.1))["status"] == "running"
    done = d.wait(case, timedelta(seconds=0.2))
    assert done["status"] == "completed" and done["wake_at"] is None


def test_date_timer_computed_by_a_script(d: Driver) -> None:
    """TimerDateTest: the date is computed by a script (datetime.now() + timedelta(seconds=0.05))."""
    d.deploy("bpmn/data/timer-date-start.bpmn")
    case = d.start("date_timer")
    assert d.status(case) == "running" and d.case(case)["wake_at"] is not None
    assert d.wait(case, timedelta(seconds=0.1))["status"] == "completed"


def test_cycle_timer_boundary(d: Driver) -> None:
    """TimerCycleTest: R2/PT0.1S on a non-interrupting boundary: two refills, then the timer completes."""
    d.deploy("bpmn/data/timer-cycle.bpmn")
    case = d.start("timer")
    for _ in range(4):
        d.wait(case, timedelta(seconds=0.1))
    assert len(CALLS) == 2
    assert d.open_tasks(case) == ["Get_Coffee"]  # still ready
    assert "CatchMessage" in d.path(case)["completed"] and d.case(case)["wake_at"] is None


def test_non_interrupting_timer_boundary(d: Driver) -> None:
    """NITimerDurationTest."""
    d.deploy("bpmn/data/timer-non-interrupt-boundary.bpmn")
    case = d.start("NonInterruptTimer")
    assert len(d.open_tasks(case)) == 1 and "Event_0jyy8ao" in d.path(case)["current"]
    d.wait(case, timedelta(seconds=0.3))
    assert sorted(d.open_tasks(case)) == ["Activity_Work", "GetReason"]
    d.complete(case, "GetReason", {"delay_reason": "Just Because"})
    d.complete(case, "Activity_Work", {"work_done": "Yes"})
    assert d.status(case) == "completed"
    assert d.result(case) == {"work_done": "Yes", "delay_reason": "Just Because"}


def test_timer_boundary_on_task(d: Driver) -> None:
    """TimerDurationBoundaryOnTaskTest."""
    d.deploy("bpmn/data/boundary_timer_on_task.bpmn")
    case = d.start("test_timer")
    d.wait(case, timedelta(seconds=1))
    # SpiffWorkflow reads the last task run (the timer branch's script) as the workflow's data; here the case
    # data is what the open task sees, so the timer branch shows in the path
    assert {"Event_0y4hbl0", "set_variable"} <= d.path(case)["completed"]
    [task] = d.open_tasks(case)
    d.complete(case, task)
    assert d.status(case) == "completed"


# ---------------------------------------------------------------------------------------------- events


@pytest.mark.parametrize("value,quantity,ran,skipped", [
    ("asdf", 2, {"Activity_Print_Data"}, {"Catch_Cancel_Event", "Catch_Error_1", "Catch_Error_None"}),
    ("", None, {"Cancel_Action"}, {"Catch_Error_1", "Catch_Error_None", "Activity_Print_Data"}),
    ("asdf", 0, {"Catch_Error_None"}, {"Catch_Cancel_Event", "Catch_Error_1", "Activity_Print_Data"}),
    ("asdf", -1, {"Catch_Error_None", "Catch_Error_1"}, {"Activity_Print_Data"}),
], ids=["normal", "cancel", "error without code", "error 1"])
def test_transaction_subprocess(d: Driver, value: str, quantity: int | None, ran: set[str], skipped: set[str]) -> None:
    """TransactionSubprocessTest: normal completion, cancel event, error without code, error 'Error 1'."""
    d.deploy("bpmn/data/transaction.bpmn")
    case = d.start("Main_Process")
    d.complete(case, "Activity_Get_Data", {"value": value})
    if quantity is not None:
        d.complete(case, "Activity_Get_Quantity", {"quantity": quantity})
    assert d.status(case) == "completed"
    path = d.path(case)["completed"]
    assert ran <= path and not skipped & path
    if value == "":
        assert "value" not in d.result(case)  # data set in a cancelled transaction does not persist
    elif quantity == 2:
        assert "value" in d.result(case)


def test_uncaught_escalation_ends_the_case(d: Driver) -> None:
    """UncaughtEscalationTest: nothing catches the escalation; the case completes."""
    d.deploy("bpmn/data/uncaught_escalation.bpmn")
    case = d.start("top_level")
    assert d.status(case) == "completed"


def test_conditional_events(d: Driver) -> None:
    """ConditionalEventTest.testIntermediateEvent / testBoundaryEvent."""
    d.deploy("bpmn/data/conditional_event.bpmn")
    case = d.start("intermediate")
    d.complete(case, "task_b")
    assert "event_1" in d.path(case)["current"]  # waits for task_a_done
    d.complete(case, "task_a", {"task_a_done": True})
    assert d.status(case) == "completed" and "event_1" in d.path(case)["completed"]

    case = d.start("boundary")
    assert "event_2" in d.path(case)["current"]
    d.complete(case, "task_c", {"task_c_done": True})
    assert d.status(case) == "completed"
    assert "event_2" in d.path(case)["completed"] and "task_d" not in d.path(case)["completed"]


def test_event_subprocess_gets_the_case_data(d: Driver) -> None:
    """EventSubprocessTest: a signal starts the event sub-process, whose task sees the case data."""
    d.deploy("bpmn/data/event-subprocess.bpmn")
    case = d.start("main")
    d.complete(case, "set_data", {"v1": True, "v2": False})
    [(task_id, seen)] = d.open_task_data(case, "task")
    assert {k: v for k, v in seen.items() if k != "initiator"} == {"v1": True, "v2": False}
    d.complete_id(task_id)
    assert d.status(case) == "completed"


def test_multiple_throw_reaches_a_parallel_catch(d: Driver) -> None:
    """MultipleThrowEventIntermediateCatchTest: one throw of two messages completes the other pool's catch."""
    d.deploy("bpmn/data/multiple-throw.bpmn")
    responder = d.start("respond")
    initiator = d.start("initiate")
    assert d.status(initiator) == "completed" and d.status(responder) == "completed"
    assert len(d.events(responder, "message_received")) == 2


def test_multiple_throw_starts_one_case(d: Driver) -> None:
    """MultipleThrowEventStartsEventTest: both messages go to one new case of the responder."""
    d.deploy("bpmn/data/multiple-throw-start.bpmn")
    before = d.cases_of("respond")
    initiator = d.start("initiate")
    [responder] = [c for c in d.cases_of("respond") if c not in before]
    assert d.open_tasks(responder) == ["any_task"]
    d.complete(responder, "any_task")
    assert d.status(responder) == "completed" and d.status(initiator) == "completed"


# ---------------------------------------------------------------------------------------------- data


def test_data_objects(d: Driver) -> None:
    """DataObjectReferenceTest.testDataObjectReferences."""
    d.deploy("bpmn/data/data_object.bpmn")
    case = d.start("Process")
    d.complete(case, "generate_data", {"obj_1": "hello"})
    d.complete(case, "task_1", {"obj_1": "hello again"})  # no output reference: the object keeps 'hello'
    [(_, seen)] = d.open_task_data(case, "read_data")
    assert seen["obj_1"] == "hello"
    d.complete(case, "read_data", {"obj_1": "hello again"})
    [(_, seen)] = d.open_task_data(case, "placeholder")  # inside the subprocess
    assert seen["obj_1"] == "hello"
    d.complete(case, "placeholder", {"obj_1": "hello again"})
    assert d.status(case) == "completed"
    assert "obj_1" not in d.result(case)  # copied out of the task data into the data object


def test_data_object_in_a_gateway(d: Driver) -> None:
    """DataObjectGatewayTest."""
    d.deploy("bpmn/data/data_object_gateway.bpmn")
    case = d.start("main")
    d.complete(case, "set_data", {"val": True})
    assert d.status(case) == "completed"
    assert "yes" in d.path(case)["completed"] and "no" not in d.path(case)["completed"]
    assert "val" not in d.result(case)


def test_data_stores_are_shared_between_cases(d: Driver) -> None:
    """DataStoreReferenceTest: one case writes the store, another reads it."""
    d.deploy("bpmn/data/data_store_write.bpmn")
    d.start("JustDataStoreRef")
    d.deploy("bpmn/data/data_store_read.bpmn")
    case = d.start("JustDataStoreRef")
    assert d.status(case) == "completed" and d.result(case) == {"x": "Sue"}


@pytest.mark.parametrize("done,iterations", [(False, 3), (True, 0)])
def test_standard_loop(d: Driver, done: bool, iterations: int) -> None:
    """StandardLoopTest.testLoopMaximum / testSkipLoop (loopMaximum 3, loopCondition 'done')."""
    d.deploy("bpmn/data/standard_loop.bpmn")
    case = d.start("main", {"done": done})
    for idx in range(iterations):
        [task] = d.open_tasks(case)
        d.complete(case, task, {str(idx): True})
    assert d.status(case) == "completed"


def test_standard_loop_condition(d: Driver) -> None:
    """StandardLoopTest.testLoopCondition."""
    d.deploy("bpmn/data/standard_loop.bpmn")
    case = d.start("main", {"done": False})
    [task] = d.open_tasks(case)
    d.complete(case, task, {"done": True})
    assert d.status(case) == "completed"


# ---------------------------------------------------------------------------------------------- messages


def answer(d: Driver, cases: list[int], answers: dict[str, tuple[str, Any]]) -> None:
    """Complete every open task of the cases with its answer (a task without one fails the test)."""
    for case in cases:
        for task in d.open_tasks(case):
            assert task in answers, f"unexpected open task {task}"
            field, value = answers[task]
            d.complete(case, task, {field: value})


def test_bpmn_message_with_correlation(d: Driver) -> None:
    """CollaborationTest.testBpmnMessage: the letter goes out; the correlated response completes the case."""
    d.deploy("bpmn/data/collaboration.bpmn")
    case = d.start("process_buddy", {"lover_name": "Peggy"})
    [sent] = d.events(case, "message_sent")
    assert sent["data"]["name"] == "Love Letter"
    assert "EventReceiveLetter" in d.path(case)["current"]
    wrong = {"from_name": "Someone else"}
    with pytest.raises(Exception, match="no case waits"):
        d.send("Love Letter Response", {"lover_name": "Someone else"}, wrong)
    d.send("Love Letter Response", {"lover_name": "Peggy"}, {"from_name": "Peggy", "other_nonsense": 1001})
    assert d.status(case) == "completed"
    assert d.result(case) == {"from_name": "Peggy", "lover_name": "Peggy", "other_nonsense": 1001}


def test_correlation_between_collaborating_cases(d: Driver) -> None:
    """CollaborationTest.testCorrelation: two sub-process instances each start a responder case; each reply
    reaches the instance it answers."""
    d.deploy("bpmn/data/correlation.bpmn")
    before = set(d.cases_of("proc_2"))
    case = d.start("proc_1")
    for idx, (task_id, _) in enumerate(d.open_task_data(case, "configure")):
        d.complete_id(task_id, {"task_num": idx})
    responders = [c for c in d.cases_of("proc_2") if c not in before]
    assert len(responders) == 2 and "get_response" in d.path(case)["current"]
    for responder in responders:
        [(task_id, seen)] = d.open_task_data(responder, "rename_id")
        d.complete_id(task_id, {"init_id": seen["task_num"]})
    assert d.status(case) == "completed"
    received = d.events(case, "message_received")
    assert sorted(e["data"]["correlation"]["process_id"] for e in received) == [0, 1]
    assert all(e["data"]["data"]["init_id"] == e["data"]["data"]["task_num"] for e in received)


def test_spiff_message_payloads_and_variables(d: Driver) -> None:
    """spiff CorrelationTest.testMessagePayload: payload expressions and message variables."""
    d.deploy("spiff/data/correlation.bpmn")
    before = set(d.cases_of("proc_2"))
    case = d.start("proc_1")
    for idx, (task_id, _) in enumerate(d.open_task_data(case, "configure")):
        d.complete_id(task_id, {"task_num": idx, "task_name": f"subprocess {idx}", "extra_data": "unused data"})
    responders = [c for c in d.cases_of("proc_2") if c not in before]
    assert len(responders) == 2
    for responder in responders:
        [(task_id, seen)] = d.open_task_data(responder, "prepare_response")
        assert set(seen["source_task"]) == {"num", "name"}  # only the payload expression's fields travel
        d.complete_id(task_id, {"response": "OK" if seen["source_task"]["num"] else "No"})
    assert d.status(case) == "completed"
    for event in d.events(case, "message_received"):
        response = event["data"]["data"]
        assert response["response"] == ("OK" if response["init_id"] else "No")


@pytest.mark.parametrize("model,process,correlation,payload,variable", [
    ("spiff/data/receive_correlations.bpmn", "correlation-test", {"prop_1": "a", "prop_2": "b"},
     {"msg_value_1": "a", "msg_value_2": "b"}, "response"),
    ("spiff/data/default_correlation_key.bpmn", "main", {"uid": 1}, {"uid": 1}, "a_var"),
    ("spiff/data/waiting_event.bpmn", "main", {"uid": 1}, {"uid": 1, "data": "asdf"}, "a_var"),
])
def test_spiff_process_variable_correlations(d: Driver, model: str, process: str, correlation: dict[str, Any],
                                             payload: dict[str, Any], variable: str) -> None:
    """spiff ReceiveCorrelationTest, DefaultCorrelationKeyTest, WaitingEventTest: the waiting catch holds the
    correlation its process variables give; a message with other values is not taken, one with them is."""
    d.deploy(model)
    case = d.start(process)
    for task in d.open_tasks(case):
        d.complete(case, task, {"value_1": "a", "value_2": "b"})
    name = "message" if "receive" in model else "B"
    wrong = {k: "other" for k in correlation}
    with pytest.raises(Exception, match="no case waits"):
        d.send(name, wrong, payload)
    assert d.send(name, correlation, payload)["delivered"] == [case]
    assert d.status(case) == "completed" and d.result(case)[variable] == payload


def test_camunda_message_interrupts_and_resets(d: Driver) -> None:
    """ExternalMessageBoundaryTest: 'Interrupt' (non-interrupting) then 'reset' (interrupting) from outside."""
    d.deploy("camunda/data/external_message.bpmn")
    case = d.start("Process_1iggtmi")
    assert len(d.open_tasks(case)) == 1
    d.send("Interrupt", data={"interrupt_var": "SomethingImportant"})
    tasks = dict(d.open_task_data(case, "Activity_0sywrc6") + d.open_task_data(case, "Activity_147sm5j"))
    assert len(tasks) == 2
    [pause] = [seen for seen in tasks.values() if seen.get("caughtinterrupt")]
    assert pause["interrupt_var"] == "SomethingImportant"
    [meaningless] = [seen for seen in tasks.values() if not seen.get("caughtinterrupt")]
    assert meaningless["caughtinterrupt"] is False
    d.complete(case, "Activity_0sywrc6")
    d.send("reset", data={"reset_var": "SomethingDrastic"})
    assert "Event_19detfv" in d.path(case)["completed"]
    assert d.data(case)["reset_var"] == "SomethingDrastic" and d.data(case)["caughtinterrupt"] is False


def test_camunda_non_interrupting_message_boundary(d: Driver) -> None:
    """NIMessageBoundaryTest: the boss's 'Youre late!' reaches the worker's sub-process boundary."""
    d.deploy("camunda/data/noninterrupting-MessageBoundary.bpmn")
    worker = d.start("Process_1k0py56")
    boss = d.start("Process_1kjyavs")
    for _ in range(3):
        answer(d, [boss, worker], {"Activity_WorkLate": ("flag_task", "No"), "Activity_DoWork": ("work_done", "No")})
    for _ in range(3):
        answer(d, [boss, worker], {"Activity_WorkLate": ("flag_task", "Yes"), "Activity_DoWork": ("work_done", "No"),
                                   "Activity_WorkLateReason": ("work_late_reason", "covid-19")})
    assert d.status(boss) == "completed" and d.open_tasks(worker) == ["Activity_DoWork"]
    d.complete(worker, "Activity_DoWork", {"work_done": "Yes"})
    assert d.open_tasks(worker) == ["Activity_WorkCompleted"]
    d.complete(worker, "Activity_WorkCompleted", {"work_completed": "Lots of Stuff"})
    assert d.status(worker) == "completed"
    assert d.result(worker) == {"Event_InterruptBoundary_Response": "Youre late!", "work_done": "Yes",
                                "work_completed": "Lots of Stuff", "work_late_reason": "covid-19"}
    assert d.result(boss) == {"flag_task": "Yes"}  # one workflow in SpiffWorkflow, two cases here


def test_camunda_interrupting_message_boundary(d: Driver) -> None:
    """MessageBoundaryTest: answering 'Yes' sends the interrupt that ends the other pool's work."""
    d.deploy("camunda/data/MessageBoundary.bpmn")
    worker = d.start("Process_0srqcj1")
    boss = d.start("Process_1kjyavs")
    for reply in ("No", "No", "Yes"):
        for case in (boss, worker):
            for task in d.open_tasks(case):
                d.complete(case, task, {"interrupt_task": reply} if task == "Activity_Interrupt" else {})
        d.wait(worker, timedelta(seconds=0.02))
    assert d.status(boss) == "completed" and d.status(worker) == "completed"


def test_camunda_message_start_between_pools(d: Driver) -> None:
    """StartMessageTest: the request starts the approval case; its decision returns in resultVariable."""
    d.deploy("camunda/data/message_test.bpmn")
    case = d.start("Process_05r9nfx")
    steps = [("Activity_EnterPlan", {"plan_details": "Bad"}), ("Activity_ApproveOrDeny", {"approved": "No"}),
             ("Activity_EnterPlan", {"plan_details": "Better"}), ("Activity_ApproveOrDeny", {"approved": "No"}),
             ("Activity_EnterPlan", {"plan_details": "Best"}), ("Activity_ApproveOrDeny", {"approved": "Yes"}),
             ("Activity_EnablePlan", {"Done": "OK!"})]
    for name, data in steps:
        cases = [case, *d.cases_of("ThrowCatch")]
        [owner] = [c for c in cases if name in d.open_tasks(c)]
        d.complete(owner, name, data)
    assert d.status(case) == "completed"
    assert d.result(case) == {"plan_details": "Best", "ApprovalResult": "Yes", "Done": "OK!"}


def test_camunda_call_activity_exchanging_messages(d: Driver) -> None:
    """CallActivityMessageTest: a called process's messages reach the other pool and come back."""
    d.deploy("camunda/data/call_activity_with_message.bpmn", "camunda/data/call_activity_with_message_parent.bpmn")
    case = d.start("Process_0vpmpb9")
    steps = [("Activity_EnterPlan", {"plan_details": "Bad"}), ("Activity_ApproveOrDeny", {"approved": "No"}),
             ("Activity_EnterPlan", {"plan_details": "Better"}), ("Activity_ApproveOrDeny", {"approved": "No"}),
             ("Activity_EnterPlan", {"plan_details": "Best"}), ("Activity_ApproveOrDeny", {"approved": "Yes"}),
             ("Activity_EnablePlan", {"Done": "OK!"})]
    for name, data in steps:
        cases = [case, *d.cases_of("Process_0xeaemr")]
        [owner] = [c for c in cases if name in d.open_tasks(c)]
        d.complete(owner, name, data)
    assert d.status(case) == "completed"
    assert d.result(case) == {"plan_details": "Best", "Approved": "Yes", "Done": "OK!"}


# ---------------------------------------------------------------------------------------------- sub-processes and calls


def test_call_activity_across_files(d: Driver) -> None:
    """CallActivityTest.test_data_persists_through_call_activity: the called process lives in another file."""
    d.deploy("bpmn/data/call_activity_call_activity.bpmn", "bpmn/data/call_activity_end_event.bpmn")
    case = d.start("Process_8200379")
    assert d.status(case) == "completed"
    assert d.result(case) == {"pre_var": "some string", "my_var": "World", "my_other_var": "Mike"}
    assert "Sub_Bpmn_Task" in d.path(case)["completed"]


def test_call_activity_io_specification(d: Driver) -> None:
    """CallActivityDataTest.testCallActivityWithIOSpec: only the data inputs go in, only the outputs come back."""
    d.deploy("bpmn/data/io_spec.bpmn", "bpmn/data/io_spec_parent.bpmn")
    case = d.start("parent")
    assert d.status(case) == "completed"
    result = d.result(case)
    assert (result["in_1"], result["in_2"], result["unused"]) == (1, "hello world", True)  # unchanged
    assert (result["out_1"], result["out_2"]) == (2, "HELLO WORLD")


def test_custom_functions_reach_called_processes(d: Driver) -> None:
    """CustomInlineScriptTest: a helper the engine provides works in a sub-process and a called process."""
    d.deploy("bpmn/data/custom_function_test_call_activity.bpmn", "bpmn/data/custom_function_test.bpmn")
    case = d.start("top_workflow")
    assert d.status(case) == "completed"
    assert (d.result(case)["c1"], d.result(case)["c2"], d.result(case)["c3"]) == ("HELLO", "GOODBYE", "ARRIVEDERCI")


def test_pre_and_post_scripts(d: Driver) -> None:
    """PrescriptPostsciptTest.testTask / testCallActivity."""
    d.deploy("spiff/data/prescript_postscript.bpmn")
    case = d.start("Process_1", {"a": 1, "b": 2})
    [task] = d.open_tasks(case)
    d.complete(case, task)
    assert d.result(case) == {"a": 1, "b": 2, "c": 12, "z": 6}
    d.deploy("spiff/data/prescript_postscript_call_activity.bpmn", "spiff/data/prescript_postscript_parent.bpmn")
    case = d.start("parent", {"old": "hello"})
    assert d.status(case) == "completed"
    assert d.result(case)["old"] == "hello" and d.result(case)["new"] == "HELLO"


def test_camunda_nested_subprocess(d: Driver) -> None:
    """camunda SubWorkflowTest."""
    d.deploy("camunda/data/subWorkflowComplex.bpmn")
    case = d.start("SubWorkflow")
    for answer_ in ("A", "A1", "A2", "B"):
        assert f"Activity_{answer_}" in d.open_tasks(case)
        d.complete(case, f"Activity_{answer_}", {f"Field{answer_}": answer_})
    assert d.status(case) == "completed"
    assert d.result(case) == {"FieldA": "A", "FieldA1": "A1", "FieldA2": "A2", "FieldB": "B"}


def test_lanes_assign_the_groups(d: Driver) -> None:
    """SwimLaneTest: each task is offered to the group of its lane."""
    d.deploy("bpmn/data/lanes.bpmn")
    case = d.start("lanes")
    [task] = d.case(case)["open_tasks"]
    assert (task["name"], task["candidate_groups"]) == ("Activity_A1", ["A"])
    d.complete(case, "Activity_A1")
    [task] = d.case(case)["open_tasks"]
    assert (task["name"], task["candidate_groups"]) == ("Activity_B1", ["B"])


# ---------------------------------------------------------------------------------------------- multi-instance


def run_instances(d: Driver, case: int, name: str, item: str = "input_item", out: str = "output_item") -> None:
    """Complete each instance of ``name`` with ``out`` = twice its item, as SpiffWorkflow's tests do."""
    for _ in range(10):
        open_ = d.open_task_data(case, name)
        if not open_:
            return
        for task_id, seen in open_:
            d.complete_id(task_id, {out: seen[item] * 2})


@pytest.mark.parametrize("model", ["parallel", "sequential"])
@pytest.mark.parametrize("given,output", [([1, 2, 3], [2, 4, 6]), ({"a": 1, "b": 2, "c": 3}, {"a": 2, "b": 4, "c": 6})],
                         ids=["list", "dict"])
def test_multi_instance_over_a_collection(d: Driver, model: str, given: Any, output: Any) -> None:
    """ParallelMultiInstanceNewOutputTest / SequentialMultiInstanceNewOutputTest .testList / .testDict."""
    d.deploy(f"bpmn/data/{model}_multiinstance_loop_input.bpmn")
    case = d.start("main", {"input_data": given})
    if model == "parallel":
        assert len(d.open_tasks(case)) == 3
    run_instances(d, case, "any_task")
    assert d.status(case) == "completed" and d.result(case) == {"input_data": given, "output_data": output}


def test_multi_instance_over_an_empty_collection(d: Driver) -> None:
    """ParallelMultiInstanceNewOutputTest.testEmptyCollection."""
    d.deploy("bpmn/data/parallel_multiinstance_loop_input.bpmn")
    case = d.start("main", {"input_data": []})
    assert d.status(case) == "completed" and d.result(case) == {"input_data": [], "output_data": []}


@pytest.mark.parametrize("model,expected", [
    ("spiff/data/spiff_multiinstance.bpmn", {"input_data": [2, 3, 4], "output_data": [3, 5, 7]}),
    ("spiff/data/script_on_mi.bpmn", {"input_data": [1, 2, 3], "output_data": [3, 5, 7]}),
])
def test_multi_instance_with_scripts(d: Driver, model: str, expected: dict[str, Any]) -> None:
    """spiff MultiInstanceTaskTest: pre/post scripts on the task, or on each instance."""
    d.deploy(model)
    case = d.start("Process_1", {"input_data": [1, 2, 3]})
    run_instances(d, case, "any_task")
    assert d.status(case) == "completed" and d.result(case) == expected


@pytest.mark.parametrize("model,item,expected", [
    ("camunda/data/parallel_multiinstance_cardinality.bpmn", "output_item",
     {"input_data": [1, 2, 3], "output_data": [2, 4, 6]}),
    ("camunda/data/parallel_multiinstance_collection.bpmn", "input_item", {"input_data": [2, 4, 6]}),
])
def test_camunda_multi_instance(d: Driver, model: str, item: str, expected: dict[str, Any]) -> None:
    """camunda ParseMultiInstanceTest.testCollectionInCardinality / testCollection."""
    d.deploy(model)
    case = d.start("main", {"input_data": [1, 2, 3]})
    assert len(d.open_tasks(case)) == 3
    run_instances(d, case, "any_task", item, item)
    assert d.status(case) == "completed" and d.result(case) == expected


# ---------------------------------------------------------------------------------------------- decisions


def test_decision_before_a_gateway(d: Driver) -> None:
    """camunda BusinessRuleTaskParserTest.testDmnHappy."""
    d.deploy("camunda/data/ExclusiveGatewayIfElseAndDecision.bpmn", dmn=("camunda/data/dmn/test_integer_decision.dmn",))
    case = d.start("Process_1", {"x": 3})
    assert d.status(case) == "completed" and d.result(case) == {"x": 3, "y": "A"}


def test_decision_in_a_multi_instance(d: Driver) -> None:
    """camunda MultiInstanceDMNTest.testDmnHappy."""
    d.deploy("camunda/data/DMNMultiInstance.bpmn", dmn=("camunda/data/dmn/test_integer_decision_multi.dmn",))
    case = d.start("Process_1")
    assert d.status(case) == "completed" and d.result(case)["stuff"]["E"]["y"] == "D"


def test_spiff_business_rule_task(d: Driver) -> None:
    """spiff BusinessRuleTaskTest."""
    d.deploy("spiff/data/business_rule_task.bpmn", dmn=("spiff/data/dmn/business_rules.dmn",))
    case = d.start("Process_bd2e724")
    assert d.status(case) == "completed"


# ---------------------------------------------------------------------------------------------- payloads and starts


@pytest.mark.parametrize("model,data,expected", [
    ("spiff/data/signal_event_payload.bpmn", {"v1": 1, "v2": 2, "v3": 3},
     {"v1": 1, "v2": 2, "v3": 3, "result": {"r1": 1, "r2": 2}}),
    ("spiff/data/error_event_payload.bpmn", {"error": True, "payload": "ERROR!"}, {"result": "ERROR!"}),
    ("spiff/data/escalation_event_payload.bpmn", {"escalation": True, "payload": "ERROR!"}, {"result": "ERROR!"}),
], ids=["signal", "error", "escalation"])
def test_event_payloads(d: Driver, model: str, data: dict[str, Any], expected: dict[str, Any]) -> None:
    """spiff EventPayloadTest: a payload expression on the throw, a variable on the catch."""
    d.deploy(model)
    case = d.start("event_test")
    d.complete(case, "set_data", data)
    assert d.status(case) == "completed"
    result = d.result(case)
    assert {k: result.get(k) for k in expected} == expected


def test_message_start_events(d: Driver) -> None:
    """MultipleStartEventTest / ParallelStartEventTest / StartEventSplitTest: messages start cases. (Other models
    of this module also start with 'message_1': only the 'main' cases are looked at.)"""

    def started_main(sent: dict[str, list[int]]) -> int:
        [case] = [c for c in sent["started"] if c in d.cases_of("main")]
        return case

    d.deploy("bpmn/data/multiple-start.bpmn")
    case = started_main(d.send("message_1"))
    assert d.open_tasks(case) == ["any_task"]
    d.deploy("bpmn/data/multiple-start-parallel.bpmn")
    case = started_main(d.send("message_1"))
    assert d.open_tasks(case) == [] and "StartEvent_1" in d.path(case)["current"]  # waits for message_2
    mains = d.cases_of("main")
    assert case in d.send("message_2")["delivered"] and d.cases_of("main") == mains  # no second case
    assert d.open_tasks(case) == ["any_task"]
    d.deploy("bpmn/data/start_event_split.bpmn")
    case = started_main(d.send("message_1"))
    assert "start_1" in d.path(case)["completed"] and "start_2" not in d.path(case)["completed"]
    d.complete(case, "any_task")
    assert d.status(case) == "completed"


def test_timer_boundary_on_a_subprocess(d: Driver) -> None:
    """TimerDurationTest (boundary.bpmn): the timer interrupts the sub-process."""
    d.deploy("bpmn/data/boundary.bpmn")
    case = d.start("boundary_event")
    [task] = d.open_tasks(case)
    d.complete(case, task)
    d.wait(case, timedelta(seconds=0.05))
    assert "Subworkflow" not in d.path(case)["completed"]
    for _ in range(5):
        tasks = d.open_tasks(case)
        if not tasks:
            break
        d.complete(case, tasks[0])
    assert d.status(case) == "completed"


def test_script_reading_its_locals(d: Driver) -> None:
    """ScriptUnitTestExtensionsTest's model runs: a script may ask locals() which variables it has ('hey' was set
    by the script before it, so it becomes True)."""
    d.deploy("spiff/data/script_task_with_unit_tests.bpmn")
    case = d.start("Process_ScriptTaskWithUnitTests")
    assert d.status(case) == "completed" and d.result(case) == {"hey": True}
