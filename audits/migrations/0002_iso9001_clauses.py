"""The clauses of ISO 9001:2015 / TCVN ISO 9001:2015 from 4 to 10, every numbered sub-clause down to
the deepest level, in Vietnamese and English, and the question bank's starting questions.

English titles are those of ISO 9001:2015, Vietnamese titles those of TCVN ISO 9001:2015. A few
sub-clauses carry no title in the standard (4.4.1, 4.4.2, 6.1.1, 6.1.2, 6.2.1, 6.2.2, 7.5.3.1,
7.5.3.2, 8.2.3.1, 8.2.3.2, 8.7.1, 8.7.2, 9.2.1, 9.2.2, 10.2.1, 10.2.2): the catalogue names what
their paragraphs require, so that a list or a finding never shows a bare number.

The data is frozen here (a later change of the models' code must not change what this migration
loaded); the sort key and depth are computed as ``Clause.save()`` does, since historical models do
not run it.
"""

from django.db import migrations

# (number, Vietnamese title, English title), parents before their children.
CLAUSES = [
    ("4", "Bối cảnh của tổ chức", "Context of the organization"),
    (
        "4.1",
        "Hiểu tổ chức và bối cảnh của tổ chức",
        "Understanding the organization and its context",
    ),
    (
        "4.2",
        "Hiểu nhu cầu và mong đợi của các bên quan tâm",
        "Understanding the needs and expectations of interested parties",
    ),
    (
        "4.3",
        "Xác định phạm vi của hệ thống quản lý chất lượng",
        "Determining the scope of the quality management system",
    ),
    (
        "4.4",
        "Hệ thống quản lý chất lượng và các quá trình của hệ thống",
        "Quality management system and its processes",
    ),
    (
        "4.4.1",
        "Thiết lập, áp dụng, duy trì và cải tiến liên tục hệ thống và các quá trình cần thiết",
        "Establishing, implementing, maintaining and continually improving the system and the "
        "processes needed",
    ),
    (
        "4.4.2",
        "Duy trì và lưu giữ thông tin dạng văn bản về các quá trình",
        "Maintaining and retaining documented information on the processes",
    ),
    ("5", "Sự lãnh đạo", "Leadership"),
    ("5.1", "Sự lãnh đạo và cam kết", "Leadership and commitment"),
    ("5.1.1", "Khái quát", "General"),
    ("5.1.2", "Hướng vào khách hàng", "Customer focus"),
    ("5.2", "Chính sách", "Policy"),
    ("5.2.1", "Thiết lập chính sách chất lượng", "Establishing the quality policy"),
    ("5.2.2", "Trao đổi thông tin về chính sách chất lượng", "Communicating the quality policy"),
    (
        "5.3",
        "Vai trò, trách nhiệm và quyền hạn trong tổ chức",
        "Organizational roles, responsibilities and authorities",
    ),
    ("6", "Hoạch định", "Planning"),
    ("6.1", "Hành động giải quyết rủi ro và cơ hội", "Actions to address risks and opportunities"),
    (
        "6.1.1",
        "Xác định rủi ro và cơ hội cần giải quyết",
        "Determining the risks and opportunities to be addressed",
    ),
    (
        "6.1.2",
        "Hoạch định hành động giải quyết rủi ro và cơ hội",
        "Planning actions to address risks and opportunities",
    ),
    (
        "6.2",
        "Mục tiêu chất lượng và hoạch định để đạt được mục tiêu",
        "Quality objectives and planning to achieve them",
    ),
    ("6.2.1", "Thiết lập mục tiêu chất lượng", "Establishing quality objectives"),
    (
        "6.2.2",
        "Hoạch định cách thức đạt được mục tiêu chất lượng",
        "Planning how to achieve the quality objectives",
    ),
    ("6.3", "Hoạch định thay đổi", "Planning of changes"),
    ("7", "Hỗ trợ", "Support"),
    ("7.1", "Nguồn lực", "Resources"),
    ("7.1.1", "Khái quát", "General"),
    ("7.1.2", "Con người", "People"),
    ("7.1.3", "Cơ sở hạ tầng", "Infrastructure"),
    (
        "7.1.4",
        "Môi trường cho việc thực hiện các quá trình",
        "Environment for the operation of processes",
    ),
    ("7.1.5", "Nguồn lực theo dõi và đo lường", "Monitoring and measuring resources"),
    ("7.1.5.1", "Khái quát", "General"),
    ("7.1.5.2", "Liên kết chuẩn đo lường", "Measurement traceability"),
    ("7.1.6", "Tri thức của tổ chức", "Organizational knowledge"),
    ("7.2", "Năng lực", "Competence"),
    ("7.3", "Nhận thức", "Awareness"),
    ("7.4", "Trao đổi thông tin", "Communication"),
    ("7.5", "Thông tin dạng văn bản", "Documented information"),
    ("7.5.1", "Khái quát", "General"),
    ("7.5.2", "Tạo lập và cập nhật", "Creating and updating"),
    ("7.5.3", "Kiểm soát thông tin dạng văn bản", "Control of documented information"),
    (
        "7.5.3.1",
        "Sẵn có, thích hợp và được bảo vệ",
        "Availability, suitability and protection of documented information",
    ),
    (
        "7.5.3.2",
        "Các hoạt động kiểm soát thông tin dạng văn bản",
        "Activities for the control of documented information",
    ),
    ("8", "Thực hiện", "Operation"),
    ("8.1", "Hoạch định và kiểm soát việc thực hiện", "Operational planning and control"),
    ("8.2", "Yêu cầu đối với sản phẩm và dịch vụ", "Requirements for products and services"),
    ("8.2.1", "Trao đổi thông tin với khách hàng", "Customer communication"),
    (
        "8.2.2",
        "Xác định các yêu cầu đối với sản phẩm và dịch vụ",
        "Determining the requirements for products and services",
    ),
    (
        "8.2.3",
        "Xem xét các yêu cầu đối với sản phẩm và dịch vụ",
        "Review of the requirements for products and services",
    ),
    (
        "8.2.3.1",
        "Đảm bảo khả năng đáp ứng các yêu cầu trước khi cam kết",
        "Ensuring the ability to meet the requirements before committing",
    ),
    (
        "8.2.3.2",
        "Lưu giữ thông tin về việc xem xét các yêu cầu",
        "Retaining documented information on the review of requirements",
    ),
    (
        "8.2.4",
        "Thay đổi các yêu cầu đối với sản phẩm và dịch vụ",
        "Changes to requirements for products and services",
    ),
    (
        "8.3",
        "Thiết kế và phát triển sản phẩm, dịch vụ",
        "Design and development of products and services",
    ),
    ("8.3.1", "Khái quát", "General"),
    ("8.3.2", "Hoạch định thiết kế và phát triển", "Design and development planning"),
    ("8.3.3", "Đầu vào của thiết kế và phát triển", "Design and development inputs"),
    ("8.3.4", "Kiểm soát thiết kế và phát triển", "Design and development controls"),
    ("8.3.5", "Đầu ra của thiết kế và phát triển", "Design and development outputs"),
    ("8.3.6", "Thay đổi thiết kế và phát triển", "Design and development changes"),
    (
        "8.4",
        "Kiểm soát quá trình, sản phẩm và dịch vụ do bên ngoài cung cấp",
        "Control of externally provided processes, products and services",
    ),
    ("8.4.1", "Khái quát", "General"),
    ("8.4.2", "Loại và mức độ kiểm soát", "Type and extent of control"),
    ("8.4.3", "Thông tin cho nhà cung cấp bên ngoài", "Information for external providers"),
    ("8.5", "Sản xuất và cung cấp dịch vụ", "Production and service provision"),
    (
        "8.5.1",
        "Kiểm soát sản xuất và cung cấp dịch vụ",
        "Control of production and service provision",
    ),
    ("8.5.2", "Nhận biết và xác định nguồn gốc", "Identification and traceability"),
    (
        "8.5.3",
        "Tài sản thuộc về khách hàng hoặc nhà cung cấp bên ngoài",
        "Property belonging to customers or external providers",
    ),
    ("8.5.4", "Bảo toàn", "Preservation"),
    ("8.5.5", "Hoạt động sau giao hàng", "Post-delivery activities"),
    ("8.5.6", "Kiểm soát thay đổi", "Control of changes"),
    ("8.6", "Thông qua sản phẩm và dịch vụ", "Release of products and services"),
    ("8.7", "Kiểm soát đầu ra không phù hợp", "Control of nonconforming outputs"),
    (
        "8.7.1",
        "Nhận biết và xử lý đầu ra không phù hợp",
        "Identifying and dealing with nonconforming outputs",
    ),
    (
        "8.7.2",
        "Lưu giữ thông tin về đầu ra không phù hợp",
        "Retaining documented information on nonconforming outputs",
    ),
    ("9", "Đánh giá kết quả thực hiện", "Performance evaluation"),
    (
        "9.1",
        "Theo dõi, đo lường, phân tích và đánh giá",
        "Monitoring, measurement, analysis and evaluation",
    ),
    ("9.1.1", "Khái quát", "General"),
    ("9.1.2", "Sự thỏa mãn của khách hàng", "Customer satisfaction"),
    ("9.1.3", "Phân tích và đánh giá", "Analysis and evaluation"),
    ("9.2", "Đánh giá nội bộ", "Internal audit"),
    (
        "9.2.1",
        "Tiến hành đánh giá nội bộ theo những khoảng thời gian đã hoạch định",
        "Conducting internal audits at planned intervals",
    ),
    (
        "9.2.2",
        "Chương trình, chuẩn mực, phạm vi đánh giá và đánh giá viên",
        "Audit programme, criteria, scope and auditors",
    ),
    ("9.3", "Xem xét của lãnh đạo", "Management review"),
    ("9.3.1", "Khái quát", "General"),
    ("9.3.2", "Đầu vào xem xét của lãnh đạo", "Management review inputs"),
    ("9.3.3", "Đầu ra xem xét của lãnh đạo", "Management review outputs"),
    ("10", "Cải tiến", "Improvement"),
    ("10.1", "Khái quát", "General"),
    ("10.2", "Sự không phù hợp và hành động khắc phục", "Nonconformity and corrective action"),
    (
        "10.2.1",
        "Xử lý sự không phù hợp và thực hiện hành động khắc phục",
        "Reacting to nonconformity and taking corrective action",
    ),
    (
        "10.2.2",
        "Lưu giữ thông tin về sự không phù hợp và hành động khắc phục",
        "Retaining documented information on nonconformities and corrective actions",
    ),
    ("10.3", "Cải tiến liên tục", "Continual improvement"),
]

