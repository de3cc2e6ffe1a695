"""What a Chinese office expects of any approval system, as engine commands audited like any other:
退回 (return a step to an earlier one, with a reason), 撤回 (recall a step one completed while what followed is
untouched), 催办 (urge), 抄送 (copy people in), and form drafts kept per user.

The BPMN file decides where returns are allowed with two step properties, ``returnTo`` and ``returnable``
(registered in :mod:`engine.approval.returns`); Python never names a step.
"""
