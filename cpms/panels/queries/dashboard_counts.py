"""The CPMS dashboard's summary of My panels: how many of each list, in one hand-written query.

The lists themselves are querysets (`dashboards.py`); counting them through the ORM compiled eight
querysets into scalar subqueries on every dashboard, and that Python took longer than the database
did. Here the same filters are written once as SQL with bound parameters: each count is a scalar
subquery of at most COUNT_LIMIT + 1 rows, as `count_of` counts. Only fixed fragments of SQL are
joined (the `noqa: S608`s): every value, the user's id, centres and ERNs included, is a parameter.
A test holds the lists and their counts in step (test_dashboard_section.py: the counts equal the
totals of My panels, for every persona).
"""

from django.db import connection

from ..models import Contribution, Membership, PanelStatus

ACCEPTED, INVITED = Membership.Status.ACCEPTED, Membership.Status.INVITED
LEAD, MEMBER = Membership.Role.LEAD, Membership.Role.MEMBER


def among(column: str, values) -> tuple[str, list]:
    """`column IN (…)` of these values; a condition nothing meets when there are none."""
    values = list(values)
    if not values:
        return "1 = 0", []
    return f"{column} IN ({', '.join(['%s'] * len(values))})", values


def among_ids(column: str, subquery: str) -> str:
    """`column IN (subquery)`, read from the subquery's side on PostgreSQL (see `dashboards.AmongIds`)."""
    if connection.vendor == "postgresql":
        return f"{column} = ANY(ARRAY({subquery}))"
    return f"{column} IN ({subquery})"


def capped(select: str, limit: int) -> str:
    return f"(SELECT COUNT(*) FROM ({select} LIMIT {int(limit) + 1}) AS capped)"  # noqa: S608


def count_lists(user_id: int, centre_ids, ern_ids, limit: int) -> dict:
    """The counts of My panels' lists for this user (their HP centres, the ERNs they triage)."""
    centres, centre_params = among("p.centre_id", centre_ids)
    erns, ern_params = among("p.ern_id", ern_ids)
    active = (PanelStatus.OPEN, PanelStatus.CLOSED)
    places = "SELECT m.panel_id FROM panels_membership m WHERE m.user_id = %s AND m.status = %s"
    lists = [
        (
            "as_lead",
            "SELECT 1 FROM panels_panel p WHERE p.lead_id = %s AND p.status IN (%s, %s) AND EXISTS ("
            "SELECT 1 FROM panels_membership m WHERE m.panel_id = p.id AND m.user_id = %s"
            " AND m.status = %s AND m.role = %s)",
            [user_id, *active, user_id, ACCEPTED, LEAD],
        ),
        (
            "as_member",
            "SELECT 1 FROM panels_panel p WHERE p.status IN (%s, %s) AND "  # noqa: S608
            + among_ids("p.id", places + " AND m.role = %s"),
            [*active, user_id, ACCEPTED, MEMBER],
        ),
        (
            "requests",
            f"SELECT 1 FROM panels_panel p WHERE p.requester_id = %s AND {centres} AND p.status IN (%s, %s)",  # noqa: S608
            [user_id, *centre_params, PanelStatus.DRAFT, PanelStatus.SUBMITTED],
        ),
        (
            "invitations",
            "SELECT 1 FROM panels_membership m INNER JOIN panels_panel p ON p.id = m.panel_id"
            " WHERE m.user_id = %s AND m.status = %s AND p.status = %s",
            [user_id, INVITED, PanelStatus.OPEN],
        ),
        (
            "returned",
            f"SELECT 1 FROM panels_panel p WHERE p.requester_id = %s AND {centres} AND p.status = %s",  # noqa: S608
            [user_id, *centre_params, PanelStatus.RETURNED],
        ),
        (
            "information_requests",
            "SELECT 1 FROM panels_contribution c INNER JOIN panels_panel p ON p.id = c.panel_id"  # noqa: S608
            f" WHERE c.kind = %s AND p.requester_id = %s AND {centres} AND p.status = %s"
            " AND NOT EXISTS (SELECT 1 FROM panels_contribution a WHERE a.answers_id = c.id)",
            [Contribution.Kind.INFORMATION_REQUEST, user_id, *centre_params, PanelStatus.OPEN],
        ),
        (
            "to_sign",
            "SELECT 1 FROM panels_outcomeversion v INNER JOIN panels_panel p ON p.id = v.panel_id"  # noqa: S608
            f" WHERE {among_ids('v.panel_id', places)} AND p.status = %s"
            " AND v.signed_at IS NULL AND v.submitted_at IS NOT NULL AND v.author_id <> %s"
            " AND EXISTS (SELECT 1 FROM panels_contribution c"
            " WHERE c.panel_id = v.panel_id AND c.author_id = %s AND c.kind = %s)"
            " AND NOT EXISTS (SELECT 1 FROM panels_signoff s WHERE s.version_id = v.id AND s.user_id = %s)"
            " AND NOT EXISTS (SELECT 1 FROM panels_outcomeversion r"
            " WHERE r.panel_id = v.panel_id AND r.number > v.number AND r.submitted_at IS NOT NULL)",
            [user_id, ACCEPTED, PanelStatus.OPEN, user_id, user_id, Contribution.Kind.CONTRIBUTION, user_id],
        ),
        (
            "to_triage",
            f"SELECT 1 FROM panels_panel p WHERE {erns} AND p.status = %s",  # noqa: S608
            [*ern_params, PanelStatus.SUBMITTED],
        ),
    ]
    sql = "SELECT " + ", ".join(f"{capped(select, limit)} AS {name}" for name, select, _ in lists)
    # The choices' members as plain strings (str() of a TextChoices member is its value).
    params = [str(value) if isinstance(value, str) else value for _, _, values in lists for value in values]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    return dict(zip((name for name, _, _ in lists), row, strict=True))
