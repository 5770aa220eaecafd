"""A dossier's timeline and its clock explained in plain sentences (issue [7] item 7).

Dates worked by hand (office hours 07:30-11:30, 13:00-17:00; holidays of ``holidays.Vietnam``):
- The worked example: received Fri 24/01/2025 15:00, 3 days, due Wed 05/02/2025 15:00 across Tết
  (Mon 27/01 to Sat 01/02); resolved Tue 04/02 09:30: early, Fri 2 h + Mon 8 h + Tue 2 h = 12 h =
  1,5 days.
- Supplements: received Mon 03/03/2025 08:00, 3 days, requested Tue 04/03 10:00 (used Mon 7,5 h +
  Tue 2,5 h = 10 h = 1,25 days), complete Mon 10/03 14:00. Restart: due Thu 13/03 14:00. Pause:
  1,75 days left, due Wed 12/03 10:30.
"""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from indicators.models import ClockRule, Dossier, DossierImport
from indicators.models.dossiers import EventKind, Outcome, SupplementRule
from indicators.selectors_dossiers import clock_explanation, timeline
from indicators.services.dossiers import DossierRecord, upsert
from indicators.services.recompute import recompute_apply, recompute_preview
from qms.models import CalendarOverride, Role, TimeLimit, WorkingCalendarSettings
from qms.models.calendar import OverrideKind
from qms.workcal import get_calendar
from tests import factories

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def t(year, month, day, hour=0, minute=0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=TZ)


@pytest.fixture
def agency(db):
    return factories.agency(code="SOTP")


@pytest.fixture
def procedure(db):
    return factories.tthc(
        working_days=3,
        effective_from=dt.date(2024, 1, 1),
        legal_basis="Quyết định 1234/QĐ-UBND ngày 15/12/2023",
    )


def stored(agency, procedure, code="H1", *, line=2, dossier_import=None, actor=None, **fields):
    record = DossierRecord(
        line=line,
        agency_id=agency.pk,
        code=code,
        procedure_id=procedure.pk,
        channel="in_person",
        **fields,
    )
    result = upsert([record], calendar=get_calendar(), dossier_import=dossier_import, actor=actor)
    assert result.problems == []
    return Dossier.objects.get(code=code)


def version_sentence():
    return f"Hạn được tính theo lịch làm việc hiện hành (phiên bản {get_calendar().version})."


def test_worked_example_explained_with_tet_named(agency, procedure):
    dossier = stored(
        agency,
        procedure,
        received_at=t(2025, 1, 24, 15),
        resolved_at=t(2025, 2, 4, 9, 30),
        outcome=Outcome.ISSUED,
    )
    assert clock_explanation(dossier) == [
        "Thời hạn giải quyết áp dụng cho hồ sơ tiếp nhận ngày 24/01/2025: 3 ngày làm việc, "
        "áp dụng từ ngày 01/01/2024 (căn cứ: Quyết định 1234/QĐ-UBND ngày 15/12/2023).",
        "Tiếp nhận lúc 15:00 thứ Sáu 24/01/2025, trong giờ làm việc: thời hạn tính từ lúc "
        "tiếp nhận.",
        "Không tính các ngày nghỉ lễ: 27/01/2025 (29 Tết), 28/01/2025 (Giao thừa Tết Nguyên "
        "Đán), 29/01/2025 (Tết Nguyên Đán), 30/01/2025 (Mùng hai Tết Nguyên Đán), 31/01/2025 "
        "(Mùng ba Tết Nguyên Đán), 01/02/2025 (Mùng bốn Tết Nguyên Đán).",
        "Hạn giải quyết: 15:00 thứ Tư 05/02/2025.",
        "Trả kết quả lúc 09:30 thứ Ba 04/02/2025, trước ngày hạn 05/02/2025: trước hạn.",
        "Thời gian xử lý: 1,5 ngày làm việc.",
        version_sentence(),
    ]


