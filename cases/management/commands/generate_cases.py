"""Generate many realistic cases, leads and 12345 orders quickly (COPY in batches), for benchmarks and load tests."""

import time

from django.core.management.base import BaseCommand

from cases.generate import generate
from cases.generate_queues import generate_leads, generate_orders


class Command(BaseCommand):
    help = (
        "Generate N cases with their officers and parties (bulk COPY), e.g. --cases 1000000; "
        "--leads and --orders add leads and 12345 work orders."
    )

    def add_arguments(self, parser):
        parser.add_argument("--cases", type=int, default=10000, help="How many cases to generate.")
        parser.add_argument("--leads", type=int, default=0, help="How many leads to generate too.")
        parser.add_argument("--orders", type=int, default=0, help="How many 12345 work orders to generate too.")
        parser.add_argument("--seed", type=int, default=2026, help="Random seed (the same seed, the same data).")
        parser.add_argument("--batch", type=int, default=50000, help="Rows per COPY batch.")

    def handle(self, *args, cases: int, leads: int, orders: int, seed: int, batch: int, **options):
        for what, count, run in (
            ("cases", cases, generate),
            ("leads", leads, generate_leads),
            ("12345 work orders", orders, generate_orders),
        ):
            if count <= 0:
                continue
            started = time.perf_counter()
            if run is generate:
                written = generate(cases=count, seed=seed, batch=batch, say=self.stdout.write)
            else:
                written = run(count=count, seed=seed, batch=batch, say=self.stdout.write)
            elapsed = time.perf_counter() - started
            self.stdout.write(
                self.style.SUCCESS(
                    f"{written:,} {what} generated in {elapsed:.1f}s ({written / elapsed:,.0f} per second)"
                )
            )
