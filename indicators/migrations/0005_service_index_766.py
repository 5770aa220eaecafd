"""The service index of Decision 766/QĐ-TTg (23/6/2022) as data: the scheme "QD766-2022", its five
groups (maximum 18, 20, 22, 22, 18 points: confirmed by the decision's text) and their
indicators, each with its formula (a key of ``indicators.selectors_index.FORMULAS``, optionally
``@<percent>``: the share at which the full points are reached, or ``entered``), its formula text
and its legal source.

The points of each indicator inside a group and the full-points thresholds are the best reading
of the annex and of the national portal's published method; where they could not be confirmed
the formula text says "cần đối chiếu" (to be checked against the annex). Changing them later is
a data change (a new scheme from a date, or an edit through the admin), never a code change.
"""

from decimal import Decimal

from django.db import migrations

CODE = "QD766-2022"
SOURCE = "Phụ lục Quyết định 766/QĐ-TTg"
CHECK = " (cần đối chiếu)"

# (number, name, max points, [(code, name, points, formula, formula text, item, checked)])
GROUPS = [
    (
        1,
        "Công khai, minh bạch",
        "18",
        [
            (
                "1.1",
                "Tỷ lệ thủ tục hành chính công bố đúng hạn",
                "4",
                "entered",
                "Số TTHC công bố đúng hạn / tổng số TTHC đã công bố trong kỳ × 100 %. "
                "Số liệu từ Cơ sở dữ liệu quốc gia về TTHC: nhập tay.",
                "nhóm 1, chỉ số 1",
                True,
            ),
            (
                "1.2",
                "Tỷ lệ thủ tục hành chính được cập nhật, công khai đúng hạn",
                "4",
                "entered",
                "Số TTHC công khai đúng hạn trên CSDL quốc gia về TTHC / tổng số TTHC phải "
                "cập nhật, công khai trong kỳ × 100 %. Nhập tay.",
                "nhóm 1, chỉ số 2",
                False,
            ),
            (
                "1.3",
                "Tỷ lệ thủ tục hành chính được công khai có đầy đủ các nội dung quy định về "
                "các bộ phận tạo thành của thủ tục hành chính",
                "4",
                "entered",
                "Số TTHC có đủ các bộ phận tạo thành (khoản 2 Điều 8 Nghị định 63/2010/NĐ-CP) "
                "/ tổng số TTHC đã công khai × 100 %. Nhập tay.",
                "nhóm 1, chỉ số 3",
                True,
            ),
            (
                "1.4",
                "Tỷ lệ hồ sơ đồng bộ lên Cổng Dịch vụ công quốc gia",
                "6",
                "entered",
                "Số hồ sơ đã đồng bộ có ngày tiếp nhận trong kỳ / tổng số hồ sơ tiếp nhận "
                "trong kỳ × 100 %. Số liệu của Cổng Dịch vụ công quốc gia: nhập tay.",
                "nhóm 1, chỉ số 4",
                True,
            ),
        ],
    ),
    (
        2,
        "Tiến độ, kết quả giải quyết",
        "20",
        [
            (
                "2.1",
                "Tỷ lệ hồ sơ xử lý trước hạn, đúng hạn",
                "20",
                "on_time",
                "(Số hồ sơ giải quyết trước hạn + đúng hạn) / số hồ sơ đã giải quyết trong kỳ "
                "× 100 %; điểm = tỷ lệ × điểm tối đa. Tính từ hồ sơ của qms (ngày trả kết quả "
                "trong kỳ; hồ sơ rút không tính).",
                "nhóm 2, chỉ số 1",
                False,
            ),
            (
                "2.2",
                "Hồ sơ quá hạn có thư xin lỗi, hẹn lại ngày trả kết quả",
                "0",
                "late_apology",
                "Số hồ sơ quá hạn đã gửi thư xin lỗi / số hồ sơ quá hạn trong kỳ × 100 %. "
                "Chỉ số theo dõi, không tính điểm (qms bổ sung theo quy định về thư xin lỗi "
                "của cơ chế một cửa).",
                "nhóm 2 (theo dõi)",
                True,
            ),
        ],
    ),
    (
        3,
        "Số hóa hồ sơ",
        "22",
        [
            (
                "3.1",
                "Tỷ lệ hồ sơ thủ tục hành chính có cấp kết quả giải quyết điện tử",
                "6",
                "e_result",
                "Số hồ sơ có kết quả giải quyết điện tử / số hồ sơ đã giải quyết trong kỳ "
                "× 100 %; điểm = tỷ lệ × điểm tối đa. Tính từ hồ sơ của qms.",
                "nhóm 3, chỉ số 1",
                True,
            ),
            (
                "3.2",
                "Tỷ lệ hồ sơ thủ tục hành chính thực hiện số hóa hồ sơ",
                "8",
                "digitised@80",
                "Số hồ sơ được số hóa / số hồ sơ tiếp nhận trong kỳ × 100 %; đạt từ 80 % được "
                "điểm tối đa, dưới 80 %: tỷ lệ × điểm tối đa / 80 %. Tính từ hồ sơ của qms.",
                "nhóm 3, chỉ số 2",
                True,
            ),
            (
                "3.3",
                "Tỷ lệ khai thác, sử dụng lại thông tin, dữ liệu số hóa",
                "8",
                "entered",
                "Số hồ sơ có sử dụng lại thông tin, dữ liệu đã số hóa / tổng số hồ sơ × 100 %; "
                "đạt từ 80 % được điểm tối đa. Nhập tay.",
                "nhóm 3, chỉ số 3",
                True,
            ),
        ],
    ),
    (
        4,
        "Cung cấp dịch vụ trực tuyến",
        "22",
        [
            (
                "4.1",
                "Tỷ lệ thủ tục hành chính cung cấp dịch vụ công trực tuyến",
                "4",
                "entered",
                "Số TTHC có dịch vụ công trực tuyến (một phần, toàn trình) / tổng số TTHC thuộc "
                "thẩm quyền × 100 %; đạt từ 80 % được điểm tối đa. Nhập tay.",
                "nhóm 4, chỉ số 1",
                True,
            ),
            (
                "4.2",
                "Tỷ lệ dịch vụ công trực tuyến có phát sinh hồ sơ",
                "4",
                "entered",
                "Số dịch vụ công trực tuyến có hồ sơ nộp trực tuyến / tổng số dịch vụ công "
                "trực tuyến × 100 %. Nhập tay.",
                "nhóm 4, chỉ số 2",
                True,
            ),
            (
                "4.3",
                "Tỷ lệ hồ sơ thủ tục hành chính nộp trực tuyến",
                "6",
                "online@50",
                "Số hồ sơ nộp trực tuyến / số hồ sơ tiếp nhận trong kỳ × 100 %; đạt từ 50 % "
                "được điểm tối đa, dưới 50 %: tỷ lệ × điểm tối đa / 50 %. Tính từ hồ sơ của qms.",
                "nhóm 4, chỉ số 3",
                True,
            ),
            (
                "4.4",
                "Tỷ lệ thủ tục hành chính có yêu cầu nghĩa vụ tài chính được tích hợp thanh "
                "toán trực tuyến trên Cổng Dịch vụ công quốc gia",
                "4",
                "entered",
                "Số TTHC có phí, lệ phí được tích hợp thanh toán trực tuyến / số TTHC có phí, "
                "lệ phí × 100 %; đạt từ 80 % được điểm tối đa. Nhập tay.",
                "nhóm 4, chỉ số 4",
                True,
            ),
            (
                "4.5",
                "Tỷ lệ hồ sơ thanh toán trực tuyến",
                "4",
                "online_payment",
                "Số hồ sơ đã giải quyết được thanh toán phí, lệ phí trực tuyến / số hồ sơ đã "
                "giải quyết trong kỳ × 100 %. Tính từ hồ sơ của qms (mẫu số của qms gồm cả "
                "TTHC không thu phí).",
                "nhóm 4, chỉ số 5",
                True,
            ),
        ],
    ),
    (
        5,
        "Mức độ hài lòng",
        "18",
        [
            (
                "5.1",
                "Tiến độ xử lý phản ánh, kiến nghị",
                "6",
                "complaints_on_time",
                "Số khiếu nại, phản ánh, kiến nghị trả lời đúng hạn (ngày trả lời không sau "
                "hạn trả lời) / số tiếp nhận trong kỳ đã trả lời hoặc đã quá hạn × 100 %. Tính "
                "từ sổ khiếu nại, phản ánh của qms.",
                "nhóm 5, chỉ số 1",
                True,
            ),
            (
                "5.2",
                "Tỷ lệ hài lòng trong xử lý phản ánh, kiến nghị",
                "6",
                "entered",
                "(Tổng số phản ánh, kiến nghị − số bị đánh giá không hài lòng hoặc quá hạn) / "
                "tổng số phản ánh, kiến nghị × 100 %. Số liệu của Cổng Dịch vụ công quốc gia: "
                "nhập tay.",
                "nhóm 5, chỉ số 2",
                True,
            ),
            (
                "5.3",
                "Tỷ lệ hài lòng trong tiếp nhận, giải quyết thủ tục hành chính",
                "6",
                "satisfied@90",
                "Số hồ sơ được người dân đánh giá hài lòng (từ 4/5) / số hồ sơ được đánh giá "
                "trong kỳ × 100 %; đạt từ 90 % được điểm tối đa, dưới 90 %: tỷ lệ × điểm tối đa "
                "/ 90 %. Tính từ đánh giá của người dân trên hồ sơ của qms.",
                "nhóm 5, chỉ số 3",
                True,
            ),
        ],
    ),
]


