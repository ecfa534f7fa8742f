"""Who may do what in org (docs/org.md, docs/accounts.md): the role groups of its routes.

The services check the scope (which county, which kindergarten).
"""

from __future__ import annotations

from lianyan.principal import Role

#: Who opens, resets and deactivates logins and manages people (within their scope).
ACCOUNT_MANAGERS = (Role.CITY_ADMIN, Role.COUNTY_OFFICER, Role.DIRECTOR, Role.ADMIN)
#: Who imports counties, kindergartens and people from Excel.
IMPORTERS = (Role.CITY_ADMIN, Role.COUNTY_OFFICER, Role.ADMIN)
#: Who creates and edits zones and kindergartens.
UNIT_EDITORS = (Role.CITY_ADMIN, Role.COUNTY_OFFICER)
