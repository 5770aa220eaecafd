"""Internal auditors' qualifications: who is a qualified auditor on a day (what the audit team will
ask), who may record a qualification (never their own), and the admin screens."""

import datetime
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from audits.models import AuditorQualification
from audits.selectors_auditors import is_qualified, qualification_refusal, qualified_auditors
from audits.services.auditors import qualification_save
from qms.models import Role
from qms.services.memberships import membership_create
from tests import factories

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate
DAY = datetime.date(2025, 9, 15)


def _record(user, agency, *, actor=None, qualified_on=datetime.date(2024, 5, 10), **extra):
    return qualification_save(
        actor=actor,
        instance=AuditorQualification(
            user=user,
            agency=agency,
            training=extra.pop("training", "Đánh giá viên nội bộ TCVN ISO 9001:2015"),
            qualified_on=qualified_on,
            **extra,
        ),
    )


def _auditor(world, relation="node"):
    return world.users[relation, Role.AUDITOR]


def _officer(world, relation="node"):
    return world.users[relation, Role.OFFICER]


# --- Who is qualified on a day -------------------------------------------------------------------


def test_an_auditor_with_a_valid_certificate_is_qualified(world):
    auditor = _auditor(world)
    _record(auditor, world.node, valid_until=datetime.date(2027, 5, 10))
    assert is_qualified(auditor, DAY)
    assert qualification_refusal(auditor, DAY) is None
    assert list(qualified_auditors(DAY)) == [auditor]
    assert list(qualified_auditors(DAY, agencies=[world.node])) == [auditor]
    assert list(qualified_auditors(DAY, agencies=[world.parent])) == [auditor]  # units inside
    assert not qualified_auditors(DAY, agencies=[world.sibling]).exists()
    assert not qualified_auditors(DAY, agencies=[]).exists()


def test_without_a_certificate_the_reason_names_the_person_and_the_day(world):
    auditor = _auditor(world)
    AuditorQualification.objects.filter(user=auditor).delete()
    assert not is_qualified(auditor, DAY)
    reason = qualification_refusal(auditor, DAY)
    assert "chưa có chứng chỉ đánh giá viên nội bộ còn hiệu lực ngày 15/09/2025" in reason
    assert auditor.username in reason  # the test world's people have no names
    assert not qualified_auditors(DAY).exists()


def test_an_expired_certificate_does_not_qualify(world):
    auditor = _auditor(world)
    _record(auditor, world.node, valid_until=datetime.date(2025, 9, 14))
    assert is_qualified(auditor, datetime.date(2025, 9, 14))
    assert not is_qualified(auditor, DAY)
    assert "còn hiệu lực ngày 15/09/2025" in qualification_refusal(auditor, DAY)
    assert not qualified_auditors(DAY).exists()


def test_a_certificate_issued_later_does_not_qualify_before(world):
    auditor = _auditor(world)
    _record(auditor, world.node, qualified_on=datetime.date(2025, 9, 16))
    assert not is_qualified(auditor, DAY)
    assert is_qualified(auditor, datetime.date(2025, 9, 16))
    assert not qualified_auditors(DAY).exists()


def test_a_certificate_without_an_auditor_role_does_not_qualify(world):
    staff = world.users["node", Role.STAFF]
    # A certificate from before (no longer possible through the service: the role comes first).
    AuditorQualification.objects.create(
        user=staff, agency=world.node, training="Khóa ISO", qualified_on=datetime.date(2024, 1, 1)
    )
    assert not is_qualified(staff, DAY)
    assert "không giữ vai trò đánh giá viên nội bộ" in qualification_refusal(staff, DAY)
    assert not qualified_auditors(DAY).exists()


def test_an_ended_auditor_role_no_longer_qualifies(world):
    former = factories.member(world.node, Role.AUDITOR, end=datetime.date(2025, 6, 30))
    AuditorQualification.objects.create(
        user=former, agency=world.node, training="Khóa ISO", qualified_on=datetime.date(2024, 1, 1)
    )
    assert is_qualified(former, datetime.date(2025, 6, 30))
    assert not is_qualified(former, DAY)
    assert "không giữ vai trò đánh giá viên nội bộ ngày 15/09/2025" in qualification_refusal(
        former, DAY
    )
    assert list(qualified_auditors(datetime.date(2025, 6, 30))) == [former]
    assert not qualified_auditors(DAY).exists()


