"""Use case: the `oneroster.import` job applies an uploaded OneRoster 1.2 package (bulk or
delta), reporting its progress and outcome to the uploader."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from edtech.institutions.public import RosterBatch, RosterSync, institution_settings
from edtech.kernel.clock import Clock
from edtech.kernel.errors import FieldProblem, InvalidError
from edtech.oneroster.application.common import Applier, ImportReport
from edtech.oneroster.domain.binding import Mode, Problem, manifest_modes, parse_manifest
from edtech.oneroster.domain.events import ImportFinished
from edtech.oneroster.domain.package import KIND_OF_FILE, REFERENCES, read_package
from edtech.oneroster.infrastructure.files import read_zip
from edtech.oneroster.infrastructure.imports import (
    ImportProgressLog,
    import_to_run,
    update_import,
)
from edtech.oneroster.infrastructure.sources import SqlAlchemySources
from edtech.platform.db.uow import UnitOfWork

MAX_REPORTED = 200
"""At most this many problems are listed (a broken export can have thousands)."""

RECORDS_READ_WHOLE = ("org",)
"""Kinds whose imported rows an import always reads (a district's type); the others' are read
per file for the rows the package names (`Applier`)."""
FIELDS_READ = {"role": ("userSourcedId", "role")}
"""…and of these only the fields the import needs of every row (who holds which role)."""
ALWAYS_WHOLE = frozenset({"org", "role", "link"})


def kinds_read_whole(texts: Mapping[str, str]) -> set[str] | None:
    """The kinds whose every mapping an import of `texts` needs: those a file of the package
    refers to, those of a bulk file (it ends what it leaves out), orgs, roles and guardian
    links; the mappings of the other kinds are read for the sourcedIds the package names.
    None (all of them) when the manifest does not parse (the package is refused anyway)."""
    if "manifest" not in texts:
        return None
    props, problems = parse_manifest(texts["manifest"])
    modes, more = manifest_modes(props)
    if problems or more:
        return None
    present = {n for n, m in modes.items() if m is not Mode.ABSENT and n in KIND_OF_FILE}
    whole = set(ALWAYS_WHOLE)
    whole |= {KIND_OF_FILE[n] for n in present if modes[n] is Mode.BULK}
    whole |= {KIND_OF_FILE[target] for file, _, target, _ in REFERENCES if file in present}
    return whole


MAX_PACKAGE_BYTES = 200 * 1024 * 1024
"""An upload (or a file inside it) over this size is refused with 413."""


def refuse(message: str, problems: list[Problem]) -> InvalidError:
    listed = [FieldProblem(p.loc(), p.message, "oneroster_csv") for p in problems[:MAX_REPORTED]]
    more = len(problems) - len(listed)
    return InvalidError(message + (f" ({more} more not listed)" if more > 0 else ""), listed)


def problem_of(exc: InvalidError) -> dict[str, Any]:
    """The outcome of a refused import, in the words and shape of a 422 problem."""
    return {
        "code": exc.code,
        "detail": exc.message,
        "errors": [
            {"loc": list(p.loc), "msg": p.message, "type": p.type} for p in exc.problems or []
        ],
    }


class ImportPackage:
    """Runs one queued import: the whole package is checked first (a package with any
    problem changes nothing, and the outcome lists each by file, line and column), then
    applied in one transaction — the import's outcome (`oneroster.import_finished`) commits
    with the roster's changes, so it is never told before they are visible, nor lost after.
    A dry run applies and rolls back, and only its report is kept. A job retried after the
    import ended does nothing."""

    def __init__(
        self,
        uow: UnitOfWork,
        clock: Clock,
        progress: ImportProgressLog,
        uows: Callable[[], UnitOfWork],
    ) -> None:
        self.uow, self.clock, self.progress, self.uows = uow, clock, progress, uows

    async def __call__(self, import_id: uuid.UUID) -> None:
        async with self.uows() as reader:
            row = await import_to_run(reader.session, import_id)
        if row is None:
            return
        institution_id = row.institution_id
        await self.progress.note(institution_id, import_id, "started")
        report = ImportReport(dry_run=row.dry_run)
        try:
            async with self.uow:
                await self._apply(institution_id, import_id, row.package, row.lenient, report)
                if not row.dry_run:
                    await self._finish(self.uow, institution_id, import_id, report, None)
                    await self.uow.commit()
                    return
        except InvalidError as exc:
            async with self.uows() as uow:
                await self._finish(uow, institution_id, import_id, None, problem_of(exc))
                await uow.commit()
            return
        async with self.uows() as uow:  # a dry run: the changes rolled back, the report stays
            await self._finish(uow, institution_id, import_id, report, None)
            await uow.commit()

    async def _apply(
        self,
        institution_id: uuid.UUID,
        import_id: uuid.UUID,
        package: bytes,
        lenient: bool,
        report: ImportReport,
    ) -> None:
        texts = read_zip(package, MAX_PACKAGE_BYTES)  # the CSV text goes once it is parsed
        session = self.uow.session
        sources = SqlAlchemySources(session, institution_id, batched=True)
        whole = kinds_read_whole(texts)
        await sources.load(records=RECORDS_READ_WHOLE, kinds=whole, fields=FIELDS_READ)
        known = {
            name: {k for k, s in sources.of_kind(kind).items() if s.status == "active"}
            for name, kind in KIND_OF_FILE.items()
        }
        pkg = read_package(texts, known, lenient=lenient)
        del texts
        report.warnings.extend(pkg.warnings)
        if not pkg.ok:
            raise refuse(
                f"the package has {len(pkg.problems)} problem(s); nothing was changed",
                pkg.problems,
            )
        for name, records in pkg.records.items():
            if whole is not None and KIND_OF_FILE[name] not in whole:
                await sources.load_named(KIND_OF_FILE[name], (r.sourced_id for r in records))

        async def on_file(name: str, done: int, total: int) -> None:
            if self.progress.live:
                await self.progress.note(institution_id, import_id, "applying", name, done, total)

        now = self.clock.now()
        applier = Applier(
            RosterSync(session, institution_id, now),
            RosterBatch(session, institution_id, now, self.uow.emit),
            sources,
            await self._today(institution_id),
            now,
            report,
        )
        await applier.run(pkg, on_file)
        await sources.flush()
        if applier.problems:
            raise refuse(
                f"{len(applier.problems)} record(s) break the roster's rules; nothing was changed",
                applier.problems,
            )

    async def _finish(
        self,
        uow: UnitOfWork,
        institution_id: uuid.UUID,
        import_id: uuid.UUID,
        report: ImportReport | None,
        problem: dict[str, Any] | None,
    ) -> None:
        now = self.clock.now()
        state = "failed" if problem is not None else "succeeded"
        data = None if report is None else report.as_data()
        await update_import(
            uow.session,
            import_id,
            state=state,
            report=data,
            problem=problem,
            package=None,
            finished_at=now,
            progress={"phase": "finished", "file": None, "done": 0, "total": 0},
        )
        uow.emit(
            ImportFinished(
                institution_id=institution_id,
                occurred_at=now,
                import_id=import_id,
                state=state,
                report=data,
                problem=problem,
            )
        )

    async def _today(self, institution_id: uuid.UUID) -> date:
        """Records end on the school's date, never the UTC one."""
        settings = await institution_settings(self.uow.session, institution_id)
        zone = ZoneInfo(settings.timezone) if settings else None
        return self.clock.now().astimezone(zone).date()
