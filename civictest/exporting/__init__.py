"""Export pipeline: the tables (staff files, open data and its metadata), the CSV/XLSX/JSON writers, and the
whole files of an iteration as bytes for the download views and the CLI."""
