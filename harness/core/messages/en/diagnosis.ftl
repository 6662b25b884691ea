# Diagnoses: what the verdict says of a failed scenario, and the fix.
# Message ids are a contract (instructors override them with --messages):
# never rename one. Quoted program output ($line, $last, $text, $sample…)
# arrives cleaned of control characters and bounded; $port is the port
# graded on (--port).

## Shared pieces

actor-server = server
actor-client = client
actor-peer = peer
actor-harness = harness

# A quoted text cut past 60 characters.
quote-cut = { $head }… ({ $n } characters)

# Lists, built two by two: `a; b; c` is head `a`, tail `b; c`.
list-empty = { "" }
list-semicolon = { $head }; { $tail }
list-comma = { $head }, { $tail }
list-slash = { $head } / { $tail }

status-code = status { $code }
status-signal = signal { $signal }
status-unknown = an unknown status

# Pair scenarios: the program at fault, before the diagnosis.
diag-blame = { $side }: { $message }

## What the failed step expected

expected-connect = the server listens and accepts the connection
expected-accept = the client connects
expected-printed = printed, each on its own line: { $lines }
expected-received = received by the peer, newline-terminated: { $lines }
expected-exit-clean = the program exits with status 0, without a traceback
expected-exit-message = the program exits after printing a message
expected-calm = no busy loop and no output flood after the peer left
expected-exit-all = every process of the program ends (no orphan, no zombie)
expected-silent = nothing is sent out of turn
expected-deadlock = both programs block for good, each waiting for the other
expected-fork = one process per direction during the chat: one waits on the socket while another waits on the keyboard
expected-closed = the program closes (or half-closes) the connection
expected-line = `{ $line }`
expected-line-cut = `{ $head }…` ({ $n } characters)

## The grader's own fault

diag-grader-fault = a fault of the grader, not of the program graded: { $what }
hint-grader-fault = this scenario could not be graded: run grade again, and if it fails the same way, report this message to the course staff

## The program could not start

diag-compile-error =
    the program does not compile:
    { $detail }
hint-compile-error = fix the first error the compiler reports, then try again
diag-not-started = the program could not be started: { $detail }
hint-not-started = check the path and that the file is executable

## Any step

diag-syntax-error = Python refuses the file: { $line }
hint-syntax-error = run `python3 -m py_compile yourfile.py` and fix the line it names
hint-python2 = this is Python 2 syntax: write print(x), not print x, and input() rather than raw_input()
diag-no-reuseaddr = restarted at once, the server cannot bind the port again: { $line }
hint-no-reuseaddr = set SO_REUSEADDR before bind: s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
diag-crashed-traceback = the program crashed: { $last }
hint-crashed-traceback = read the traceback's last line: it names the error and the line
diag-wrong-order = every line was printed, but not in the order it came: `{ $then }` before `{ $first }`
hint-wrong-order = print lines in one process, in the order recv() gives them: two processes that both receive race for the lines
diag-process-died = a process of the program crashed while the program went on: { $last }
diag-ended-early = the program ended early with { $status }
diag-ended-early-output = the program ended early with { $status } (last output: { $output })
hint-ended-early = it must keep running for the whole exchange
diag-busy-loop = the program burns CPU in a loop while it has nothing to do
diag-busy-loop-procs = the program burns CPU in a loop while it has nothing to do: { $procs }
hint-busy-loop = recv() returning b'' (or input() at end of input) means the other side is done: break out of the loop instead of calling it again
diag-timeout = nothing happened before the deadline
hint-timeout = if your machine is slow, retry with --timeout-scale 3

## connect: the server listens

diag-wrong-port-server = the server listens on port { $listens }, not on { $port }
hint-wrong-port-server = bind to port { $port } as the sheet asks (or grade with --port { $listens })
diag-not-listening = nothing listens on port { $port }
diag-not-listening-waits = nothing listens on port { $port } (it waits without listening)
hint-not-listening = call bind(('', { $port })) then listen() before accept()
diag-server-unreached = the client connected, but nothing listens on port { $port } on the server's side

## accept: the client connects

diag-wrong-port-client = the client connects to port { $tried }, not to { $port }
hint-connect = connect to ('127.0.0.1', { $port })
diag-connect-refused = the client's connection was refused although the server listens on 127.0.0.1:{ $port }: it connects to another host or port
diag-never-connected = the client never connected
hint-never-connected = call connect(('127.0.0.1', { $port })) when the program starts

## expect_printed

