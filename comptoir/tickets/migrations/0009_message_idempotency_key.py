from django.db import migrations, models


class Migration(migrations.Migration):
    """An agent's message remembers its client's retry key (unique) and what was asked with it."""

    dependencies = [
        ("tickets", "0008_sla_alert_cycles"),
    ]

    operations = [
        migrations.AddField(
            model_name="message",
            name="idempotency_key",
            field=models.CharField(
                blank=True, max_length=255, null=True, unique=True, verbose_name="idempotency key"
            ),
        ),
        migrations.AddField(
            model_name="message",
            name="request_fingerprint",
            field=models.CharField(blank=True, max_length=64, verbose_name="request fingerprint"),
        ),
    ]
