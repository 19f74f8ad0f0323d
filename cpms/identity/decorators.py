from functools import wraps
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.urls import reverse

from .sessions import begin_signin, recently_verified


def require_recent_verification(view):
    """Changing a factor, the e-mail or the password needs a verification of the last 10 minutes."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not recently_verified(request):
            begin_signin(request, request.user.pk, next_url=request.get_full_path())
            return redirect(reverse("identity:signin-method") + "?" + urlencode({"reverify": 1}))
        return view(request, *args, **kwargs)

    return wrapper
