"""Rebuild public search from the database: a new index behind the alias, the old one dropped."""

import time

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from elasticsearch import ApiError, TransportError
from elasticsearch.helpers import BulkIndexError

from kb.progress import ProgressBar, number
from search import fulltext, matches, sync
from search.client import get_client
from search.management import cluster_health, decimal, quiet_transport, unreachable
from search.models import SearchDocument


class Command(BaseCommand):
    help = (
        "Dựng lại chỉ mục tìm kiếm từ cơ sở dữ liệu: tạo chỉ mục mới, chuyển bí danh sang "
        "chỉ mục mới rồi xoá chỉ mục cũ, và dựng lại chỉ mục toàn văn trong cơ sở dữ liệu. Khi "
        "chưa đặt ELASTICSEARCH_URL, chỉ làm mới bảng tìm kiếm và chỉ mục toàn văn trong cơ sở "
        "dữ liệu."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--no-progress", action="store_true", help="Không hiển thị thanh tiến độ."
        )

    def handle(self, *args, no_progress=False, **options):
        with quiet_transport():
            self._run(no_progress=no_progress)
        started = time.monotonic()
        with transaction.atomic():
            done = fulltext.rebuild()
            matches.rebuild()
        self.stdout.write(
            f"Tìm kiếm trong cơ sở dữ liệu: {done} ({decimal(time.monotonic() - started)} giây)."
        )

    def _run(self, no_progress):
        client = get_client()
        if client is None:
            self._refresh_database()
            return
        cluster_health(client)
        name = sync.alias()
        try:
            if client.indices.exists_alias(name=name):
                previous = sorted(client.indices.get_alias(name=name))
            else:
                # An index created before aliases were used squats the name; rebuild drops it.
                previous = [name] if client.indices.exists(index=name) else []
        except (TransportError, ApiError) as error:
            raise unreachable(error) from error

        self.stdout.write(f"Đang dựng lại chỉ mục {name} từ cơ sở dữ liệu…")
        bar = None if no_progress else ProgressBar(self.stdout)
        phases = {}

        def progress(done, total):
            phases.setdefault("indexing", time.monotonic())
            if bar:
                bar(done, total)

        started = time.monotonic()
        try:
            index, count = sync.rebuild(progress=progress)
        except BulkIndexError as error:
            reason = error.errors[0] if error.errors else error
            raise CommandError(
                f"Elasticsearch từ chối {number(len(error.errors))} tài liệu: {reason}. "
                f"Bí danh {name} vẫn trỏ vào chỉ mục cũ."
            ) from error
        except TransportError as error:
            raise unreachable(error) from error
        except ApiError as error:
            raise CommandError(f"Elasticsearch báo lỗi khi dựng lại chỉ mục: {error}") from error
        finally:
            if bar:
                bar.finish()
        elapsed = time.monotonic() - started
        indexing = time.monotonic() - phases.get("indexing", started)

        self.stdout.write(f"Chỉ mục mới: {index}; bí danh {name} đã chuyển sang chỉ mục này.")
        if previous:
            self.stdout.write(f"Đã xoá chỉ mục cũ: {', '.join(previous)}.")
        rate = count / elapsed if elapsed else 0
        self.stdout.write(
            f"Đã lập chỉ mục {number(count)} tài liệu trong {decimal(elapsed)} giây "
            f"({number(round(rate))} tài liệu/giây; làm mới bảng tìm kiếm "
            f"{decimal(elapsed - indexing)} giây, lập chỉ mục {decimal(indexing)} giây)."
        )

    def _refresh_database(self):
        written, removed = sync.refresh_all()
        public = SearchDocument.objects.filter(deleted=False).count()
        self.stdout.write(
            "ELASTICSEARCH_URL chưa được đặt: tìm kiếm công khai dùng cơ sở dữ liệu, "
            "không có chỉ mục nào để dựng."
        )
        self.stdout.write(
            f"Đã làm mới bảng tìm kiếm trong cơ sở dữ liệu: {number(written)} bản ghi được "
            f"cập nhật, {number(removed)} bản ghi được gỡ; có {number(public)} bản ghi công khai."
        )