# The bank's own questions (no agency): what an internal auditor of a Vietnamese public body asks,
# clause by clause, for the clauses that matter most in public administration.
QUESTIONS = {
    "4.1": [
        "Cơ quan đã xác định các vấn đề bên ngoài và nội bộ (thay đổi văn bản quy phạm pháp luật, "
        "sắp xếp tổ chức bộ máy, chuyển đổi số, biên chế) ảnh hưởng đến việc giải quyết TTHC chưa? "
        "Các vấn đề này được xem xét lại khi nào?",
    ],
    "4.2": [
        "Các bên quan tâm (người dân, doanh nghiệp, cơ quan cấp trên, Trung tâm Phục vụ hành chính "
        "công) và yêu cầu của họ đã được xác định, theo dõi và cập nhật thế nào?",
    ],
    "4.3": [
        "Phạm vi áp dụng hệ thống quản lý chất lượng có nêu rõ các lĩnh vực, TTHC và đơn vị được "
        "áp dụng không? Phạm vi có được cập nhật khi Danh mục TTHC thay đổi không?",
        "Yêu cầu nào của tiêu chuẩn được xác định là không áp dụng (ví dụ 8.3 Thiết kế và phát "
        "triển) và lý giải có hợp lý không?",
    ],
    "4.4": [
        "Mỗi TTHC thuộc phạm vi đã có quy trình nội bộ xác định trình tự, trách nhiệm, thời gian "
        "từng bước và hồ sơ cần lưu chưa? Có TTHC nào đang giải quyết mà chưa có quy trình không?",
        "Mối tương tác giữa bộ phận một cửa, phòng chuyên môn và lãnh đạo trong giải quyết hồ sơ "
        "được thể hiện ở đâu (sơ đồ, quy trình)?",
    ],
    "5.1": [
        "Lãnh đạo cơ quan thể hiện cam kết đối với hệ thống quản lý chất lượng thế nào (chủ trì "
        "xem xét của lãnh đạo, bố trí nguồn lực, chỉ đạo xử lý hồ sơ quá hạn)?",
    ],
    "5.2": [
        "Chính sách chất lượng đã được lãnh đạo ban hành, phổ biến tới công chức và niêm yết tại "
        "bộ phận một cửa, trang thông tin điện tử chưa? Công chức được hỏi có hiểu chính sách "
        "không?",
    ],
    "5.3": [
        "Quyết định phân công trách nhiệm, quyền hạn (Ban chỉ đạo ISO, cán bộ đầu mối ISO, công "
        "chức tiếp nhận hồ sơ) còn phù hợp với tổ chức bộ máy hiện tại không?",
    ],
    "6.1": [
        "Cơ quan đã nhận diện rủi ro trong giải quyết TTHC (hồ sơ quá hạn, thất lạc hồ sơ, sai sót "
        "kết quả, thay đổi văn bản pháp luật) và hoạch định hành động xử lý chưa?",
        "Hành động xử lý rủi ro đã thực hiện có được đánh giá hiệu lực không? Cho xem bằng chứng.",
    ],
    "6.2": [
        "Mục tiêu chất lượng năm nay có đo lường được không (ví dụ tỷ lệ hồ sơ giải quyết đúng "
        "hạn ≥ 95 %) và có kế hoạch thực hiện nêu rõ việc cần làm, nguồn lực, người chịu trách "
        "nhiệm, thời hạn và cách đánh giá kết quả không?",
        "Kết quả thực hiện mục tiêu kỳ trước ra sao? Mục tiêu không đạt đã được phân tích nguyên "
        "nhân và xử lý thế nào?",
    ],
    "6.3": [
        "Khi có thay đổi (sáp nhập đơn vị, thay đổi địa giới hành chính, chuyển giao TTHC) cơ quan "
        "đã hoạch định việc cập nhật quy trình, phân công và hồ sơ thế nào?",
    ],
    "7.1.3": [
        "Trang thiết bị của bộ phận một cửa (máy tính, máy quét, phần mềm một cửa điện tử, đường "
        "truyền) có đáp ứng việc tiếp nhận và trả kết quả hồ sơ không? Sự cố được xử lý thế nào?",
    ],
    "7.1.5": [
        "Các công cụ dùng để theo dõi, đo lường (phần mềm một cửa điện tử, sổ theo dõi hồ sơ, phiếu "
        "khảo sát sự hài lòng) có được kiểm tra để đảm bảo số liệu đúng không?",
    ],
    "7.1.6": [
        "Kinh nghiệm xử lý các hồ sơ phức tạp và hướng dẫn nghiệp vụ được lưu giữ, chia sẻ thế nào "
        "khi công chức luân chuyển, nghỉ hưu?",
    ],
    "7.2": [
        "Công chức tiếp nhận và giải quyết hồ sơ được đào tạo, bồi dưỡng nghiệp vụ gì? Cho xem hồ "
        "sơ đào tạo và bằng chứng đánh giá năng lực.",
        "Đánh giá viên nội bộ đã được đào tạo và có chứng chỉ còn hiệu lực chưa?",
    ],
    "7.3": [
        "Công chức có biết chính sách chất lượng, mục tiêu chất lượng liên quan đến công việc của "
        "mình và hậu quả của việc không tuân thủ quy trình không?",
    ],
    "7.4": [
        "Cơ quan trao đổi thông tin nội bộ và với người dân (niêm yết TTHC, thông báo bổ sung hồ "
        "sơ, xin lỗi khi trễ hẹn) theo cách nào, ai chịu trách nhiệm?",
    ],
    "7.5.2": [
        "Tài liệu mới ban hành có được xem xét, phê duyệt đúng thẩm quyền, có mã số, lần ban hành "
        "và ngày hiệu lực không?",
    ],
    "7.5.3": [
        "Tại nơi làm việc, công chức đang dùng đúng phiên bản quy trình hiện hành không? Tài liệu "
        "lỗi thời đã được thu hồi hoặc đánh dấu chưa?",
        "Hồ sơ giải quyết TTHC (phiếu kiểm soát quá trình, sổ theo dõi, giấy tiếp nhận và hẹn trả "
        "kết quả) được lưu trữ ở đâu, trong bao lâu, ai được tiếp cận?",
        "Danh mục tài liệu có nguồn gốc bên ngoài (luật, nghị định, thông tư, quyết định công bố "
        "TTHC) có được cập nhật khi văn bản thay đổi không?",
    ],
    "8.1": [
        "Quy trình nội bộ có xác định yêu cầu thành phần hồ sơ, thời hạn giải quyết từng bước và "
        "tổng thời gian không vượt thời hạn luật định không?",
        "Việc thực hiện có đúng như quy trình đã ban hành không? Lấy mẫu một số hồ sơ để đối chiếu.",
    ],
    "8.2.1": [
        "Người dân được hướng dẫn thủ tục, thành phần hồ sơ, phí, lệ phí và thời hạn giải quyết "
        "qua những kênh nào? Phản ánh, kiến nghị của người dân được tiếp nhận và trả lời thế nào?",
        "Khi hồ sơ cần bổ sung hoặc trễ hạn, người dân có được thông báo bằng văn bản (phiếu yêu "
        "cầu bổ sung, phiếu xin lỗi và hẹn lại ngày trả kết quả) không?",
    ],
    "8.2.3": [
        "Khi tiếp nhận, công chức một cửa kiểm tra tính đầy đủ, hợp lệ của hồ sơ trước khi viết "
        "giấy tiếp nhận và hẹn trả kết quả như thế nào?",
    ],
    "8.4": [
        "Các dịch vụ do bên ngoài cung cấp (bưu chính công ích, đơn vị cung cấp phần mềm một cửa, "
        "thuê đo đạc) được lựa chọn, theo dõi và đánh giá thế nào?",
    ],
    "8.5.1": [
        "Lấy mẫu hồ sơ đã giải quyết: phiếu kiểm soát quá trình có ghi đủ thời gian, người thực "
        "hiện từng bước và đúng thời hạn quy định không?",
        "Hồ sơ được luân chuyển giữa bộ phận một cửa và phòng chuyên môn có được theo dõi trên phần "
        "mềm một cửa điện tử không? Hồ sơ quá hạn được xử lý thế nào?",
    ],
    "8.5.2": [
        "Có thể truy xuất một hồ sơ từ khi tiếp nhận đến khi trả kết quả (mã hồ sơ, người xử lý, "
        "thời điểm từng bước) không?",
    ],
    "8.5.3": [
        "Giấy tờ gốc, thông tin cá nhân của người dân trong hồ sơ được bảo quản, bảo mật thế nào? "
        "Khi làm thất lạc, hư hỏng thì xử lý và thông báo cho người dân ra sao?",
    ],
    "8.6": [
        "Kết quả giải quyết TTHC có được kiểm tra, ký duyệt đúng thẩm quyền trước khi trả cho "
        "người dân không?",
    ],
    "8.7": [
        "Kết quả giải quyết có sai sót (sai thông tin, sai thẩm quyền, trả trễ hạn) được nhận biết, "
        "ghi nhận và khắc phục thế nào? Cho xem sổ theo dõi hoặc hồ sơ xử lý.",
        "Ai có thẩm quyền quyết định việc xử lý kết quả không phù hợp và có thông báo cho người dân "
        "không?",
    ],
    "9.1.1": [
        "Cơ quan theo dõi, đo lường những gì (tỷ lệ hồ sơ đúng hạn, số hồ sơ quá hạn theo TTHC, số "
        "phản ánh), theo tần suất nào và ai phân tích kết quả?",
    ],
    "9.1.2": [
        "Sự hài lòng của người dân, doanh nghiệp được khảo sát thế nào (phiếu khảo sát, thiết bị "
        "đánh giá tại bộ phận một cửa, Chỉ số SIPAS, Bộ chỉ số phục vụ người dân)? Kết quả được sử "
        "dụng để cải tiến ra sao?",
    ],
    "9.1.3": [
        "Dữ liệu về hồ sơ trễ hạn, phản ánh của người dân và kết quả đánh giá nội bộ được phân tích "
        "và báo cáo lãnh đạo thế nào? Cho xem báo cáo gần nhất.",
    ],
    "9.2": [
        "Chương trình đánh giá nội bộ năm nay có bao trùm tất cả các đơn vị và quá trình trong phạm "
        "vi, có tính đến kết quả đánh giá lần trước và các quá trình có nhiều hồ sơ trễ hạn không?",
        "Đánh giá viên có đánh giá công việc của chính mình không? Tính khách quan được đảm bảo "
        "thế nào?",
        "Báo cáo đánh giá nội bộ có được gửi lãnh đạo và các điểm không phù hợp có được khắc phục "
        "kịp thời không?",
    ],
    "9.3": [
        "Cuộc họp xem xét của lãnh đạo gần nhất được tổ chức khi nào, có xem xét đủ đầu vào (kết "
        "quả mục tiêu chất lượng, tình hình giải quyết hồ sơ, ý kiến người dân, kết quả đánh giá "
        "nội bộ, hiệu lực của hành động khắc phục) không?",
        "Các quyết định của lãnh đạo (cải tiến, thay đổi hệ thống, nguồn lực) có được ghi biên bản "
        "và theo dõi thực hiện không?",
    ],
    "10.2": [
        "Với điểm không phù hợp và phản ánh của người dân, cơ quan đã khắc phục hậu quả, phân tích "
        "nguyên nhân gốc và thực hiện hành động để không tái diễn chưa?",
        "Hiệu lực của hành động khắc phục được xác minh thế nào, bởi ai? Cho xem hồ sơ của một điểm "
        "không phù hợp đã đóng.",
    ],
    "10.3": [
        "Cơ quan đã có sáng kiến, cải tiến nào (giảm thời gian giải quyết, cung cấp dịch vụ công "
        "trực tuyến toàn trình, đơn giản hóa thành phần hồ sơ) trong năm qua?",
    ],
}


