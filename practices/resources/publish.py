"""Writing an adoption import that has proved valid: published in bulk, or as reports."""

import datetime
import itertools
import uuid

from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone
from django.utils.encoding import is_protected_type

from modelcluster.models import get_serializable_data_for_fields
from wagtail.models import ModelLogEntry, Revision

from kb.bulk import insert_rows, reserve_pks
from practices.models import Adoption, AdoptionStep
from practices.resources import steps

_JSON = DjangoJSONEncoder()  # Revision.content's encoder
# What a record's latest step holds of the record (Adoption.record_step).
_CURRENT = ("status", "decided_on", "instrument", "evidence_url")


def _serialiser(model, attnames):
    """A function from the values of an instance of `model` (in the order of `attnames`) to
    what modelcluster's `get_serializable_data_for_fields` makes of the instance, the content
    of a Wagtail revision, without making the instance."""
    plan = [("pk", attnames.index(model._meta.pk.attname), False)]
    plan += [
        (field.name, attnames.index(field.attname), field.remote_field is None)
        for field in model._meta.fields
        if field.serialize
    ]

    written = {}  # date or datetime → its text: the rows of a file share a few of them

    def moment(value):
        if value not in written:
            if isinstance(value, datetime.datetime) and value.tzinfo is not datetime.UTC:
                value_utc = timezone.localtime(value, datetime.UTC)
            else:
                value_utc = value
            written[value] = _JSON.default(value_utc)  # as the revision's encoder writes it
        return written[value]

    def serialise(values):
        data = {}
        for name, at, own in plan:
            value = values[at]
            if own and value is not None:
                if isinstance(value, datetime.date):  # datetimes too
                    value = moment(value)
                elif not is_protected_type(value):
                    value = str(value)  # value_to_string: choices, file names
            data[name] = value
        return data

    return serialise


