"""The `cpms` OpenID Connect scope: a service signing a user in learns their active grants.

Registered with cpms.identity.oidc_claims from AccessConfig.ready(), so identity never imports access.
"""

from .queries.grants import effective_grants


def grants_claims(user) -> dict:
    """{"cpms_grants": [{"application", "organisation", "ern", "profile"}, …]}: the grants in force.

    Grants of every application: a service may need to know the user's access to others (ERN CP, CPMS).
    A Coordinator or Dispatcher grant is left out while its holder has no HP grant in the ERN.
    """
    grants = (
        effective_grants()
        .filter(user=user)
        .select_related("application", "organisation", "ern", "profile")
        .order_by("application__code", "ern__code", "organisation__code", "profile__position")
    )
    return {
        "cpms_grants": [
            {
                "application": grant.application.code,
                "organisation": grant.organisation.code,
                "ern": grant.ern.code,
                "profile": grant.profile.code,
            }
            for grant in grants
        ]
    }