def test_the_qualified_list_is_one_query_however_many(world, django_assert_num_queries):
    people = [factories.member(world.unit, Role.AUDITOR) for _ in range(5)]
    for person in people:
        _record(person, world.unit)
    with django_assert_num_queries(1):
        assert len(list(qualified_auditors(DAY, agencies=[world.node]))) == 5


# --- Who records a qualification -----------------------------------------------------------------


def test_an_officer_records_their_auditors_certificate(world):
    officer = _officer(world)
    record = _record(_auditor(world), world.node, actor=officer, certificate_number="  ISO-01 ")
    assert record.certificate_number == "ISO-01"
    assert record.history.get().history_user == officer
    # A leader above records one for a unit's auditor.
    unit_auditor = factories.member(world.unit, Role.AUDITOR)
    _record(unit_auditor, world.unit, actor=world.users["parent", Role.LEADER])
    # The record may be kept by the department for an auditor of its unit.
    _record(unit_auditor, world.node, actor=officer, qualified_on=datetime.date(2025, 1, 1))


@pytest.mark.parametrize(
    "relation,role", [("node", "staff"), ("node", "auditor"), ("sibling", "officer")]
)
def test_others_may_not_record(world, relation, role):
    with pytest.raises(PermissionDenied):
        _record(_auditor(world), world.node, actor=world.users[relation, role])
    assert not AuditorQualification.objects.exists()


def test_nobody_records_their_own_qualification(world):
    officer = _officer(world)
    membership_create(
        actor=None, user=officer, agency=world.node, role=Role.AUDITOR, start_date=DAY
    )
    with pytest.raises(PermissionDenied, match="chính mình"):
        _record(officer, world.node, actor=officer)
    root = world.admin
    membership_create(actor=None, user=root, agency=world.node, role=Role.AUDITOR, start_date=DAY)
    with pytest.raises(PermissionDenied, match="chính mình"):
        _record(root, world.node, actor=root)
    assert not AuditorQualification.objects.exists()
    _record(officer, world.node, actor=world.users["node", Role.LEADER])


def test_the_person_must_hold_an_auditor_role_there(world):
    officer = _officer(world)
    with pytest.raises(ValidationError) as refused:
        _record(world.users["node", Role.STAFF], world.node, actor=officer)
    assert "không giữ vai trò đánh giá viên nội bộ tại “Sở Tư pháp thử”" in str(
        refused.value.message_dict["user"]
    )
    with pytest.raises(ValidationError) as refused:  # an auditor of the parent, not of the node
        _record(_auditor(world, "parent"), world.node, actor=world.admin)
    assert "user" in refused.value.message_dict
    former = factories.member(world.node, Role.AUDITOR, end=datetime.date(2025, 6, 30))
    with pytest.raises(ValidationError):
        _record(former, world.node, actor=officer)
    assert not AuditorQualification.objects.exists()


def test_dates_are_checked(world):
    officer, auditor = _officer(world), _auditor(world)
    with pytest.raises(ValidationError) as refused:
        _record(
            auditor,
            world.node,
            actor=officer,
            qualified_on=datetime.date(2024, 5, 10),
            valid_until=datetime.date(2024, 5, 10),
        )
    assert refused.value.message_dict["valid_until"] == [
        "Ngày hết hiệu lực 10/05/2024 phải sau ngày cấp chứng chỉ 10/05/2024."
    ]
    tomorrow = TODAY() + datetime.timedelta(days=1)
    with pytest.raises(ValidationError) as refused:
        _record(auditor, world.node, actor=officer, qualified_on=tomorrow)
    assert "chưa đến" in refused.value.message_dict["qualified_on"][0]
    assert not AuditorQualification.objects.exists()


