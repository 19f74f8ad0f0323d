import json

import pytest
from django.urls import reverse

from cpms.audit.models import AuditEvent
from cpms.lib.middleware import CONTENT_SECURITY_POLICY
from cpms.panels.models import Membership
from cpms.test import sign_in

from ..models import Study
from .factories import make_stored_study

# Session, user, the gate (grants, profile, navigation), the study with its patient, the membership, the
# audit row, the series, the instances, the header's unread notifications.
QUERIES = 9


def url(study) -> str:
    return reverse("imaging:study-viewer", args=[study.pk])


def config_of(response) -> dict:
    text = response.content.decode()
    start = text.index('<script id="cpms-viewer-data" type="application/json">') + len(
        '<script id="cpms-viewer-data" type="application/json">'
    )
    return json.loads(text[start : text.index("</script>", start)])


def test_it_sends_an_anonymous_visitor_to_sign_in(client, world):
    response = client.get(url(world.study))
    assert response.status_code == 302
    assert "login" in response["Location"]


@pytest.mark.parametrize("who", ["other_centre", "guest", "researcher", "other_ern", "invited", "triager"])
def test_it_is_404_for_anyone_not_on_the_panel_or_at_the_centre(client, world, who):
    sign_in(client, getattr(world, who))
    assert client.get(url(world.study)).status_code == 404


@pytest.mark.parametrize("who", ["expert", "guest_member", "enrolling"])
def test_it_shows_the_study_to_members_and_the_centre(client, world, who):
    sign_in(client, getattr(world, who))
    response = client.get(url(world.study))
    assert response.status_code == 200
    config = config_of(response)
    assert config["workerUrl"] == "/static/build/viewer/worker.js"
    assert config["codecsUrl"] == "/static/build/viewer/codecs/"
    assert [len(s["instances"]) for s in config["series"]] == [8]
    first = world.study.series.get().instances.order_by("slice_position").first()
    assert config["series"][0]["instances"][0] == {
        "url": reverse("imaging:instance-file", args=[world.study.pk, first.pk]),
        "sop_uid": first.sop_uid,
    }


def test_it_preloads_the_bundle_its_chunks_and_the_first_slice(client, world, monkeypatch, tmp_path):
    chunks = tmp_path / "chunks.json"
    chunks.write_text(json.dumps({"viewer.js": ["chunks/chunk-ABC.js"]}))
    monkeypatch.setattr("cpms.imaging.views.viewer.finders.find", lambda path: str(chunks))
    sign_in(client, world.expert)
    text = client.get(url(world.study)).content.decode()
    first = world.study.series.get().instances.order_by("slice_position").first()
    assert '<link rel="modulepreload" href="/static/build/viewer/viewer.js">' in text
    assert '<link rel="modulepreload" href="/static/build/viewer/chunks/chunk-ABC.js">' in text
    slice_url = reverse("imaging:instance-file", args=[world.study.pk, first.pk])
    assert f'<link rel="preload" as="fetch" crossorigin="anonymous" href="{slice_url}">' in text


def test_it_shows_the_servers_drawing_of_the_first_slice_until_the_viewer_draws(client, world):
    sign_in(client, world.expert)
    response = client.get(url(world.study))
    text = response.content.decode()
    first = world.study.series.get().instances.order_by("slice_position").first()
    preview = reverse("imaging:instance-preview", args=[world.study.pk, first.pk])
    assert f'<link rel="preload" as="image" href="{preview}" fetchpriority="high">' in text
    assert text.count(f'<img class="cpms-viewport-preview" data-preview src="{preview}"') == 1
    # boot.js imports the viewer (no script tag of its own), from the address the page gives.
    assert response.context["config"]["viewerUrl"] == "/static/build/viewer/viewer.js"
    assert '<script type="module" src="/static/build/viewer/viewer.js">' not in text
    assert client.get(preview).status_code == 200


