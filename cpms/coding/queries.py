"""Reads of the terminologies: a code's concept, whether a gene is known."""

from .models import Concept, Gene


def get_concept(system: str, code: str) -> Concept | None:
    """The concept with this code in this terminology, or None if the loaded release lacks it."""
    return Concept.objects.filter(system=system, code=code.strip()).first()


def gene_is_known(symbol: str) -> bool:
    return Gene.objects.filter(symbol=symbol.strip().upper()).exists()