def create_scheme(apps, schema_editor):
    IndexScheme = apps.get_model("indicators", "IndexScheme")
    IndexGroup = apps.get_model("indicators", "IndexGroup")
    IndexIndicator = apps.get_model("indicators", "IndexIndicator")
    import datetime as dt

    if IndexScheme.objects.filter(code=CODE).exists():
        return
    scheme = IndexScheme.objects.create(
        code=CODE,
        name="Bộ chỉ số phục vụ người dân, doanh nghiệp (Quyết định 766/QĐ-TTg)",
        legal_source=(
            "Quyết định 766/QĐ-TTg ngày 23/6/2022 của Thủ tướng Chính phủ phê duyệt Bộ chỉ số "
            "chỉ đạo, điều hành và đánh giá chất lượng phục vụ người dân, doanh nghiệp trong thực "
            "hiện thủ tục hành chính, dịch vụ công theo thời gian thực trên môi trường điện tử"
        ),
        valid_from=dt.date(2022, 6, 23),
        note=(
            "Năm nhóm chỉ số, tổng 100 điểm (18, 20, 22, 22, 18). Điểm của từng chỉ số thành "
            "phần và ngưỡng đạt điểm tối đa ghi “cần đối chiếu” là cách hiểu tốt nhất, cần đối "
            "chiếu với Phụ lục Quyết định 766/QĐ-TTg và hướng dẫn của Văn phòng Chính phủ."
        ),
    )
    for number, name, max_points, indicators in GROUPS:
        group = IndexGroup.objects.create(
            scheme=scheme, number=number, name=name, max_points=Decimal(max_points)
        )
        for order, (code, title, points, formula, text, item, unsure) in enumerate(indicators):
            IndexIndicator.objects.create(
                group=group,
                code=code,
                name=title,
                points=Decimal(points),
                formula=formula,
                formula_text=text + (CHECK if unsure else ""),
                legal_source=f"{SOURCE}, {item}",
                order=order,
            )


def remove_scheme(apps, schema_editor):
    IndexScheme = apps.get_model("indicators", "IndexScheme")
    IndexEntry = apps.get_model("indicators", "IndexEntry")
    IndexEntry.objects.filter(indicator__group__scheme__code=CODE).delete()
    IndexScheme.objects.filter(code=CODE).delete()


class Migration(migrations.Migration):
    dependencies = [("indicators", "0004_dashboard_index_publication")]

    operations = [migrations.RunPython(create_scheme, remove_scheme)]
