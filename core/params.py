"""Reading a row's id from a query string or a form: anything that is not a plausible id
(not digits, or too long for the database's integer) names no row, never an error page."""


def row_id(value: str | None) -> int:
    """The id, or 0 (which names no row)."""
    return int(value) if value and value.isdigit() and len(value) < 12 else 0
