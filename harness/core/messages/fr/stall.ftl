# Un monde à l'arrêt : ce qu'attend chaque processus, le cycle de
# l'interblocage, et ce que dit l'arbre des processus (fork, zombies, orphelins).
# Les identifiants sont un contrat : n'en renommez aucun.

## Un processus, tel que /proc l'a montré

proc-zombie = { $actor } (pid { $pid }) est un zombie
proc-running = { $actor } (pid { $pid }) s'exécute
proc-waits-keyboard = { $actor } (pid { $pid }) attend le clavier dans { $call }()
proc-waits-for = { $actor } (pid { $pid }) attend { $whom ->
        [server] le serveur
        [client] le client
        [peer] le pair
       *[harness] le harnais
    } dans { $call }()
proc-waits-socket = { $actor } (pid { $pid }) attend sur une socket dans { $call }()
proc-waits-connection = { $actor } (pid { $pid }) attend une connexion dans { $call }()
proc-waits-children = { $actor } (pid { $pid }) attend ses fils dans { $call }()
proc-waits = { $actor } (pid { $pid }) attend dans { $call }()

## Interblocages

deadlock-cycle = { $client } → { $server }
diag-deadlock = { $cycle } : interblocage — les deux commencent par recevoir
hint-deadlock = dans le chat alterné un côté doit parler en premier : le client lit le clavier et envoie, le serveur reçoit d'abord
diag-deadlock-midway = { $cycle } : interblocage — les deux attendent de recevoir, personne n'envoie à son tour
hint-deadlock-midway = après avoir affiché la ligne de l'autre côté, lisez le clavier et envoyez : une ligne dans chaque sens par tour

## q3 : un programme à contretemps

diag-receives-first = { $proc }, alors que la ligne tapée attend sur son clavier : il commence par recevoir, mais ici il doit parler en premier
hint-receives-first = commencez le cycle par lire le clavier et envoyer (client : étapes 1–2 de la fiche)
diag-out-of-turn-waits = { $proc }, alors que la ligne du pair attend sans être lue : il veut parler alors qu'il doit recevoir
hint-out-of-turn-waits = suivez le cycle de la fiche : après avoir envoyé une ligne, attendez la ligne de l'autre côté et affichez-la avant de relire le clavier

## q4 : un seul processus qui alterne

stall-while-typed = alors que des lignes tapées attendent sur son clavier
stall-while-peer-lines = alors que les lignes du pair attendent dans sa socket
stall-while-eof = alors que la fin de saisie (Ctrl-D) attend sur son clavier
stall-while-peer-left = alors que le pair est parti : seul recv() le lui dirait, et il ne l'appelle pas avant qu'une ligne soit tapée
diag-half-duplex = { $proc }, { $situation } : il alterne comme en q3 au lieu d'envoyer et recevoir en même temps
hint-half-duplex = après la connexion, fork() : un processus lit le clavier et envoie, l'autre reçoit et affiche
diag-half-duplex-procs = chaque processus du programme attend ailleurs ({ $procs }), { $situation } : aucun ne s'occupe de ce sens, le programme alterne comme en q3
diag-no-fork-threads = un seul processus à { $threads } threads : le programme utilise des threads, pas fork()
diag-no-fork-select = un seul processus qui attend dans select()/poll() : le programme multiplexe au lieu de faire fork()
diag-no-fork = un seul processus pendant la discussion : le programme ne fait jamais fork()
hint-no-fork = la fiche demande os.fork() : un processus par sens de la conversation
diag-fork-per-connection = { $n } processus, mais l'un fait un fork par connexion (il attend dans accept()) et aucun n'attend sur la socket pendant qu'un autre attend le clavier : { $procs }
diag-fork-one-direction = { $n } processus, mais aucun n'attend sur la socket pendant qu'un autre attend le clavier : { $procs }
hint-fork-one-direction = après la connexion, un seul fork() : un processus ne fait que lire le clavier et envoyer, l'autre ne fait que recevoir et afficher ; aucun n'alterne

## Ce qui reste quand le programme aurait dû finir

diag-zombie = le processus { $pid } est fini mais son parent ne l'a jamais attendu (zombie) ; { $parent }
hint-zombie = quand un sens se termine, terminez l'autre et récupérez le fils : os.kill(pid, signal.SIGTERM) puis os.waitpid(pid, 0)
diag-orphan = { $proc } : son parent est fini, il reste en vie (orphelin)
hint-orphan = avant que le parent ne se termine, arrêtez le fils (os.kill(pid, signal.SIGTERM)) et attendez-le (os.waitpid)
diag-still-running = le programme ne se termine pas : { $procs }
hint-still-running = quand recv() renvoie b'' ou que input() atteint la fin de l'entrée, terminez les deux processus
