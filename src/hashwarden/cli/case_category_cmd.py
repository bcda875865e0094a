"""``hashwarden case categorise|uncategorise|categories``: what case items show."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from hashwarden.cli.case_cmd import Name, audit_case, case_app, case_service
from hashwarden.cli.output import emit
from hashwarden.cli.runtime import Runtime

if TYPE_CHECKING:
    from hashwarden.cases.categories import CaseCategoryService

Paths = Annotated[list[str], typer.Argument(help="Item paths as the case lists them.")]
OnlyThese = Annotated[
    bool,
    typer.Option("--only-these", help="Leave the rest of each item's stack (its near-duplicates)."),
]


def category_service(runtime: Runtime) -> CaseCategoryService:
    from hashwarden.cases.categories import CaseCategoryService
    from hashwarden.storage.case_category_store import SqlCaseCategoryStore

    return CaseCategoryService(case_service(runtime), SqlCaseCategoryStore(runtime.engine))


@case_app.command("categorise")
def categorise(
    name: Name,
    paths: Paths,
    category: Annotated[
        str, typer.Option(help="scheme:value, e.g. vics-uk:1 or iwf:B (schemes are yours).")
    ],
    only_these: OnlyThese = False,
) -> None:
    """Categorise items, and by default everything stacked with them."""
    from hashwarden.cases.categories import parse_category

    runtime = Runtime()
    service = category_service(runtime)
    chosen = parse_category(category)
    done = service.categorise(service.cases.get(name), paths, chosen, runtime.actor,
                              whole_stacks=not only_these)
    audit_case(runtime, "cases.categorise", name, category=str(chosen), items=len(done))
    emit({"category": str(chosen), "items": done})


@case_app.command("uncategorise")
def uncategorise(name: Name, paths: Paths, only_these: OnlyThese = False) -> None:
    """Take an investigator's category off items (a list match's category stays)."""
    runtime = Runtime()
    service = category_service(runtime)
    done = service.clear(service.cases.get(name), paths, whole_stacks=not only_these)
    audit_case(runtime, "cases.uncategorise", name, items=len(done))
    emit({"items": done})


@case_app.command("categories")
def categories(name: Name) -> None:
    """Every categorised item as JSON Lines: path, category and where it comes from."""
    runtime = Runtime()
    service = category_service(runtime)
    found = service.effective(service.cases.get(name))
    audit_case(runtime, "cases.categories", name, items=len(found))
    for path, (category, source) in sorted(found.items()):
        emit({"path": path, "category": str(category), "source": source})
