"""Write a synthetic one-stop export: ``python -m bench.generate PATH.csv|PATH.xlsx [options]``.

Without ``--agency`` the catalogue is synthetic (agencies G, G-S000 …, TTHC 9.xxxxxx: nothing in a
database needed); with ``--agency CODE`` it is the database's (the agencies under CODE and the
TTHC they handle), so the file can be imported there. Streamed: any number of rows in bounded
memory (XLSX up to 1,048,575 rows, Excel's limit).
"""

import argparse
import datetime as dt
import os
import resource
import sys
import time
from pathlib import Path


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.generate", description=__doc__)
    parser.add_argument("path", type=Path)
    parser.add_argument("--rows", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--first", type=dt.date.fromisoformat, default=dt.date(2024, 7, 1))
    parser.add_argument("--last", type=dt.date.fromisoformat, default=dt.date(2025, 12, 31))
    parser.add_argument("--agency", help="code of the database agency whose subtree to use")
    parser.add_argument("--procedures", type=int, default=120, help="synthetic TTHC")
    parser.add_argument("--steps", type=Path, help="CSV: also write the step sheet here")
    parser.add_argument("--no-personal", action="store_true")
    args = parser.parse_args(argv)

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qms.settings")
    import django

    django.setup()
    from bench.generate import AgencySpec, catalogue_from_db, lives, tree_agencies
    from bench.generate.catalogue import assign, procedure_specs
    from bench.generate.files import write_csv, write_xlsx
    from qms.workcal import WorkingCalendar, get_calendar

    if args.agency:
        from qms.models import Agency

        calendar = get_calendar()
        catalogue = catalogue_from_db(tree_agencies(Agency.objects.get(code=args.agency)))
    else:
        calendar = WorkingCalendar()
        agencies = [
            AgencySpec(code=f"G-S{i:03d}", reception=f"G-S{i:03d}-MC", kind="department",
                       units=(f"G-S{i:03d}-P00", f"G-S{i:03d}-P01"))
            for i in range(8)
        ] + [AgencySpec(code=f"G-X{i:04d}", kind="commune") for i in range(20)]  # fmt: skip
        catalogue = assign(agencies, procedure_specs(args.procedures, seed=args.seed), seed=1)
    generated = lives(args.rows, seed=args.seed, catalogue=catalogue, first=args.first,
                      last=args.last, calendar=calendar, steps=bool(args.steps)
                      or args.path.suffix == ".xlsx")  # fmt: skip
    now = dt.datetime.combine(args.last, dt.time(23, 59), tzinfo=calendar.tz)
    options = {"tz": calendar.tz, "seed": args.seed, "personal": not args.no_personal,
               "agency_column": True}  # fmt: skip
    started = time.perf_counter()
    if args.path.suffix == ".xlsx":
        count = write_xlsx(args.path, generated, now, **options)
    else:
        count = write_csv(args.path, generated, now, steps_path=args.steps, **options)
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"{count:,} rows to {args.path} in {seconds:.1f} s ({count / seconds:,.0f} rows/s), "
        f"{args.path.stat().st_size / 2**20:.1f} MB, peak memory {peak:.0f} MB"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
