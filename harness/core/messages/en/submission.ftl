# Submission problems: a program that cannot be graded at all, found
# before any scenario runs. $found lists the files the submission holds.
# Message ids are a contract: never rename one.

submission-found-nothing = nothing
submission-found-more = { $files }, … ({ $n } more)
submission-missing-side = no { $side } program in the submission; found: { $found }
hint-submission-missing-side = submit the program the assignment asks for
submission-missing = { $file } not found in the submission; found: { $found }
hint-submission-missing = name the file { $file }, as the assignment asks
submission-empty = { $file } is empty; found: { $found }
hint-submission-empty = submit the file with its code (was it saved before uploading?)
submission-does-not-parse = Python refuses { $file }:
hint-submission-does-not-parse = run `python3 { $file }` and fix the line it names
submission-does-not-compile = { $file } does not compile:
submission-ambiguous = several files could be { $file }: { $candidates }
hint-submission-ambiguous = keep only one of them in the submission
# A headline, then what the interpreter or compiler said.
submission-with-detail =
    { $headline }
    { $detail }
# The one line that stands for each scenario a problem kept from running.
submission-not-run = not run: { $problem }
