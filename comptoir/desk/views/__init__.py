"""Agent pages, one module per context (tickets, assignment, triage, customers, channels, inbound,
outbox); ``comptoir.desk.urls`` names them. Thin: parse the form, call one service or selector,
render."""
