from django.db import OperationalError
from django.db.backends.base.base import BaseDatabaseWrapper


def test_healthz_names_each_dependency(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["checks"]["database"]["status"] == "ok"
    assert body["checks"]["task_queue"]["status"] == "ok"


def test_healthz_is_503_when_the_database_cannot_be_reached(client, db, monkeypatch):
    def unreachable(self, *args, **kwargs):
        raise OperationalError("connection refused")

    with monkeypatch.context() as patched:
        patched.setattr(BaseDatabaseWrapper, "cursor", unreachable)
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["database"] == {"status": "error", "error": "OperationalError"}


def test_x_real_ip_is_believed_only_behind_a_proxy(client, member_a, settings):
    from gonghui.core.models import AuditRecord

    client.post(
        "/login/", {"mode": "password", "mobile": member_a.mobile, "password": "x"}, HTTP_X_REAL_IP="6.6.6.6"
    )
    assert AuditRecord.objects.latest("id").ip == "127.0.0.1"
    settings.BEHIND_PROXY = True
    client.post(
        "/login/", {"mode": "password", "mobile": member_a.mobile, "password": "x"}, HTTP_X_REAL_IP="6.6.6.6"
    )
    assert AuditRecord.objects.latest("id").ip == "6.6.6.6"
