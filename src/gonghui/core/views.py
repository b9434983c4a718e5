from __future__ import annotations

from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness and dependencies: 200 when the database answers, 503 when it does not.

    The task queue lives in the same database; its state reports how many tasks wait and whether a worker
    has finished one recently, which is what an operator needs to see a stalled worker.
    """
    checks: dict[str, dict[str, object]] = {}
    status = 200
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        checks["database"] = {"status": "ok", "vendor": connection.vendor}
    except Exception as exc:  # any failure to reach the database is the one thing this endpoint reports
        checks["database"] = {"status": "error", "error": exc.__class__.__name__}
        status = 503
    if status == 200:
        try:
            from django_tasks_db.models import DBTaskResult

            ready = DBTaskResult.objects.filter(status="READY").count()
            last = (
                DBTaskResult.objects.filter(finished_at__isnull=False)
                .order_by("-finished_at")
                .values_list("finished_at", flat=True)
                .first()
            )
            checks["task_queue"] = {
                "status": "ok",
                "backend": "database",
                "waiting": ready,
                "last_finished": last.isoformat() if last else None,
            }
        except Exception as exc:
            checks["task_queue"] = {"status": "error", "error": exc.__class__.__name__}
    else:
        checks["task_queue"] = {"status": "unknown"}
    from django.conf import settings

    if settings.REDIS_URL:
        try:
            from django.core.cache import cache

            cache.set("gonghui:healthz", "1", 5)
            checks["cache"] = {"status": "ok" if cache.get("gonghui:healthz") == "1" else "error"}
        except Exception as exc:
            checks["cache"] = {"status": "error", "error": exc.__class__.__name__}
    body = {
        "status": "ok" if status == 200 else "error",
        "time": timezone.now().isoformat(),
        "checks": checks,
    }
    return JsonResponse(body, status=status)
