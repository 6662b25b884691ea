# La ligne de commande de `grade` : progression, `grade list`, notes, et les
# commentaires des modèles de CI (`grade ci`).
# Typographie : espace insécable (U+00A0) avant les deux-points, espace fine
# insécable (U+202F) avant le point-virgule, le point d’exclamation et le point
# d’interrogation ; virgule décimale (par les nombres).

progress-scenario = [{ $done }/{ $total }] { $id }

list-points = { $points }

isolation-refused = { $variable } est défini : les scénarios passent un par un sur le port { $port } de l'hôte, sans espaces de noms réseau
isolation-unavailable = les espaces de noms réseau ne sont pas disponibles ici : les scénarios passent un par un sur le port { $port } de l'hôte ; pour des ports privés et des passages en parallèle, lancez grade en root (sudo grade …), ou autorisez les espaces de noms utilisateur non privilégiés (Ubuntu 24.04 : sudo sysctl kernel.apparmor_restrict_unprivileged_userns=0)

# Le bac à sable (après « grade : ») : les couches que cette machine refuse.
sandbox-layers-refused = ces couches du bac à sable manquent ici : { $layers } ; les programmes testés ne sont pas tenus à l'écart de ce qu'elles protègent (voir le README, Isolation)
sandbox-strict-refused = --sandbox strict : cette machine refuse { $layers }
sandbox-layer-pid-namespace = espace de noms de pid
sandbox-layer-filesystem = vue du système de fichiers
sandbox-layer-signal-scope = portée des signaux Landlock
sandbox-out-of-reach = { $path } est hors de portée de l'utilisateur `nobody` : les programmes tournent en root, sans capacités (rendez-le lisible par tous : chmod a+rX)

ci-no-repo = pas de --repo : remplacez { $placeholder } par le dépôt du cours
ci-pinned-self = les modèles téléchargent { $url } et ne le lancent que si son SHA-256 est { $sha256 }, celui de ce binaire ({ $binary }) : écrivez-les avec le binaire publié, ou donnez --sha256

## Commentaires des modèles de CI : chaque ligne devient une ligne de commentaire.

ci-github-about =
    Note les programmes du chat de ce dépôt à chaque push, avec `grade`.
    Généré par `grade ci github`. Il prend `grade` chez le cours (l'étape
    ci-dessous) ; les résultats s'affichent en annotations sur le fichier de
    l'étudiant, en tableau dans le résumé de l'exécution, et en rapports
    JUnit et JSON gardés comme artefact de l'exécution.
ci-github-as-root =
    En root, chaque scénario a son propre espace de noms réseau (le port 8080
    lui est réservé) ; -E garde GITHUB_ACTIONS et GITHUB_STEP_SUMMARY.
ci-release-about =
    Publie le binaire portable de `grade` (Linux x86_64, glibc 2.17 ou
    ultérieure) pour chaque étiquette v*, en version de ce dépôt, celui du
    cours. Généré par `grade ci github --release-workflow`. Il construit
    avec ./dist.sh (zig comme éditeur de liens, par cargo-zigbuild) et joint
    à la version le binaire et son fichier SHA-256.
ci-release-tools =
    L'éditeur de liens pour glibc 2.17 : zig (depuis PyPI, dans le Python de
    setup-python, où pip peut installer) et cargo-zigbuild.
ci-release-version =
    Les modèles qu'écrit `grade ci` téléchargent la version v<version>,
    <version> étant ce que dit `grade --version` (celle de Cargo.toml) :
    l'étiquette doit la nommer.
ci-release-publish =
    Lancé à la main (workflow_dispatch), il construit et vérifie, mais ne
    publie rien.
