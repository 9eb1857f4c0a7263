"""Background work of the planning app: solving a scenario (queue "planning").

The embedded default runs it in the demo's worker thread; production runs
``styrbord db_worker --queue-name planning`` on as many machines as needed (or the RQ backend),
so many municipalities can plan at once. The solver itself runs in a worker process.
"""

from __future__ import annotations

from django_tasks import task

from styrbord.planning import services


@task(queue_name="planning")
def run_plan_task(run_id: int) -> str:
    """Solve one PlanRun; safe to deliver twice (the second delivery finds it claimed)."""
    return services.execute_run(run_id).status
