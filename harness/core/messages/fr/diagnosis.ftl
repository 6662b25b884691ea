# Diagnostics : ce que le verdict dit d'un scénario échoué, et la correction.
# Les identifiants sont un contrat (les enseignants les remplacent avec
# --messages) : n'en renommez aucun. La sortie citée d'un programme ($line,
# $last, $text, $sample…) arrive sans caractères de contrôle et bornée ;
# $port est le port noté (--port).
# Typographie : espace fine insécable (U+202F) avant « : ; ! ? ».

## Pièces communes

actor-server = serveur
actor-client = client
actor-peer = pair
actor-harness = harnais

quote-cut = { $head }… ({ $n } caractères)

list-empty = { "" }
list-semicolon = { $head } ; { $tail }
list-comma = { $head }, { $tail }
list-slash = { $head } / { $tail }

status-code = le code { $code }
status-signal = le signal { $signal }
status-unknown = un code inconnu

diag-blame = { $side } : { $message }

## Ce qu'attendait l'étape échouée

expected-connect = le serveur écoute et accepte la connexion
expected-accept = le client se connecte
expected-printed = affiché, chacune sur sa ligne : { $lines }
expected-received = reçu par le pair, terminé par un saut de ligne : { $lines }
expected-exit-clean = le programme se termine avec le code 0, sans traceback
expected-exit-message = le programme se termine après avoir affiché un message
expected-calm = ni boucle active ni flot d'affichage après le départ du pair
expected-exit-all = tous les processus du programme se terminent (ni orphelin, ni zombie)
expected-silent = rien n'est envoyé hors de son tour
expected-deadlock = les deux programmes se bloquent pour de bon, chacun attendant l'autre
expected-fork = un processus par sens pendant la discussion : l'un attend sur la socket pendant qu'un autre attend le clavier
expected-closed = le programme ferme (ou ferme à moitié) la connexion
expected-line = `{ $line }`
expected-line-cut = `{ $head }…` ({ $n } caractères)

## Une faute du correcteur

diag-grader-fault = une faute du correcteur, pas du programme noté : { $what }
hint-grader-fault = ce scénario n'a pas pu être noté : relancez grade, et s'il échoue de la même façon, transmettez ce message aux enseignants

## Le programme n'a pas pu démarrer

diag-compile-error =
    le programme ne compile pas :
    { $detail }
hint-compile-error = corrigez la première erreur signalée par le compilateur, puis réessayez
diag-not-started = le programme n'a pas pu être lancé : { $detail }
hint-not-started = vérifiez le chemin et que le fichier est exécutable

## Toute étape