diag-bytes-repr-printed = the program prints the bytes object itself: `{ $line }`
hint-bytes-repr-printed = decode before printing: print(data.decode(), end='') — recv() returns bytes
diag-split-line = `{ $line }` was printed in { $pieces } pieces: one print per recv(), not per line
hint-split-line = recv() returns whatever bytes have arrived: keep a buffer, and print only up to each '\n' (or read lines with conn.makefile())
diag-wrong-text-printed = expected `{ $expected }`, the program printed `{ $line }`
hint-wrong-text-printed = print the received text as is, decoded as UTF-8
diag-missing-printed = `{ $line }` was never printed
diag-missing-printed-other = `{ $line }` was never printed (printed: { $printed })
hint-missing-printed = print every line received, as soon as it arrives, ending with a newline
diag-never-sent = never sent `{ $line }`: it did not cross the wire
hint-never-sent = the { $sender } must send each typed line, newline-terminated

## expect_received

diag-bytes-repr-sent = the client sends the repr of a bytes object: `{ $text }`
hint-bytes-repr-sent = send line.encode(), not str(line.encode())
diag-no-newline = the text arrived without a newline: `{ $text }`
hint-no-newline = send the line with its '\n': input() strips it, so send (line + '\n').encode()
diag-sent-late = nothing was sent while typing; the lines arrived only at end of input
hint-sent-late = send each line as soon as it is read, inside the input loop
diag-wrong-text-received = expected `{ $expected }`, received `{ $line }`
hint-wrong-text-received = send exactly the typed line, UTF-8 encoded, then '\n'
diag-missing-received = `{ $line }` never arrived
hint-missing-received = send each typed line as soon as it is typed

## expect_silent, expect_deadlock, expect_closed

diag-out-of-turn-sent = the program sent `{ $text }` out of turn: it must wait for the other side's line first
hint-out-of-turn-sent = follow the cycle of the sheet: receive a line, print it, then read the keyboard and send — one line each way per turn
diag-out-of-turn-greeting = the server sent `{ $text }` without waiting for the client's line: the sheet's server waits for the client's line first, so every turn after it is off by one
diag-no-deadlock = no deadlock could be proven: { $procs }
hint-no-deadlock = both programs must start their cycle by receiving
diag-still-open = after end of input the connection stays open: { $procs }
hint-still-open = at end of input, close the socket (or shutdown(socket.SHUT_WR)) so the peer sees the end

## expect_exit

diag-eof-traceback = at end of input the program dies with a traceback: { $last }
hint-eof-traceback = catch EOFError around input() (or loop over sys.stdin), then close the socket and exit
diag-uncaught = the program dies with an uncaught exception: { $last }
hint-uncaught = catch the error and print a one-line message instead
diag-exit-silent = the program exited without a word
hint-exit-silent = say why before exiting, e.g. print('connection refused')
diag-exit-status = the program exits with { $status }
hint-exit-status = end with status 0 once the input or the connection is over
diag-no-exit = the program does not exit: it keeps waiting
hint-no-exit = when input() raises EOFError (or recv() returns b''), leave the loop and exit

## expect_calm: after the peer left

diag-flood-after-peer = after the peer left, the program prints without end (`{ $sample }` …)
hint-flood-after-peer = recv() returns b'' when the peer has closed: leave the loop then
diag-peer-left-traceback = when the peer leaves, the program dies with a traceback: { $last }
hint-peer-left-traceback = treat the peer leaving as normal: recv() returns b''
diag-peer-left-status = when the peer leaves, the program exits with { $status }
hint-peer-left-status = exit with status 0 when the peer leaves

## Limits of the sandbox

diag-limit-output = the program prints without end (`{ $sample }` …): more than { $kib } KiB
hint-limit-output = print each received line once; when recv() returns b'' the peer has left: leave the loop
diag-limit-sent = the program sends without end (`{ $sample }` …): more than { $kib } KiB
hint-limit-sent = send each line once; when the input ends (input() raises EOFError, fgets() returns NULL, read() returns 0) stop sending and close the socket
diag-limit-processes = limit hit: processes — the program tried to run more than { $max } { $max ->
        [one] process
       *[other] processes
    } at once, and fork() was refused
hint-limit-processes = fork only where the exercise asks (q4: once per connection), end each child with os._exit(0) when its work is done, and never fork in a loop
diag-limit-memory = limit hit: memory — the program used more than { $mib } MiB and was killed
hint-limit-memory = handle each line as it arrives instead of keeping everything received
diag-limit-cpu-time = limit hit: CPU time — the program computed for more than { $secs } s and was stopped
hint-limit-cpu-time = a loop that never blocks burns the CPU: wait in recv() or input() instead of checking again and again
diag-limit-file-size = limit hit: file size — the program wrote a file of { $mib } MiB or more
hint-limit-file-size = the chat programs write no files: print on the terminal, send on the socket
diag-limit-other = limit hit: { $limit } ({ $max })

