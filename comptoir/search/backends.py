"""The two full-text backends behind ``selectors.search`` (and ``articles``): same inputs, same answers.

Each returns ``(id, score)`` pairs, best first (higher score is better). Ranking is over the
``WINDOW`` (500) most recent matches that pass the visibility and filter conditions: a word found in
a third of a million tickets costs the same as a rare one, and recent tickets are what agents
look for among thousands of equal matches.
"""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.db.models import QuerySet
from django.db.models.expressions import RawSQL

from .text import ParsedQuery, fts5_expression, tsquery_expression

WINDOW = 500
CUSTOMER_CANDIDATES = 2000
PG_SLICES = (20_000, 200_000, None)
# FTS5 column weights (subject and reference, messages, internal notes); PostgreSQL: A, B, C.
SQLITE_WEIGHTS = "6.0, 1.0, 1.0"


def _condition(restrict: QuerySet | None, column: str) -> tuple[str, list]:
    """``AND EXISTS (...)`` for a ticket (or customer) query set, correlated on ``column``;
    nothing when the set is every row."""
    if restrict is None or not restrict.query.where:
        return "", []
    # ``column`` is one of this module's constants, never input.
    sql, params = restrict.filter(pk=RawSQL(column, ())).values("pk").query.sql_with_params()  # noqa: S611
    return f" AND EXISTS ({sql})", list(params)


def ticket_matches(
    parsed: ParsedQuery, *, restrict: QuerySet | None, within: list[int] | None, internal: bool, limit: int
) -> list[tuple[int, float]]:
    """Tickets matching every term; ``within``: only these ids (a customer's tickets)."""
    return ticket_matches_page(parsed, restrict=restrict, within=within, internal=internal, limit=limit)[0]


