"""Index the tickets and customers that existed before search (upgrades; a fresh database has
none, and later changes are indexed as they happen). ``comptoir search reindex`` does the same."""

from django.db import migrations


def index_existing(apps, schema_editor):  # type: ignore[no-untyped-def]
    from comptoir.search.services import search_reindex

    ticket, customer = apps.get_model("tickets", "Ticket"), apps.get_model("customers", "Customer")
    if ticket.objects.exists() or customer.objects.exists():
        search_reindex(apps=apps)


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0002_fulltext_indexes"),
    ]

    operations = [migrations.RunPython(index_existing, migrations.RunPython.noop)]
