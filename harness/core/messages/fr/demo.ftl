# `grade demo` : l'écran du cours.
# $side, $other : server, client, peer ou harness ; $pid, $code, $signal,
# $call : des identifiants (recv, read…), pas des nombres.

demo-title = { $id } — { $title }
demo-server = serveur : { $program }
demo-client = client : { $program }

## Ce que fait chaque processus, sous la colonne de son programme.
demo-state = · pid { $pid } : { $what }
demo-zombie = zombie
demo-running = en cours
demo-waits-keyboard = attend le clavier
# Sans dépasser la colonne (42 caractères avec « · pid 12345 : »).
demo-waits-for = attend { $other ->
        [server] le serveur
        [client] le client
        [peer] le pair
       *[harness] le harnais
    } ({ $call }())
demo-waits-in = attend dans { $call }()

## Les événements, à mesure.
demo-next-step = étape suivante : { $action } — appuyez sur Entrée
demo-started = ▶ lancé (pid { $pid })
demo-connected = ⇄ connecté
demo-sent = envoyé
demo-closed = ✕ a fermé la connexion
demo-wire-unobserved = (pas d'espaces de noms réseau ici : les programmes se parlent directement, le réseau n'est pas montré)
demo-quiet = calme : rien ne bouge sans le clavier
demo-exited = ■ terminé ({ $how })
demo-exit-status = code { $code }
demo-exit-signal = signal { $signal }
demo-teardown = — le harnais arrête les programmes —

## L'explication à la fin.
demo-no-deadlock = Pas d'interblocage : les programmes ne se sont pas bloqués mutuellement.
demo-cycle-label = attend dans recv()
demo-cycle-program = { $side ->
        [server] serveur
        [client] client
        [peer] pair
       *[harness] harnais
    } (pid { $pid })
demo-cycle-wait = { $side ->
        [server] serveur
        [client] client
        [peer] pair
       *[harness] harnais
    } (pid { $pid }) attend { $other ->
        [server] le serveur
        [client] le client
        [peer] le pair
       *[harness] le harnais
    } dans { $call }()
demo-cycle = { $first } → { $second }
demo-deadlock-why = Interblocage — les deux commencent par recevoir : chacun attend une ligne que seul l'autre peut envoyer, et aucun n'enverra jamais. Les lignes tapées attendent sur les deux claviers.
demo-alternation = Alternance : { $from-client ->
        [one] { $from-client } ligne
       *[other] { $from-client } lignes
    } client → serveur et { $from-server } serveur → client, chacune à son tour : le client parle, le serveur répond.
demo-duplex = Bidirectionnel : { $from-client ->
        [one] { $from-client } ligne
       *[other] { $from-client } lignes
    } client → serveur et { $from-server } serveur → client, tapées en même temps ; un processus par sens (fork), donc personne n'attend que l'autre parle.
demo-not-as-expected = L'exécution ne s'est pas déroulée comme prévu : voir les états ci-dessus.
demo-diagnosis = [{ $code }] { $message }