def test_the_certificate_scan_is_a_file_of_the_agency_the_actor_may_choose(world):
    officer, auditor = _officer(world), _auditor(world)
    foreign = factories.document(world.sibling, title="Chứng chỉ khác", filename="cc.pdf")
    with pytest.raises(ValidationError) as refused:
        _record(auditor, world.node, actor=officer, certificate=foreign)
    assert "không thuộc tài liệu bạn được chọn" in refused.value.message_dict["certificate"][0]
    above = factories.document(world.parent, title="Chứng chỉ ở cấp trên", filename="ct.pdf")
    with pytest.raises(ValidationError) as refused:  # the parent's leader may choose it
        _record(auditor, world.node, actor=world.users["parent", Role.LEADER], certificate=above)
    assert "thư mục tài liệu của “Sở Tư pháp thử”" in refused.value.message_dict["certificate"][0]
    own = factories.document(world.node, title="Chứng chỉ ISO", filename="iso.pdf")
    assert _record(auditor, world.node, actor=officer, certificate=own).certificate == own


def test_an_older_record_is_corrected_after_the_role_ended(world):
    former = factories.member(world.node, Role.AUDITOR)
    record = _record(former, world.node, actor=_officer(world))
    former.memberships.update(end_date=datetime.date(2025, 6, 30))
    record.certificate_number = "ISO-02"
    qualification_save(actor=_officer(world), instance=record)
    assert AuditorQualification.objects.get().certificate_number == "ISO-02"
    assert AuditorQualification.objects.get().history.count() == 2


# --- Admin ------------------------------------------------------------------------------------------


def _form(world, **changes):
    data = {
        "user": _auditor(world).pk,
        "agency": world.node.pk,
        "training": "Đánh giá viên nội bộ TCVN ISO 9001:2015",
        "trainer": "Trung tâm Năng suất Việt Nam",
        "certificate_number": "NSVN-2024-015",
        "certificate": "",
        "qualified_on": "2024-05-10",
        "valid_until": "2027-05-10",
        "note": "",
    }
    data.update(changes)
    return data


def test_the_admin_add_form_round_trip(world, client):
    officer = _officer(world)
    client.force_login(officer)
    url = reverse("auditor_qualifications:add")
    form = client.get(url)
    assert form.status_code == 200
    choices = form.context["form"].fields["user"].queryset
    unit_auditor = factories.member(world.unit, Role.AUDITOR)
    assert set(choices) == {_auditor(world), unit_auditor}  # not staff, not other agencies
    assert officer not in choices
    scan = factories.document(world.node, title="Chứng chỉ ISO", filename="iso.pdf")
    response = client.post(url, _form(world, certificate=scan.pk))
    assert response.status_code == 302
    record = AuditorQualification.objects.get()
    assert (record.user, record.agency, record.certificate) == (_auditor(world), world.node, scan)
    assert record.history.get().history_user == officer
    body = client.get(reverse("auditor_qualifications:index")).content.decode()
    assert "NSVN-2024-015" in body and "10/05/2027" in body and "Còn hiệu lực" in body
    assert "True" not in body and "False" not in body
    inspect = client.get(reverse("auditor_qualifications:inspect", args=[record.pk]))
    assert "Chứng chỉ ISO" in inspect.content.decode()
    history = client.get(reverse("auditor_qualifications:history", args=[record.pk]))
    assert history.status_code == 200
    # Edit through the service too.
    edited = client.post(
        reverse("auditor_qualifications:edit", args=[record.pk]),
        _form(world, certificate=scan.pk, certificate_number="NSVN-2024-016"),
    )
    assert edited.status_code == 302
    assert AuditorQualification.objects.get().certificate_number == "NSVN-2024-016"


def test_the_admin_form_shows_a_refusal_and_writes_nothing(world, client):
    client.force_login(_officer(world))
    response = client.post(
        reverse("auditor_qualifications:add"), _form(world, valid_until="2024-05-01")
    )
    assert response.status_code == 200
    assert "phải sau ngày cấp chứng chỉ 10/05/2024" in response.content.decode()
    assert not AuditorQualification.objects.exists()


