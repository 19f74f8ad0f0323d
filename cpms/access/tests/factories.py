"""Small builders for access-desk tests, independent of the reference data files.

Shared by several test modules: add new helpers at the end, do not change existing ones.
"""

from types import SimpleNamespace

from django.utils import timezone

from cpms.access.models import (
    GUEST_CODE,
    GUEST_GRANT_LIFETIME,
    AccessProfile,
    AccessRequest,
    Application,
    Grant,
    OrganisationNode,
)

Kind = OrganisationNode.Kind

PROFILES = [
    # code, name, description, requires
    ("coordinator", "Coordinator", "Validates access requests and sees KPIs for the ERN.", "hp"),
    ("dispatcher", "Dispatcher", "Handles requests for assistance on behalf of the coordinator.", "hp"),
    ("hp", "HP", "Healthcare professional: enrols patients and takes part in panels.", None),
    ("researcher", "Researcher", "Queries anonymised data of consenting patients.", None),
]


def make_application(code: str = "cpms", name: str = "CPMS", **extra) -> Application:
    """The application with its four profiles (get or create: safe to call twice)."""
    application, _ = Application.objects.get_or_create(code=code, defaults={"name": name, **extra})
    by_code = {}
    for position, (profile_code, profile_name, description, _requires) in enumerate(PROFILES):
        by_code[profile_code], _ = AccessProfile.objects.get_or_create(
            application=application,
            code=profile_code,
            defaults={"name": profile_name, "description": description, "position": position},
        )
    for profile_code, _name, _description, requires in PROFILES:
        if requires and by_code[profile_code].requires_id is None:
            by_code[profile_code].requires = by_code[requires]
            by_code[profile_code].save(update_fields=["requires"])
    return application


def profile(application: Application, code: str) -> AccessProfile:
    return AccessProfile.objects.get(application=application, code=code)


def make_tree(
    application: Application | None = None,
    ern_code: str = "ERN-RND",
    ern_name: str = "Neurological Diseases",
    country: str = "Germany",
    country_code: str = "DE",
    institutions=(("DE22", "University Hospital and Faculty of Medicine Tubingen"),),
) -> SimpleNamespace:
    """ERN → country → institutions and "0000 Guest Access" (get or create).

    Returns a namespace: application, ern, country, guest, institutions (code → node),
    and the first institution as `hcp`.
    """
    application = application or make_application()
    ern, _ = OrganisationNode.objects.get_or_create(
        application=application, parent=None, code=ern_code, defaults={"kind": Kind.ERN, "name": ern_name}
    )
    if ern.ern_id is None:
        ern.ern = ern
        ern.save(update_fields=["ern"])
    country_node, _ = OrganisationNode.objects.get_or_create(
        application=application,
        parent=ern,
        code=country_code,
        defaults={"kind": Kind.COUNTRY, "name": country, "ern": ern},
    )

    def institution(code: str, name: str) -> OrganisationNode:
        node, _ = OrganisationNode.objects.get_or_create(
            application=application,
            parent=country_node,
            code=code,
            defaults={"kind": Kind.INSTITUTION, "name": name, "ern": ern},
        )
        return node

    nodes = {code: institution(code, name) for code, name in institutions}
    guest = institution(GUEST_CODE, "Guest Access")
    return SimpleNamespace(
        application=application,
        ern=ern,
        country=country_node,
        guest=guest,
        institutions=nodes,
        hcp=next(iter(nodes.values()), None),
    )


def make_request(
    requester, organisation: OrganisationNode, profile_code: str = "hp", **extra
) -> AccessRequest:
    return AccessRequest.objects.create(
        requester=requester,
        application=organisation.application,
        organisation=organisation,
        ern_id=organisation.ern_id,
        profile=profile(organisation.application, profile_code),
        **extra,
    )


def make_grant(user, organisation: OrganisationNode, profile_code: str = "hp", **extra) -> Grant:
    if organisation.is_guest and "expires_at" not in extra:
        extra["expires_at"] = timezone.now() + GUEST_GRANT_LIFETIME
    return Grant.objects.create(
        user=user,
        application=organisation.application,
        organisation=organisation,
        ern_id=organisation.ern_id,
        profile=profile(organisation.application, profile_code),
        **extra,
    )


def make_coordinator(user, organisation: OrganisationNode) -> Grant:
    """HP and Coordinator grants at `organisation` (Coordinator needs HP in the ERN)."""
    make_grant(user, organisation, "hp")
    return make_grant(user, organisation, "coordinator")


def make_administrator(username: str = "nadmin01", email: str = "admin@example.org"):
    from cpms.test import make_user

    return make_user(username, email, "Ada", "Admin", is_superuser=True, is_staff=True)


def make_institutions(country: OrganisationNode, count: int, prefix: str = "X") -> list[OrganisationNode]:
    """`count` institutions under a country node, in one bulk insert (X0001 - Hospital 1, …)."""
    nodes = [
        OrganisationNode(
            application_id=country.application_id,
            parent=country,
            ern_id=country.ern_id,
            kind=Kind.INSTITUTION,
            code=f"{prefix}{n:04d}",
            name=f"Hospital {n}",
        )
        for n in range(1, count + 1)
    ]
    return OrganisationNode.objects.bulk_create(nodes, batch_size=500)


def wizard_session(client, application=None, organisation=None, profiles=()) -> None:
    """Put the "Request access" wizard's state in a signed-in client's session."""
    state = {}
    if application is not None:
        state["application"] = application.pk
    if organisation is not None:
        state["organisation"] = organisation.pk
    if profiles:
        state["profiles"] = [p.pk for p in profiles]
    session = client.session
    session["access.wizard"] = state
    session.save()
