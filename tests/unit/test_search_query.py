from tale_desktop.storage.search import MAX_WORDS, fold, fts_query


def test_words_become_quoted_prefixes():
    assert fts_query("dragon com") == '"dragon"* AND "com"*'


def test_fts_syntax_is_plain_words():
    assert fts_query('"comets" NEAR(dragon*, 2) -moon OR col:x ^y') == (
        '"comets"* AND "near"* AND "dragon"* AND "2"* AND "moon"* AND "or"* AND "col"* AND "x"* AND "y"*'
    )


def test_nothing_searchable_gives_none():
    assert fts_query('"*  - ( ) :') is None
    assert fts_query("") is None


def test_russian_is_lowercased_and_yo_folded():
    assert fts_query("Ёжик КОМЕТЫ") == '"ежик"* AND "кометы"*'
    assert fold("ёЁ") == "еЕ"


def test_word_count_is_bounded():
    assert fts_query(" ".join(f"w{i}" for i in range(100))).count("AND") == MAX_WORDS - 1
