"""Files: uploads checked by content, stored in object storage under generated keys."""
