"""Row ids as the databases store them: one bound for every id typed in a path, query or form."""

# Largest id a database row can have (64-bit signed keys on SQLite and PostgreSQL). An id past it
# names no row, and handing it to a query overflows the database driver (a 500, issue 8 item 8).
ID_MAX = 2**63 - 1


def is_row_id(value: int) -> bool:
    """Whether ``value`` could be a row's id: worth a lookup, rather than a plain "not found"."""
    return 0 < value <= ID_MAX


def parse_row_id(text: str | None) -> int | None:
    """The row id typed in a form or query string, or None when it cannot be one.

    ASCII digits only: "²" passes ``isdigit`` yet ``int`` refuses it (a 500 before), and "٣"
    passes ``int`` though nobody types an id that way.
    """
    text = (text or "").strip()
    if not (text.isascii() and text.isdecimal()) or len(text) > len(str(ID_MAX)):
        return None
    value = int(text)
    return value if is_row_id(value) else None
