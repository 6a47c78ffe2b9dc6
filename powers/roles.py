"""Who may do what with the catalogue. Only district admins change it; every role but the
social supervisors reads it (the public reads the published part without signing in)."""

from pengjiang_enforcement.choices import Role

READERS = [r for r in Role.values if r != Role.SOCIAL_SUPERVISOR]
READ = [
    "powers.view_poweritem",
    "powers.view_poweritemversion",
    "powers.view_delegation",
    "powers.view_discretionstandard",
    "powers.view_leniencyentry",
]
OVERSIGHT = ["powers.view_adjustment", "powers.view_evaluation"]
ADMIN = [
    *READ,
    *OVERSIGHT,
    "powers.add_poweritem",
    "powers.change_poweritem",
    "powers.add_delegation",
    "powers.change_delegation",
    "powers.add_discretionstandard",
    "powers.change_discretionstandard",
    "powers.add_leniencyentry",
    "powers.change_leniencyentry",
    "powers.add_adjustment",
    "powers.change_adjustment",
    "powers.add_evaluation",
    "powers.change_evaluation",
    "powers.view_catalogueimport",
    "powers.add_catalogueimport",
    "powers.change_catalogueimport",
]

POWERS_PERMISSIONS: dict[str, list[str]] = {role: list(READ) for role in READERS}
POWERS_PERMISSIONS[Role.DISTRICT_ADMIN] = ADMIN
POWERS_PERMISSIONS[Role.DISTRICT_SUPERVISOR] = [*READ, *OVERSIGHT]
POWERS_PERMISSIONS[Role.DEPARTMENT_LIAISON] = [*READ, *OVERSIGHT]

# Granted by their own migration (0002 runs before the opinions' table exists): whoever sees
# adjustments reads the departments' opinions; the liaison of the department that delegated an
# item gives its opinion on the item's adjustments.
OPINION_PERMISSIONS: dict[str, list[str]] = {
    Role.DISTRICT_ADMIN: ["powers.view_adjustmentopinion"],
    Role.DISTRICT_SUPERVISOR: ["powers.view_adjustmentopinion"],
    Role.DEPARTMENT_LIAISON: ["powers.view_adjustmentopinion", "powers.add_adjustmentopinion"],
}
