"""Pure statistics for civictest: metrics (METRICS.md section 12), iteration reports and comparisons."""
