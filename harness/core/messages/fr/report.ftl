# Ce que disent les rapports autour des verdicts : étiquettes, totaux, les
# mots de la transcription, la page HTML. Les identifiants sont un contrat :
# ne jamais en renommer un.
# Typographie : espace insécable (U+00A0) avant « : », espace fine
# insécable (U+202F) avant « ; ! ? » et entre les groupes de chiffres,
# virgule décimale (les nombres passés en arguments la prennent d'eux-mêmes).

## Étiquettes, chacune avec son deux-points.

report-server = serveur :
report-client = client :
report-note = note :
report-expected = attendu :
report-fix = correction :
report-transcript = transcription :
report-score = Note :
# Le fichier de résultats d'une plateforme quand la correction n'a pas pu commencer.
report-not-graded = grade n'a pas pu corriger ce rendu : { $cause }
# Gradescope avec --hidden : le texte du haut ne compte que les tests visibles.
report-visible-score = Tests visibles :
report-hidden-later = { $n ->
    [one] { $n } autre test est montré après la date limite
   *[other] { $n } autres tests sont montrés après la date limite
}

## Totaux et noms.

report-total = { $score }/{ $max } ({ $counts })
report-counts = { $passed }, { $failed }
report-counts-with-errors = { $passed }, { $failed }, { $errors }
report-not-run = { $n ->
    [one] { $n } scénario non lancé
   *[other] { $n } scénarios non lancés
} ({ $points ->
    [one] { $points } point
   *[other] { $points } points
})
report-program = programme { $side }
report-submission = rendu
report-status = { $status ->
    [pass] Réussi
    [fail] Échoué
    [skip] Ignoré
   *[error] Erreur
}
duration-ms = { $ms } ms
list-separator = { " ; " }

## GitHub Classroom : la fin d'un message coupé pour tenir dans l'environnement du reporter.

classroom-shortened = … (raccourci pour GitHub Classroom : le rapport complet est dans le journal de l'étape de notation)

## Le rapport pour le terminal.

human-total = { $score }/{ $max }  ({ $counts }) en { $wall }
human-not-run = { $n ->
    [one] { $n } scénario non lancé
   *[other] { $n } scénarios non lancés
} ({ $side } : [{ $code }])

## L'en-tête du tableau du résumé Markdown.

markdown-scenario = scénario
markdown-points = points
markdown-diagnosis = diagnostic

## La page HTML.

html-title = grade : { $programs }, { $date }
html-title-undated = grade : { $programs }
html-programs-both = { $server } et { $client }
html-reference = les programmes de référence
html-reference-program = { $name } de référence
html-deadlock = Interblocage : chaque programme attend dans recv() une ligne que seul l'autre peut envoyer, et aucun n'enverra jamais. Les lignes tapées entre-temps attendent, non lues, sur les deux claviers.
html-legend = Légende
html-key-wire = octets sur le fil (TCP), et ce qu'ils disent
html-key-cycle = attend l'autre (le cycle d'un interblocage)
html-key-quiet = calme : chaque programme attend
html-key-typed = tapé au clavier du programme
html-key-printed = affiché sur son terminal
html-key-started = démarré
html-key-exited = terminé
html-key-closed = a fermé sa connexion
html-key-state = ce que faisaient ses processus
html-key-time = millisecondes depuis le début du scénario
html-peer = harnais (pair)
html-started = ▶ pid { $pid }
html-closes = ✕ ferme
html-quiescent = calme
html-waits-for = attend dans recv()

## Transcriptions.

transcript-actor = { $actor ->
    [server] serveur
    [client] client
    [peer] pair
    [harness] harnais
   *[other] { $actor }
}
transcript-event = { $kind ->
    [step] étape
    [started] démarré
    [typed] tapé
    [typed-eof] fin-saisie
    [interrupted] interrompu
    [printed] affiché
    [sent] envoyé
    [received] reçu
    [connected] connecté
    [closed-by-program] fermé-programme
    [closed-by-peer] fermé-pair
    [connect-refused] refus-connexion
    [connect-calls] appels-connect
    [listening] écoute
    [connect-attempt] essai-connexion
    [exited] terminé
    [quiescent] calme
    [cpu] cpu
    [deadline] échéance
    [output-dropped] sortie-omise
    [limit] limite
    [start-failed] échec-démarrage
    [killed] tué
    [teardown] fin
    [relayed] relayé
    [relay-closed] relais-fermé
    [wire-unobserved] fil-non-observé
    [snapshot] instantané
    [all-ended] tous-finis
   *[other] { $kind }
}
transcript-earlier = … { $n ->
    [one] { $n } événement plus tôt
   *[other] { $n } événements plus tôt
}
transcript-cut = { $head }… ({ $n ->
    [one] { $n } caractère
   *[other] { $n } caractères
})
transcript-thousands = { "\u202F" }
transcript-step = étape { $n }
transcript-started = { $command } (pid { $pid })
transcript-port = port { $port }
transcript-connect-calls = port { $port } : { $calls ->
    [one] { $calls } appel
   *[other] { $calls } appels
} à connect()
transcript-exited = pid { $pid }, { $status }
transcript-pid = pid { $pid }
transcript-cpu = { $used } ms de CPU ({ $runnable } ms exécutable) en { $window } ms
transcript-limit = { $limit ->
    [processes] processus
    [memory] mémoire
    [cpu-time] temps CPU
    [file-size] taille de fichier
    [output] sortie
   *[other] { $limit }
} (limite { $max })
transcript-start-failed = { $code } : { $detail }
transcript-wire-unobserved = les programmes se parlent directement : le fil n'a pas été observé
transcript-dropped = … { $of } : { $lines } { $n-lines ->
        [one] ligne omise
       *[other] lignes omises
    } ({ $bytes } { $n-bytes ->
        [one] octet
       *[other] octets
    } en { $events } { $n-events ->
        [one] événement
       *[other] événements
    })

## Ce que faisait un processus.

transcript-proc = { $actor } (pid { $pid })
transcript-proc-zombie = { $who } est un zombie
transcript-proc-running = { $who } s'exécute
transcript-proc-keyboard = { $who } attend le clavier dans { $call }()
transcript-proc-for = { $who } attend { $other ->
    [server] le serveur
    [client] le client
    [peer] le pair
    [harness] le harnais
   *[other] { $other }
} dans { $call }()
transcript-proc-socket = { $who } attend sur une socket dans { $call }()
transcript-proc-listener = { $who } attend une connexion dans { $call }()
transcript-proc-children = { $who } attend ses fils dans { $call }()
transcript-proc-waits = { $who } attend dans { $call }()

## Comment un processus a fini.

exit-status = statut { $code }
exit-signal = signal { $signal }
