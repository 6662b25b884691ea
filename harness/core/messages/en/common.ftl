# Shared pieces: numbers, durations, counts.
# Message ids are a contract (instructors override them with --messages):
# never rename one.

duration-seconds = { $secs } s
count-passed = { $n } passed
count-failed = { $n } failed
count-grader-errors = { $n ->
    [one] { $n } grader error
   *[other] { $n } grader errors
}