def clause_sort_key(number: str) -> str:
    """As audits.models.clauses.clause_sort_key (frozen here): zero-padded parts."""
    return ".".join(part.zfill(4) for part in number.split("."))


def load(apps, schema_editor):
    Clause = apps.get_model("audits", "Clause")
    Question = apps.get_model("audits", "Question")
    by_number = {}
    for number, title_vi, title_en in CLAUSES:
        parent_number = number.rpartition(".")[0]
        by_number[number] = Clause.objects.create(
            number=number,
            parent=by_number[parent_number] if parent_number else None,
            title_vi=title_vi,
            title_en=title_en,
            sort_key=clause_sort_key(number),
            depth=number.count(".") + 1,
        )
    Question.objects.bulk_create(
        Question(clause=by_number[number], text=text, agency=None, is_active=True)
        for number, texts in QUESTIONS.items()
        for text in texts
    )


def unload(apps, schema_editor):
    Clause = apps.get_model("audits", "Clause")
    Question = apps.get_model("audits", "Question")
    numbers = [number for number, _vi, _en in CLAUSES]
    Question.objects.filter(agency=None, clause__number__in=numbers).delete()
    # Children before their parents (the parent link is protected).
    for depth in sorted({n.count(".") + 1 for n in numbers}, reverse=True):
        Clause.objects.filter(number__in=numbers, depth=depth).delete()


class Migration(migrations.Migration):
    dependencies = [("audits", "0001_clauses_questions_auditors")]

    operations = [migrations.RunPython(load, unload)]
