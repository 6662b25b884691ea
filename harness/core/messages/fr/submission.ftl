# Problèmes de rendu : un programme qui ne peut pas être noté du tout,
# trouvé avant tout scénario. $found liste les fichiers du rendu.
# Les identifiants sont un contrat : n'en renommez aucun.

submission-found-nothing = rien
submission-found-more = { $files }, … ({ $n } de plus)
submission-missing-side = aucun programme { $side } dans le rendu ; trouvé : { $found }
hint-submission-missing-side = rendez le programme que demande l'énoncé
submission-missing = { $file } introuvable dans le rendu ; trouvé : { $found }
hint-submission-missing = nommez le fichier { $file }, comme le demande l'énoncé
submission-empty = { $file } est vide ; trouvé : { $found }
hint-submission-empty = rendez le fichier avec son code (était-il enregistré avant l'envoi ?)
submission-does-not-parse = Python refuse { $file } :
hint-submission-does-not-parse = lancez `python3 { $file }` et corrigez la ligne indiquée
submission-does-not-compile = { $file } ne compile pas :
submission-ambiguous = plusieurs fichiers pourraient être { $file } : { $candidates }
hint-submission-ambiguous = n'en gardez qu'un seul dans le rendu
# Un titre, puis ce qu'a dit l'interpréteur ou le compilateur.
submission-with-detail =
    { $headline }
    { $detail }
# La ligne qui tient lieu de chaque scénario qu'un problème a empêché.
submission-not-run = non lancé : { $problem }
