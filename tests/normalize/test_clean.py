from storyline.normalize.clean import clean_line, clean_text


def test_entities_tags_controls_and_spaces():
    assert clean_line("Tom &amp; Jerry <b>win</b>\x07  again\u200b ") == "Tom & Jerry win again"


def test_penn_treebank_tokens_are_undone():
    text = "The cap of $ 75m -LRB- # 50m -RRB- was `` lifted '' , officials said ."
    assert clean_line(text) == 'The cap of $75m (#50m) was "lifted", officials said.'


def test_clean_text_keeps_lines_drops_empty_ones():
    assert clean_text("First line.\r\n\r\n  Second   line. \n\n") == "First line.\nSecond line."


def test_wire_typesetting_codes_are_removed_real_entities_kept():
    assert clean_line("&UR; AT&AMP;T wins &QL; &HT;") == "AT&T wins"
    assert clean_line("&HT;") == ""


def test_editorial_notes_and_rules_are_dropped_text_in_parentheses_kept():
    body = (
        "&UR; (Distributed by New York Times Special Features) &QL;\n"
        "The vote (the first since 1990) was close.\n"
        "------------------ &QC;\n-0-\n"
        "(Reporting by Jane Doe; Editing by John Roe)\n"
        "Turnout was 61 %."
    )
    assert clean_text(body) == "The vote (the first since 1990) was close.\nTurnout was 61 %."
