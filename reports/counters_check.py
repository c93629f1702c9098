"""doctor's `counters` check: does every stored counter still equal what it counts? (Registered in
reports/management/commands/doctor.py; the counters and their definitions are in lms/counters.py.)

One aggregate query per counter (the database compares stored and true values and only counts
the rows that differ), plus a few examples (LIMIT) for a counter that drifted."""

from lms.counters import counter_drift_count, counters, counters_drift

EXAMPLES = 3


def check_counters(ctx) -> list:
    from reports.management.commands.doctor import FAIL, OK, Result  # doctor imports this module

    results = []
    checked = counters()
    for counter in checked:
        rows = counter_drift_count(counter)
        if not rows:
            continue
        examples = "; ".join(str(drift) for drift in counters_drift(names=[counter.name], limit=EXAMPLES))
        results.append(
            Result(
                f"counters.{counter.name}",
                FAIL,
                f"{rows} row(s) of {counter.label} store a figure that differs from what it counts, e.g. {examples}.",
                f"See them with `manage.py repair_counters --dry-run --counter {counter.name}`; "
                f"repair them with `manage.py repair_counters --counter {counter.name}`.",
            )
        )
    if not results:
        names = ", ".join(counter.name for counter in checked)
        results.append(Result("counters", OK, f"{len(checked)} stored counters equal what they count ({names})."))
    return results
