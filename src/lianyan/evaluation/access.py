"""Who may do what in evaluation (docs/evaluation.md): the role groups of its routes.

The services check the rest (an expert scores only when invited to the year's evaluation).
"""

from __future__ import annotations

from lianyan.principal import Role

#: Who scores candidates: the city and the experts it invites.
SCORERS = (Role.CITY_ADMIN, Role.EXPERT)
