"""Ship the official public-sector day swaps for 2024-2026 as calendar overrides.

Each swap was approved by the Prime Minister or a Deputy Prime Minister in a Government
Office (VPCP) letter, then announced by MOLISA (to 2024) or the Ministry of Home Affairs.
``holidays.Vietnam`` 0.109 already knows every pair here except the 2026 New Year swap
(Fri 2 Jan off, Sat 10 Jan worked); the others are shipped too so that the legal basis of
each swapped day is recorded beside it and survives a change of the library.

Swaps checked and found unnecessary (the statutory days plus weekends, no swapped day):
Tết 2024 (8-14 Feb, 8662/VPCP-KGVX of 03/11/2023), Tết 2025 (27-31 Jan, 8726/VPCP-KGVX of
26/11/2024), Tết 2026 (16-20 Feb, 9859/VPCP-KGVX of 13/10/2025), National Day 2024 and 2025.
"""

import datetime

from django.db import migrations

OFF, WORK = "off", "work"

SWAPS = [
    # (date, kind, reason, document number, document date)
    (
        datetime.date(2024, 4, 29),
        OFF,
        "Hoán đổi ngày làm việc dịp 30/4-1/5/2024: nghỉ thứ Hai 29/4, làm bù thứ Bảy 04/5",
        "2450/VPCP-KGVX",
        datetime.date(2024, 4, 12),
    ),
    (
        datetime.date(2024, 5, 4),
        WORK,
        "Làm bù cho thứ Hai 29/4/2024 (dịp 30/4-1/5/2024)",
        "2450/VPCP-KGVX",
        datetime.date(2024, 4, 12),
    ),
    (
        datetime.date(2025, 4, 26),
        WORK,
        "Làm bù cho thứ Sáu 02/5/2025 (dịp 30/4-1/5/2025; TB 6150/TB-BLĐTBXH)",
        "8726/VPCP-KGVX",
        datetime.date(2024, 11, 26),
    ),
    (
        datetime.date(2025, 5, 2),
        OFF,
        "Hoán đổi ngày làm việc dịp 30/4-1/5/2025: nghỉ thứ Sáu 02/5, làm bù thứ Bảy 26/4",
        "8726/VPCP-KGVX",
        datetime.date(2024, 11, 26),
    ),
    (
        datetime.date(2026, 1, 2),
        OFF,
        "Hoán đổi ngày làm việc dịp Tết Dương lịch 2026: nghỉ thứ Sáu 02/01, làm bù thứ Bảy 10/01",
        "12729/VPCP-KGVX",
        datetime.date(2025, 12, 25),
    ),
    (
        datetime.date(2026, 1, 10),
        WORK,
        "Làm bù cho thứ Sáu 02/01/2026 (Tết Dương lịch 2026)",
        "12729/VPCP-KGVX",
        datetime.date(2025, 12, 25),
    ),
    (
        datetime.date(2026, 8, 22),
        WORK,
        "Làm bù cho thứ Hai 31/8/2026 (dịp Quốc khánh 2026)",
        "9859/VPCP-KGVX",
        datetime.date(2025, 10, 13),
    ),
    (
        datetime.date(2026, 8, 31),
        OFF,
        "Hoán đổi ngày làm việc dịp Quốc khánh 2026: nghỉ thứ Hai 31/8, làm bù thứ Bảy 22/8",
        "9859/VPCP-KGVX",
        datetime.date(2025, 10, 13),
    ),
]


def add_swaps(apps, schema_editor):
    CalendarOverride = apps.get_model("qms", "CalendarOverride")
    for day, kind, reason, number, issued in SWAPS:
        # An administrator may already have entered the day: keep their row.
        CalendarOverride.objects.get_or_create(
            date=day,
            defaults={
                "kind": kind,
                "reason": reason,
                "document_number": number,
                "document_date": issued,
            },
        )


def remove_swaps(apps, schema_editor):
    CalendarOverride = apps.get_model("qms", "CalendarOverride")
    for day, _kind, _reason, number, _issued in SWAPS:
        # Only rows this migration made: an administrator's own entry for the day stays.
        CalendarOverride.objects.filter(date=day, document_number=number).delete()


class Migration(migrations.Migration):
    dependencies = [("qms", "0001_initial")]

    operations = [migrations.RunPython(add_swaps, remove_swaps)]
