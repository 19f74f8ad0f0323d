"""The `cpms` OpenID Connect scope: the grants a service learns about (cpms.access.oidc)."""

import pytest
from django.utils import timezone

from cpms.access.oidc import grants_claims
from cpms.access.tests.factories import make_coordinator, make_grant

pytestmark = pytest.mark.django_db


def test_it_lists_the_grants_in_force(alice, bob, rnd):
    make_coordinator(alice, rnd.hcp)
    make_grant(alice, rnd.guest, "researcher", revoked_at=timezone.now())
    make_grant(bob, rnd.hcp)
    assert grants_claims(alice) == {
        "cpms_grants": [
            {"application": "cpms", "organisation": "DE22", "ern": "ERN-RND", "profile": "coordinator"},
            {"application": "cpms", "organisation": "DE22", "ern": "ERN-RND", "profile": "hp"},
        ]
    }


def test_it_leaves_out_a_coordinator_grant_without_hp_in_the_ern(alice, rnd):
    make_coordinator(alice, rnd.hcp)
    alice.grants.filter(profile__code="hp").update(revoked_at=timezone.now())
    assert grants_claims(alice) == {"cpms_grants": []}
