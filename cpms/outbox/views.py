from django.core.paginator import Paginator
from django.shortcuts import render

from .models import OutboxMessage


def outbox(request):
    """Every e-mail and SMS of the embedded default, newest first. Only routed when EMBEDDED."""
    page = Paginator(OutboxMessage.objects.all(), 25).get_page(request.GET.get("page"))
    return render(request, "outbox/outbox.html", {"page": page})
