"""Chinese full-text search on PostgreSQL without extensions.

Chinese is written without spaces and most queries are two-character words (违建, 噪音, 占道),
which a trigram LIKE misses and PostgreSQL's parsers cannot split. We index every CJK character
and every pair of neighbouring characters (unigrams and bigrams) plus the Latin words and digit
runs, as plain tokens in a ``tsvector`` with the ``simple`` configuration, in a GIN-indexed
column. A query is tokenised the same way: its bigrams (or its single character) must all be
present, so "违法建设" matches texts containing 违法, 法建 and 建设 in any order.
"""

from __future__ import annotations

import re

from django.contrib.postgres.search import SearchQuery, SearchVector
from django.db.models import Value

_CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_RUN = re.compile(rf"[{_CJK}]+|[A-Za-z]+|[0-9]+")
_CJK_RUN = re.compile(rf"^[{_CJK}]+$")
_FULLWIDTH = str.maketrans({chr(c): chr(c - 0xFEE0) for c in range(0xFF01, 0xFF5F)} | {"\u3000": " "})


def normalise(text: str) -> str:
    """Full-width letters and digits to half-width, lower case."""
    return (text or "").translate(_FULLWIDTH).lower()


def tokens(text: str) -> list[str]:
    """Index tokens: CJK unigrams and bigrams, Latin words, digit runs."""
    result: list[str] = []
    for run in _RUN.findall(normalise(text)):
        if _CJK_RUN.match(run):
            result.extend(run)
            result.extend(run[i : i + 2] for i in range(len(run) - 1))
        else:
            result.append(run)
    return result


def query_tokens(text: str) -> list[str]:
    """Tokens a query requires: bigrams of CJK runs (a lone character stands for itself)."""
    result: list[str] = []
    for run in _RUN.findall(normalise(text)):
        if _CJK_RUN.match(run) and len(run) > 1:
            result.extend(run[i : i + 2] for i in range(len(run) - 1))
        else:
            result.append(run)
    return list(dict.fromkeys(result))


def document(*parts: str | None) -> str:
    """The space-separated token text to store for the given fields."""
    return " ".join(tokens(" ".join(p for p in parts if p)))


def search_vector(*parts: str | None) -> SearchVector:
    """An expression that sets a SearchVectorField from the given texts."""
    return SearchVector(Value(document(*parts)), config="simple")


def search_query(text: str) -> SearchQuery | None:
    """A query matching rows whose vector holds every token of ``text``; None for an empty query."""
    wanted = query_tokens(text)
    if not wanted:
        return None
    # Tokens are plain words or CJK characters, so quoting them is enough to make them literal.
    raw = " & ".join("'" + t.replace("'", "") + "'" for t in wanted)
    return SearchQuery(raw, config="simple", search_type="raw")