def test_staff_cannot_add_and_auditors_only_read(world, client):
    record = _record(_auditor(world), world.node)
    client.force_login(world.users["node", Role.STAFF])
    assert client.get(reverse("auditor_qualifications:add")).status_code in (302, 403)
    assert client.post(reverse("auditor_qualifications:add"), _form(world)).status_code in (
        302,
        403,
    )
    assert client.get(reverse("auditor_qualifications:index")).status_code in (302, 403)
    client.force_login(_auditor(world))
    assert client.get(reverse("auditor_qualifications:index")).status_code == 200
    assert (
        client.get(reverse("auditor_qualifications:inspect", args=[record.pk])).status_code == 200
    )
    assert client.get(reverse("auditor_qualifications:add")).status_code in (302, 403)
    assert AuditorQualification.objects.count() == 1


def test_an_officer_of_another_agency_sees_nothing_of_it(world, client):
    record = _record(_auditor(world), world.node, certificate_number="NSVN-BIMAT")
    client.force_login(_officer(world, "sibling"))
    index = reverse("auditor_qualifications:index")
    assert "NSVN-BIMAT" not in client.get(index).content.decode()
    export = client.get(index, {"export": "xlsx"})
    assert export.status_code == 200
    assert b"NSVN-BIMAT" not in _xlsx_text(export).encode()
    for name in ("inspect", "history", "edit"):
        url = reverse(f"auditor_qualifications:{name}", args=[record.pk])
        assert client.get(url).status_code == 404
    assert (
        client.post(
            reverse("auditor_qualifications:edit", args=[record.pk]), _form(world)
        ).status_code
        == 404
    )


def _xlsx_text(response) -> str:
    import openpyxl

    body = b"".join(response.streaming_content) if response.streaming else response.content
    book = openpyxl.load_workbook(io.BytesIO(body), read_only=True)
    return "\n".join(
        str(cell)
        for sheet in book.worksheets
        for row in sheet.iter_rows(values_only=True)
        for cell in row
        if cell is not None
    )


def test_filters_and_export_in_words(world, client):
    unit_auditor = factories.member(world.unit, Role.AUDITOR)
    _record(_auditor(world), world.node, certificate_number="CC-CON")
    _record(
        unit_auditor,
        world.unit,
        certificate_number="CC-HET",
        qualified_on=datetime.date(2020, 1, 1),
        valid_until=datetime.date(2023, 1, 1),
    )
    client.force_login(_officer(world))
    index = reverse("auditor_qualifications:index")
    expired = client.get(index, {"validity": "expired"}).content.decode()
    assert "CC-HET" in expired and "CC-CON" not in expired and "Hết hiệu lực" in expired
    valid = client.get(index, {"validity": "valid"}).content.decode()
    assert "CC-CON" in valid and "CC-HET" not in valid
    unit = client.get(index, {"agency": world.unit.pk}).content.decode()
    assert "CC-HET" in unit and "CC-CON" not in unit
    text = _xlsx_text(client.get(index, {"export": "xlsx"}))
    assert "Còn hiệu lực" in text and "Hết hiệu lực" in text and "Không thời hạn" in text
    assert "True" not in text and "False" not in text


def test_the_list_query_count_does_not_grow_with_rows(world, client):
    client.force_login(world.users["parent", Role.OFFICER])
    url = reverse("auditor_qualifications:index")

    def add(count, place):
        for _ in range(count):
            _record(factories.member(place, Role.AUDITOR), place)

    add(1, world.node)
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    add(4, world.node)
    add(4, world.unit)
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert response.content.decode().count("Còn hiệu lực") >= 9
    assert len(many) == len(few)


def test_the_menu_group_shows_the_auditors_list(world, client):
    client.force_login(_officer(world))
    body = client.get(reverse("wagtailadmin_home")).content.decode()
    assert reverse("auditor_qualifications:index") in body
    client.force_login(world.users["node", Role.STAFF])
    body = client.get(reverse("wagtailadmin_home")).content.decode()
    assert reverse("auditor_qualifications:index") not in body
