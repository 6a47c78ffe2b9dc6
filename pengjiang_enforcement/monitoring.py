"""Error tracking with Sentry (or a compatible server), switched on only by ``SENTRY_DSN``.

Without a DSN nothing is imported or sent: the portal often runs on an intranet, and error mail
to ``ADMINS`` (see the LOGGING setting) works without any outside service.
"""

from __future__ import annotations


def init_sentry(*, dsn: str, environment: str, traces_sample_rate: float) -> None:
    """Report unhandled errors of requests and tasks, and ERROR log records, to Sentry.

    Case files hold identity numbers, addresses and statements. None of that leaves the portal:
    no user details or cookies (``send_default_pii``), no request bodies and no local variables
    of the failing frames, only the traceback, the URL and the request id.
    """
    import sentry_sdk
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration

    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        integrations=[DjangoIntegration(), CeleryIntegration()],
        send_default_pii=False,
        max_request_body_size="never",
        include_local_variables=False,
        traces_sample_rate=traces_sample_rate,
    )
