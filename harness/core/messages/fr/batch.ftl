# `grade batch` : notes du carnet de notes et progression.

batch-progress = [{ $done }/{ $total }] { $student } : { $status }
batch-not-graded = { $n } non noté(s) jusqu'ici
batch-summary = { $students } étudiants : { $graded } notés, { $incomplete } incomplets, { $errors } erreurs, { $refused } refusés

batch-question-problem = { $questions } : { $problem }
batch-error = non noté (erreur du correcteur) : { $cause }

batch-archive-corrupt = archive refusée : illisible ({ $cause })
batch-archive-too-large = archive refusée : plus de { $limit } octets une fois extraite
batch-archive-too-many = archive refusée : plus de { $limit } entrées
batch-archive-too-deep = archive refusée : { $entry } est à plus de { $limit } dossiers de profondeur
batch-archive-escapes = archive refusée : { $entry } serait écrit hors du dossier de l'étudiant
batch-archive-links-out = archive refusée : { $entry } est un lien hors du dossier de l'étudiant ({ $target })
batch-archive-duplicate = archive refusée : { $entry } apparaît deux fois
batch-archive-io = l'archive n'a pas pu être extraite : { $cause }

batch-cached = { $n } repris du cache

## Le rapport de la classe (`grade batch --format html`).
class-title = Rapport de la classe
class-distribution = Totaux
class-band = { $from }–{ $to }{"\u00a0"}%
class-scenarios = Réussite de chaque scénario
class-diagnoses = Diagnostics les plus fréquents
class-share = { $n ->
    [one] { $n } étudiant
   *[other] { $n } étudiants
} ({ $percent }{"\u00a0"}%)
class-students = Étudiants

batch-interrupted = interrompu : { $n } étudiants non notés (marqués not-graded dans le carnet)
batch-interrupted-row = non noté : le lot a été interrompu
