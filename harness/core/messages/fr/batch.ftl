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