def test_pending_and_overdue_now(agency, procedure):
    dossier = stored(agency, procedure, received_at=t(2025, 1, 24, 15))
    # Mon 03/02 09:30: Mon 09:30-11:30 2 h, 13:00-17:00 4 h, Tue 8 h, Wed 07:30-15:00 6 h = 20 h.
    assert clock_explanation(dossier, now=t(2025, 2, 3, 9, 30))[-2] == (
        "Chưa trả kết quả: tính đến 09:30 thứ Hai 03/02/2025 còn 2,5 ngày làm việc đến hạn."
    )
    assert clock_explanation(dossier, now=t(2025, 2, 5, 15, 1))[-2] == (
        "Chưa trả kết quả: tính đến 15:01 thứ Tư 05/02/2025 đã quá hạn."
    )


def test_supplement_restart_explained(agency, procedure):
    dossier = stored(
        agency,
        procedure,
        received_at=t(2025, 3, 3, 8),
        supplement_requested_at=t(2025, 3, 4, 10),
        resubmitted_at=t(2025, 3, 10, 14),
        resolved_at=t(2025, 3, 13, 15),
        outcome=Outcome.ISSUED,
    )
    # Due Thu 13/03 14:00; resolved 15:00 the same day: late. Ran Mon 10/03 14:00-17:00 3 h,
    # Tue 8, Wed 8, Thu 07:30-11:30 4 + 13:00-15:00 2 = 25 h = 3,125 days.
    assert clock_explanation(dossier) == [
        "Thời hạn giải quyết áp dụng cho hồ sơ tiếp nhận ngày 03/03/2025: 3 ngày làm việc, "
        "áp dụng từ ngày 01/01/2024 (căn cứ: Quyết định 1234/QĐ-UBND ngày 15/12/2023).",
        "Tiếp nhận lúc 08:00 thứ Hai 03/03/2025, trong giờ làm việc: thời hạn tính từ lúc "
        "tiếp nhận.",
        "Yêu cầu bổ sung hồ sơ lúc 10:00 thứ Ba 04/03/2025; nhận đủ hồ sơ lúc 14:00 thứ Hai "
        "10/03/2025.",
        "Theo quy tắc tính lại từ đầu, toàn bộ thời hạn 3 ngày làm việc được tính lại từ khi "
        "nhận đủ hồ sơ: từ 14:00 thứ Hai 10/03/2025.",
        "Hạn giải quyết: 14:00 thứ Năm 13/03/2025.",
        "Trả kết quả lúc 15:00 thứ Năm 13/03/2025, sau hạn 14:00 thứ Năm 13/03/2025: quá hạn.",
        "Thời gian xử lý: 3,125 ngày làm việc.",
        version_sentence(),
    ]


def test_supplement_pause_explained(agency, procedure):
    ClockRule.objects.create(procedure=procedure, supplement_rule=SupplementRule.PAUSE)
    dossier = stored(
        agency,
        procedure,
        received_at=t(2025, 3, 3, 8),
        supplement_requested_at=t(2025, 3, 4, 10),
        resubmitted_at=t(2025, 3, 10, 14),
    )
    sentences = clock_explanation(dossier, now=t(2025, 3, 11, 7, 30))
    assert sentences[2:6] == [
        "Yêu cầu bổ sung hồ sơ lúc 10:00 thứ Ba 04/03/2025; nhận đủ hồ sơ lúc 14:00 thứ Hai "
        "10/03/2025.",
        "Theo quy tắc tạm dừng và tính tiếp: đã dùng 1,25 ngày làm việc trước khi tạm dừng, "
        "còn lại 1,75 ngày làm việc, tính tiếp từ 14:00 thứ Hai 10/03/2025.",
        "Hạn giải quyết: 10:30 thứ Tư 12/03/2025.",
        # Tue 07:30: Tue 8 h + Wed 07:30-10:30 3 h = 11 h.
        "Chưa trả kết quả: tính đến 07:30 thứ Ba 11/03/2025 còn 1,375 ngày làm việc đến hạn.",
    ]