diag-syntax-error = Python refuse le fichier : { $line }
hint-syntax-error = lancez `python3 -m py_compile fichier.py` et corrigez la ligne indiquée
hint-python2 = c'est de la syntaxe Python 2 : écrivez print(x) et non print x, et input() plutôt que raw_input()
diag-no-reuseaddr = relancé aussitôt, le serveur ne peut pas réutiliser le port : { $line }
hint-no-reuseaddr = activez SO_REUSEADDR avant bind : s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
diag-crashed-traceback = le programme a planté : { $last }
hint-crashed-traceback = lisez la dernière ligne de la traceback : elle nomme l'erreur et la ligne
diag-wrong-order = chaque ligne a été affichée, mais pas dans l'ordre d'arrivée : `{ $then }` avant `{ $first }`
hint-wrong-order = affichez les lignes dans un seul processus, dans l'ordre où recv() les donne : deux processus qui reçoivent tous deux se disputent les lignes
diag-process-died = un processus du programme a planté pendant que le programme continuait : { $last }
diag-ended-early = le programme s'est arrêté trop tôt avec { $status }
diag-ended-early-output = le programme s'est arrêté trop tôt avec { $status } (dernier affichage : { $output })
hint-ended-early = il doit rester actif pendant tout l'échange
diag-busy-loop = le programme consomme du CPU en boucle alors qu'il n'a rien à faire
diag-busy-loop-procs = le programme consomme du CPU en boucle alors qu'il n'a rien à faire : { $procs }
hint-busy-loop = recv() qui renvoie b'' (ou la fin de l'entrée) signifie que l'autre côté a fini : sortez de la boucle au lieu de rappeler recv()
diag-timeout = rien ne s'est passé avant l'échéance
hint-timeout = si la machine est lente, réessayez avec --timeout-scale 3

## connect : le serveur écoute

diag-wrong-port-server = le serveur écoute sur le port { $listens }, pas sur le { $port }
hint-wrong-port-server = utilisez le port { $port } comme le demande la fiche (ou notez avec --port { $listens })
diag-not-listening = rien n'écoute sur le port { $port }
diag-not-listening-waits = rien n'écoute sur le port { $port } (il attend sans écouter)
hint-not-listening = appelez bind(('', { $port })) puis listen() avant accept()
diag-server-unreached = le client s'est connecté, mais rien n'écoute sur le port { $port } côté serveur

## accept : le client se connecte

diag-wrong-port-client = le client se connecte au port { $tried }, pas au { $port }
hint-connect = connectez-vous à ('127.0.0.1', { $port })
diag-connect-refused = la connexion du client a été refusée alors que le serveur écoute sur 127.0.0.1:{ $port } : il vise un autre hôte ou port
diag-never-connected = le client ne s'est jamais connecté
hint-never-connected = appelez connect(('127.0.0.1', { $port })) au démarrage du programme

## expect_printed

diag-bytes-repr-printed = le programme affiche l'objet bytes lui-même : `{ $line }`
hint-bytes-repr-printed = décodez avant d'afficher : print(data.decode(), end='') — recv() renvoie des bytes
diag-split-line = `{ $line }` a été affichée en { $pieces } morceaux : un print par recv(), pas par ligne
hint-split-line = recv() renvoie les octets arrivés : gardez un tampon et n'affichez que jusqu'à chaque '\n' (ou lisez les lignes avec conn.makefile())
diag-wrong-text-printed = attendu `{ $expected }`, le programme a affiché `{ $line }`
hint-wrong-text-printed = affichez le texte reçu tel quel, décodé en UTF-8
diag-missing-printed = `{ $line }` n'a jamais été affichée
diag-missing-printed-other = `{ $line }` n'a jamais été affichée (affiché : { $printed })
hint-missing-printed = affichez chaque ligne reçue dès son arrivée, terminée par un saut de ligne
diag-never-sent = n'a jamais envoyé `{ $line }` : elle n'a pas traversé le réseau
hint-never-sent = le { $sender } doit envoyer chaque ligne tapée, terminée par un saut de ligne

## expect_received

diag-bytes-repr-sent = le client envoie la représentation d'un objet bytes : `{ $text }`
hint-bytes-repr-sent = envoyez ligne.encode(), pas str(ligne.encode())
diag-no-newline = le texte est arrivé sans saut de ligne : `{ $text }`
hint-no-newline = envoyez la ligne avec son '\n' : input() l'enlève, envoyez donc (ligne + '\n').encode()
diag-sent-late = rien n'est envoyé pendant la frappe ; les lignes arrivent seulement en fin d'entrée
hint-sent-late = envoyez chaque ligne dès qu'elle est lue, dans la boucle de lecture
diag-wrong-text-received = attendu `{ $expected }`, reçu `{ $line }`
hint-wrong-text-received = envoyez exactement la ligne tapée, encodée en UTF-8, puis '\n'
diag-missing-received = `{ $line }` n'est jamais arrivée
hint-missing-received = envoyez chaque ligne dès qu'elle est tapée

## expect_silent, expect_deadlock, expect_closed

diag-out-of-turn-sent = le programme a envoyé `{ $text }` hors de son tour : il doit d'abord attendre la ligne de l'autre côté
hint-out-of-turn-sent = suivez le cycle de la fiche : recevoir une ligne, l'afficher, puis lire le clavier et envoyer — une ligne dans chaque sens par tour
diag-out-of-turn-greeting = le serveur a envoyé `{ $text }` sans attendre la ligne du client : le serveur de la fiche attend d'abord la ligne du client, et chaque tour suivant est donc décalé
diag-no-deadlock = aucun interblocage n'a pu être prouvé : { $procs }
hint-no-deadlock = les deux programmes doivent commencer leur cycle par recevoir
diag-still-open = après la fin de l'entrée la connexion reste ouverte : { $procs }
hint-still-open = en fin d'entrée, fermez la socket (ou shutdown(socket.SHUT_WR)) pour que le pair voie la fin

## expect_exit

diag-eof-traceback = en fin d'entrée le programme meurt avec une traceback : { $last }
hint-eof-traceback = rattrapez EOFError autour de input() (ou bouclez sur sys.stdin), puis fermez la socket et quittez
diag-uncaught = le programme meurt sur une exception non rattrapée : { $last }
hint-uncaught = rattrapez l'erreur et affichez plutôt un message d'une ligne
diag-exit-silent = le programme s'est terminé sans un mot
hint-exit-silent = dites pourquoi avant de quitter, p. ex. print('connexion refusée')
diag-exit-status = le programme se termine avec { $status }
hint-exit-status = terminez avec le code 0 quand l'entrée ou la connexion est finie
diag-no-exit = le programme ne se termine pas : il continue d'attendre
hint-no-exit = quand input() lève EOFError (ou que recv() renvoie b''), sortez de la boucle et terminez

## expect_calm : après le départ du pair

diag-flood-after-peer = après le départ du pair, le programme affiche sans fin (`{ $sample }` …)
hint-flood-after-peer = recv() renvoie b'' quand le pair a fermé : sortez alors de la boucle
diag-peer-left-traceback = quand le pair part, le programme meurt avec une traceback : { $last }
hint-peer-left-traceback = traitez le départ du pair comme normal : recv() renvoie b''
diag-peer-left-status = quand le pair part, le programme se termine avec { $status }
hint-peer-left-status = terminez avec le code 0 quand le pair part

## Limites du bac à sable

diag-limit-output = le programme affiche sans fin (`{ $sample }` …) : plus de { $kib } Kio
hint-limit-output = affichez chaque ligne reçue une fois ; quand recv() renvoie b'', le pair est parti : sortez de la boucle
diag-limit-sent = le programme envoie sans fin (`{ $sample }` …) : plus de { $kib } Kio
hint-limit-sent = envoyez chaque ligne une fois ; à la fin de l'entrée (input() lève EOFError, fgets() renvoie NULL, read() renvoie 0) arrêtez d'envoyer et fermez la socket
diag-limit-processes = limite atteinte : processus — le programme a tenté de lancer plus de { $max } processus à la fois, et fork() a été refusé
hint-limit-processes = ne forkez que là où l'exercice le demande (q4 : une fois par connexion), terminez chaque fils par os._exit(0) une fois son travail fait, et ne forkez jamais dans une boucle
diag-limit-memory = limite atteinte : mémoire — le programme a utilisé plus de { $mib } Mio et a été tué
hint-limit-memory = traitez chaque ligne à son arrivée au lieu de garder tout ce qui est reçu
diag-limit-cpu-time = limite atteinte : temps CPU — le programme a calculé plus de { $secs } s et a été arrêté
hint-limit-cpu-time = une boucle qui ne bloque jamais consomme le CPU : attendez dans recv() ou input() au lieu de vérifier sans cesse
diag-limit-file-size = limite atteinte : taille de fichier — le programme a écrit un fichier de { $mib } Mio ou plus
hint-limit-file-size = les programmes du chat n'écrivent pas de fichier : affichez sur le terminal, envoyez sur la socket
diag-limit-other = limite atteinte : { $limit } ({ $max })

## expect_printed : la ligne attendue affichée modifiée (sa cause nommée)

hint-changed-case = le programme change la casse du texte : affichez-le tel que reçu, sans .upper(), .lower() ni .title()
hint-changed-spaces = le programme change les espaces entre les mots : affichez le texte tel que reçu, sans split() puis join() ni print(a, b)
hint-changed-repr = le programme affiche la repr de la chaîne, guillemets et \n compris : print(ligne), pas print(repr(ligne)) ni %r
hint-changed-mojibake = des octets UTF-8 décodés en Latin-1 (`Ã§a` pour `ça`) : décodez avec data.decode('utf-8'), pas decode('latin-1')
hint-changed-trailing = des octets restés dans le tampon sont affichés après la ligne : n'affichez que les n octets renvoyés par recv() (en C, terminez la chaîne par buf[n] = '\0' ou utilisez printf("%.*s", n, buf))

## Longs textes cités (au-delà de 120 caractères)

quote-more = { $head }… { $more ->
    [one] { $count } caractère de plus
   *[other] { $count } caractères de plus
}
number-grouped = { $high } { $low }

## expect_printed : sortie C en attente dans le tampon de stdio

diag-stdio-buffered = rien ne s'affiche sur le terminal : `{ $line }` attend dans le tampon de stdio (affiché sans '\n', jamais vidé)
hint-stdio-buffered = sur un terminal, stdout est vidé à chaque '\n' : terminez chaque printf par '\n', ou appelez fflush(stdout) après

## Sur le fil : octets en trop, délimiteurs propres au programme

diag-extra-bytes = des octets en trop ont été envoyés après la ligne `{ $line }` et son saut de ligne : { $bytes } ({ $n ->
        [one] { $n } octet de ce genre
       *[other] { $n } octets de ce genre
    } en tout)
hint-extra-bytes = n'envoyer que la ligne et son '\n' : en C, envoyer strlen(buf) octets, ni sizeof(buf) ni strlen(buf) + 1
diag-own-delimiter = chaque message se termine par { $delimiter } au lieu d'un saut de ligne : reçu { $text }
hint-own-delimiter = terminer chaque ligne par un '\n' seul (un '\r' avant est accepté) : l'autre côté lit des lignes

## Floods of empty lines; Python 2 idioms, named from the quoted source line
diag-flood-empty-lines = après le départ du pair, le programme affiche sans fin des lignes vides
hint-py2-print = c'est de la syntaxe Python 2 : `{ $line }` : en Python 3, print est une fonction : print(x), print(x, file=f)
hint-py2-except = c'est de la syntaxe Python 2 : `{ $line }` : en Python 3, écrivez except socket.error as e:
hint-py2-raw-input = c'est du Python 2 : `{ $line }` : raw_input() s'appelle input() en Python 3
hint-py2-backticks = c'est de la syntaxe Python 2 : `{ $line }` : les accents graves n'existent plus en Python 3, écrivez repr(x)
hint-py2-octal = c'est de la syntaxe Python 2 : `{ $line }` : Python 3 écrit un nombre octal 0o777, et non 0777
hint-py2-exec = c'est de la syntaxe Python 2 : `{ $line }` : en Python 3, exec est une fonction : exec(code)
diag-limit-output-empty = le programme affiche sans fin des lignes vides : plus de { $kib } Kio

## Une ligne affichée en morceaux choisis par le noyau (leur nombre varierait).
diag-split-line-pieces = `{ $line }` a été affichée en plusieurs morceaux : un print par recv(), pas par ligne

## Relance immédiate : bind échoue sans vérification, listen sur un port éphémère
diag-no-reuseaddr-elsewhere = relancé aussitôt, le serveur écoute sur le port { $listens }, et non plus sur le { $port } : bind a échoué sans que son résultat soit vérifié
hint-no-reuseaddr-unchecked = activez SO_REUSEADDR avant bind (en C : int un = 1; setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &un, sizeof un);), et vérifiez le résultat de bind : if (bind(...) < 0) { "{" } perror("bind"); exit(1); { "}" }

