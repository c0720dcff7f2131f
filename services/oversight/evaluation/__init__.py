"""The annual grid evaluation (年度绩效评定): configuration, evidence, scores, confirmation."""
