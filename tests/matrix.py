"""What the URL × persona permission matrices share.

The convention: every matrix module declares a module-level ``COVERED``, the frozenset of the
full names ("namespace:name", nested namespaces joined with ":") of the URLs it asks about, and
one of its tests checks that ``COVERED`` is exactly the set of names of the URLs its world really
requests (:func:`requested_names`), so the constant cannot drift from what is tested.
``tests/test_url_matrix.py`` then checks that the matrices together cover every URL of the
project (:func:`project_url_names`), so a URL added without an entry fails the suite.
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlsplit

from django.urls import URLPattern, URLResolver, get_resolver, resolve

# Django's admin site is left out: its pages are guarded by its own staff checks (``is_staff``
# and the admin's model permissions), tested on their own in pengjiang_enforcement's test_views.
EXCLUDED_NAMESPACES = frozenset({"admin"})


def _pattern_name(pattern: URLPattern) -> str:
    # An unnamed URL is named by its view's dotted path, as ``resolve()`` names it.
    return pattern.name or pattern.lookup_str


def project_url_names() -> frozenset[str]:
    """Every URL name of the project as "namespace:name", the admin site excepted."""
    names: set[str] = set()

    def walk(resolver: URLResolver, namespaces: tuple[str, ...]) -> None:
        for pattern in resolver.url_patterns:
            if isinstance(pattern, URLResolver):
                if pattern.namespace in EXCLUDED_NAMESPACES:
                    continue
                walk(pattern, namespaces + ((pattern.namespace,) if pattern.namespace else ()))
            else:
                names.add(":".join((*namespaces, _pattern_name(pattern))))

    walk(get_resolver(), ())
    return frozenset(names)


def requested_names(urls: Iterable[str]) -> frozenset[str]:
    """The full names of the URLs a matrix requests (query strings ignored)."""
    return frozenset(resolve(urlsplit(url).path).view_name for url in urls)
