from wagtail import hooks
from wagtail.log_actions import LogFormatter

from reporting.review import EVIDENCE_LOG_ACTION


@hooks.register("register_log_actions")
def register_review_log_actions(actions):
    @actions.register_action(EVIDENCE_LOG_ACTION)
    class EvidenceLevelFormatter(LogFormatter):
        label = "Thẩm định: mức minh chứng"

        def format_message(self, log_entry):
            from practices.models import EvidenceLevel

            def label(value):
                try:
                    return EvidenceLevel(value).label
                except ValueError:
                    return value

            data = log_entry.data
            change = f"{label(data.get('from'))} → {label(data.get('to'))}"
            if data.get("checked"):
                return f"Đã kiểm tra minh chứng; mức minh chứng: {change}"
            return (
                "Mức “Đã thẩm định” do người báo cáo tự ghi, chưa được kiểm tra; "
                f"mức minh chứng: {change}"
            )
