"""Metrics, the quality dashboard, quality thresholds and corrective actions (issue 12)."""
