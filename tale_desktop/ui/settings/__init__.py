"""Settings: the pages and the groups capabilities add to them."""
