"""Writes of the research app: a researcher's saved queries (the store itself is written by the
sweep, cpms/research/sweep.py)."""

from django.db import transaction

from cpms.audit.record import record

from .models import SavedQuery

QUERY_SAVED = "research.query.saved"
QUERY_DELETED = "research.query.deleted"


@transaction.atomic
def do_save_research_query(*, acting_user, ern, name: str, parameters: dict) -> SavedQuery:
    saved = SavedQuery.objects.create(user=acting_user, ern=ern, name=name, parameters=parameters)
    record(acting_user, QUERY_SAVED, saved, {"name": name, "parameters": parameters, "ern": ern.code})
    return saved


@transaction.atomic
def do_delete_saved_query(*, acting_user, saved: SavedQuery) -> None:
    record(acting_user, QUERY_DELETED, saved, {"name": saved.name, "parameters": saved.parameters})
    saved.delete()
