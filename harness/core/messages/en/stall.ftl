# A stalled world: what each process waits in, the deadlock cycle, and
# what the process tree says (fork, zombies, orphans).
# Message ids are a contract: never rename one.

## One process, as /proc showed it ($actor: actor-*, $pid, $call: the
## call it sleeps in, such as recv or read)

proc-zombie = { $actor } (pid { $pid }) is a zombie
proc-running = { $actor } (pid { $pid }) is running
proc-waits-keyboard = { $actor } (pid { $pid }) waits in { $call }() for the keyboard
proc-waits-for = { $actor } (pid { $pid }) waits in { $call }() for { $whom ->
        [server] server
        [client] client
        [peer] peer
       *[harness] harness
    }
proc-waits-socket = { $actor } (pid { $pid }) waits in { $call }() on a socket
proc-waits-connection = { $actor } (pid { $pid }) waits in { $call }() for a connection
proc-waits-children = { $actor } (pid { $pid }) waits in { $call }() for its children
proc-waits = { $actor } (pid { $pid }) waits in { $call }()

## Deadlocks

deadlock-cycle = { $client } → { $server }
diag-deadlock = { $cycle }: deadlock — both started by receiving
hint-deadlock = in the alternating chat one side must speak first: the client reads the keyboard and sends, the server receives first
diag-deadlock-midway = { $cycle }: deadlock — both wait to receive, nobody sends its turn
hint-deadlock-midway = after printing the other side's line, read the keyboard and send: one line each way per turn

## q3: a program on the wrong side of its turn

diag-receives-first = { $proc }, while the typed line waits unread on its keyboard: it starts by receiving, but here it must speak first
hint-receives-first = start the cycle by reading the keyboard and sending (client: steps 1–2 of the sheet)
diag-out-of-turn-waits = { $proc }, while the peer's line waits unread: it wants to speak when it should receive
hint-out-of-turn-waits = follow the cycle of the sheet: after sending a line, wait for the other side's line and print it before reading the keyboard again

## q4: one process that alternates

stall-while-typed = while typed lines wait on its keyboard
stall-while-peer-lines = while the peer's lines wait unread in its socket
stall-while-eof = while the end of input (Ctrl-D) waits unread on its keyboard
stall-while-peer-left = while the peer has left: only recv() would tell it, and it does not call recv() before a line is typed
diag-half-duplex = { $proc }, { $situation }: it alternates like q3 instead of sending and receiving at the same time
hint-half-duplex = after connecting, fork(): one process reads the keyboard and sends, the other receives and prints
diag-half-duplex-procs = every process of the program waits elsewhere ({ $procs }), { $situation }: none takes that direction, so the program alternates like q3
diag-no-fork-threads = one process with { $threads } threads: the program uses threads, not fork()
diag-no-fork-select = one process waiting in select()/poll(): the program multiplexes instead of forking
diag-no-fork = only one process during the chat: the program never forks
hint-no-fork = the sheet asks for os.fork(): one process per direction of the conversation
diag-fork-per-connection = { $n } processes, but one forks per connection (it waits in accept()) and none waits on the socket while another waits on the keyboard: { $procs }
diag-fork-one-direction = { $n } processes, but none waits on the socket while another waits on the keyboard: { $procs }
hint-fork-one-direction = after connecting, fork() once: one process only reads the keyboard and sends, the other only receives and prints; neither alternates

## What is left once the program should have ended

diag-zombie = process { $pid } ended but its parent never waited for it (zombie); { $parent }
hint-zombie = when one direction ends, end the other too and reap the child: os.kill(pid, signal.SIGTERM) then os.waitpid(pid, 0)
diag-orphan = { $proc }: its parent has ended, it is left running (orphan)
hint-orphan = before the parent exits, stop the child (os.kill(pid, signal.SIGTERM)) and wait for it (os.waitpid)
diag-still-running = the program does not end: { $procs }
hint-still-running = when recv() returns b'' or input() reaches end of input, end both processes
