"""The blocks a procedure is written in, in the shape Vietnamese ISO procedures use (DESIGN.md §7):
legal basis, definitions, and for each TTHC (and variant) its conditions, dossier, fees and the
step table (step, work, who, working days or "not counted", output or form)."""

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.documents.blocks import DocumentChooserBlock

from qms.blocks import TTHCChooserBlock


def _typed(field, value):
    """A form's text (a date as dd/mm/yyyy, a number, "" for nothing) as the value it stands for;
    the text itself when it does not parse (the form then says why)."""
    if not isinstance(value, str):
        return value
    if value == "":
        return None
    try:
        return field.to_python(value)
    except ValidationError:
        return value


class DateBlock(blocks.DateBlock):
    """Wagtail's DateBlock prepares a submitted date as typed ("26/11/2024") but a stored one as
    ISO, so every save of a page looks like a change (a new revision: an approval from the edit
    page would make the approver an author). Both are prepared the same way here."""

    def get_prep_value(self, value):
        value = _typed(self.field, value)
        return value.isoformat() if isinstance(value, datetime.date) else value


class DaysBlock(blocks.DecimalBlock):
    """Working days (quarter days), empty for "not counted", prepared the same way whether it
    comes from the form ("0.5", "") or from storage (Decimal, None), for the reason above."""

    def get_prep_value(self, value):
        value = _typed(self.field, value)
        return str(value) if isinstance(value, Decimal) else value


class LegalDocumentBlock(blocks.StructBlock):
    number = blocks.CharBlock(label=_("Số, ký hiệu"), max_length=100)
    title = blocks.CharBlock(label=_("Trích yếu"), max_length=500)
    issuer = blocks.CharBlock(label=_("Cơ quan ban hành"), max_length=200)
    issued_on = DateBlock(label=_("Ngày ban hành"))
    effective_on = DateBlock(label=_("Ngày có hiệu lực"), required=False)

    class Meta:
        icon = "doc-full"
        label = _("Văn bản pháp lý")


class DefinitionBlock(blocks.StructBlock):
    term = blocks.CharBlock(label=_("Thuật ngữ, chữ viết tắt"), max_length=200)
    meaning = blocks.TextBlock(label=_("Giải thích"))

    class Meta:
        icon = "title"
        label = _("Định nghĩa")


class StepBlock(blocks.StructBlock):
    code = blocks.CharBlock(label=_("Bước"), max_length=40, help_text=_("Ví dụ: Bước 1"))
    content = blocks.TextBlock(label=_("Nội dung công việc"))
    responsible = blocks.CharBlock(label=_("Đơn vị, người thực hiện"), max_length=200)
    days = DaysBlock(
        label=_("Thời gian (ngày làm việc)"),
        required=False,
        min_value=Decimal("0"),
        max_digits=6,
        decimal_places=2,
        help_text=_("Bội số của 0,25 ngày; để trống nếu “Không tính thời gian”."),
    )
    output = blocks.CharBlock(label=_("Kết quả, biểu mẫu"), max_length=300, required=False)
    form = DocumentChooserBlock(label=_("Biểu mẫu đính kèm"), required=False)

    class Meta:
        icon = "list-ol"
        label = _("Bước")


class ServiceBlock(blocks.StructBlock):
    """One TTHC (or one variant of it) carried out by the procedure."""

    tthc = TTHCChooserBlock(label=_("Thủ tục hành chính"))
    variant = blocks.CharBlock(
        label=_("Trường hợp"),
        max_length=200,
        required=False,
        help_text=_("Ví dụ: a) Đăng ký mới; để trống nếu thủ tục chỉ có một trường hợp."),
    )
    conditions = blocks.TextBlock(label=_("Điều kiện thực hiện"), required=False)
    components = blocks.TextBlock(label=_("Thành phần hồ sơ"), required=False)
    copies = blocks.CharBlock(label=_("Số lượng hồ sơ"), max_length=100, required=False)
    where = blocks.TextBlock(label=_("Nơi tiếp nhận và trả kết quả"), required=False)
    fees = blocks.CharBlock(label=_("Phí, lệ phí"), max_length=300, required=False)
    steps = blocks.ListBlock(StepBlock(), label=_("Trình tự thực hiện"), min_num=1)

    class Meta:
        icon = "list-ul"
        label = _("Thủ tục hành chính")


class RecordBlock(blocks.StructBlock):
    name = blocks.CharBlock(label=_("Hồ sơ cần lưu"), max_length=300)
    keeper = blocks.CharBlock(label=_("Nơi lưu"), max_length=200, required=False)
    retention = blocks.CharBlock(
        label=_("Thời gian lưu"), max_length=100, help_text=_("Ví dụ: 05 năm; vĩnh viễn")
    )

    class Meta:
        icon = "folder-open-inverse"
        label = _("Hồ sơ lưu")
