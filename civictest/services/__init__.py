"""Write-side use cases: plain arguments in, rows out, domain errors raised."""
