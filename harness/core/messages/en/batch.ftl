# `grade batch`: the gradebook's notes (why a student has no score) and the
# progress on standard error. Message ids are a contract (instructors
# override them with --messages): never rename one.

# One plain line per student done, when standard error is not a terminal.
batch-progress = [{ $done }/{ $total }] { $student }: { $status }
# Beside the progress bar.
batch-not-graded = { $n } not graded so far
# At the end, on standard error.
batch-summary = { $students } students: { $graded } graded, { $incomplete } incomplete, { $errors } errors, { $refused } refused

# The note of a question that could not be graded (`q2, q3: no client …`).
batch-question-problem = { $questions }: { $problem }
# The grader failed on this student (exit status 3).
batch-error = not graded (grader error): { $cause }

# A student's archive that was not extracted.
batch-archive-corrupt = archive refused: it cannot be read ({ $cause })
batch-archive-too-large = archive refused: more than { $limit } bytes once extracted
batch-archive-too-many = archive refused: more than { $limit } entries
batch-archive-too-deep = archive refused: { $entry } is more than { $limit } folders deep
batch-archive-escapes = archive refused: { $entry } would be written outside the student's folder
batch-archive-links-out = archive refused: { $entry } links outside the student's folder ({ $target })
batch-archive-duplicate = archive refused: { $entry } appears twice
batch-archive-io = the archive could not be extracted: { $cause }

# After the summary: students whose row came from the cache.
batch-cached = { $n } from the cache

## The class report (`grade batch --format html`).
class-title = Class report
class-distribution = Totals
# A band of the totals, in percent of the maximum.
class-band = { $from }–{ $to } %
class-scenarios = How often each scenario passed
class-diagnoses = Most common diagnoses
# How many students got a diagnosis, and their share of the class.
class-share = { $n ->
    [one] { $n } student
   *[other] { $n } students
} ({ $percent }%)
class-students = Students

# Ctrl-C during a batch: the gradebook is written, those not reached marked.
batch-interrupted = interrupted: { $n } students not graded (marked not-graded in the gradebook)
batch-interrupted-row = not graded: the batch was interrupted
