"""Major incidents, broadcasts, the public status page, problems (issue 13)."""
