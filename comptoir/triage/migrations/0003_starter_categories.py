"""The starter model's categories exist right after ``migrate``: a fresh install triages at once.

The same rows as ``comptoir triage setup`` (one category per label of the shipped starter model,
except ``other``, which has none so that out-of-scope requests go to the triage queue), frozen
here. Idempotent: a slug that exists, possibly edited by an administrator, is left alone. No team:
unrouted categories go to the default team until a supervisor routes them.
"""

from django.db import migrations

# slug: (English name, French name), as in triage.services.STARTER_NAMES when written.
CATEGORIES = {
    "outage": ("Outage", "Panne"),
    "billing": ("Billing", "Facturation"),
    "payment_arrangement": ("Payment arrangement", "Entente de paiement"),
    "move": ("Move in / move out", "Déménagement"),
    "meter": ("Meter", "Compteur"),
    "account_access": ("Account access", "Accès au compte"),
    "incident": ("IT incident", "Incident informatique"),
    "service_request": ("Service request", "Demande de service"),
    "complaint": ("Complaint", "Plainte"),
}


def create_categories(apps, schema_editor):
    Category = apps.get_model("tickets", "Category")
    existing = set(Category.objects.filter(slug__in=CATEGORIES).values_list("slug", flat=True))
    Category.objects.bulk_create(
        Category(slug=slug, name_en=name_en, name_fr=name_fr)
        for slug, (name_en, name_fr) in CATEGORIES.items()
        if slug not in existing
    )


class Migration(migrations.Migration):
    dependencies = [
        ("triage", "0002_tier_choices"),
        ("tickets", "0006_due_order_alerts_levels"),
    ]

    operations = [
        migrations.RunPython(create_categories, migrations.RunPython.noop),
    ]
