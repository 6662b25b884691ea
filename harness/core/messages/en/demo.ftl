# `grade demo`: the lecture's screen. Message ids are a contract
# (instructors override them with --messages): never rename one.
# $side, $other: server, client, peer or harness; $pid, $code, $signal,
# $call: identifiers (recv, read…), not numbers.

demo-title = { $id } — { $title }
demo-server = server: { $program }
demo-client = client: { $program }

## What each process does, under its program's column.
demo-state = pid { $pid }: { $what }
demo-zombie = zombie
demo-running = running
demo-waits-keyboard = waits for the keyboard
demo-waits-for = waits in { $call }() for { $other }
demo-waits-in = waits in { $call }()

# The program a line is about, before it, when the panes are one below
# the other (a screen narrower than 60 columns).
demo-pane = { $side ->
        [server] server
       *[client] client
    }

## --interactive: each step in words, before it is done (then "press Enter").
# A typed or expected line, quoted.
demo-quoted = "{ $text }"
demo-step-start = start the { $side }
demo-step-restart = press Ctrl-C on the { $side }'s keyboard, then start it again
demo-step-listen = the harness listens, as a server would
demo-step-connect = the harness connects to the server
demo-step-accept = wait until the client is connected
demo-step-relay = the harness stands between the two programs, to show what crosses the wire
demo-step-send = the harness sends { $text }
demo-step-type = type { $lines } on the { $side }'s keyboard
demo-step-settle = wait until nothing moves
demo-step-eof = press Ctrl-D on the { $side }'s keyboard (end of input)
demo-step-interrupt = press Ctrl-C on the { $side }'s keyboard
demo-step-close = the harness closes its connection
demo-step-expect-printed = wait until the { $side } prints { $lines }
demo-step-expect-received = wait until the harness receives { $lines }
demo-step-expect-exit = wait until the { $side } exits
demo-step-expect-calm = wait until the { $side } exits or stays quiet
demo-step-expect-silent = check that the { $side } sends nothing
demo-step-expect-deadlock = wait until nothing can move any more: are they deadlocked?
demo-step-expect-fork = look for one process of the { $side } per direction
demo-step-expect-closed = wait until the { $side } closes the connection

## Events, as they happen.
demo-next-step = next step: { $action } — press Enter
demo-started = ▶ started (pid { $pid })
demo-connected = ⇄ connected
# Beside a line that crossed the wire, on the side that sent it.
demo-sent = sent
demo-closed = ✕ closed the connection
demo-wire-unobserved = (no network namespaces here: the programs talk directly, the wire is not shown)
demo-quiet = quiet: nothing moves without the keyboard
demo-exited = ■ exited ({ $how })
demo-exit-status = status { $code }
demo-exit-signal = signal { $signal }
demo-teardown = — the harness ends the programs —

## The explanation at the end.
demo-no-deadlock = No deadlock: the programs did not block each other.
# On the arrows of the drawn cycle.
demo-cycle-label = waits in recv() for
demo-cycle-program = { $side } (pid { $pid })
demo-cycle-wait = { $side } (pid { $pid }) waits in { $call }() for { $other }
demo-cycle = { $first } → { $second }
demo-deadlock-why = Deadlock — both started by receiving: each waits for a line only the other can send, and neither will ever send. Typed lines wait unread on both keyboards.
demo-alternation = Alternation: { $from-client ->
        [one] { $from-client } line
       *[other] { $from-client } lines
    } client → server and { $from-server } server → client, each only in its turn: the client speaks, the server answers.
demo-duplex = Full duplex: { $from-client ->
        [one] { $from-client } line
       *[other] { $from-client } lines
    } client → server and { $from-server } server → client, typed at the same time; one process per direction (fork), so nobody waits for the other to speak.
# When the run did not go as planned (instead of demo-alternation, demo-duplex);
# $typed-client, $typed-server: lines typed on each side.
demo-alternation-failed = The alternation did not go as planned: { $from-client ->
        [one] { $from-client } line
       *[other] { $from-client } lines
    } client → server and { $from-server } server → client, of { $typed-client } and { $typed-server } typed.
demo-duplex-failed = Full duplex did not go as planned: { $from-client ->
        [one] { $from-client } line
       *[other] { $from-client } lines
    } client → server and { $from-server } server → client, of { $typed-client } and { $typed-server } typed at the same time.
demo-not-as-expected = The run did not go as the lecture expects: see the states above.
# A diagnosis, as in the reports.
demo-diagnosis = [{ $code }] { $message }
