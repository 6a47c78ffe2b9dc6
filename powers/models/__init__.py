from .catalogue import (
    Delegation,
    DiscretionBand,
    DiscretionStandard,
    LeniencyEntry,
    PowerItem,
    PowerItemVersion,
)
from .procedure import Adjustment, AdjustmentOpinion, CatalogueImport, Evaluation, PowerUsage

__all__ = [
    "Adjustment",
    "AdjustmentOpinion",
    "CatalogueImport",
    "Delegation",
    "DiscretionBand",
    "DiscretionStandard",
    "Evaluation",
    "LeniencyEntry",
    "PowerItem",
    "PowerItemVersion",
    "PowerUsage",
]
