import unicodedata

import pytest

from qms.models import AdministrativeProcedure
from qms.text import fold, folded_equal, nfc
from tests import factories


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


def test_fold_cuts_to_max_length_without_a_trailing_space():
    assert fold("Sở Tư pháp", max_length=6) == "so tu"
    assert fold("Sở Tư pháp", max_length=100) == "so tu phap"
    assert len(fold("ß" * 300, max_length=255)) == 255


@pytest.mark.django_db
def test_names_that_fold_longer_still_fit_their_folded_columns():
    # Each of these letters folds to two or more: 255 of them would overflow a 255 column.
    agency_name = ("ß東™" * 85)[:255]
    agency = factories.agency(name=agency_name)
    agency.full_clean()
    agency.refresh_from_db()
    assert len(fold(agency_name)) > 255
    assert agency.name_folded == fold(agency_name)[:255].rstrip()

    tthc_name = "Thủ tục 東京 " + "ß" * 480
    tthc = AdministrativeProcedure(
        code="1.001193", name=tthc_name, field="Hộ tịch", level="commune", online_level="none"
    )
    tthc.full_clean()
    tthc.save()
    tthc.refresh_from_db()
    assert len(tthc.name_folded) == 500
    assert tthc.name_folded.startswith("thu tuc dongjing ssss")