ci-classroom-about =
    La correction automatique de GitHub Classroom pour les programmes du chat
    de ce dépôt, avec `grade` : une étape par question écrit son résultat
    pour le reporter de Classroom, qui publie les points. Généré par `grade ci
    classroom` ; à mettre dans le dépôt modèle du devoir, en
    `.github/workflows/classroom.yml`. Il prend `grade` chez le cours
    (l'étape ci-dessous).
ci-classroom-job =
    Classroom lit les points dans le job de cet identifiant : le garder.
ci-classroom-runners =
    L'étape de chaque question affiche le rapport complet dans son journal
    et ajoute son résultat (base64, `--report classroom=…`) à la sortie
    d'étape `result`. Elle peut échouer (continue-on-error) pour que chaque
    question soit notée ; le reporter fait échouer le job. En root, chaque
    scénario a son propre espace de noms réseau ; -E garde GITHUB_OUTPUT et
    GITHUB_STEP_SUMMARY.
ci-classroom-reporter =
    Le résultat de chaque étape, dans la variable <ID DE L'ÉTAPE>_RESULTS ;
    le reporter additionne les points des étapes dont max_score dépasse 0.
ci-gitlab-about =
    Note les programmes du chat de ce dépôt à chaque push, avec `grade`.
    Généré par `grade ci gitlab`. GitLab montre le rapport JUnit dans la
    merge request et l'onglet « Tests » du pipeline ; le rapport JSON est
    gardé comme artefact. Sans runner privilégié, pas d'espaces de noms
    réseau : `grade` passe alors les scénarios un par un sur le port 8080 et
    le dit.
ci-gradescope-run-about =
    Gradescope lance ce script pour chaque rendu, en root : il note les
    programmes trouvés dans le rendu et écrit results.json. Généré par
    `grade ci gradescope`. Pour un essai hors de Gradescope, déplacez les chemins :
      AUTOGRADER_ROOT  au lieu de /autograder (submission/ et results/ dedans)
      SUBMISSION_DIR, RESULTS_DIR  pour déplacer l'un des deux seulement
      GRADE            le binaire grade (par défaut : source/grade, que
                       setup.sh télécharge)
ci-gradescope-locate =
    Le premier fichier dont le chemin finit par ce nom, n'importe où dans le
    rendu (les étudiants envoient des fichiers isolés, des dossiers, des dépôts
    entiers) ; à défaut, le nom lui-même, pour que le rapport dise que le
    fichier manque.
ci-gradescope-missing =
    --missing-is-failure : un programme absent du rendu est un test échoué
    dans results.json (« serveur.py introuvable dans le rendu ; trouvé : … »).
    --hide : les fichiers du cours (les tests de l'enseignant, ce script)
    restent hors de vue des programmes des étudiants.
ci-gradescope-status =
    Code 0 ou 1 : noté (réussi, ou des scénarios ont échoué). Tout autre code :
    le correcteur lui-même n'a pas pu tourner ; Gradescope reçoit un résultat
    qui dit pourquoi.
ci-gradescope-setup-about =
    Gradescope lance ce script une fois, en root, quand il construit l'image
    du correcteur : il installe python3, gcc et curl s'ils manquent et
    télécharge le `grade` du cours à côté de ce script. Généré par `grade ci
    gradescope`.
ci-prairielearn-run-about =
    Le correcteur externe de PrairieLearn lance ce script pour chaque rendu
    (le info.json de la question le nomme comme point d'entrée ; voir
    info-externalGradingOptions.json) : il corrige les programmes trouvés
    dans les fichiers de l'étudiant et écrit results.json. Les correcteurs
    tournent d'ordinaire sans réseau : le binaire grade est à côté de ce
    script, dans serverFilesCourse/chatlab/ du cours. Produit par
    `grade ci prairielearn`. Pour un essai hors de PrairieLearn, déplacez
    les chemins :
      PL_GRADE_ROOT  au lieu de /grade (student/ et results/ dedans)
      SUBMISSION_DIR, RESULTS_DIR  pour en déplacer un seul
      GRADE          le binaire grade (par défaut : celui à côté du script)
ci-prairielearn-results =
    --missing-is-failure : un programme absent est un test échoué. Quand la
    correction ne peut pas commencer, grade écrit quand même results.json,
    note 0 et la cause (gradable: false quand l'environnement du correcteur
    est en cause).
ci-download =
    Le binaire portable `grade` du cours (Linux x86_64, glibc 2.17 ou
    ultérieure), épinglé : il ne tourne que si son SHA-256 est celui-ci (une
    vérification ratée arrête tout ici, avant de noter quoi que ce soit).
    Écrit par `grade ci` d'après --release-url et --sha256, ou leurs valeurs
    par défaut : la version v<version> du dépôt du cours (que
    `grade ci github --release-workflow` publie), et le SHA-256 du binaire
    grade qui a écrit ce fichier.
ci-cargo-install =
    --cargo-install : compile `grade` depuis le dépôt du cours à chaque
    exécution (des minutes ; un dépôt privé demande des identifiants).
ci-devcontainer-about =
    Installe le `grade` du cours dans ce conteneur de développement (« Reopen
    in Container » de VS Code, ou un Codespace GitHub) : devcontainer.json le
    lance une fois, à la création du conteneur. Généré par `grade ci
    devcontainer`. Ensuite, dans le terminal du conteneur : grade
    --submission . (chaque question trouvée), ou grade --server
    q1/serveur.py -q q1. Pour un essai, GRADE_DIR installe ailleurs que dans
    /usr/local/bin.
ci-batch-github-about =
    grade — toute la classe, en parties (`grade ci batch-github`). À lancer
    depuis l'onglet Actions (workflow_dispatch) : chaque partie du dossier de
    la classe est notée par un job à elle (`--shard K/N`), puis un job fusionne
    les parties dans le carnet de notes (gradebook.csv, class.html) et garde le
    rapport de chaque étudiant. Versionnez le dossier de la classe (ou
    récupérez-le dans une étape avant la notation).
ci-batch-part =
    Une partie de la classe : un étudiant n'appartient qu'à une partie, sur
    toute machine (un hachage stable de son identifiant). Le code de sortie 3
    (des lignes sont des erreurs du correcteur, dites dans leur statut) garde
    quand même la partie.
ci-batch-merge =
    Chaque partie une fois, la même version de grade et les mêmes scénarios,
    aucun étudiant deux fois : sinon la fusion refuse (code de sortie 2).
ci-batch-gitlab-about =
    grade — toute la classe, en parties (`grade ci batch-gitlab`) : `parallel:`
    lance un job par partie (`--shard auto` lit CI_NODE_INDEX et
    CI_NODE_TOTAL), puis le job du carnet de notes les fusionne.
ci-batch-kubernetes-about =
    grade — toute la classe, en parties, comme un Job indexé Kubernetes
    (`grade ci batch-kubernetes`) : chaque index note une partie (`--shard
    auto` lit JOB_COMPLETION_INDEX, et GRADE_SHARD_TOTAL ci-dessous :
    Kubernetes ne donne pas le total). Le dossier de la classe est lu sur le
    volume `grade-class`, les parties et les rapports écrits sur `grade-out` ;
    quand tous les index sont terminés, lancez `grade batch merge
    /out/part-*.json --output gradebook.csv` là où ce volume est monté.
ci-batch-kubernetes-capabilities =
    Les espaces de noms du bac à sable demandent CAP_SYS_ADMIN dans le
    conteneur ; sans, grade note quand même et dit quelles couches manquent.
ci-batch-kubernetes-total =
    Le nombre de parties : le garder égal à `completions`.
ci-batch-kubernetes-volumes =
    Les volumes de votre cluster : le dossier de la classe (en lecture seule)
    et la sortie.
ci-batch-slurm-about =
    grade — toute la classe, en parties, comme un tableau de jobs Slurm
    (`grade ci batch-slurm`) : chaque tâche du tableau note une partie
    (`--shard auto` lit SLURM_ARRAY_TASK_ID, _MIN et _COUNT) dans parts/.
    Puis le carnet de notes :
      sbatch --dependency=afterok:$(sbatch --parsable grade-class.sbatch) grade-gradebook.sbatch
ci-batch-slurm-merge-about =
    grade — le carnet de notes d'une classe notée par grade-class.sbatch : ses
    parties (parts/part-*.json) fusionnées dans gradebook.csv et class.html.
