"""How public search stands: the node, our indices and alias, and how far the index lags the
database. Exits non-zero when the node is down or the alias is missing."""

import json

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Count, Min, Q
from django.utils import timezone

from elasticsearch import ApiError, TransportError

from kb.progress import number
from search import sync
from search.client import get_client
from search.management import node_address, quiet_transport, unreachable
from search.models import SearchDocument


def database_counts():
    """Public rows, pending rows, tombstones and the oldest pending change (one query)."""
    counts = SearchDocument.objects.aggregate(
        public=Count("pk", filter=Q(deleted=False)),
        pending=Count("pk", filter=Q(indexed_at__isnull=True)),
        tombstones=Count("pk", filter=Q(deleted=True)),
        oldest_pending=Min("updated_at", filter=Q(indexed_at__isnull=True)),
    )
    return counts


def _size(size_bytes):
    size = float(size_bytes or 0)
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}".replace(".", ",")
        size /= 1024
    return ""


def _when(value):
    return timezone.localtime(value).strftime("%d/%m/%Y %H:%M:%S") if value else ""


class Command(BaseCommand):
    help = (
        "Tình trạng tìm kiếm công khai: cụm Elasticsearch, các chỉ mục và bí danh, số tài liệu "
        "so với cơ sở dữ liệu, số bản ghi đang chờ. Lỗi (mã thoát khác 0) khi máy chủ không "
        "trả lời hoặc thiếu bí danh."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--json", action="store_true", dest="as_json", help="In kết quả dạng JSON."
        )

    def handle(self, *args, as_json=False, **options):
        with quiet_transport():
            self._run(as_json=as_json)

    def _run(self, as_json):
        counts = database_counts()
        report = {
            "engine": "database",
            "ok": True,
            "error": None,
            "alias": sync.alias(),
            "database": {
                **counts,
                "oldest_pending": (
                    counts["oldest_pending"].isoformat() if counts["oldest_pending"] else None
                ),
            },
        }
        client = get_client()
        if client is not None:
            report["engine"] = "elasticsearch"
            report["node"] = node_address()
            self._inspect_node(client, report, counts)
        if as_json:
            self.stdout.write(json.dumps(report, ensure_ascii=False, indent=2))
        else:
            self._print(report, counts)
        if not report["ok"]:
            raise CommandError(report["error"])

    def _inspect_node(self, client, report, counts):
        name = sync.alias()
        pattern = f"{settings.SEARCH_INDEX_PREFIX}-*"
        try:
            health = client.cluster.health()
            versions = client.nodes.info(filter_path="nodes.*.version").get("nodes", {})
            indices = client.cat.indices(
                index=pattern, format="json", bytes="b", h="index,health,docs.count,store.size"
            )
            aliases = client.indices.get_alias(index=pattern)
            has_alias = client.indices.exists_alias(name=name)
            in_index = client.count(index=name)["count"] if has_alias else None
        except (TransportError, ApiError) as error:
            report.update(ok=False, error=str(unreachable(error)), reachable=False)
            return
        report["reachable"] = True
        report["cluster"] = {
            "name": health["cluster_name"],
            "status": health["status"],
            "nodes": health["number_of_nodes"],
            "data_nodes": health["number_of_data_nodes"],
            "versions": sorted({node["version"] for node in versions.values()}),
        }
        report["indices"] = sorted(
            (
                {
                    "name": row["index"],
                    "health": row["health"],
                    "documents": int(row["docs.count"] or 0),
                    "size_bytes": int(row["store.size"] or 0),
                    "aliases": sorted(aliases.get(row["index"], {}).get("aliases", {})),
                }
                for row in indices
            ),
            key=lambda row: row["name"],
        )
        report["aliases"] = {}
        for index, entry in sorted(aliases.items()):
            for alias_name in entry.get("aliases", {}):
                report["aliases"].setdefault(alias_name, []).append(index)
        report["alias_indices"] = report["aliases"].get(name, [])
        report["index_documents"] = in_index
        report["lag"] = counts["pending"]
        report["in_sync"] = bool(
            has_alias and not counts["pending"] and in_index == counts["public"]
        )
        if not has_alias:
            squatted = any(row["index"] == name for row in indices)
            why = "là một chỉ mục thường, không phải bí danh" if squatted else "chưa có"
            report.update(
                ok=False,
                error=f"Bí danh {name} {why}: chạy manage.py search_rebuild để dựng chỉ mục.",
            )

    def _print(self, report, counts):
        write = self.stdout.write
        if report["engine"] == "database":
            write("Tìm kiếm công khai đang dùng cơ sở dữ liệu (ELASTICSEARCH_URL chưa được đặt).")
        elif report.get("reachable"):
            cluster = report["cluster"]
            nodes = f"{cluster['nodes']} nút ({cluster['data_nodes']} nút dữ liệu)"
            version = ", ".join(cluster["versions"])
            write(
                f"Cụm Elasticsearch {cluster['name']} ({report['node']}): "
                f"trạng thái {cluster['status']}, {nodes}, phiên bản {version}."
            )
            write(f"Chỉ mục có tiền tố {settings.SEARCH_INDEX_PREFIX}-:")
            for index in report["indices"]:
                aliases = f" ← {', '.join(index['aliases'])}" if index["aliases"] else ""
                write(
                    f"  {index['name']}: {number(index['documents'])} tài liệu, "
                    f"{_size(index['size_bytes'])}, {index['health']}{aliases}"
                )
            if not report["indices"]:
                write("  (không có)")
            write("Bí danh:")
            for alias_name, targets in report["aliases"].items():
                write(f"  {alias_name} → {', '.join(targets)}")
            if not report["aliases"]:
                write("  (không có)")
        self._print_counts(report, counts)
        if report["engine"] == "elasticsearch" and report.get("reachable"):
            self._print_lag(report, counts)

    def _print_counts(self, report, counts):
        write = self.stdout.write
        if report.get("index_documents") is not None:
            write(
                f"Tài liệu trong chỉ mục (bí danh {report['alias']}): "
                f"{number(report['index_documents'])}"
            )
        write(f"Bản ghi công khai trong cơ sở dữ liệu: {number(counts['public'])}")
        write(
            f"Bản ghi đang chờ đẩy lên chỉ mục: {number(counts['pending'])}"
            f" (trong đó {number(counts['tombstones'])} bản ghi đã xoá chờ gỡ khỏi chỉ mục)"
        )
        if counts["oldest_pending"]:
            write(f"Thay đổi đang chờ cũ nhất: {_when(counts['oldest_pending'])}")

    def _print_lag(self, report, counts):
        write = self.stdout.write
        if report.get("index_documents") is None:
            return
        if counts["pending"]:
            write(
                f"Chỉ mục chậm hơn cơ sở dữ liệu: {number(counts['pending'])} bản ghi đang chờ "
                f"(cũ nhất từ {_when(counts['oldest_pending'])}); chạy manage.py search_sync."
            )
        elif report["index_documents"] != counts["public"]:
            write(
                f"Chỉ mục lệch với cơ sở dữ liệu: {number(report['index_documents'])} tài liệu "
                f"trong chỉ mục, {number(counts['public'])} bản ghi công khai; "
                "chạy manage.py search_rebuild."
            )
        else:
            write("Chỉ mục khớp với cơ sở dữ liệu.")
