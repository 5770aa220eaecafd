import unicodedata

from qms.text import fold, folded_equal, nfc


def test_unaccented_query_folds_equal_to_vietnamese():
    assert folded_equal("thu tuc dat dai", "thủ tục đất đai")
    assert fold("Thủ tục ĐẤT ĐAI") == "thu tuc dat dai"


def test_d_with_stroke_and_stacked_marks_fold():
    assert fold("đ") == "d"
    assert fold("ộ") == "o"
    assert fold("Đăng ký hộ tịch") == "dang ky ho tich"


def test_nfd_input_is_stored_as_nfc():
    decomposed = unicodedata.normalize("NFD", "Hộ tịch")
    assert decomposed != "Hộ tịch"
    assert nfc(decomposed) == "Hộ tịch"
    assert fold(decomposed) == "ho tich"


def test_different_words_do_not_fold_equal():
    assert not folded_equal("đất đai", "đầu tư")
