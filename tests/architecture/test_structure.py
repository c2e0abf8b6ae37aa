"""The layout rules of the product, checked on its source: no import cycle, library/ reads
downloads/ only from browsing views through selectors, and no module over 400 lines."""

from __future__ import annotations

from tests.architecture.import_graph import cycles, import_graph, product_modules

MAX_LINES = 400


def test_no_product_modules_import_each_other_in_a_circle() -> None:
    found = cycles(import_graph(product_modules()))

    assert found == [], "import cycles:\n" + "\n".join(" <-> ".join(c) for c in found)


def test_library_imports_downloads_only_where_browsing_views_read_its_selectors() -> None:
    graph = import_graph(product_modules())
    leaks = sorted(
        f"{module} -> {target}"
        for module, targets in graph.items()
        if module.startswith("library")
        for target in targets
        if target.startswith("downloads") and not _browsing_view_reads_selectors(module, target)
    )

    assert leaks == [], "library imports downloads:\n" + "\n".join(leaks)


def test_no_product_module_is_over_400_lines() -> None:
    too_long = sorted(
        f"{name}: {lines} lines"
        for name, path in product_modules().items()
        if (lines := len(path.read_text().splitlines())) > MAX_LINES
    )

    assert too_long == [], f"modules over {MAX_LINES} lines:\n" + "\n".join(too_long)


def _browsing_view_reads_selectors(module: str, target: str) -> bool:
    return ".views" in module and target.split(".")[-1] == "selectors"
