import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    """Alerts remember when their clock started: next response restarts with each customer message."""

    dependencies = [
        ("tickets", "0007_assignee_open_index"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="slaalert", name="sla_alert_once"),
        migrations.AddField(
            model_name="slaalert",
            name="started_at",
            field=models.DateTimeField(default=django.utils.timezone.now, verbose_name="clock started at"),
            preserve_default=False,
        ),
        migrations.AddConstraint(
            model_name="slaalert",
            constraint=models.UniqueConstraint(
                fields=("ticket", "target", "kind", "started_at"), name="sla_alert_once"
            ),
        ),
    ]
