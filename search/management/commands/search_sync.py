"""Push the search rows still pending (written while the node was down) to the index."""

from django.core.management.base import BaseCommand, CommandError

from elasticsearch import ApiError, TransportError

from kb.progress import number
from search import sync
from search.client import get_client
from search.management import cluster_health, quiet_transport, unreachable
from search.models import SearchDocument


class Command(BaseCommand):
    help = "Đẩy các bản ghi tìm kiếm đang chờ (indexed_at trống) lên chỉ mục Elasticsearch."

    def handle(self, *args, **options):
        with quiet_transport():
            self._run()

    def _run(self):
        client = get_client()
        if client is None:
            self.stdout.write(
                "ELASTICSEARCH_URL chưa được đặt: tìm kiếm công khai dùng cơ sở dữ liệu, "
                "không có gì để đẩy."
            )
            return
        cluster_health(client)
        name = sync.alias()
        try:
            exists = client.indices.exists(index=name)
        except (TransportError, ApiError) as error:
            raise unreachable(error) from error
        if not exists:
            raise CommandError(
                f"Chưa có chỉ mục {name}: chạy manage.py search_rebuild để dựng chỉ mục trước."
            )

        pending = SearchDocument.objects.filter(indexed_at__isnull=True)
        tombstones = pending.filter(deleted=True).count()
        sent = sync.push_pending()
        if sent is None:
            raise CommandError(
                f"Không đẩy được lên chỉ mục {name} (máy chủ Elasticsearch không trả lời hoặc "
                f"từ chối tài liệu; xem nhật ký). Còn {number(pending.count())} bản ghi đang chờ."
            )
        if not sent:
            self.stdout.write("Không có bản ghi nào đang chờ đẩy lên chỉ mục.")
            return
        self.stdout.write(
            f"Đã đẩy {number(sent)} bản ghi lên chỉ mục {name} "
            f"(trong đó {number(tombstones)} bản ghi đã xoá được gỡ khỏi chỉ mục)."
        )
        left = pending.count()
        if left:
            self.stdout.write(f"Còn {number(left)} bản ghi mới được ghi trong lúc đẩy, đang chờ.")
