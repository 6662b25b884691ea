# `grade demo` : l'écran du cours.
# $side, $other : server, client, peer ou harness ; $pid, $code, $signal,
# $call : des identifiants (recv, read…), pas des nombres.

demo-title = { $id } — { $title }
demo-server = serveur : { $program }
demo-client = client : { $program }

## Ce que fait chaque processus, sous la colonne de son programme.
demo-state = pid { $pid } : { $what }
demo-zombie = zombie
demo-running = en cours
demo-waits-keyboard = attend le clavier
# Sur une ligne de volet à 80 colonnes (38 caractères avec « pid 12345 : »).
demo-waits-for = attend { $other ->
        [server] le serveur
        [client] le client
        [peer] le pair
       *[harness] le harnais
    } ({ $call }())
demo-waits-in = attend dans { $call }()

# Le programme dont parle une ligne, devant elle, quand les volets sont
# l'un sous l'autre (écran de moins de 60 colonnes).
demo-pane = { $side ->
        [server] serveur
       *[client] client
    }

## --interactive : chaque étape en mots, avant qu'elle soit faite.
demo-quoted = « { $text } »
demo-step-start = lancer { $side ->
        [server] le serveur
       *[client] le client
    }
demo-step-restart = Ctrl-C au clavier { $side ->
        [server] du serveur
       *[client] du client
    }, puis le relancer
demo-step-listen = le harnais écoute, comme le ferait un serveur
demo-step-connect = le harnais se connecte au serveur
demo-step-accept = attendre que le client soit connecté
demo-step-relay = le harnais se place entre les deux programmes, pour montrer ce qui passe sur le réseau
demo-step-send = le harnais envoie { $text }
demo-step-type = taper { $lines } au clavier { $side ->
        [server] du serveur
       *[client] du client
    }
demo-step-settle = attendre que plus rien ne bouge
demo-step-eof = Ctrl-D au clavier { $side ->
        [server] du serveur
       *[client] du client
    } (fin de l'entrée)
demo-step-interrupt = Ctrl-C au clavier { $side ->
        [server] du serveur
       *[client] du client
    }
demo-step-close = le harnais ferme sa connexion
demo-step-expect-printed = attendre que { $side ->
        [server] le serveur
       *[client] le client
    } affiche { $lines }
demo-step-expect-received = attendre que le harnais reçoive { $lines }
demo-step-expect-exit = attendre que { $side ->
        [server] le serveur
       *[client] le client
    } se termine
demo-step-expect-calm = attendre que { $side ->
        [server] le serveur
       *[client] le client
    } se termine ou reste calme
demo-step-expect-silent = vérifier que { $side ->
        [server] le serveur
       *[client] le client
    } n'envoie rien
demo-step-expect-deadlock = attendre que plus rien ne puisse bouger : interblocage ?
demo-step-expect-fork = chercher un processus { $side ->
        [server] du serveur
       *[client] du client
    } par sens
demo-step-expect-closed = attendre que { $side ->
        [server] le serveur
       *[client] le client
    } ferme la connexion

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
# Quand l'exécution ne s'est pas déroulée comme prévu.
demo-alternation-failed = L'alternance ne s'est pas déroulée comme prévu : { $from-client ->
        [one] { $from-client } ligne
       *[other] { $from-client } lignes
    } client → serveur et { $from-server } serveur → client, sur { $typed-client } et { $typed-server } tapées.
demo-duplex-failed = Le bidirectionnel ne s'est pas déroulé comme prévu : { $from-client ->
        [one] { $from-client } ligne
       *[other] { $from-client } lignes
    } client → serveur et { $from-server } serveur → client, sur { $typed-client } et { $typed-server } tapées en même temps.
demo-not-as-expected = L'exécution ne s'est pas déroulée comme prévu : voir les états ci-dessus.
demo-diagnosis = [{ $code }] { $message }
