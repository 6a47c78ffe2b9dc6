"""Chinese full-text search: unigrams and bigrams in a GIN-indexed tsvector."""

from __future__ import annotations

from pengjiang_enforcement.search import query_tokens, search_query, tokens


def test_tokens_are_cjk_unigrams_and_bigrams_plus_latin_words_and_digits():
    assert tokens("违建ＡＢ12") == ["违", "建", "违建", "ab", "12"]


def test_query_of_a_word_requires_its_bigrams():
    assert query_tokens("违法建设") == ["违法", "法建", "建设"]
    assert query_tokens("噪") == ["噪"]
    assert query_tokens("  ") == []
    assert search_query("") is None
