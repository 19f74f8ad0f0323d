from django.db import migrations, models
from django.db.models import Q


def remember_existing_second_factors(apps, schema_editor):
    """Accounts that have a second factor today, or pressed PANIC, had one."""
    User = apps.get_model("identity", "User")
    User.objects.filter(
        Q(totp_devices__confirmed=True)
        | Q(phone_numbers__verified_at__isnull=False)
        | Q(security_keys__isnull=False)
        | Q(factors_reset_at__isnull=False)
    ).update(had_second_factor=True)


class Migration(migrations.Migration):
    dependencies = [
        ("identity", "0003_user_factors_reset_at_alter_emaillink_purpose"),
    ]

    operations = [
        migrations.AddField(
            model_name="user",
            name="had_second_factor",
            field=models.BooleanField(default=False),
        ),
        migrations.RunPython(remember_existing_second_factors, migrations.RunPython.noop),
    ]
