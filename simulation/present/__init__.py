"""How results read: number and date formats, sentences and chart specs shared by
the dashboard, the report, the command line and the exercises."""
