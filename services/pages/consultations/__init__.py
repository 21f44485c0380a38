"""An external consultee's page: the link in their invitation email opens it."""
