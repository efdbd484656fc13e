"""The full-text indexes over the documents, by database.

SQLite: FTS5 tables reading their text from the document tables (external content), kept in step
by triggers, so any write to a document (ORM or bulk SQL) reaches the index in its transaction.
PostgreSQL: a stored tsvector column generated from the same normalised text (``simple``
configuration: the words are already folded and stemmed in Python, identically on both
databases), weighted subject A, messages B, notes C, with a GIN index.
"""

from django.db import migrations

SQLITE = [
    """CREATE VIRTUAL TABLE search_ticket_fts USING fts5(
        subject, body, internal,
        content='search_ticketdocument', content_rowid='ticket_id', tokenize='unicode61')""",
    """CREATE TRIGGER search_ticketdocument_ai AFTER INSERT ON search_ticketdocument BEGIN
        INSERT INTO search_ticket_fts(rowid, subject, body, internal)
        VALUES (new.ticket_id, new.subject, new.body, new.internal);
    END""",
    """CREATE TRIGGER search_ticketdocument_ad AFTER DELETE ON search_ticketdocument BEGIN
        INSERT INTO search_ticket_fts(search_ticket_fts, rowid, subject, body, internal)
        VALUES ('delete', old.ticket_id, old.subject, old.body, old.internal);
    END""",
    """CREATE TRIGGER search_ticketdocument_au AFTER UPDATE ON search_ticketdocument BEGIN
        INSERT INTO search_ticket_fts(search_ticket_fts, rowid, subject, body, internal)
        VALUES ('delete', old.ticket_id, old.subject, old.body, old.internal);
        INSERT INTO search_ticket_fts(rowid, subject, body, internal)
        VALUES (new.ticket_id, new.subject, new.body, new.internal);
    END""",
    """CREATE VIRTUAL TABLE search_customer_fts USING fts5(
        name, identities,
        content='search_customerdocument', content_rowid='customer_id', tokenize='unicode61')""",
    """CREATE TRIGGER search_customerdocument_ai AFTER INSERT ON search_customerdocument BEGIN
        INSERT INTO search_customer_fts(rowid, name, identities) VALUES (new.customer_id, new.name, new.identities);
    END""",
    """CREATE TRIGGER search_customerdocument_ad AFTER DELETE ON search_customerdocument BEGIN
        INSERT INTO search_customer_fts(search_customer_fts, rowid, name, identities)
        VALUES ('delete', old.customer_id, old.name, old.identities);
    END""",
    """CREATE TRIGGER search_customerdocument_au AFTER UPDATE ON search_customerdocument BEGIN
        INSERT INTO search_customer_fts(search_customer_fts, rowid, name, identities)
        VALUES ('delete', old.customer_id, old.name, old.identities);
        INSERT INTO search_customer_fts(rowid, name, identities) VALUES (new.customer_id, new.name, new.identities);
    END""",
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS search_ticketdocument_ai",
    "DROP TRIGGER IF EXISTS search_ticketdocument_ad",
    "DROP TRIGGER IF EXISTS search_ticketdocument_au",
    "DROP TABLE IF EXISTS search_ticket_fts",
    "DROP TRIGGER IF EXISTS search_customerdocument_ai",
    "DROP TRIGGER IF EXISTS search_customerdocument_ad",
    "DROP TRIGGER IF EXISTS search_customerdocument_au",
    "DROP TABLE IF EXISTS search_customer_fts",
]
POSTGRESQL = [
    """ALTER TABLE search_ticketdocument ADD COLUMN vector tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('simple'::regconfig, subject), 'A')
        || setweight(to_tsvector('simple'::regconfig, body), 'B')
        || setweight(to_tsvector('simple'::regconfig, internal), 'C')) STORED""",
    "CREATE INDEX search_ticketdocument_vector_idx ON search_ticketdocument USING gin (vector)",
    """ALTER TABLE search_customerdocument ADD COLUMN vector tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('simple'::regconfig, name), 'A')
        || setweight(to_tsvector('simple'::regconfig, identities), 'B')) STORED""",
    "CREATE INDEX search_customerdocument_vector_idx ON search_customerdocument USING gin (vector)",
]
POSTGRESQL_REVERSE = [
    "DROP INDEX IF EXISTS search_ticketdocument_vector_idx",
    "ALTER TABLE search_ticketdocument DROP COLUMN IF EXISTS vector",
    "DROP INDEX IF EXISTS search_customerdocument_vector_idx",
    "ALTER TABLE search_customerdocument DROP COLUMN IF EXISTS vector",
]


def _run(statements: dict):  # type: ignore[no-untyped-def]
    def run(apps, schema_editor):  # type: ignore[no-untyped-def]
        for sql in statements.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("search", "0001_documents")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE, "postgresql": POSTGRESQL}),
            _run({"sqlite": SQLITE_REVERSE, "postgresql": POSTGRESQL_REVERSE}),
        ),
    ]
