"""Suggested experts and similar past panels, from the case's HPO terms (cpms/coding/similarity.py).

An expert's profile is (1) the observed HPO terms of the cases of the panels they contributed to, and
(2) the ORPHA diseases of the thematic areas they follow in the panel's ERN (cpms/panels/expertise.py).
The suggestion's score is the better of the two similarities, and it says why. Only HPO codes are read
from those cases, never who the patients are; the page shows names of experts and counts only.

Callers have already reached the panel through `get_panel_for_user` (its scope), so the case rows
are read `.unscoped()` by the panel's patient and by the ids of panels listed here.
Fixed queries whatever the number of experts: experts, their areas, their contributions, the terms.
"""

from collections import defaultdict
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cpms.coding.similarity import disease_profiles, score_diseases, similarities
from cpms.patients.models import CasePhenotype

from ..expertise import diseases_of
from ..models import Contribution, Membership, Panel, PanelStatus
from .experts import ExpertFilter, areas_of, experts, filter_experts

MAX_EXPERTS = 2000  # of one ERN, ranked in one pass
SUGGESTED = 8
PAST_PANELS = 500  # the most recent panels of the ERN compared with this one
SIMILAR = 5
PAST = (PanelStatus.OPEN, PanelStatus.CLOSED, PanelStatus.ARCHIVED)


@dataclass
class Suggestion:
    user: object
    score: float
    reasons: list[str]


@dataclass
class SimilarPanel:
    panel: Panel
    score: float
    shared: int


def observed_terms(patient_ids) -> dict[int, set[str]]:
    """patient id → the HPO codes observed in their case (excluded terms are left out); one query."""
    rows = CasePhenotype.objects.unscoped().filter(case__patient_id__in=list(patient_ids), excluded=False)
    found: dict[int, set[str]] = defaultdict(set)
    for patient_id, code in rows.values_list("case__patient_id", "concept__code"):
        found[patient_id].add(code)
    return found


def case_terms(panel: Panel) -> set[str]:
    return observed_terms([panel.patient_id]).get(panel.patient_id, set())


def contributed_terms(user_ids, panel: Panel) -> tuple[dict[int, set[str]], dict[int, int]]:
    """user id → the HPO terms of the cases of panels they contributed to (this one aside), and how
    many panels those are; two queries."""
    rows = (
        Contribution.objects.filter(author_id__in=list(user_ids))
        .exclude(panel=panel)
        .values_list("author_id", "panel_id", "panel__patient_id")
        .distinct()
    )
    patients_of: dict[int, set[int]] = defaultdict(set)
    panels_of: dict[int, set[int]] = defaultdict(set)
    for author_id, panel_id, patient_id in rows:
        patients_of[author_id].add(patient_id)
        panels_of[author_id].add(panel_id)
    terms = observed_terms({p for patients in patients_of.values() for p in patients})
    profiles = {
        user_id: set().union(*(terms.get(p, set()) for p in patients))
        for user_id, patients in patients_of.items()
    }
    return profiles, {user_id: len(panels) for user_id, panels in panels_of.items()}


def candidates(panel: Panel) -> list:
    """Experts of the panel's ERN who are not on it (in any state) yet."""
    on_panel = Membership.objects.filter(panel=panel).values("user_id")
    found = filter_experts(experts(), ExpertFilter(ern_id=panel.ern_id)).exclude(pk__in=on_panel)
    return list(found.order_by("pk")[:MAX_EXPERTS])


def best_area(user_areas, disease_scores, ern_code: str):
    """(score, area, ORPHA code) of the followed area whose disease is the closest to the case."""
    best = (0.0, None, "")
    for area in user_areas:
        for code in diseases_of(ern_code, area.code):
            if disease_scores.get(code, 0.0) > best[0]:
                best = (disease_scores[code], area, code)
    return best


def suggest_experts(panel: Panel, limit: int = SUGGESTED) -> list[Suggestion]:
    """The experts of the panel's ERN whose profiles are the most similar to the case, each explained."""
    terms = case_terms(panel)
    if not terms:
        return []
    users = candidates(panel)
    ids = [user.pk for user in users]
    areas = areas_of(ids, ern_id=panel.ern_id)
    profiles, panel_counts = contributed_terms(ids, panel)
    ern_code = panel.ern.code
    area_codes = {
        code for user_areas in areas.values() for a in user_areas for code in diseases_of(ern_code, a.code)
    }
    disease_scores = score_diseases(terms, area_codes)
    with_cases = [user_id for user_id in ids if profiles.get(user_id)]
    case_scores = dict(zip(with_cases, similarities(terms, [profiles[u] for u in with_cases]), strict=True))
    names = disease_profiles()
    found = []
    for user in users:
        reasons, score = [], case_scores.get(user.pk, 0.0)
        if score:
            shared = len(terms & profiles[user.pk])
            reasons.append(
                ngettext(
                    "shares %(shared)d of %(total)d phenotypes with %(panels)d panel they joined",
                    "shares %(shared)d of %(total)d phenotypes with %(panels)d panels they joined",
                    panel_counts[user.pk],
                )
                % {"shared": shared, "total": len(terms), "panels": panel_counts[user.pk]}
            )
        area_score, area, code = best_area(areas.get(user.pk, ()), disease_scores, ern_code)
        if area is not None:
            reasons.append(
                _("follows %(area)s: %(disease)s") % {"area": area.display_name, "disease": names[code].name}
            )
            score = max(score, area_score)
        if score > 0:
            found.append(Suggestion(user, score, reasons))
    found.sort(key=lambda s: (-s.score, s.user.pk))
    return found[:limit]


def similar_panels(panel: Panel, limit: int = SIMILAR) -> list[SimilarPanel]:
    """Past and current panels of the ERN whose cases are the most similar to this one (pseudonymised)."""
    terms = case_terms(panel)
    if not terms:
        return []
    others = list(
        Panel.objects.in_erns([panel.ern_id])
        .filter(status__in=PAST)
        .exclude(pk=panel.pk)
        .select_related("patient", "thematic_area")
        .order_by("-created_at", "-id")[:PAST_PANELS]
    )
    by_patient = observed_terms({other.patient_id for other in others})
    with_terms = [other for other in others if by_patient.get(other.patient_id)]
    scores = similarities(terms, [by_patient[other.patient_id] for other in with_terms])
    found = [
        SimilarPanel(other, score, len(terms & by_patient[other.patient_id]))
        for other, score in zip(with_terms, scores, strict=True)
        if score > 0
    ]
    found.sort(key=lambda s: (-s.score, -s.panel.pk))
    return found[:limit]