def test_it_preloads_no_chunk_when_the_bundle_is_not_built(client, world, monkeypatch):
    monkeypatch.setattr("cpms.imaging.views.viewer.finders.find", lambda path: None)
    sign_in(client, world.expert)
    response = client.get(url(world.study))
    assert response.status_code == 200
    assert "/static/build/viewer/chunks/" not in response.content.decode()


def test_its_stack_is_in_slice_order_whatever_the_instance_numbers(client, world):
    series = world.study.series.get()
    # Instance numbers running backwards along the stack: the scroll still follows the position.
    for instance in series.instances.all():
        instance.instance_number = 100 - instance.instance_number
        instance.save()
    sign_in(client, world.expert)
    uids = [i["sop_uid"] for i in config_of(client.get(url(world.study)))["series"][0]["instances"]]
    assert uids == list(series.instances.order_by("slice_position").values_list("sop_uid", flat=True))


def test_its_policy_adds_wasm_and_workers_on_this_page_only(client, world):
    sign_in(client, world.expert)
    policy = client.get(url(world.study))["Content-Security-Policy"]
    assert "script-src 'self' 'wasm-unsafe-eval'" in policy
    assert "worker-src 'self' blob:" in policy
    assert "img-src 'self' data: blob:" in policy
    assert "'unsafe-eval'" not in policy.replace("'wasm-unsafe-eval'", "")
    panel_page = client.get(reverse("imaging:panel-studies", args=[world.panel.pk]))
    assert panel_page["Content-Security-Policy"] == CONTENT_SECURITY_POLICY


def test_it_hides_a_study_not_yet_confirmed_from_the_panel(client, world):
    study = make_stored_study(world.patient, slices=3, panels=[world.panel], status=Study.Status.REVIEW)
    sign_in(client, world.expert)
    assert client.get(url(study)).status_code == 404
    sign_in(client, world.enrolling)
    assert client.get(url(study)).status_code == 200


def test_a_removed_member_loses_the_study(client, world):
    sign_in(client, world.expert)
    assert client.get(url(world.study)).status_code == 200
    Membership.objects.filter(panel=world.panel, user=world.expert).update(status=Membership.Status.REMOVED)
    assert client.get(url(world.study)).status_code == 404


def test_it_audits_the_study_opened_once(client, world):
    sign_in(client, world.expert)
    client.get(url(world.study))
    events = AuditEvent.objects.filter(action="imaging.study.viewed", actor_id=world.expert.pk)
    assert events.count() == 1
    assert events.get().data["pseudonym"] == world.patient.pseudonym


def test_its_queries_do_not_grow_with_the_slices(client, world, django_assert_num_queries):
    sign_in(client, world.expert)
    client.get(url(world.study))
    with django_assert_num_queries(QUERIES):
        assert client.get(url(world.study)).status_code == 200
    bigger = make_stored_study(world.patient, slices=80, series=2, panels=[world.panel], size=16)
    with django_assert_num_queries(QUERIES):
        assert client.get(url(bigger)).status_code == 200


def test_it_refuses_other_methods(client, world):
    sign_in(client, world.expert)
    assert client.post(url(world.study)).status_code == 405


def test_the_panel_lists_its_studies_and_links_the_viewer(client, world):
    sign_in(client, world.expert)
    response = client.get(reverse("imaging:panel-studies", args=[world.panel.pk]))
    assert response.status_code == 200
    assert url(world.study) in response.content.decode()
    tabs = client.get(reverse("panels:panel-detail", args=[world.panel.pk])).content.decode()
    assert reverse("imaging:panel-studies", args=[world.panel.pk]) in tabs


def test_the_panel_does_not_list_a_study_waiting_for_its_check(client, world):
    waiting = make_stored_study(world.patient, slices=2, panels=[world.panel], status=Study.Status.REVIEW)
    sign_in(client, world.expert)
    response = client.get(reverse("imaging:panel-studies", args=[world.panel.pk]))
    assert url(waiting) not in response.content.decode()


def test_the_panels_images_are_404_for_an_outsider(client, world):
    sign_in(client, world.other_centre)
    assert client.get(reverse("imaging:panel-studies", args=[world.panel.pk])).status_code == 404
