"""Read-only analysis of the store: queries (SQL on the public views), pure derivations
of their frames (comparisons, weights, labels), the quality report."""