## expect_printed: the expected line printed changed (its cause named)

hint-changed-case = the program changes the case of the text: print it as received, without .upper(), .lower() or .title()
hint-changed-spaces = the program changes the spaces between words: print the text as received, without split() and join() or print(a, b)
hint-changed-repr = the program prints the repr of the string, quotes and \n included: print(line), not print(repr(line)) or %r
hint-changed-mojibake = UTF-8 bytes decoded as Latin-1 (`Ã§a` for `ça`): decode with data.decode('utf-8'), not decode('latin-1')
hint-changed-trailing = bytes left in the buffer are printed after the line: print only the n bytes recv() returned (in C, end the string with buf[n] = '\0' or use printf("%.*s", n, buf))

## Long quoted texts (past 120 characters)

# The head of a long text, then how many characters are left out: $more
# (a number, for plurals), $count (the same, grouped as the language writes it).
quote-more = { $head }… { $more ->
    [one] { $count } more character
   *[other] { $count } more characters
}
# A number grouped by thousands: $high thousands, then the $low three digits.
number-grouped = { $high },{ $low }

## expect_printed: C output waiting in the stdio buffer

diag-stdio-buffered = nothing shows on the terminal: `{ $line }` waits in the stdio buffer (printed without '\n', never flushed)
hint-stdio-buffered = stdout is flushed at each '\n' on a terminal: end each printf with '\n', or call fflush(stdout) after it

## On the wire: extra bytes, delimiters of the program's own

diag-extra-bytes = extra bytes were sent after the line `{ $line }` and its newline: { $bytes } ({ $n } such { $n ->
        [one] byte
       *[other] bytes
    } in all)
hint-extra-bytes = send only the line and its '\n': in C send strlen(buf) bytes, not sizeof(buf) nor strlen(buf) + 1
diag-own-delimiter = each message ends with { $delimiter } instead of a newline: received { $text }
hint-own-delimiter = end each line with '\n' alone (a '\r' before it is accepted): the other side reads lines

## Floods of empty lines; Python 2 idioms, named from the quoted source line
diag-flood-empty-lines = after the peer left, the program prints empty lines without end
hint-py2-print = this is Python 2 syntax: `{ $line }`: in Python 3 print is a function: print(x), print(x, file=f)
hint-py2-except = this is Python 2 syntax: `{ $line }`: in Python 3 write except socket.error as e:
hint-py2-raw-input = this is Python 2: `{ $line }`: raw_input() is called input() in Python 3
hint-py2-backticks = this is Python 2 syntax: `{ $line }`: backticks are gone in Python 3, write repr(x)
hint-py2-octal = this is Python 2 syntax: `{ $line }`: Python 3 writes an octal number 0o777, not 0777
hint-py2-exec = this is Python 2 syntax: `{ $line }`: in Python 3 exec is a function: exec(code)
diag-limit-output-empty = the program prints empty lines without end: more than { $kib } KiB

## A line printed in pieces the kernel chose (their count would vary).
diag-split-line-pieces = `{ $line }` was printed in several pieces: one print per recv(), not per line

## Quick restart: bind failed unchecked, listen on an ephemeral port
diag-no-reuseaddr-elsewhere = restarted at once, the server listens on port { $listens }, not on { $port } as before: bind failed and its result was not checked
hint-no-reuseaddr-unchecked = set SO_REUSEADDR before bind (in C: int one = 1; setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);), and check bind's result: if (bind(...) < 0) { "{" } perror("bind"); exit(1); { "}" }

## What the program waits for (the keyboard before connecting or listening; the server's first word)
diag-keyboard-before-connect = the client waits for the keyboard before connecting
diag-keyboard-before-connect-prompt = the client waits for the keyboard before connecting (its prompt: `{ $prompt }`)
hint-keyboard-before-connect = call connect(('127.0.0.1', { $port })) before reading the keyboard: nothing is typed until the client is connected
diag-keyboard-before-listen = nothing listens on port { $port }: the server waits for the keyboard before listening
diag-keyboard-before-listen-prompt = nothing listens on port { $port }: the server waits for the keyboard before listening (its prompt: `{ $prompt }`)
hint-keyboard-before-listen = listen on port { $port } as soon as the program starts, before reading the keyboard: nothing is typed until a client is connected
diag-waits-greeting = { $proc }: it waits for the server to speak first, which the sheet's server never does
hint-waits-greeting = read the keyboard and send each line at once: the server only receives, it never writes first

## Notes: advice on a scenario that passed, costing no points

note-network-traceback = the program ends with a traceback (`{ $line }`): that counts as its message, since the sheet asks for no error handling; catching { $error } and printing one line would read better
