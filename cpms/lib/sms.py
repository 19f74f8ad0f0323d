"""Sending SMS through a configurable backend: the outbox, or an HTTP gateway."""

import json
import logging
import urllib.request

from celery import shared_task
from django.conf import settings
from django.utils.module_loading import import_string

from .tasks import ReliableTask, run_on_commit

logger = logging.getLogger(__name__)


class SmsDeliveryError(Exception):
    pass


class HttpGatewaySmsBackend:
    """POSTs {"from", "to", "text"} as JSON to SMS_GATEWAY_URL with a bearer token.

    Most commercial gateways accept this shape or a thin adapter in front of them.
    """

    def __init__(self, url: str | None = None, token: str | None = None, timeout: float = 10):
        self.url = url or settings.SMS_GATEWAY_URL
        self.token = token if token is not None else settings.SMS_GATEWAY_TOKEN
        self.timeout = timeout

    def send(self, number: str, text: str) -> None:
        if not self.url.startswith(("https://", "http://")):
            raise SmsDeliveryError("SMS_GATEWAY_URL is not configured.")
        payload = json.dumps({"from": settings.SMS_SENDER, "to": number, "text": text}).encode()
        request = urllib.request.Request(  # noqa: S310 - the scheme is checked above
            self.url,
            data=payload,
            method="POST",
            headers={"Content-Type": "application/json", "Authorization": f"Bearer {self.token}"},
        )
        try:
            with _opener.open(request, timeout=self.timeout) as response:
                if response.status >= 300:
                    raise SmsDeliveryError(f"SMS gateway answered {response.status}")
        except OSError as error:
            raise SmsDeliveryError(str(error)) from error


class _RefuseRedirects(urllib.request.HTTPRedirectHandler):
    """A gateway that redirects gets an error, not our bearer token sent on to wherever it points."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


_opener = urllib.request.build_opener(_RefuseRedirects)


def get_backend():
    return import_string(settings.SMS_BACKEND)()


def send_sms(number: str, text: str) -> None:
    get_backend().send(number, text)


class SmsTask(ReliableTask):
    autoretry_for = (OSError, SmsDeliveryError)

    def on_failure(self, exc, task_id, args, kwargs, einfo):
        logger.error("An SMS could not be sent: %s", type(exc).__name__)


@shared_task(base=SmsTask, name="lib.deliver_sms")
def deliver_sms(number: str, text: str) -> None:
    send_sms(number, text)


def send_sms_on_commit(number: str, text: str, *, expires: float | None = None) -> None:
    """Text `number` once the transaction commits; `expires` (seconds): not after that, e.g. a code's life."""
    run_on_commit(deliver_sms, number, text, **({"expires": expires} if expires else {}))
