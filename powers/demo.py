"""Demo data of the catalogue, loaded by ``manage.py load_demo`` (idempotent).

* the sample catalogue (powers/data/sample_catalogue.json: 501 items, sample data) delegated
  from 2024-01-01 with version 1 of the discretion standards and the list entries;
* a few adjustments in different states (proposed, reviewed, approved and waiting, in effect,
  rejected) and one evaluation that started a recall, so the queue and the history are alive;
* usage records standing for cases of the past year, so the evaluation has figures. They use
  case ids from ``DEMO_CASE_BASE`` up, far above any real case; the cases app writes the real
  ones through ``powers.services.usage_record``.
"""

from __future__ import annotations

import datetime
import random

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from pengjiang_enforcement.models import Unit, User

from .adjustments import adjustment_approve, adjustment_propose, adjustment_reject, adjustment_review
from .choices import AdjustmentKind, EvaluationDecision, ItemStatus, PowerKind, UsageKind
from .evaluation import evaluation_record
from .models import Adjustment, Delegation, PowerItem, PowerUsage
from .sample import SAMPLE_PATH, load_sample_catalogue

DEMO_CASE_BASE = 9_000_000_000
DEMO_MARK = "【演示】"


def load(stdout) -> None:
    if not SAMPLE_PATH.exists():
        stdout.write(f"powers: {SAMPLE_PATH} is missing; the sample catalogue is not loaded.")
        return
    report = load_sample_catalogue()
    if report.created:
        stdout.write(f"powers: {report.created} sample items loaded ({report.delegations} delegations).")
    _usage()
    _procedures()


def _items() -> list[PowerItem]:
    return list(
        PowerItem.objects.filter(is_sample=True, status=ItemStatus.IN_FORCE, kind=PowerKind.PENALTY).order_by(
            "code", "sub_code"
        )
    )


@transaction.atomic
def _usage() -> None:
    """Cases of the last 12 months per item and township, deterministic (seeded)."""
    if PowerUsage.objects.filter(case_id__gte=DEMO_CASE_BASE).exists():
        return
    today = timezone.localdate()
    rng = random.Random(2026)
    held = list(
        Delegation.objects.filter(valid_to__isnull=True, item__is_sample=True)
        .order_by("item_id", "township_id")
        .values_list("item_id", "township_id")
    )
    rows: list[PowerUsage] = []
    case_id = DEMO_CASE_BASE
    # A third of the items are used nowhere: the evaluation's candidates.
    item_ids = sorted({item_id for item_id, _ in held})
    unused = {item_id for item_id in item_ids if rng.random() < 0.3}
    # A few items are handled badly (late or overturned decisions): the other candidates.
    sloppy_items = {item_id for item_id in item_ids if rng.random() < 0.04}
    for item_id, township_id in held:
        # Most items are used a little in some townships, a few a lot.
        roll = rng.random()
        count = 0 if item_id in unused or roll < 0.4 else rng.randint(1, 3) if roll < 0.9 else rng.randint(4, 12)
        sloppy = item_id in sloppy_items
        for _ in range(count):
            case_id += 1
            filed = today - datetime.timedelta(days=rng.randint(20, 360))
            rows.append(
                PowerUsage(item_id=item_id, township_id=township_id, case_id=case_id, kind=UsageKind.USED, date=filed)
            )
            if rng.random() < 0.8:
                closed = min(today, filed + datetime.timedelta(days=rng.randint(10, 80)))
                rows.append(
                    PowerUsage(
                        item_id=item_id, township_id=township_id, case_id=case_id, kind=UsageKind.CLOSED, date=closed
                    )
                )
                if rng.random() < (0.45 if sloppy else 0.015):
                    rows.append(
                        PowerUsage(
                            item_id=item_id,
                            township_id=township_id,
                            case_id=case_id,
                            kind=UsageKind.OVERDUE,
                            date=closed,
                        )
                    )
                if rng.random() < (0.25 if sloppy else 0.005):
                    rows.append(
                        PowerUsage(item_id=item_id, township_id=township_id, case_id=case_id,
                                   kind=UsageKind.OVERTURNED, date=closed)
                    )  # fmt: skip
    PowerUsage.objects.bulk_create(rows, batch_size=5000, ignore_conflicts=True)


def _approval(number: int) -> dict:
    """The approving document of a demo adjustment: its number and a one-page PDF."""
    pdf = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
    year = timezone.localdate().year
    return {
        "document_number": f"蓬府函〔{year}〕{number}号",
        "document": ContentFile(pdf + b"trailer<</Root 1 0 R>>\n%%EOF\n", name=f"approval-{number}.pdf"),
    }


@transaction.atomic
def _procedures() -> None:
    """Adjustments in each state and one evaluation (skipped when the demo made them already)."""
    if Adjustment.objects.filter(reason__startswith=DEMO_MARK).exists():
        return
    admin = User.objects.filter(username="admin").first()
    reviewer = User.objects.filter(username="admin2").first()
    items = _items()
    if admin is None or reviewer is None or len(items) < 10:
        return
    today = timezone.localdate()
    duruan = Unit.objects.get(code="duruan")

    def propose(kind, item, reason, days, **kwargs):
        return adjustment_propose(
            actor=admin,
            kind=kind,
            item=item,
            reason=DEMO_MARK + reason,
            effective_date=today + datetime.timedelta(days=days),
            **kwargs,
        )

    # in effect today: a change of the fine range, by procedure
    first = items[0]
    changed_max = (first.fine_max or 0) + 1000
    done = propose(AdjustmentKind.CHANGE, first, "上位法修订，罚款上限相应调整。", 0, data={"fine_max": changed_max})
    adjustment_review(actor=reviewer, adjustment=done, note="符合上位法规定。")
    adjustment_approve(actor=reviewer, adjustment=done, note="同意。", **_approval(1))
    # approved, waiting for its date
    waiting = propose(
        AdjustmentKind.CHANGE, items[3], "补充处罚幅度说明。", 30, data={"notes": "自下月起按新标准执行。"}
    )
    adjustment_review(actor=reviewer, adjustment=waiting, note="内容准确。")
    adjustment_approve(actor=reviewer, adjustment=waiting, note="同意，按期生效。", **_approval(2))
    # reviewed, waiting for approval
    reviewed = propose(AdjustmentKind.CHANGE, items[6], "明确重大执法决定情形。", 14, data={"is_major": True})
    adjustment_review(actor=reviewer, adjustment=reviewed, note="建议批准。")
    # rejected
    rejected = propose(AdjustmentKind.RECALL, items[9], "个别镇街反映办理量少。", 7, townships=[duruan])
    adjustment_review(actor=reviewer, adjustment=rejected)
    adjustment_reject(actor=admin, adjustment=rejected, note="使用量虽少但属基层急需事项，暂予保留。")
    # an evaluation that proposed a recall (proposed, waiting for review)
    end = today - datetime.timedelta(days=1)
    candidate = next(
        (i for i in items[10:] if not PowerUsage.objects.filter(item=i, township=duruan).exists()
         and Delegation.objects.filter(item=i, township=duruan, valid_to__isnull=True).exists()),
        items[12],
    )  # fmt: skip
    evaluation_record(
        actor=admin,
        item=candidate,
        township=duruan,
        period_start=end - datetime.timedelta(days=364),
        period_end=end,
        decision=EvaluationDecision.RECALL,
        reasons=DEMO_MARK + "评估期内杜阮镇未办理该事项案件，专业性较强，镇街难以有效承接，建议按程序收回。",
        start_adjustment=True,
        effective_date=today + datetime.timedelta(days=60),
    )
