# What the reports say around the verdicts: labels, totals, the
# transcript's words, the HTML page. Message ids are a contract (instructors
# override them with --messages): never rename one.
# Machine values are not here: JSON keys, event kinds in JSON ("sent"),
# statuses, diagnosis codes.

## Labels, each with its colon (some languages space it).

report-server = server:
report-client = client:
# Before the note that scenarios ran without their own network namespace.
report-note = note:
report-expected = expected:
report-fix = fix:
report-transcript = transcript:
report-score = Score:
# A platform results file when grading could not start (exit 2 or 3).
report-not-graded = grade could not grade this submission: { $cause }
# Gradescope with --hidden: the top-level text counts the visible tests only.
report-visible-score = Visible tests:
report-hidden-later = { $n ->
    [one] { $n } more test is shown after the due date
   *[other] { $n } more tests are shown after the due date
}

## Totals and names.

# $score, $max: points; $counts: report-counts.
report-total = { $score }/{ $max } ({ $counts })
# $passed, $failed, $errors: count-passed, count-failed, count-grader-errors.
report-counts = { $passed }, { $failed }
report-counts-with-errors = { $passed }, { $failed }, { $errors }
# A program that could not be graded kept $n scenarios worth $points from running.
report-not-run = { $n ->
    [one] { $n } scenario not run
   *[other] { $n } scenarios not run
} ({ $points ->
    [one] { $points } point
   *[other] { $points } points
})
# A submission problem's test: $side is transcript-actor.
report-program = { $side } program
report-submission = submission
# A scenario's status, where a format names it in words.
report-status = { $status ->
    [pass] Pass
    [fail] Fail
    [skip] Skip
   *[error] Error
}
duration-ms = { $ms } ms
# Between the items of a list (what each process was doing).
list-separator = { "; " }

## GitHub Classroom: the end of a message cut to fit the reporter's environment.

classroom-shortened = … (shortened for GitHub Classroom: the full report is in the grading step's log)

## The human report.

# The last line, after report-score: $wall is duration-seconds.
human-total = { $score }/{ $max }  ({ $counts }) in { $wall }
# $side is transcript-actor, $code the problem's code.
human-not-run = { $n ->
    [one] { $n } scenario not run
   *[other] { $n } scenarios not run
} ({ $side }: [{ $code }])

## The Markdown summary's table head.

markdown-scenario = scenario
markdown-points = points
markdown-diagnosis = diagnosis

## The HTML page.

# The page's title: $programs is html-reference, html-programs-both or one
# program; $date is like 2026-12-03 07:15 UTC.
html-title = grade: { $programs }, { $date }
html-title-undated = grade: { $programs }
html-programs-both = { $server } and { $client }
# --reference: each scenario's own reference program.
html-reference = the reference programs
# $name: a reference program and its options (q3-server --start receive).
html-reference-program = reference { $name }
# Under a deadlock's cycle.
html-deadlock = Deadlock: each program waits in recv() for a line only the other can send, and neither will ever send. Lines typed meanwhile wait unread on both keyboards.
html-legend = Legend
html-key-wire = bytes on the wire (TCP), and what they say
html-key-cycle = waits for the other (a deadlock's cycle)
html-key-quiet = quiescent: every program is waiting
html-key-typed = typed on the program's keyboard
html-key-printed = printed on its terminal
html-key-started = started
html-key-exited = exited
html-key-closed = closed its connection
html-key-state = what its processes were doing
html-key-time = milliseconds since the scenario started
# The lifeline of the harness's own TCP end.
html-peer = harness (peer)
html-started = ▶ pid { $pid }
html-closes = ✕ closes
html-quiescent = quiescent
# On both arrows of a deadlock's wait-for cycle.
html-waits-for = waits in recv() for

## Transcripts.

# An actor's name: server, client, peer, harness.
transcript-actor = { $actor }
# An event's name, from its kind: started, typed, typed-eof, interrupted,
# printed, sent, received, connected, closed-by-program, closed-by-peer,
# connect-refused, connect-calls, listening, connect-attempt, exited,
# quiescent, cpu, deadline, output-dropped, limit, start-failed, killed,
# teardown, relayed, relay-closed, wire-unobserved, snapshot, all-ended.
transcript-event = { $kind }
# Before the last events of a long transcript.
transcript-earlier = … { $n } earlier events
# A text cut at $head, of $n characters.
transcript-cut = { $head }… ({ $n } characters)
# Groups of three digits in the counts of transcript-dropped.
transcript-thousands = ,
transcript-step = step { $n }
transcript-started = { $command } (pid { $pid })
transcript-port = port { $port }
transcript-connect-calls = port { $port }: { $calls ->
    [one] { $calls } connect() call
   *[other] { $calls } connect() calls
}
# $status is exit-status or exit-signal.
transcript-exited = pid { $pid }, { $status }
transcript-pid = pid { $pid }
transcript-cpu = { $used } ms CPU ({ $runnable } ms runnable) in { $window } ms
# $limit: processes, memory, cpu-time, file-size, output.
transcript-limit = { $limit } (limit { $max })
# $code: compile-error, bad-program…; $detail: what the compiler said.
transcript-start-failed = { $code }: { $detail }
transcript-wire-unobserved = the programs talk directly: the wire was not observed
# $of: transcript-event of the stream; $lines, $bytes, $events: counts
# written with transcript-thousands; $n-lines, $n-bytes, $n-events: the
# same counts as numbers, for plurals.
transcript-dropped = … { $of }: { $lines } { $n-lines ->
        [one] line
       *[other] lines
    } dropped ({ $bytes } { $n-bytes ->
        [one] byte
       *[other] bytes
    } in { $events } { $n-events ->
        [one] event
       *[other] events
    })

## What a process was doing: $who is transcript-proc, $call the system call,
## $other the actor at the other end of its socket.

transcript-proc = { $actor } (pid { $pid })
transcript-proc-zombie = { $who } is a zombie
transcript-proc-running = { $who } is running
transcript-proc-keyboard = { $who } waits in { $call }() for the keyboard
transcript-proc-for = { $who } waits in { $call }() for { $other }
transcript-proc-socket = { $who } waits in { $call }() on a socket
transcript-proc-listener = { $who } waits in { $call }() for a connection
transcript-proc-children = { $who } waits in { $call }() for its children
transcript-proc-waits = { $who } waits in { $call }()

## How a process ended: the one wording of it.

exit-status = status { $code }
exit-signal = signal { $signal }