def test_waiting_for_the_supplement_explained(agency, procedure):
    ClockRule.objects.create(procedure=procedure, supplement_rule=SupplementRule.PAUSE)
    dossier = stored(
        agency,
        procedure,
        received_at=t(2025, 3, 3, 8),
        supplement_requested_at=t(2025, 3, 4, 10),
    )
    assert clock_explanation(dossier)[2:] == [
        "Yêu cầu bổ sung hồ sơ lúc 10:00 thứ Ba 04/03/2025; đang chờ nhận đủ hồ sơ: thời hạn "
        "dừng, chưa có hạn giải quyết (theo quy tắc tạm dừng và tính tiếp, đã dùng 1,25 ngày "
        "làm việc trước khi tạm dừng, còn lại 1,75 ngày làm việc tính tiếp khi nhận đủ hồ sơ).",
        version_sentence(),
    ]


def test_receipt_moved_to_the_next_working_period(agency, procedure):
    # Sunday: from Mon 10/03 07:30.
    sunday = stored(agency, procedure, "H-SUN", received_at=t(2025, 3, 9, 10))
    assert clock_explanation(sunday)[1] == (
        "Tiếp nhận lúc 10:00 Chủ nhật 09/03/2025, ngày nghỉ: thời hạn tính từ buổi làm việc "
        "tiếp theo, 07:30 thứ Hai 10/03/2025."
    )
    # Lunch break: from 13:00 the same day.
    lunch = stored(agency, procedure, "H-LUNCH", received_at=t(2025, 3, 5, 12, 15))
    assert clock_explanation(lunch)[1] == (
        "Tiếp nhận lúc 12:15 thứ Tư 05/03/2025, ngoài giờ làm việc: thời hạn tính từ buổi làm "
        "việc tiếp theo, 13:00 thứ Tư 05/03/2025."
    )
    # A public holiday, online: from the first working morning after Tết.
    tet = stored(agency, procedure, "H-TET", received_at=t(2025, 1, 29, 9))
    assert clock_explanation(tet)[1] == (
        "Tiếp nhận lúc 09:00 thứ Tư 29/01/2025, ngày nghỉ lễ (Tết Nguyên Đán): thời hạn tính "
        "từ buổi làm việc tiếp theo, 07:30 thứ Hai 03/02/2025."
    )
    # After the 15:00 cut-off: from the next working morning.
    settings = WorkingCalendarSettings.load()
    settings.receipt_cutoff = dt.time(15)
    settings.save()
    late = stored(agency, procedure, "H-CUT", received_at=t(2025, 3, 4, 15, 30))
    assert clock_explanation(late)[1] == (
        "Tiếp nhận lúc 15:30 thứ Ba 04/03/2025, sau giờ chốt tiếp nhận 15:00: thời hạn tính từ "
        "buổi làm việc tiếp theo, 07:30 thứ Tư 05/03/2025."
    )


def test_make_up_days_and_overrides_crossed(agency, procedure):
    # Tue 29/04/2025 13:00, 3 days: Tue 4 h; 30/04 and 01/05 holidays; Fri 02/05 swapped off
    # (override); Mon 05/05 8 h (12), Tue 06/05 8 h (20), Wed 07/05 07:30-11:30 (24)
    # -> Wed 07/05/2025 11:30.
    dossier = stored(agency, procedure, received_at=t(2025, 4, 29, 13))
    assert dossier.due_at == t(2025, 5, 7, 11, 30)
    sentences = clock_explanation(dossier)
    assert sentences[2:5] == [
        "Không tính các ngày nghỉ lễ: 30/04/2025 (Ngày Chiến thắng), 01/05/2025 (Ngày Quốc tế "
        "Lao động).",
        "Theo điều chỉnh lịch làm việc, thứ Sáu 02/05/2025 là ngày nghỉ, không tính (Hoán đổi "
        "ngày làm việc dịp 30/4-1/5/2025: nghỉ thứ Sáu 02/5, làm bù thứ Bảy 26/4; "
        "8726/VPCP-KGVX ngày 26/11/2024).",
        "Hạn giải quyết: 11:30 thứ Tư 07/05/2025.",
    ]


