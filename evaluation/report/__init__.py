"""The evaluation report (評価シート) for a plan and a fiscal year: the printed sheet of every policy
area (sheet), its summary and charts (summary, charts), and the files made of it on the server (pdf,
xlsx). Read from evaluation.queries; every value printed through evaluation.display."""
