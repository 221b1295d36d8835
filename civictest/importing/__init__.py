"""Import pipeline for results collected elsewhere: reading the file, validating its rows, committing them
all or none, and the wording of what went wrong."""
