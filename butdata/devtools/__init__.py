"""Tools for measuring, not for committees: the synthetic national store."""