## Ce que le programme attend (le clavier avant de se connecter ou d'écouter ; le premier mot du serveur)
diag-keyboard-before-connect = le client attend le clavier avant de se connecter
diag-keyboard-before-connect-prompt = le client attend le clavier avant de se connecter (son invite : `{ $prompt }`)
hint-keyboard-before-connect = appelez connect(('127.0.0.1', { $port })) avant de lire le clavier : rien n'est tapé tant que le client n'est pas connecté
diag-keyboard-before-listen = rien n'écoute sur le port { $port } : le serveur attend le clavier avant d'écouter
diag-keyboard-before-listen-prompt = rien n'écoute sur le port { $port } : le serveur attend le clavier avant d'écouter (son invite : `{ $prompt }`)
hint-keyboard-before-listen = écoutez sur le port { $port } dès le démarrage du programme, avant de lire le clavier : rien n'est tapé tant qu'aucun client n'est connecté
diag-waits-greeting = { $proc } : il attend que le serveur parle le premier, ce que le serveur de l'énoncé ne fait jamais
hint-waits-greeting = lisez le clavier et envoyez chaque ligne aussitôt : le serveur ne fait que recevoir, il n'écrit jamais le premier

## Notes : conseils sur un scénario réussi, sans perte de points

note-network-traceback = le programme se termine par une trace d'exécution (`{ $line }`) : elle compte comme son message, la fiche ne demandant aucune gestion d'erreur ; attraper { $error } et afficher une ligne serait plus lisible