def test_make_up_saturday_crossed(agency):
    # Fri 25/04/2025 13:00, 1 day: Fri 13:00-17:00 4 h, the make-up Saturday 26/04 07:30-11:30
    # 4 h -> Sat 26/04/2025 11:30. The day is shipped as an override with its document, which
    # the explanation names; without the override row, holidays.Vietnam's make-up day remains.
    one_day = factories.tthc(working_days=1, effective_from=dt.date(2024, 1, 1))
    dossier = stored(agency, one_day, "H-SAT", received_at=t(2025, 4, 25, 13))
    assert dossier.due_at == t(2025, 4, 26, 11, 30)
    assert clock_explanation(dossier)[2:4] == [
        "Theo điều chỉnh lịch làm việc, thứ Bảy 26/04/2025 là ngày làm việc, có tính (Làm bù "
        "cho thứ Sáu 02/5/2025 (dịp 30/4-1/5/2025; TB 6150/TB-BLĐTBXH); 8726/VPCP-KGVX ngày "
        "26/11/2024).",
        "Hạn giải quyết: 11:30 thứ Bảy 26/04/2025.",
    ]
    CalendarOverride.objects.filter(date=dt.date(2025, 4, 26)).delete()
    dossier = stored(agency, one_day, "H-SAT2", received_at=t(2025, 4, 25, 13))
    assert dossier.due_at == t(2025, 4, 26, 11, 30)
    assert clock_explanation(dossier)[2:4] == [
        "Có tính ngày làm bù: thứ Bảy 26/04/2025.",
        "Hạn giải quyết: 11:30 thứ Bảy 26/04/2025.",
    ]


def test_extension_and_appointment_explained(agency, procedure):
    dossier = stored(
        agency,
        procedure,
        received_at=t(2025, 3, 3, 8),
        appointment_at=t(2025, 3, 7),
        extended_at=t(2025, 3, 5, 16),
        extended_due_at=t(2025, 3, 10, 17),
        resolved_at=t(2025, 3, 7, 10),
        outcome=Outcome.ISSUED,
    )
    assert clock_explanation(dossier)[2:-1] == [
        "Hạn giải quyết: 08:00 thứ Năm 06/03/2025.",
        "Đã gửi thư xin lỗi lúc 16:00 thứ Tư 05/03/2025, hẹn trả lại 17:00 thứ Hai 10/03/2025 "
        "(chỉ được gia hạn một lần); hồ sơ vẫn được đánh giá theo hạn ban đầu 08:00 thứ Năm "
        "06/03/2025.",
        "Trả kết quả lúc 10:00 thứ Sáu 07/03/2025, sau hạn 08:00 thứ Năm 06/03/2025: quá hạn.",
        "Thời gian xử lý: 4,25 ngày làm việc.",
        "Ngày hẹn trả ghi trong hệ thống một cửa (07/03/2025) khác hạn tính được (08:00 thứ "
        "Năm 06/03/2025).",
    ]


def test_refused_and_withdrawn_explained(agency, procedure):
    refused = stored(
        agency,
        procedure,
        "H-R",
        received_at=t(2025, 3, 3, 8),
        resolved_at=t(2025, 3, 6, 8),
        outcome=Outcome.REFUSED,
    )
    assert clock_explanation(refused)[3] == (
        "Từ chối giải quyết lúc 08:00 thứ Năm 06/03/2025 (tính là đã giải quyết), trong ngày "
        "hạn, không muộn hơn 08:00 thứ Năm 06/03/2025: đúng hạn."
    )
    withdrawn = stored(
        agency,
        procedure,
        "H-W",
        received_at=t(2025, 3, 3, 8),
        resolved_at=t(2025, 3, 4, 9),
        outcome=Outcome.WITHDRAWN,
    )
    assert clock_explanation(withdrawn)[3:-1] == [
        "Rút hồ sơ lúc 09:00 thứ Ba 04/03/2025: không xếp loại, không tính vào tỷ lệ đúng hạn."
    ]


