"""Generate many realistic cases quickly (COPY in batches), for benchmarks and load tests."""

import time

from django.core.management.base import BaseCommand

from cases.generate import generate


class Command(BaseCommand):
    help = "Generate N cases with their officers and parties (bulk COPY), e.g. --cases 1000000."

    def add_arguments(self, parser):
        parser.add_argument("--cases", type=int, default=10000, help="How many cases to generate.")
        parser.add_argument("--seed", type=int, default=2026, help="Random seed (the same seed, the same data).")
        parser.add_argument("--batch", type=int, default=50000, help="Rows per COPY batch.")

    def handle(self, *args, cases: int, seed: int, batch: int, **options):
        started = time.perf_counter()
        written = generate(cases=cases, seed=seed, batch=batch, say=self.stdout.write)
        elapsed = time.perf_counter() - started
        self.stdout.write(
            self.style.SUCCESS(f"{written:,} cases generated in {elapsed:.1f}s ({written / elapsed:,.0f} per second)")
        )
