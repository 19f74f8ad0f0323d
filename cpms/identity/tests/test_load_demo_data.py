import pyotp
import pytest
from django.core.management import call_command

from cpms.identity.management.commands.load_demo_data import DEMO_PASSWORD, DEMO_TOTP_SECRET
from cpms.identity.models import User

pytestmark = pytest.mark.django_db


def test_it_creates_the_demo_accounts_and_can_run_twice(capsys):
    call_command("load_demo_data")
    call_command("load_demo_data")
    helena = User.objects.get(email="helena.weber@demo.cpms.eu")
    assert helena.check_password(DEMO_PASSWORD)
    assert helena.totp_devices.count() == 1
    assert User.objects.get(email="marc.lefevre@demo.cpms.eu").phone_numbers.get().verified_at
    assert "Demo sign-ins" in capsys.readouterr().out


def test_it_prints_the_current_demo_code(capsys):
    call_command("load_demo_data")
    capsys.readouterr()
    call_command("demo_code", "helena.weber@demo.cpms.eu")
    assert pyotp.TOTP(DEMO_TOTP_SECRET).verify(capsys.readouterr().out.strip())
