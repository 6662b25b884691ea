# Pièces communes : nombres, durées, décomptes.
# Typographie : espace insécable (U+00A0) avant « : », espace fine insécable (U+202F) avant « ; ! ? », virgule décimale.

duration-seconds = { $secs } s
count-passed = { $n -> 
    [one] { $n } réussi
   *[other] { $n } réussis
}
count-failed = { $n ->
    [one] { $n } échoué
   *[other] { $n } échoués
}
count-grader-errors = { $n ->
    [one] { $n } erreur du correcteur
   *[other] { $n } erreurs du correcteur
}
