from .catalogue import (
    Delegation,
    DiscretionBand,
    DiscretionStandard,
    LeniencyEntry,
    PowerItem,
    PowerItemVersion,
)
from .procedure import Adjustment, CatalogueImport, Evaluation, PowerUsage

__all__ = [
    "Adjustment",
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