class AdoptionWriter:
    """The writes of AdoptionResource once every row has been checked (`record`), kept apart
    from the checks of its rows: the resource's `created` (values), `changed` (instances),
    `scope`, `user`, `attnames`, `agencies` and `pages_by_pk` are what they write from, with
    `stages`, `created_stages` and `steps_of` for the records' steps (`steps`)."""

    def saved(self):
        """(adoption, history action) of each row written, one instance at a time."""
        for values in self.created:
            yield self.adoption(values), "wagtail.create"
        for adoption in self.changed:
            yield adoption, "wagtail.edit"

    def record(self):
        from dashboards.signals import data_changed, marked_by_caller
        from search.sync import touch

        # The records saved one by one below mark no spans: all are marked once after.
        with marked_by_caller():
            if self.scope is None:
                self.publish()
            else:
                self.created = self.with_pks(self.created)
                insert_rows(Adoption, self.attnames, self.created)
                # A new report's record holds its step, as a draft saved in the admin does; a
                # changed record's steps change only in its revision (record_reports).
                writes = steps.StepWrites()
                self.new_steps(writes)
                writes.number()
                writes.write()
                if self.stages:
                    self.staged_reports()
                self.record_reports()
        # Written without save(), so without the signals that mark them for search and make
        # the dashboards' figures stale.
        touch("adoption", [values[0] for values in self.created] + [a.pk for a in self.changed])
        practice = self.attnames.index("practice_id")
        data_changed(
            {values[practice] for values in self.created} | {a.practice_id for a in self.changed}
        )
        # Free them before search rebuilds the rows of the adoptions.
        self.created, self.changed, self.existing = [], [], {}
        self.created_stages, self.steps_of = [], {}

    def new_steps(self, writes):
        """{pk: steps} of the new records (numbered by `created`'s pks), added to `writes`."""
        status, on, instrument, url = (self.attnames.index(name) for name in _CURRENT)
        found = {}
        if not self.stages:  # one step each (steps.history), made here: tens of thousands
            for values in self.created:
                step = [None, values[0], values[status], values[on], values[instrument]]
                step += [values[url], ""]
                writes.new.append(step)
                found[values[0]] = [step]
            return found
        for values, stages in zip(self.created, self.created_stages, strict=True):
            current = (values[status], values[on], values[instrument], values[url])
            dated = dict(zip(self.stages, stages, strict=True))
            after = steps.history(values[0], (), current, dated)
            writes.add((), after)
            found[values[0]] = after
        return found

    def changed_steps(self, writes):
        """{pk: steps} of the changed records after their rows, the changes added to
        `writes`; their steps as they were are read in one query (already read when the file
        has stage columns)."""
        pks = [adoption.pk for adoption in self.changed]
        before = self.steps_of if self.stages else steps.load(pks)
        found = {}
        for adoption in self.changed:
            existing = before.get(adoption.pk, [])
            current = [getattr(adoption, name) for name in _CURRENT]
            after = steps.history(adoption.pk, existing, current, self.row_stages(adoption))
            writes.add(existing, after)
            found[adoption.pk] = after
        return found

    def with_pks(self, created):
        """The new adoptions' values with their pks (the pk is the first concrete field)."""
        pks = reserve_pks(Adoption, len(created))
        return [(pk, *values[1:]) for pk, values in zip(pks, created, strict=True)]

    def publish(self):
        """What `save_revision(user=…, log_action=True)` and `publish` do for each row, in
        bulk: a revision, a history entry, and the record written with `latest_revision`
        pointing at its revision. Made from the adoptions' values, not instances: for 50,000
        new rows, instances and Wagtail's serialisation of them took longer than the rest of
        the import."""
        count = len(self.created) + len(self.changed)
        if not count:
            return
        from practices.models import AdoptionResult

        self.created = self.with_pks(self.created)
        writes = steps.StepWrites()
        steps_of = self.new_steps(writes) | self.changed_steps(writes)
        writes.number()  # before the revisions, which name them
        serialise_step = steps.serialiser()
        revision_pks = reserve_pks(Revision, count)
        content_type = ContentType.objects.get_for_model(Adoption).pk
        now, group, user_id = timezone.now(), uuid.uuid4(), getattr(self.user, "pk", None)
        results = {}
        for result in AdoptionResult.objects.filter(
            adoption__any=[a.pk for a in self.changed]
        ).order_by("pk"):
            results.setdefault(result.adoption_id, []).append(
                get_serializable_data_for_fields(result)
            )
        serialise = _serialiser(Adoption, self.attnames)
        at = {name: self.attnames.index(name) for name in ("practice_id", "agency_id")}
        labels = {}  # agency pk → its name as a label starts, computed once per agency
        entries = []  # (pk, label, action, revision pk) of each row, for the history

        # Built as they are written: 50,000 revisions at once would be hundreds of MB.
        def revisions():
            saved = itertools.chain(
                ((values, "wagtail.create") for values in self.created),
                ((self.values(adoption), "wagtail.edit") for adoption in self.changed),
            )
            for (values, action), revision in zip(saved, revision_pks, strict=True):
                pk, agency = values[0], values[at["agency_id"]]
                if agency not in labels:
                    labels[agency] = self.agencies.by_pk[agency].display_name
                # As Adoption.__str__ writes it.
                label = f"{labels[agency]} – {self.pages_by_pk[values[at['practice_id']]].title}"
                # Serialised before it points at its revision, as save_revision does.
                content = serialise(values)
                content["steps"] = [serialise_step(step) for step in steps_of.pop(pk)]
                content["results"] = results.get(pk, [])
                entries.append((pk, label, action, revision))
                yield revision, content_type, content_type, str(pk), user_id, content, label, now

        insert_rows(
            Revision,
            (
                "id",
                "content_type_id",
                "base_content_type_id",
                "object_id",
                "user_id",
                "content",
                "object_str",
                "created_at",
            ),
            revisions(),
        )
        insert_rows(
            ModelLogEntry,
            (
                "content_type_id",
                "object_id",
                "label",
                "action",
                "timestamp",
                "data",
                "user_id",
                "revision_id",
                "content_changed",
                "uuid",
            ),
            (
                (content_type, str(pk), label, action, now, {}, user_id, revision, True, group)
                for pk, label, action, revision in entries
            ),
        )
        entries.clear()
        latest = self.attnames.index("latest_revision_id")
        revision_pks = iter(revision_pks)
        if self.created:
            insert_rows(
                Adoption,
                self.attnames,
                (
                    (*values[:latest], next(revision_pks), *values[latest + 1 :])
                    for values in self.created
                ),
            )
        for adoption, revision in zip(self.changed, revision_pks, strict=True):
            adoption.latest_revision_id, adoption.updated_at = revision, now
        self.update(self.changed)
        writes.write()

    def update(self, adoptions):
        """Write the import's columns and bookkeeping of `adoptions`, one UPDATE by pk each,
        sent as one batch (`executemany`).

        Django's `bulk_update` builds a CASE over every row for every column: seconds of
        Python and of PostgreSQL for a thousand rows.
        """
        from django.db import connections

        if not adoptions:
            return
        connection = connections[Adoption.objects.db]  # not the proxy: used for every value
        names = [*self.get_bulk_update_fields(), "latest_revision", "updated_at"]
        fields = [Adoption._meta.get_field(name) for name in names]
        table, quote = Adoption._meta.db_table, connection.ops.quote_name
        # Names from the model, values as parameters.
        sql = "UPDATE {} SET {} WHERE {} = %s".format(  # noqa: S608
            quote(table),
            ", ".join(f"{quote(f.column)} = %s" for f in fields),
            quote(Adoption._meta.pk.column),
        )
        with connection.cursor() as cursor:
            cursor.executemany(
                sql,
                [
                    [*(f.get_db_prep_save(getattr(a, f.attname), connection) for f in fields), a.pk]
                    for a in adoptions
                ],
            )

    def staged_reports(self):
        """The steps a file's stage columns give the changed records, in memory: a report
        leaves the approved record as it is, and its revision (record_reports) carries them."""
        for adoption in self.changed:
            current = [getattr(adoption, name) for name in _CURRENT]
            after = steps.history(
                adoption.pk, self.steps_of.get(adoption.pk, []), current, self.row_stages(adoption)
            )
            adoption.steps = [
                AdoptionStep(**dict(zip(steps.ATTNAMES, s, strict=True))) for s in after
            ]

    def record_reports(self):
        """Each saved row as a report of `self.user`: a revision (as the snippet editor's
        “save draft” makes it) and the review workflow, started unless one is under way."""
        from wagtail.models import WorkflowState

        workflow = None
        for adoption, action in self.saved():
            # The record in the database keeps its approved values; only the revision and
            # its bookkeeping fields are written.
            adoption.save_revision(user=self.user, log_action=action, clean=False)
            state = adoption.current_workflow_state
            if state is not None and state.status == WorkflowState.STATUS_NEEDS_CHANGES:
                state.resume(self.user)
            elif state is None:
                workflow = workflow or adoption.get_workflow()
                if workflow is not None:
                    workflow.start(adoption, self.user)
