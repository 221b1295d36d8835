"""The one reporting package: every figure that a page, the API, the CLI, a staff export or open data shows.

vocabulary  the words of every rule (outcomes, sources, statuses, segments, the inconvenient threshold); pure
queries     every SQL read behind a figure: aggregates and tallies, never the attempts one by one
rows        raw rows for staff exports, participant counts for open data, published iterations
review      the review pages' reads: comments inbox, review index counts, findings register
figures     one function per figure set (Figures: one per request, each iteration read once)
surveys     survey results: one wave_results for the results page, the API and open data
panel       the tester panel: size, joins and leaves, round response rates, composition, export, incentives

Statistics are computed in civictest.analysis; this package reads, calls analysis and returns plain data.
"""