def test_a_later_calendar_or_limit_asks_for_a_recomputation(agency, procedure):
    dossier = stored(agency, procedure, received_at=t(2025, 1, 24, 15))
    old = dossier.calendar_version
    CalendarOverride.objects.create(
        date=dt.date(2025, 2, 3),
        kind=OverrideKind.DAY_OFF,
        reason="Nghỉ bù (thử)",
        document_number="9/TB-UBND",
        document_date=dt.date(2025, 1, 20),
    )
    TimeLimit.objects.create(
        procedure=procedure, working_days=Decimal(2), effective_from=dt.date(2025, 1, 1)
    )
    new = get_calendar().version
    sentences = clock_explanation(dossier, now=t(2025, 1, 24, 16))
    assert sentences[0] == (
        "Thời hạn giải quyết áp dụng cho hồ sơ tiếp nhận ngày 24/01/2025: 2 ngày làm việc, "
        "áp dụng từ ngày 01/01/2025."
    )
    assert sentences[1] == (
        "Hạn đã lưu được tính với 3 ngày làm việc; cần yêu cầu tính lại hạn giải quyết để áp "
        "dụng thời hạn hiện ghi trong danh mục."
    )
    assert sentences[3:7] == [
        "Lịch làm việc đã thay đổi sau khi tính hạn; các ngày nghỉ, ngày làm bù và điều chỉnh "
        "dưới đây theo lịch hiện hành.",
        "Không tính các ngày nghỉ lễ: 27/01/2025 (29 Tết), 28/01/2025 (Giao thừa Tết Nguyên "
        "Đán), 29/01/2025 (Tết Nguyên Đán), 30/01/2025 (Mùng hai Tết Nguyên Đán), 31/01/2025 "
        "(Mùng ba Tết Nguyên Đán), 01/02/2025 (Mùng bốn Tết Nguyên Đán).",
        "Theo điều chỉnh lịch làm việc, thứ Hai 03/02/2025 là ngày nghỉ, không tính (Nghỉ bù "
        "(thử); 9/TB-UBND ngày 20/01/2025).",
        "Hạn giải quyết: 15:00 thứ Tư 05/02/2025.",
    ]
    # The stored due time (old calendar, 3 days) is what is shown; today's calendar with the
    # stored 3 days would give Thu 06/02 15:00.
    assert sentences[-2:] == [
        f"Hạn được tính theo lịch làm việc phiên bản {old}; lịch hiện hành là phiên bản {new}.",
        "Theo lịch hiện hành hạn sẽ là 15:00 thứ Năm 06/02/2025; cần yêu cầu tính lại hạn giải "
        "quyết để áp dụng.",
    ]