def ticket_matches_page(
    parsed: ParsedQuery,
    *,
    restrict: QuerySet | None,
    within: list[int] | None,
    internal: bool,
    limit: int,
    offset: int = 0,
) -> tuple[list[tuple[int, float]], int]:
    """One page of ``ticket_matches`` from ``offset`` in the ranked order, and how many tickets
    the ranked window holds (at most ``WINDOW``: the count never reads past it, so a word found
    in a million tickets costs a count of 500). 0 when the page starts past the last one."""
    if connection.vendor == "postgresql":
        return _ticket_matches_pg(
            parsed, restrict=restrict, within=within, internal=internal, limit=limit, offset=offset
        )
    columns = None if internal else ("subject", "body")
    cond, params = _condition(restrict, "search_ticket_fts.rowid")
    if within is not None:
        cond += f" AND search_ticket_fts.rowid IN ({', '.join(['%s'] * len(within)) or 'NULL'})"
        params += [int(i) for i in within]
    # Built from constants and the ORM's compiled condition; every value is a parameter.
    sql = (
        "SELECT id, score, COUNT(*) OVER () FROM ("  # noqa: S608
        f" SELECT rowid AS id, -bm25(search_ticket_fts, {SQLITE_WEIGHTS}) AS score FROM search_ticket_fts"
        f" WHERE search_ticket_fts MATCH %s{cond} ORDER BY rowid DESC LIMIT %s"
        ") ORDER BY score DESC, id DESC LIMIT %s OFFSET %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [fts5_expression(parsed, columns), *params, WINDOW, limit, max(offset, 0)])
        rows = cursor.fetchall()
        return [(int(r[0]), float(r[1])) for r in rows], int(rows[0][2]) if rows else 0


def _ticket_matches_pg(
    parsed: ParsedQuery,
    *,
    restrict: QuerySet | None,
    within: list[int] | None,
    internal: bool,
    limit: int,
    offset: int,
) -> tuple[list[tuple[int, float]], int]:
    cond, params = _condition(restrict, "d.ticket_id")
    if within is not None:
        cond += " AND d.ticket_id = ANY(%s)"
        params.append(list(within))
    query = tsquery_expression(parsed, "" if internal else "AB")
    # Constants and the ORM's compiled condition; every value is a parameter.
    sql = (
        "SELECT w.ticket_id, ts_rank(w.vector, to_tsquery('simple', %s)) AS score,"  # noqa: S608
        " COUNT(*) OVER () AS total FROM ("
        " SELECT d.ticket_id, d.vector{count} FROM search_ticketdocument d"
        f" WHERE d.vector @@ to_tsquery('simple', %s){cond} AND d.ticket_id > %s"
        " ORDER BY d.ticket_id DESC LIMIT %s"
        ") w ORDER BY score DESC, w.ticket_id DESC LIMIT %s OFFSET %s"
    )
    offset = max(offset, 0)
    with connection.cursor() as cursor:
        if within is None and not cond and any(len(term.parts) > 1 for term in parsed.terms):
            return _pg_phrase_slices(cursor, sql, query, limit, offset)
        cursor.execute(sql.replace("{count}", ""), [query, query, *params, 0, WINDOW, limit, offset])
        rows = cursor.fetchall()
        return [(int(r[0]), float(r[1])) for r in rows], int(rows[0][2]) if rows else 0


def _pg_phrase_slices(
    cursor: Any, sql: str, query: str, limit: int, offset: int
) -> tuple[list[tuple[int, float]], int]:
    """A phrase is checked on each row's word positions, which the GIN index does not hold: the
    planner read every row holding the words (230 ms for "plus d'électricité" at 1,000,000
    tickets). The most recent slices of ids first, widened while fewer than WINDOW match."""
    cursor.execute("SELECT COALESCE(MAX(ticket_id), 0) FROM search_ticketdocument")
    top = int(cursor.fetchone()[0])
    counted = sql.replace("SELECT w.ticket_id,", "SELECT w.n, w.ticket_id,", 1)
    counted = counted.replace("{count}", ", COUNT(*) OVER () AS n")
    rows: list = []
    for span in PG_SLICES:
        floor = max(top - span, 0) if span is not None else 0
        cursor.execute(counted, [query, query, floor, WINDOW, limit, offset])
        rows = cursor.fetchall()
        if (rows and int(rows[0][0]) >= WINDOW) or floor == 0:
            break
    return [(int(r[1]), float(r[2])) for r in rows], int(rows[0][3]) if rows else 0


def customer_matches(parsed: ParsedQuery, *, limit: int) -> list[tuple[int, float]]:
    """Customers (not merged away: their documents are removed) matching every term."""
    if connection.vendor == "postgresql":
        # Not "most recent first" as for tickets: ordered by id, the planner walked the primary
        # key through every customer when few or none matched (50 ms at 333,000). The GIN index
        # finds the matches, at most CUSTOMER_CANDIDATES of them, and those are ranked.
        sql = (
            "WITH m AS MATERIALIZED (SELECT d.customer_id, d.vector FROM search_customerdocument d"
            " WHERE d.vector @@ to_tsquery('simple', %s) LIMIT %s)"
            " SELECT customer_id, ts_rank(vector, to_tsquery('simple', %s)) AS score FROM m"
            " ORDER BY score DESC, customer_id DESC LIMIT %s"
        )
        query = tsquery_expression(parsed)
        args: list = [query, CUSTOMER_CANDIDATES, query, limit]
    else:
        sql = (
            "SELECT id, score FROM ("
            " SELECT rowid AS id, -bm25(search_customer_fts, 3.0, 1.0) AS score FROM search_customer_fts"
            " WHERE search_customer_fts MATCH %s ORDER BY rowid DESC LIMIT %s"
            ") ORDER BY score DESC, id DESC LIMIT %s"
        )
        args = [fts5_expression(parsed), WINDOW, limit]
    with connection.cursor() as cursor:
        cursor.execute(sql, args)
        return [(int(r[0]), float(r[1])) for r in cursor.fetchall()]


def article_matches(parsed: ParsedQuery, *, restrict: QuerySet, limit: int) -> list[tuple[int, float]]:
    """Articles matching every term among ``restrict`` (the articles the reader may read)."""
    if connection.vendor == "postgresql":
        cond, params = _condition(restrict, "d.article_id")
        query = tsquery_expression(parsed)
        # Constants and the ORM's compiled condition; every value is a parameter.
        sql = (
            "SELECT d.article_id, ts_rank(d.vector, to_tsquery('simple', %s)) AS score"  # noqa: S608
            f" FROM search_articledocument d WHERE d.vector @@ to_tsquery('simple', %s){cond}"
            " ORDER BY score DESC, d.article_id DESC LIMIT %s"
        )
        args: list = [query, query, *params, limit]
    else:
        cond, params = _condition(restrict, "search_article_fts.rowid")
        sql = (
            "SELECT rowid AS id, -bm25(search_article_fts, 4.0, 1.0) AS score FROM search_article_fts"  # noqa: S608
            f" WHERE search_article_fts MATCH %s{cond} ORDER BY score DESC, id DESC LIMIT %s"
        )
        args = [fts5_expression(parsed), *params, limit]
    with connection.cursor() as cursor:
        cursor.execute(sql, args)
        return [(int(r[0]), float(r[1])) for r in cursor.fetchall()]
