"""Print the measures of the data: records per collection, quoted statements, disputes,
and for each source the share of its body paragraphs quoted at least once.

Usage: python scripts/data_report.py   (the same coverage figures appear on each source's page)
"""
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from natoca.pipeline import load_model  # noqa: E402
from natoca.problems import DataError  # noqa: E402


def main() -> int:
    try:
        model = load_model(ROOT)
    except DataError as error:
        print(error)
        return 1
    print("| collection | records |\n|---|---|")
    for name, count in model.counts():
        print(f"| {name} | {count} |")
    citations = sum(len(s.citations) for statements in model.statements.values() for s in statements)
    print(f"\nquoted statements: {model.statement_count()}  (citations: {citations})")
    print(f"disputes: {len(model.distinct_disputes)} distinct ({len(model.disputes)} entries: one disagreement may sit on several records)")
    print("\n| source | quotations | body paragraphs cited | share |\n|---|---|---|---|")
    for source_id in model.records["sources"]:
        cited, total = model.coverage(source_id)
        print(f"| {source_id} | {len(model.citing[source_id])} | {cited} / {total} | {100 * cited / total:.0f}% |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
