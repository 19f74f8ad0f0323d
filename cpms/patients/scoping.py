"""Isolation that fails loudly: rows of patient data are read through a scope, never by accident.

`Patient.objects.filter(...)` raises `UnscopedQuery`. A page reads patients through
`Patient.objects.at_centres(access.…)` (see queries.py), a row's own related rows through the row
(`patient.consents.all()`: the patient was reached through a scope), and the rare code that must
see everything (the admin, management commands, migrations) says so with `.unscoped()`.
"""

from django.db import models


class UnscopedQuery(Exception):
    """A query of patient data that names no scope: a bug that would otherwise leak data."""


class ScopedManager(models.Manager):
    def get_queryset(self):
        # A related manager (patient.consents) has the instance it was reached from: that one was scoped.
        if getattr(self, "instance", None) is None:
            raise UnscopedQuery(
                f"{self.model.__name__} rows are read through a scope (see cpms/patients/scoping.py): "
                "a query function in queries.py, or .unscoped() where everything is meant."
            )
        return super().get_queryset()

    def unscoped(self) -> models.QuerySet:
        return super().get_queryset()


class PatientManager(ScopedManager):
    def at_centres(self, centre_ids) -> models.QuerySet:
        """The patients enrolled at these centres (organisation nodes of kind institution)."""
        return self.unscoped().filter(centre_id__in=list(centre_ids))
