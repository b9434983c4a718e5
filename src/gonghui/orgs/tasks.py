"""Background tasks of the union tree."""

from __future__ import annotations

import logging

from django_tasks import task

logger = logging.getLogger("gonghui.tasks")


@task()
def reconcile_rollups() -> int:
    """Nightly check of the roll-up counters; drift is repaired and audited, so dashboards stay right."""
    from gonghui.core.audit import log_action
    from gonghui.members import counters
    from gonghui.orgs.rollups import find_drift, repair

    member_drift = counters.find_drift()
    if member_drift:
        repaired = counters.repair(member_drift)
        log_action(actor="system", action="gonghui.rollup.repaired", data={"member_counter_orgs": repaired})
        logger.warning("Member counter drift repaired in %s orgs", repaired)
    drift = find_drift()
    if drift:
        repaired = repair(drift)
        log_action(actor="system", action="gonghui.rollup.repaired", data={"orgs": repaired})
        logger.warning("Roll-up drift repaired in %s orgs", repaired)
    return len(drift) + len(member_drift)
