"""Instructions per command: bare SpiffWorkflow, ``start_case`` and ``complete_task``, counted by valgrind.

    .venv/bin/python bench/instructions.py [--cases N]

CPU time on a shared machine moves by up to 2x from minute to minute; the number of instructions a command runs
does not. This script runs ``bench/lifecycle.py``'s model under ``valgrind --tool=callgrind`` (Debian's
``valgrind`` package) and counts only inside three marked calls: N bare cases (a), N ``start_case`` and the
4 x N ``complete_task`` of those cases (c). It prints millions of instructions (Ir) per bare case, per start and
per completion, and ``complete/bare``, the completion's count over a whole bare case's. User-space instructions
only: the kernel's share (the database's writes) and memory stalls are not in it, so compare counts with counts,
before and after a change, never with milliseconds. It takes about a minute and a half.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent


def workload(n: int) -> None:
    """The counted part: each ``sys.call_tracing`` call is one measured section (callgrind collects inside it)."""
    sys.path.insert(0, str(HERE))
    import lifecycle as lc

    from engine.instances import start_case
    from engine.tasks import complete_task

    with tempfile.TemporaryDirectory(prefix="docket-bench-") as tmp:
        subject = lc.Docket(Path(tmp))
        subject.run(3)  # warm-up: spec cache, first connection, compiled statements
        bare = lc.Bare()
        bare.run(3)
        sys.call_tracing(bare.run, (n,))
        cases = sys.call_tracing(lambda: [start_case(subject.rt, lc.ACTORS[lc.STARTER], lc.PROCESS)
                                          for _ in range(n)], ())
        for _name, data, user in lc.STEPS:
            ids = [subject.next_task(case) for case in cases]

            def complete(ids: list[str] = ids, data: dict = data, user: str = user) -> list:
                return [complete_task(subject.rt, lc.ACTORS[user], task_id, dict(data)) for task_id in ids]

            cases = sys.call_tracing(complete, ())
        subject.close()


def totals(folder: Path) -> list[int]:
    """Instructions of each dumped section, in order."""
    parts = sorted(folder.glob("cg.*"), key=lambda p: int(p.name.rsplit(".", 1)[1]))
    found = []
    for part in parts:
        for line in part.read_text().splitlines():
            if line.startswith(("summary:", "totals:")):
                found.append(int(line.split()[1]))
                break
    return found


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cases", type=int, default=20, help="cases per section (default 20)")
    ap.add_argument("--inner", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.inner:
        workload(args.cases)
        return
    if shutil.which("valgrind") is None:
        sys.exit("valgrind is not installed (apt-get install valgrind)")
    with tempfile.TemporaryDirectory(prefix="docket-cg-") as tmp:
        out = Path(tmp) / "cg"
        subprocess.run(["valgrind", "--tool=callgrind", "--collect-atstart=no", "--toggle-collect=sys_call_tracing",
                        "--dump-after=sys_call_tracing", f"--callgrind-out-file={out}",
                        sys.executable, __file__, "--inner", "--cases", str(args.cases)],
                       check=True, capture_output=True, env={**os.environ, "PYTHONHASHSEED": "0"})
        found = totals(Path(tmp))
    if len(found) != 6:
        sys.exit(f"expected 6 measured sections, valgrind wrote {len(found)}")
    n = args.cases
    bare, start, complete = found[0] / n, found[1] / n, sum(found[2:]) / (4 * n)
    print(f"N={n}: Mi per bare case {bare / 1e6:.3f}, per start_case {start / 1e6:.3f}, "
          f"per complete_task {complete / 1e6:.3f}")
    print(f"start/bare = {start / bare:.3f}")
    print(f"complete/bare = {complete / bare:.3f}")


if __name__ == "__main__":
    main()