def test_timeline_in_order_with_what_changed_and_who(agency, procedure):
    officer = factories.member(agency, Role.OFFICER, first_name="An", last_name="Nguyễn Văn")
    dossier_import = DossierImport.objects.create(
        agency=agency, file="dossier-imports/x.csv", file_name="mot-cua-01-2025.csv"
    )
    stored(
        agency,
        procedure,
        received_at=t(2025, 1, 24, 15),
        dossier_import=dossier_import,
        actor=officer,
    )
    stored(
        agency,
        procedure,
        received_at=t(2025, 1, 24, 15),
        extended_at=t(2025, 2, 5, 14),
        extended_due_at=t(2025, 2, 7, 17),
        resolved_at=t(2025, 2, 6, 9),
        outcome=Outcome.ISSUED,
    )
    CalendarOverride.objects.create(
        date=dt.date(2025, 2, 3),
        kind=OverrideKind.DAY_OFF,
        reason="Nghỉ bù (thử)",
        document_number="9/TB-UBND",
        document_date=dt.date(2025, 1, 20),
    )
    recomputation = recompute_preview(
        actor=officer,
        agency=agency,
        period_start=dt.date(2025, 1, 1),
        period_end=dt.date(2025, 1, 31),
        reason="Nghỉ bù",
    )
    recompute_apply(actor=officer, recomputation=recomputation)
    dossier = Dossier.objects.get(code="H1")

    entries = timeline(dossier)
    assert [(e["kind"], e["label"], e["at_text"]) for e in entries[:4]] == [
        (EventKind.RECEIVED, "Tiếp nhận", "24/01/2025 15:00"),
        (EventKind.EXTENDED, "Gia hạn, có thư xin lỗi", "05/02/2025 14:00"),
        (EventKind.RESOLVED, "Trả kết quả", "06/02/2025 09:00"),
        (EventKind.CHANGED, "Cập nhật từ nguồn", "06/02/2025 09:00"),
    ]
    received, extended, resolved, changed, recomputed = entries
    assert received["by"] == (
        f"Lần nhập số {dossier_import.pk} (tệp “mot-cua-01-2025.csv”) · Nguyễn Văn An"
    )
    assert received["import_id"] == dossier_import.pk and received["actor_id"] == officer.pk
    assert extended["notes"] == ["Hẹn trả lại: 07/02/2025 17:00"]
    # Due Wed 05/02 15:00, resolved Thu 06/02 09:00: late when imported.
    assert resolved["notes"] == ["Đánh giá: Quá hạn"]
    assert {c["field"]: (c["before"], c["after"]) for c in changed["changes"]} == {
        "gửi thư xin lỗi lúc": ("—", "05/02/2025 14:00"),
        "hẹn trả lại": ("—", "07/02/2025 17:00"),
        "trả kết quả lúc": ("—", "06/02/2025 09:00"),
        "kết quả": ("—", "Trả kết quả"),
        "trạng thái": ("Đang giải quyết", "Đã trả kết quả"),
        "đánh giá": ("—", "Quá hạn"),
        # Fri 2 h + Mon 8 + Tue 8 + Wed 8 + Thu 07:30-09:00 1,5 = 27,5 h = 3,4375 days.
        "thời gian xử lý (ngày làm việc)": ("—", "3,4375 ngày làm việc"),
    }
    # With Monday 03/02 off: due Thu 06/02 15:00, resolved that morning: on time; 19,5 h.
    assert recomputed["kind"] == EventKind.RECOMPUTED
    assert recomputed["recomputation_id"] == recomputation.pk
    assert recomputed["by"] == "Nguyễn Văn An"
    assert recomputed["notes"] == [f"Theo yêu cầu tính lại hạn số {recomputation.pk}."]
    assert {c["field"]: (c["before"], c["after"]) for c in recomputed["changes"]} == {
        "hạn giải quyết": ("05/02/2025 15:00", "06/02/2025 15:00"),
        "đánh giá": ("Quá hạn", "Đúng hạn"),
        "thời gian xử lý (ngày làm việc)": ("3,4375 ngày làm việc", "2,4375 ngày làm việc"),
    }


def test_timeline_queries_do_not_grow_with_events(agency, procedure):
    few = stored(agency, procedure, "H-FEW", received_at=t(2025, 3, 3, 8))
    many = stored(
        agency,
        procedure,
        "H-MANY",
        received_at=t(2025, 3, 3, 8),
        supplement_requested_at=t(2025, 3, 4, 10),
        resubmitted_at=t(2025, 3, 5, 10),
        extended_at=t(2025, 3, 10, 9),
        extended_due_at=t(2025, 3, 12, 17),
        resolved_at=t(2025, 3, 11, 9),
        outcome=Outcome.ISSUED,
    )
    with CaptureQueriesContext(connection) as small:
        assert len(timeline(few)) == 1
    with CaptureQueriesContext(connection) as large:
        assert len(timeline(many)) == 5
    assert len(large) == len(small)


def test_explanation_in_english(agency, procedure):
    dossier = stored(agency, procedure, received_at=t(2025, 1, 29, 9))
    with translation.override("en"):
        sentences = clock_explanation(dossier)
    # The holiday's name comes from the calendar in the reader's language.
    assert "(Lunar New Year)" in sentences[1]
