from django.conf import settings


def site(request):
    return {"EMBEDDED": settings.EMBEDDED}
