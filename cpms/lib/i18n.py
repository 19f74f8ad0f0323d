from django.utils.functional import lazy


def _format(message, params: dict) -> str:
    return str(message) % params


_format_lazy = lazy(_format, str)


def lazy_format(message, **params):
    """`gettext_lazy("… %(name)s …")` with values, translated only when rendered.

    `gettext_lazy(...) % {...}` translates at once, in the current request's language; an
    e-mail must be in its recipient's language, chosen when it is rendered.
    """
    return _format_lazy(message, params)
