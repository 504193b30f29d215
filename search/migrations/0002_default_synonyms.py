from django.db import migrations

# Abbreviations and synonyms common in Vietnamese administrative writing. Editors extend
# them in the admin (Tìm kiếm › Từ đồng nghĩa, viết tắt).
DEFAULT_GROUPS = [
    ("DVCTT\ndịch vụ công trực tuyến", "dịch vụ công trực tuyến"),
    ("DVC\ndịch vụ công", "dịch vụ công"),
    ("TTHC\nthủ tục hành chính", "thủ tục hành chính"),
    ("chatbot\ntrợ lý ảo\nchat bot", "trợ lý ảo"),
    ("TP HCM\nTP.HCM\nTPHCM\nHCM\nThành phố Hồ Chí Minh\nSài Gòn", "Thành phố Hồ Chí Minh"),
    ("UBND\nỦy ban nhân dân", "Ủy ban nhân dân"),
    ("HĐND\nHội đồng nhân dân", "Hội đồng nhân dân"),
    ("CĐS\nchuyển đổi số", "chuyển đổi số"),
    ("CCHC\ncải cách hành chính", "cải cách hành chính"),
    ("KH&CN\nKHCN\nkhoa học và công nghệ", "khoa học và công nghệ"),
    ("GD&ĐT\nGDĐT\ngiáo dục và đào tạo", "giáo dục và đào tạo"),
    ("NĐ-CP\nNĐCP\nnghị định", "nghị định của Chính phủ"),
    ("QĐ\nquyết định", "quyết định"),
    ("TP\nthành phố", "thành phố"),
    ("lệ phí\nphí", "phí, lệ phí"),
    ("không giấy\nkhông tiếp nhận hồ sơ giấy\nphi giấy", "không dùng giấy"),
    ("trả kết quả sớm\nrút ngắn thời gian", "thời gian giải quyết"),
]


def add_defaults(apps, schema_editor):
    SynonymGroup = apps.get_model("search", "SynonymGroup")
    for terms, note in DEFAULT_GROUPS:
        SynonymGroup.objects.get_or_create(terms=terms, defaults={"note": note})


def remove_defaults(apps, schema_editor):
    SynonymGroup = apps.get_model("search", "SynonymGroup")
    SynonymGroup.objects.filter(terms__in=[terms for terms, _ in DEFAULT_GROUPS]).delete()


class Migration(migrations.Migration):
    dependencies = [("search", "0001_initial")]
    operations = [migrations.RunPython(add_defaults, remove_defaults)]
