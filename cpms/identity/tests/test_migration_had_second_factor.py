"""Migration 0004 remembers the second factors accounts already had."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

BEFORE = [("identity", "0003_user_factors_reset_at_alter_emaillink_purpose")]
AFTER = [("identity", "0004_user_had_second_factor")]


@pytest.mark.django_db(transaction=True)
def test_it_marks_the_accounts_that_have_a_factor_or_pressed_panic():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    apps = executor.loader.project_state(BEFORE).apps
    User = apps.get_model("identity", "User")
    users = {
        name: User.objects.create(username=name, email=f"{name}@example.org", password="!")
        for name in ("app", "phone", "unverified", "key", "panicked", "plain")
    }
    apps.get_model("identity", "TotpDevice").objects.create(
        user=users["app"], name="A", secret="S", confirmed=True
    )
    PhoneNumber = apps.get_model("identity", "PhoneNumber")
    PhoneNumber.objects.create(user=users["phone"], number="+33612345678", verified_at=timezone.now())
    PhoneNumber.objects.create(user=users["unverified"], number="+33612345679")
    apps.get_model("identity", "SecurityKey").objects.create(
        user=users["key"], name="K", credential_id=b"c", public_key=b"p"
    )
    User.objects.filter(pk=users["panicked"].pk).update(factors_reset_at=timezone.now())

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(AFTER)
    User = executor.loader.project_state(AFTER).apps.get_model("identity", "User")
    marked = set(User.objects.filter(had_second_factor=True).values_list("username", flat=True))
    assert marked == {"app", "phone", "key", "panicked"}
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
