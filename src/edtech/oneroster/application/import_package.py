"""Use case: an institution admin imports a OneRoster 1.2 CSV package (bulk or delta)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from zoneinfo import ZoneInfo

from edtech.institutions.public import RosterSync, institution_settings
from edtech.kernel.clock import Clock
from edtech.kernel.errors import FieldProblem, ForbiddenError, InvalidError
from edtech.kernel.principal import Principal
from edtech.oneroster.application.common import Applier, ImportReport
from edtech.oneroster.domain.binding import Problem
from edtech.oneroster.domain.package import KIND_OF_FILE, read_package
from edtech.oneroster.infrastructure.sources import SqlAlchemySources
from edtech.platform.db.uow import UnitOfWork

MAX_REPORTED = 200
"""At most this many problems are listed (a broken export can have thousands)."""


def refuse(message: str, problems: list[Problem]) -> InvalidError:
    listed = [FieldProblem(p.loc(), p.message, "oneroster_csv") for p in problems[:MAX_REPORTED]]
    more = len(problems) - len(listed)
    return InvalidError(message + (f" ({more} more not listed)" if more > 0 else ""), listed)


class ImportPackage:
    """The whole package is checked first (columns, enumerations, dates, references between
    files, duplicates); a package with any problem changes nothing and the report lists each
    by file, line and column. Then it is applied in one transaction, matched by `sourcedId`
    within this institution only: re-importing the same package changes nothing, a delta
    applies only its rows (`tobedeleted` ends a record, dated today at the school), and a
    bulk file ends the records of its entity it no longer lists. A dry run reports what would
    be created, changed and ended, and changes nothing. Only institution admins import.
    """

    def __init__(self, uow: UnitOfWork, clock: Clock) -> None:
        self.uow, self.clock = uow, clock

    async def __call__(
        self,
        principal: Principal,
        texts: Mapping[str, str],
        *,
        dry_run: bool = False,
        lenient: bool = False,
    ) -> ImportReport:
        if not principal.is_institution_admin:
            raise ForbiddenError("only an institution admin imports rosters")
        institution_id = principal.institution_id
        report = ImportReport(dry_run=dry_run)
        async with self.uow:
            session = self.uow.session
            sources = SqlAlchemySources(session, institution_id)
            await sources.load()
            known = {
                name: {k for k, s in sources.of_kind(kind).items() if s.status == "active"}
                for name, kind in KIND_OF_FILE.items()
            }
            pkg = read_package(texts, known, lenient=lenient)
            report.warnings.extend(pkg.warnings)
            if not pkg.ok:
                raise refuse(
                    f"the package has {len(pkg.problems)} problem(s); nothing was changed",
                    pkg.problems,
                )
            now = self.clock.now()
            applier = Applier(
                RosterSync(session, institution_id, now),
                sources,
                await self._today(institution_id),
                now,
                report,
            )
            await applier.run(pkg)
            if applier.problems:
                raise refuse(
                    f"{len(applier.problems)} record(s) break the roster's rules; "
                    "nothing was changed",
                    applier.problems,
                )
            if not dry_run:
                await self.uow.commit()
        return report

    async def _today(self, institution_id: object) -> date:
        """Records end on the school's date, never the UTC one."""
        settings = await institution_settings(self.uow.session, institution_id)  # type: ignore[arg-type]
        zone = ZoneInfo(settings.timezone) if settings else None
        return self.clock.now().astimezone(zone).date()
