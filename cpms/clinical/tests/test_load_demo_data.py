import pyotp
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from cpms.access.models import AccessRequest, Grant
from cpms.clinical.management.commands.load_demo_data import DEMO_PASSWORD, DEMO_TOTP_SECRET
from cpms.identity.models import User

pytestmark = pytest.mark.django_db


@pytest.fixture
def reference_data():
    call_command("load_reference_data", verbosity=0)


def test_it_creates_the_demo_people_and_can_run_twice(reference_data, capsys):
    call_command("load_demo_data")
    call_command("load_demo_data")
    helena = User.objects.get(email="helena.weber@demo.cpms.eu")
    assert helena.check_password(DEMO_PASSWORD)
    assert helena.totp_devices.count() == 1
    assert sorted(Grant.objects.active().filter(user=helena).values_list("profile__code", flat=True)) == [
        "coordinator",
        "hp",
    ]
    assert User.objects.get(email="jonas.braun@demo.cpms.eu").phone_numbers.get().verified_at
    assert User.objects.get(email="anna.novak@demo.cpms.eu").is_superuser
    assert Grant.objects.get(user__email="sofia.rossi@demo.cpms.eu").expires_at is not None
    assert AccessRequest.objects.filter(status="pending", organisation__code="DE22").count() == 1
    assert "Demo sign-ins" in capsys.readouterr().out


def test_it_needs_the_reference_data(db):
    with pytest.raises(CommandError, match="load_reference_data"):
        call_command("load_demo_data")


def test_it_prints_the_current_demo_code(reference_data, capsys):
    call_command("load_demo_data")
    capsys.readouterr()
    call_command("demo_code", "helena.weber@demo.cpms.eu")
    assert pyotp.TOTP(DEMO_TOTP_SECRET).verify(capsys.readouterr().out.strip())
