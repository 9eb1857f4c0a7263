"""Styrbord's training planner: a pure-Python engine (no Django) over HiGHS in a worker process.

Public API: the input/output dataclasses in ``model``, ``solve`` (the planner), ``greedy``
(the baseline), ``evaluate`` (the independent checker). See README.md.
"""
