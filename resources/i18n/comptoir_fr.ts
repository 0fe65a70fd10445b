<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="fr">
  <context>
    <name>Comptoir</name>
    <message>
      <source>OK, seen  [V]</source>
      <translation>OK, vu  [V]</translation>
    </message>
    <message>
      <source>1 new order is waiting for an answer</source>
      <translation>1 nouvelle commande attend une réponse</translation>
    </message>
    <message>
      <source>{n} new orders are waiting for an answer</source>
      <translation>{n} nouvelles commandes attendent une réponse</translation>
    </message>
    <message>
      <source>time to answer is over: the marketplace refuses it by itself</source>
      <translation>le délai de réponse est dépassé : la place de marché la refuse d’elle-même</translation>
    </message>
    <message>
      <source>automatic refusal in {t}</source>
      <translation>refus automatique dans {t}</translation>
    </message>
    <message>
      <source>sound back in {t}</source>
      <translation>son de retour dans {t}</translation>
    </message>
    <message>
      <source>NO SOUND</source>
      <translation>PAS DE SON</translation>
    </message>
    <message>
      <source>No audio output: the new-order alert cannot be heard. Connect speakers or headphones, or check the computer's sound settings.</source>
      <translation>Aucune sortie audio : l’alerte des nouvelles commandes ne peut pas être entendue. Branchez des haut-parleurs ou un casque, ou vérifiez les réglages du son de l’ordinateur.</translation>
    </message>
    <message>
      <source>The alert volume is at zero: new orders ring silently. Raise it in Settings.</source>
      <translation>Le volume de l’alerte est à zéro : les nouvelles commandes sonnent en silence. Montez-le dans les Réglages.</translation>
    </message>
    <message>
      <source>The alert sound cannot be played on this computer's audio output. Choose another sound in Settings and press Listen.</source>
      <translation>Le son de l’alerte ne peut pas être joué sur la sortie audio de cet ordinateur. Choisissez un autre son dans les Réglages et appuyez sur Écouter.</translation>
    </message>
    <message>
      <source>OK</source>
      <translation>OK</translation>
    </message>
    <message>
      <source>New orders</source>
      <translation>Nouvelles</translation>
    </message>
    <message>
      <source>In preparation</source>
      <translation>En préparation</translation>
    </message>
    <message>
      <source>Ready orders</source>
      <translation>Prêtes</translation>
    </message>
    <message>
      <source>Done today</source>
      <translation>Terminées aujourd’hui</translation>
    </message>
    <message>
      <source>Unexpected error (details in the log): try again; if it happens again, restart Comptoir.</source>
      <translation>Erreur inattendue (détails dans le journal) : réessayez ; si cela se reproduit, redémarrez Comptoir.</translation>
    </message>
    <message>
      <source>the disk refused (details in the log): try another place</source>
      <translation>le disque a refusé (détails dans le journal) : essayez un autre emplacement</translation>
    </message>
    <message>
      <source>No connection to the marketplace: check the shop's internet connection. Orders keep working here and will be sent when the network is back.</source>
      <translation>Pas de connexion à la place de marché : vérifiez la connexion Internet de la boutique. Les commandes continuent ici et partiront au retour du réseau.</translation>
    </message>
    <message>
      <source>The marketplace does not answer: trying again automatically. If it lasts, check the shop's internet connection.</source>
      <translation>La place de marché ne répond pas : nouvel essai automatique. Si cela dure, vérifiez la connexion Internet de la boutique.</translation>
    </message>
    <message>
      <source>The marketplace is down (error {status}): trying again automatically, nothing is lost.</source>
      <translation>La place de marché est en panne (erreur {status}) : nouvel essai automatique, rien n’est perdu.</translation>
    </message>
    <message>
      <source>Unreadable answer from the marketplace: trying again automatically. If it lasts, tell the marketplace.</source>
      <translation>Réponse illisible de la place de marché : nouvel essai automatique. Si cela dure, prévenez la place de marché.</translation>
    </message>
    <message>
      <source>The marketplace refused the request (error {status}): if it happens again, tell the marketplace.</source>
      <translation>La place de marché a refusé la demande (erreur {status}) : si cela se répète, prévenez la place de marché.</translation>
    </message>
    <message>
      <source>Pairing code unknown, expired or already used: ask the marketplace for a new code.</source>
      <translation>Code d’appairage inconnu, expiré ou déjà utilisé : demandez un nouveau code à la place de marché.</translation>
    </message>
    <message>
      <source>The marketplace no longer recognises this counter (token revoked or invalid): pair it again. Changes waiting to be sent are kept.</source>
      <translation>La place de marché ne reconnaît plus ce comptoir (jeton révoqué ou invalide) : appairez-le de nouveau. Les changements en attente sont conservés.</translation>
    </message>
    <message>
      <source>Unencrypted connection refused: the marketplace address must start with https:// (http:// is only accepted to this computer, 127.0.0.1).</source>
      <translation>Connexion non chiffrée refusée : l’adresse de la place de marché doit commencer par https:// (http:// n’est accepté que vers cet ordinateur, 127.0.0.1).</translation>
    </message>
    <message>
      <source>Invalid marketplace address: it must start with https://.</source>
      <translation>Adresse de la place de marché invalide : elle doit commencer par https://.</translation>
    </message>
    <message>
      <source>The marketplace did not take everything: trying again automatically.</source>
      <translation>La place de marché n’a pas tout pris : nouvel essai automatique.</translation>
    </message>
    <message>
      <source>Internal sync error: trying again soon (details in the log).</source>
      <translation>Erreur interne de synchronisation : nouvel essai bientôt (détails dans le journal).</translation>
    </message>
    <message>
      <source>The system keyring is unavailable: unlock the keyring of your session, then try again.</source>
      <translation>Le trousseau du système est indisponible : déverrouillez le trousseau de votre session, puis réessayez.</translation>
    </message>
    <message>
      <source>The token could not be stored in the system keyring: unlock the keyring of your session, then pair again with a new code.</source>
      <translation>Le jeton n’a pas pu être enregistré dans le trousseau du système : déverrouillez le trousseau de votre session, puis appairez de nouveau avec un nouveau code.</translation>
    </message>
    <message>
      <source>The configured keyring keeps secrets in a readable file: Comptoir will not put its token there. Install or enable the system keyring (GNOME Keyring, KWallet…), then try again.</source>
      <translation>Le trousseau configuré garde les secrets dans un fichier lisible : Comptoir refuse d’y mettre son jeton. Installez ou activez le trousseau du système (GNOME Keyring, KWallet…), puis réessayez.</translation>
    </message>
    <message>
      <source>The system keyring could not keep the access token: this pairing was cancelled at the marketplace. Unlock the keyring (GNOME Keyring, KWallet…), then ask the marketplace for a new pairing code (the one used is spent).</source>
      <translation>Le trousseau du système n’a pas pu garder le jeton d’accès : cet appairage a été annulé auprès de la place de marché. Déverrouillez le trousseau (GNOME Keyring, KWallet…), puis demandez un nouveau code d’appairage à la place de marché (le code utilisé ne sert plus).</translation>
    </message>
    <message>
      <source>The system keyring could not keep the access token, and the pairing could not be cancelled: ask the marketplace to remove the device “{device}” and for a new pairing code, then unlock the keyring and try again.</source>
      <translation>Le trousseau du système n’a pas pu garder le jeton d’accès, et l’appairage n’a pas pu être annulé : demandez à la place de marché de retirer l’appareil « {device} » et un nouveau code d’appairage, puis déverrouillez le trousseau et réessayez.</translation>
    </message>
    <message>
      <source>Printer ready</source>
      <translation>Imprimante prête</translation>
    </message>
    <message>
      <source>Printer unreachable: check it is switched on and connected</source>
      <translation>Imprimante injoignable : vérifiez qu’elle est allumée et branchée</translation>
    </message>
    <message>
      <source>Out of paper: load a new roll</source>
      <translation>Plus de papier : remettez un rouleau</translation>
    </message>
    <message>
      <source>Printer cover open: close it</source>
      <translation>Capot de l’imprimante ouvert : refermez-le</translation>
    </message>
    <message>
      <source>Printer error: check its settings, then print a test ticket</source>
      <translation>Erreur d’imprimante : vérifiez ses réglages, puis imprimez un ticket de test</translation>
    </message>
    <message>
      <source>The backup must be another file than the database itself: choose another name.</source>
      <translation>La sauvegarde doit être un autre fichier que la base elle-même : choisissez un autre nom.</translation>
    </message>
    <message>
      <source>The backup could not be written to {folder}</source>
      <translation>La sauvegarde n’a pas pu être écrite dans {folder}</translation>
    </message>
    <message>
      <source>The backup failed (details in the log): try again, or choose another folder.</source>
      <translation>La sauvegarde a échoué (détails dans le journal) : réessayez, ou choisissez un autre dossier.</translation>
    </message>
    <message>
      <source>{name} cannot be read</source>
      <translation>{name} ne peut pas être lu</translation>
    </message>
    <message>
      <source>{name} is not a database: choose a Comptoir backup (.db).</source>
      <translation>{name} n’est pas une base de données : choisissez une sauvegarde de Comptoir (.db).</translation>
    </message>
    <message>
      <source>{name} is not a Comptoir backup: choose another file.</source>
      <translation>{name} n’est pas une sauvegarde de Comptoir : choisissez un autre fichier.</translation>
    </message>
    <message>
      <source>{name} comes from a newer Comptoir: update Comptoir before restoring it.</source>
      <translation>{name} vient d’une version plus récente de Comptoir : mettez Comptoir à jour avant de la restaurer.</translation>
    </message>
    <message>
      <source>{name} is unreadable or damaged: choose another backup.</source>
      <translation>{name} est illisible ou endommagé : choisissez une autre sauvegarde.</translation>
    </message>
    <message>
      <source>The database is being written: stop sync and printing before restoring.</source>
      <translation>La base est en cours d’écriture : arrêtez la synchronisation et l’impression avant de restaurer.</translation>
    </message>
    <message>
      <source>The database is still open (is Comptoir still running?): close it before restoring.</source>
      <translation>La base est encore ouverte (Comptoir tourne-t-il encore ?) : fermez-le avant de restaurer.</translation>
    </message>
    <message>
      <source>The restore failed (details in the log): the data did not change; try again.</source>
      <translation>La restauration a échoué (détails dans le journal) : les données n’ont pas changé ; réessayez.</translation>
    </message>
    <message>
      <source>This order is not on this counter any more: check the board.</source>
      <translation>Cette commande n’est plus sur ce comptoir : vérifiez le tableau.</translation>
    </message>
    <message>
      <source>This order is already “{current}”: it cannot become “{target}”. Check it on the board.</source>
      <translation>Cette commande est déjà « {current} » : elle ne peut pas devenir « {target} ». Vérifiez-la sur le tableau.</translation>
    </message>
    <message>
      <source>The previous shop's data is saved in {aside}.</source>
      <translation>Les données de l’ancienne boutique sont sauvegardées dans {aside}.</translation>
    </message>
    <message>
      <source>This backup belongs to the shop {shop}: the counter syncs with that shop again.</source>
      <translation>Cette sauvegarde est celle de la boutique {shop} : le comptoir se synchronise de nouveau avec elle.</translation>
    </message>
    <message>
      <source>The system keyring is unavailable: this counter works offline. Unlock the keyring of your session (or log in again), then restart Comptoir.</source>
      <translation>Le trousseau du système est indisponible : ce comptoir travaille hors ligne. Déverrouillez le trousseau de votre session (ou rouvrez-la), puis redémarrez Comptoir.</translation>
    </message>
    <message>
      <source>the file or folder does not exist: choose another one</source>
      <translation>le fichier ou le dossier n’existe pas : choisissez-en un autre</translation>
    </message>
    <message>
      <source>no permission to use this place: choose another folder</source>
      <translation>pas le droit d’utiliser cet emplacement : choisissez un autre dossier</translation>
    </message>
    <message>
      <source>the disk is full: free some space or choose another disk</source>
      <translation>le disque est plein : libérez de la place ou choisissez un autre disque</translation>
    </message>
    <message>
      <source>this disk is read-only: choose another one</source>
      <translation>ce disque est en lecture seule : choisissez-en un autre</translation>
    </message>
    <message>
      <source>this is a folder, not a file: choose a file</source>
      <translation>c’est un dossier, pas un fichier : choisissez un fichier</translation>
    </message>
    <message>
      <source>the marketplace does not know this kind of change: update Comptoir</source>
      <translation>la place de marché ne connaît pas ce type de changement : mettez Comptoir à jour</translation>
    </message>
    <message>
      <source>the change was incomplete: do it again; if it is refused again, tell the marketplace</source>
      <translation>le changement était incomplet : refaites-le ; s’il est de nouveau refusé, prévenez la place de marché</translation>
    </message>
    <message>
      <source>the marketplace does not know this order: check it in its back office</source>
      <translation>la place de marché ne connaît pas cette commande : vérifiez-la dans son espace boutique</translation>
    </message>
    <message>
      <source>the marketplace does not know this product: check the catalogue</source>
      <translation>la place de marché ne connaît pas ce produit : vérifiez le catalogue</translation>
    </message>
    <message>
      <source>the order had already changed on the marketplace (cancelled or refused?): check its status on the board</source>
      <translation>la commande avait déjà changé sur la place de marché (annulée ou refusée ?) : vérifiez son statut sur le tableau</translation>
    </message>
    <message>
      <source>the marketplace has no stock left for it: count the stock again</source>
      <translation>la place de marché n’a plus de stock pour cela : recomptez le stock</translation>
    </message>
    <message>
      <source>{text}: {reason}.</source>
      <translation>{text} : {reason}.</translation>
    </message>
    <message>
      <source>refused by the marketplace (code {c}): tell the marketplace if it happens again</source>
      <translation>refusé par la place de marché (code {c}) : prévenez-la si cela se reproduit</translation>
    </message>
    <message>
      <source>The list could not be written to a file: it stays in the database and will be written at the next start.</source>
      <translation>La liste n’a pas pu être écrite dans un fichier : elle reste dans la base et sera écrite au prochain démarrage.</translation>
    </message>
    <message numerus="yes">
      <source>%n change made since the backup was never sent and the restore replaced it: enter it again.</source>
      <translation>
        <numerusform>%n changement fait depuis la sauvegarde n’a jamais été envoyé et la restauration l’a remplacé : saisissez-le de nouveau.</numerusform>
        <numerusform>%n changements faits depuis la sauvegarde n’ont jamais été envoyés et la restauration les a remplacés : saisissez-les de nouveau.</numerusform>
      </translation>
    </message>
    <message numerus="yes">
      <source>%n change made since the backup was sent but its result was not confirmed: check on the marketplace before entering it again.</source>
      <translation>
        <numerusform>%n changement fait depuis la sauvegarde a été envoyé sans confirmation du résultat : vérifiez sur la place de marché avant de le saisir de nouveau.</numerusform>
        <numerusform>%n changements faits depuis la sauvegarde ont été envoyés sans confirmation du résultat : vérifiez sur la place de marché avant de les saisir de nouveau.</numerusform>
      </translation>
    </message>
    <message numerus="yes">
      <source>%n change was never sent to the previous shop: enter it again there.</source>
      <translation>
        <numerusform>%n changement n’a jamais été envoyé à l’ancienne boutique : saisissez-le de nouveau là-bas.</numerusform>
        <numerusform>%n changements n’ont jamais été envoyés à l’ancienne boutique : saisissez-les de nouveau là-bas.</numerusform>
      </translation>
    </message>
    <message numerus="yes">
      <source>%n change was sent to the previous shop but its result was not confirmed: check there before entering it again.</source>
      <translation>
        <numerusform>%n changement a été envoyé à l’ancienne boutique sans confirmation du résultat : vérifiez là-bas avant de le saisir de nouveau.</numerusform>
        <numerusform>%n changements ont été envoyés à l’ancienne boutique sans confirmation du résultat : vérifiez là-bas avant de les saisir de nouveau.</numerusform>
      </translation>
    </message>
    <message>
      <source>The list is in {p}.</source>
      <translation>La liste est dans {p}.</translation>
    </message>
    <message>
      <source>The previous shop's data is saved in {p}.</source>
      <translation>Les données de l’ancienne boutique sont sauvegardées dans {p}.</translation>
    </message>
    <message>
      <source>unknown to the marketplace</source>
      <translation>produit inconnu de la place de marché</translation>
    </message>
    <message>
      <source>no reference</source>
      <translation>référence manquante</translation>
    </message>
    <message>
      <source>reference already on line {first}</source>
      <translation>référence déjà présente ligne {first}</translation>
    </message>
    <message>
      <source>unreadable quantity “{value}” (a whole number is expected)</source>
      <translation>quantité illisible « {value} » (nombre entier attendu)</translation>
    </message>
    <message>
      <source>negative quantity: {value}</source>
      <translation>quantité négative : {value}</translation>
    </message>
    <message>
      <source>unreadable price “{value}”</source>
      <translation>prix illisible « {value} »</translation>
    </message>
    <message>
      <source>“{value}” in column {column}: yes or no expected</source>
      <translation>« {value} » dans la colonne {column} : oui ou non attendu</translation>
    </message>
    <message>
      <source>unreadable threshold “{value}” (a whole number is expected)</source>
      <translation>seuil illisible « {value} » (nombre entier attendu)</translation>
    </message>
    <message>
      <source>{found} values for {expected} columns (a separator inside an unquoted value?)</source>
      <translation>{found} valeurs pour {expected} colonnes (un séparateur dans une valeur sans guillemets ?)</translation>
    </message>
    <message>
      <source>column “{column}” ignored</source>
      <translation>colonne « {column} » ignorée</translation>
    </message>
    <message>
      <source>file read as Windows-1252, not UTF-8</source>
      <translation>fichier lu en Windows-1252, pas en UTF-8</translation>
    </message>
    <message>
      <source>the file is empty</source>
      <translation>le fichier est vide</translation>
    </message>
    <message>
      <source>no “reference” (or “sku”) column in the first line</source>
      <translation>aucune colonne « référence » (ou « sku ») sur la première ligne</translation>
    </message>
    <message>
      <source>the file is not readable text</source>
      <translation>le fichier n’est pas un texte lisible</translation>
    </message>
    <message>
      <source>yes</source>
      <translation>oui</translation>
    </message>
    <message>
      <source>no</source>
      <translation>non</translation>
    </message>
    <message>
      <source>Import report</source>
      <translation>Rapport d’import</translation>
    </message>
    <message>
      <source>Apply the other rows anyway and leave out the rejected ones</source>
      <translation>Appliquer quand même les autres lignes, sans les lignes refusées</translation>
    </message>
    <message>
      <source>Apply</source>
      <translation>Appliquer</translation>
    </message>
    <message>
      <source>Cancel</source>
      <translation>Annuler</translation>
    </message>
    <message>
      <source>Catalogue and stock (CSV)</source>
      <translation>Catalogue et stock (CSV)</translation>
    </message>
    <message>
      <source>Import a spreadsheet of counted stock and availability: you first see what would change, and nothing is applied until you confirm. Names and prices come from the marketplace and are not changed by an import.</source>
      <translation>Importez un tableur de stock compté et de disponibilité : vous voyez d’abord ce qui changerait, et rien n’est appliqué avant votre confirmation. Les noms et les prix viennent de la place de marché ; un import ne les change pas.</translation>
    </message>
    <message>
      <source>Import a CSV file…</source>
      <translation>Importer un fichier CSV…</translation>
    </message>
    <message>
      <source>Export to CSV…</source>
      <translation>Exporter en CSV…</translation>
    </message>
    <message>
      <source>Backups</source>
      <translation>Sauvegardes</translation>
    </message>
    <message>
      <source>A backup is a copy of everything this counter keeps, made while it keeps working. Keep it on a USB key or another computer.</source>
      <translation>Une sauvegarde est une copie de tout ce que garde ce comptoir, faite sans l’arrêter. Conservez-la sur une clé USB ou un autre ordinateur.</translation>
    </message>
    <message>
      <source>Back up now…</source>
      <translation>Sauvegarder maintenant…</translation>
    </message>
    <message>
      <source>Restore a backup…</source>
      <translation>Restaurer une sauvegarde…</translation>
    </message>
    <message>
      <source>Backing up…</source>
      <translation>Sauvegarde en cours…</translation>
    </message>
    <message>
      <source>Restore a backup</source>
      <translation>Restaurer une sauvegarde</translation>
    </message>
    <message>
      <source>Restore</source>
      <translation>Restaurer</translation>
    </message>
    <message>
      <source>Name</source>
      <translation>Nom</translation>
    </message>
    <message>
      <source>Category</source>
      <translation>Catégorie</translation>
    </message>
    <message>
      <source>Price</source>
      <translation>Prix</translation>
    </message>
    <message>
      <source>Barcode</source>
      <translation>Code-barres</translation>
    </message>
    <message>
      <source>Active</source>
      <translation>Actif</translation>
    </message>
    <message>
      <source>Low-stock threshold</source>
      <translation>Seuil de stock bas</translation>
    </message>
    <message>
      <source>back on sale</source>
      <translation>remis en vente</translation>
    </message>
    <message>
      <source>now sold out</source>
      <translation>mis en rupture</translation>
    </message>
    <message>
      <source>Rejected rows: as long as there are any, nothing is imported.</source>
      <translation>Lignes refusées : tant qu’il y en a, rien n’est importé.</translation>
    </message>
    <message>
      <source>Import a CSV file</source>
      <translation>Importer un fichier CSV</translation>
    </message>
    <message>
      <source>CSV files (*.csv *.txt);;All files (*)</source>
      <translation>Fichiers CSV (*.csv *.txt);;Tous les fichiers (*)</translation>
    </message>
    <message>
      <source>Export the catalogue</source>
      <translation>Exporter le catalogue</translation>
    </message>
    <message>
      <source>CSV files (*.csv)</source>
      <translation>Fichiers CSV (*.csv)</translation>
    </message>
    <message>
      <source>Back up the data</source>
      <translation>Sauvegarder les données</translation>
    </message>
    <message>
      <source>Comptoir backups (*.db)</source>
      <translation>Sauvegardes Comptoir (*.db)</translation>
    </message>
    <message>
      <source>Comptoir backups (*.db);;All files (*)</source>
      <translation>Sauvegardes Comptoir (*.db);;Tous les fichiers (*)</translation>
    </message>
    <message>
      <source>Backup restored.</source>
      <translation>Sauvegarde restaurée.</translation>
    </message>
    <message>
      <source>stock {seen} → {counted} ({delta:+d})</source>
      <translation>stock {seen} → {counted} ({delta:+d})</translation>
    </message>
    <message>
      <source>Only the first {n} of {total} are shown.</source>
      <translation>Seules les {n} premières lignes sur {total} sont affichées.</translation>
    </message>
    <message>
      <source>{rows} rows read: {stock} stock counts and {avail} availability changes to apply, {same} rows unchanged, {rejected} rows rejected.</source>
      <translation>{rows} lignes lues : {stock} comptages de stock et {avail} changements de disponibilité à appliquer, {same} lignes inchangées, {rejected} lignes refusées.</translation>
    </message>
    <message>
      <source>Line</source>
      <translation>Ligne</translation>
    </message>
    <message>
      <source>Reference</source>
      <translation>Référence</translation>
    </message>
    <message>
      <source>Reason</source>
      <translation>Motif</translation>
    </message>
    <message>
      <source>Changes (sent to the marketplace)</source>
      <translation>Changements (envoyés à la place de marché)</translation>
    </message>
    <message>
      <source>Product</source>
      <translation>Produit</translation>
    </message>
    <message>
      <source>Change</source>
      <translation>Changement</translation>
    </message>
    <message>
      <source>Not applied: the marketplace owns the catalogue (names, prices, barcodes, categories, thresholds).</source>
      <translation>Non appliqué : le catalogue appartient à la place de marché (noms, prix, codes-barres, catégories, seuils).</translation>
    </message>
    <message>
      <source>Field</source>
      <translation>Champ</translation>
    </message>
    <message>
      <source>Marketplace</source>
      <translation>Place de marché</translation>
    </message>
    <message>
      <source>File</source>
      <translation>Fichier</translation>
    </message>
    <message>
      <source>Nothing was imported: correct the rejected rows and import again.</source>
      <translation>Rien n’a été importé : corrigez les lignes refusées et importez à nouveau.</translation>
    </message>
    <message>
      <source>Imported: {s} stock counts and {a} availability changes, on their way to the marketplace.</source>
      <translation>Importé : {s} comptages de stock et {a} changements de disponibilité, en route vers la place de marché.</translation>
    </message>
    <message>
      <source>{n} products exported to {p}</source>
      <translation>{n} produits exportés dans {p}</translation>
    </message>
    <message>
      <source>Backup saved to {p} ({n} products, {o} orders).</source>
      <translation>Sauvegarde enregistrée dans {p} ({n} produits, {o} commandes).</translation>
    </message>
    <message>
      <source>The backup failed: {e}</source>
      <translation>La sauvegarde a échoué : {e}</translation>
    </message>
    <message>
      <source>Replace this counter's data by the backup of {d}?</source>
      <translation>Remplacer les données de ce comptoir par la sauvegarde du {d} ?</translation>
    </message>
    <message>
      <source>Everything this counter keeps (orders seen, stock movements, settings, changes not yet sent) becomes what it was in the backup ({n} products, {o} orders, {p} changes waiting). The current data is saved aside first. Sync and printing pause during the restore, then the marketplace sends what changed since.</source>
      <translation>Tout ce que garde ce comptoir (commandes reçues, mouvements de stock, réglages, changements pas encore envoyés) redevient ce qu’il était dans la sauvegarde ({n} produits, {o} commandes, {p} changements en attente). Les données actuelles sont d’abord mises de côté. La synchronisation et l’impression s’arrêtent pendant la restauration, puis la place de marché renvoie ce qui a changé depuis.</translation>
    </message>
    <message numerus="yes">
      <source>%n change made here is not confirmed by the marketplace yet: the restore replaces it; those not in the backup are exported to a list, to enter again.</source>
      <translation>
        <numerusform>%n changement fait ici n’est pas encore confirmé par la place de marché : la restauration le remplace ; s’il n’est pas dans la sauvegarde, il est exporté dans une liste, à saisir de nouveau.</numerusform>
        <numerusform>%n changements faits ici ne sont pas encore confirmés par la place de marché : la restauration les remplace ; ceux qui ne sont pas dans la sauvegarde sont exportés dans une liste, à saisir de nouveau.</numerusform>
      </translation>
    </message>
    <message>
      <source>Backup restored. The data as it was before is kept in {p}.</source>
      <translation>Sauvegarde restaurée. Les données d’avant sont conservées dans {p}.</translation>
    </message>
    <message>
      <source>This file cannot be imported: {e}</source>
      <translation>Ce fichier ne peut pas être importé : {e}</translation>
    </message>
    <message>
      <source>The file could not be read: {e}</source>
      <translation>Impossible de lire le fichier : {e}</translation>
    </message>
    <message>
      <source>Nothing was imported: {e}</source>
      <translation>Rien n’a été importé : {e}</translation>
    </message>
    <message>
      <source>The file could not be written: {e}</source>
      <translation>Impossible d’écrire le fichier : {e}</translation>
    </message>
    <message>
      <source>This backup cannot be restored: {e}</source>
      <translation>Cette sauvegarde ne peut pas être restaurée : {e}</translation>
    </message>
    <message>
      <source>Nothing was restored: {e}</source>
      <translation>Rien n’a été restauré : {e}</translation>
    </message>
    <message>
      <source>Back</source>
      <translation>Retour</translation>
    </message>
    <message>
      <source>Back (do not refuse)</source>
      <translation>Retour (ne pas refuser)</translation>
    </message>
    <message>
      <source>Tick the products you no longer have: they go out of stock online.</source>
      <translation>Cochez les produits que vous n’avez plus : ils passent en rupture en ligne.</translation>
    </message>
    <message>
      <source>Yes, refuse the order</source>
      <translation>Oui, refuser la commande</translation>
    </message>
    <message>
      <source>Ready in how many minutes?</source>
      <translation>Prête dans combien de minutes ?</translation>
    </message>
    <message>
      <source>Stock count</source>
      <translation>Comptage du stock</translation>
    </message>
    <message>
      <source>Waste</source>
      <translation>Perte</translation>
    </message>
    <message>
      <source>Restock</source>
      <translation>Réassort</translation>
    </message>
    <message>
      <source>Record</source>
      <translation>Enregistrer</translation>
    </message>
    <message>
      <source>Refuse order No. {n}</source>
      <translation>Refuser la commande n° {n}</translation>
    </message>
    <message>
      <source>Refuse order No. {n}: {r}?</source>
      <translation>Refuser la commande n° {n} : {r} ?</translation>
    </message>
    <message>
      <source>Accept order No. {n}</source>
      <translation>Accepter la commande n° {n}</translation>
    </message>
    <message>
      <source>How many “{p}” did you count? (the screen showed {s})</source>
      <translation>Combien de « {p} » avez-vous comptés ? (l’écran indiquait {s})</translation>
    </message>
    <message>
      <source>Why refuse order No. {n}?</source>
      <translation>Pourquoi refuser la commande n° {n} ?</translation>
    </message>
    <message>
      <source>How many “{p}” are thrown away?</source>
      <translation>Combien de « {p} » sont jetés ?</translation>
    </message>
    <message>
      <source>How many “{p}” came in?</source>
      <translation>Combien de « {p} » sont arrivés ?</translation>
    </message>
    <message>
      <source>This counter is not linked to the marketplace yet</source>
      <translation>Ce comptoir n’est pas encore relié à la place de marché</translation>
    </message>
    <message>
      <source>The marketplace gives you its address and a pairing code for your shop (ask its team if you have not received them). Once this counter is paired, orders arrive here.</source>
      <translation>La place de marché vous donne son adresse et un code d’appairage pour votre boutique (demandez-les à son équipe si vous ne les avez pas reçus). Une fois ce comptoir appairé, les commandes arrivent ici.</translation>
    </message>
    <message>
      <source>Pair this counter</source>
      <translation>Appairer ce comptoir</translation>
    </message>
    <message>
      <source>just now</source>
      <translation>à l’instant</translation>
    </message>
    <message>
      <source>Handed to courier</source>
      <translation>Remise au livreur</translation>
    </message>
    <message>
      <source>Handed to customer</source>
      <translation>Remise au client</translation>
    </message>
    <message>
      <source>{h} h {m:02d}</source>
      <translation>{h} h {m:02d}</translation>
    </message>
    <message>
      <source>{d} ago</source>
      <translation>il y a {d}</translation>
    </message>
    <message>
      <source>{m} min</source>
      <translation>{m} min</translation>
    </message>
    <message>
      <source>LATE by {d}</source>
      <translation>EN RETARD de {d}</translation>
    </message>
    <message>
      <source>New</source>
      <translation>Nouvelle</translation>
    </message>
    <message>
      <source>Preparing</source>
      <translation>En préparation</translation>
    </message>
    <message>
      <source>Ready</source>
      <translation>Prête</translation>
    </message>
    <message>
      <source>Handed over</source>
      <translation>Remise</translation>
    </message>
    <message>
      <source>Refused</source>
      <translation>Refusée</translation>
    </message>
    <message>
      <source>CANCELLED</source>
      <translation>ANNULÉE</translation>
    </message>
    <message>
      <source>CLICK &amp; COLLECT</source>
      <translation>CLICK &amp; COLLECT</translation>
    </message>
    <message>
      <source>DELIVERY</source>
      <translation>LIVRAISON</translation>
    </message>
    <message>
      <source>Sold out</source>
      <translation>Produit épuisé</translation>
    </message>
    <message>
      <source>Closing</source>
      <translation>Fermeture</translation>
    </message>
    <message>
      <source>Too many orders</source>
      <translation>Trop de commandes</translation>
    </message>
    <message>
      <source>Other</source>
      <translation>Autre</translation>
    </message>
    <message>
      <source>Not answered in time</source>
      <translation>Sans réponse à temps</translation>
    </message>
    <message>
      <source>by the customer</source>
      <translation>par le client</translation>
    </message>
    <message>
      <source>by the shop</source>
      <translation>par la boutique</translation>
    </message>
    <message>
      <source>by the marketplace</source>
      <translation>par la place de marché</translation>
    </message>
    <message>
      <source>ready in {d}</source>
      <translation>prête dans {d}</translation>
    </message>
    <message>
      <source>Order number, customer name or phone</source>
      <translation>Numéro de commande, nom ou téléphone du client</translation>
    </message>
    <message>
      <source>Reprint the ticket</source>
      <translation>Réimprimer le ticket</translation>
    </message>
    <message>
      <source>No.</source>
      <translation>N°</translation>
    </message>
    <message>
      <source>Date</source>
      <translation>Date</translation>
    </message>
    <message>
      <source>Customer</source>
      <translation>Client</translation>
    </message>
    <message>
      <source>Status</source>
      <translation>Statut</translation>
    </message>
    <message>
      <source>Total</source>
      <translation>Total</translation>
    </message>
    <message>
      <source>Order No. {n} ({c}) was CANCELLED by the customer — do not prepare it.</source>
      <translation>Commande n° {n} ({c}) ANNULÉE par le client — ne pas la préparer.</translation>
    </message>
    <message>
      <source>Order No. {n} ({c}) was REFUSED by the marketplace: nobody answered in time. The customer was told; do not prepare it.</source>
      <translation>Commande n° {n} ({c}) REFUSÉE par la place de marché : personne n’a répondu à temps. Le client a été prévenu — ne pas la préparer.</translation>
    </message>
    <message>
      <source>No. {n}</source>
      <translation>N° {n}</translation>
    </message>
    <message>
      <source>REFUSED by the marketplace, nobody answered in time: {list}</source>
      <translation>REFUSÉES par la place de marché, personne n’a répondu à temps : {list}</translation>
    </message>
    <message>
      <source>CANCELLED by the customer: {list}</source>
      <translation>ANNULÉES par le client : {list}</translation>
    </message>
    <message>
      <source>{n} orders lost — do not prepare them.</source>
      <translation>{n} commandes perdues — ne pas les préparer.</translation>
    </message>
    <message>
      <source>order No. {n}</source>
      <translation>la commande n° {n}</translation>
    </message>
    <message>
      <source>Orders</source>
      <translation>Commandes</translation>
    </message>
    <message>
      <source>Settings</source>
      <translation>Réglages</translation>
    </message>
    <message>
      <source>Stock</source>
      <translation>Stock</translation>
    </message>
    <message>
      <source>History</source>
      <translation>Historique</translation>
    </message>
    <message>
      <source>Day report</source>
      <translation>Bilan du jour</translation>
    </message>
    <message>
      <source>Data</source>
      <translation>Données</translation>
    </message>
    <message>
      <source>Order No. {n} has not been accepted yet. Hand it over anyway?</source>
      <translation>La commande n° {n} n’a pas encore été acceptée. La remettre quand même ?</translation>
    </message>
    <message>
      <source>Order No. {n} is not marked ready. Hand it over anyway?</source>
      <translation>La commande n° {n} n’est pas marquée prête. La remettre quand même ?</translation>
    </message>
    <message>
      <source>Reprinting is not available yet.</source>
      <translation>La réimpression n’est pas encore disponible.</translation>
    </message>
    <message numerus="yes">
      <source>%n new order(s)</source>
      <translation>
        <numerusform>%n nouvelle commande</numerusform>
        <numerusform>%n nouvelles commandes</numerusform>
      </translation>
    </message>
    <message>
      <source>Order lost</source>
      <translation>Commande perdue</translation>
    </message>
    <message>
      <source>Orders waiting</source>
      <translation>Commandes en attente</translation>
    </message>
    <message>
      <source>The marketplace no longer recognises this counter: pair it again in Settings. Nothing typed here is lost; it will be sent once paired.</source>
      <translation>La place de marché ne reconnaît plus ce comptoir : appairez-le de nouveau dans les Réglages. Rien de ce qui a été saisi ici n’est perdu ; tout partira une fois l’appairage refait.</translation>
    </message>
    <message>
      <source>Orders PAUSED — resume</source>
      <translation>Commandes EN PAUSE — reprendre</translation>
    </message>
    <message>
      <source>Taking orders — pause</source>
      <translation>Commandes ouvertes — mettre en pause</translation>
    </message>
    <message>
      <source>Yes, hand it over</source>
      <translation>Oui, la remettre</translation>
    </message>
    <message>
      <source>Ticket of order No. {n} sent to the printer.</source>
      <translation>Ticket de la commande n° {n} envoyé à l’imprimante.</translation>
    </message>
    <message>
      <source>The marketplace refused: {what} — {why}</source>
      <translation>La place de marché a refusé : {what} — {why}</translation>
    </message>
    <message>
      <source>Accepting {o}</source>
      <translation>Acceptation de {o}</translation>
    </message>
    <message>
      <source>Refusing {o}</source>
      <translation>Refus de {o}</translation>
    </message>
    <message>
      <source>Marking {o} ready</source>
      <translation>{o} marquée prête</translation>
    </message>
    <message>
      <source>Handing over {o}</source>
      <translation>Remise de {o}</translation>
    </message>
    <message>
      <source>Stock change of {sku} ({d:+d})</source>
      <translation>Changement de stock de {sku} ({d:+d})</translation>
    </message>
    <message>
      <source>Availability of {sku}</source>
      <translation>Disponibilité de {sku}</translation>
    </message>
    <message>
      <source>Pausing / resuming orders</source>
      <translation>Pause / reprise des commandes</translation>
    </message>
    <message>
      <source>Orders PAUSED until {t} — resume</source>
      <translation>Commandes EN PAUSE jusqu’à {t} — reprendre</translation>
    </message>
    <message>
      <source>Hand over order No. {n}</source>
      <translation>Remettre la commande n° {n}</translation>
    </message>
    <message>
      <source>Reprint failed: {e}</source>
      <translation>Réimpression impossible : {e}</translation>
    </message>
    <message>
      <source>Interrupted tickets could not be checked: {e}</source>
      <translation>Impossible de vérifier les tickets interrompus : {e}</translation>
    </message>
    <message>
      <source>1 item</source>
      <translation>1 article</translation>
    </message>
    <message>
      <source>{n} items</source>
      <translation>{n} articles</translation>
    </message>
    <message>
      <source>Allergens: {a}</source>
      <translation>Allergènes : {a}</translation>
    </message>
    <message>
      <source>ready since {t}</source>
      <translation>prête depuis {t}</translation>
    </message>
    <message>
      <source>time to answer is over</source>
      <translation>délai de réponse dépassé</translation>
    </message>
    <message>
      <source>slot {t}</source>
      <translation>créneau {t}</translation>
    </message>
    <message>
      <source>answer within {t}</source>
      <translation>répondre sous {t}</translation>
    </message>
    <message>
      <source>Select an order</source>
      <translation>Choisissez une commande</translation>
    </message>
    <message>
      <source>Accept — ready in:</source>
      <translation>Accepter — prête dans :</translation>
    </message>
    <message>
      <source>Other…</source>
      <translation>Autre…</translation>
    </message>
    <message>
      <source>Refuse…</source>
      <translation>Refuser…</translation>
    </message>
    <message>
      <source>paid online</source>
      <translation>payée en ligne</translation>
    </message>
    <message>
      <source>NOT PAID — to be paid at the counter</source>
      <translation>NON PAYÉE — à encaisser au comptoir</translation>
    </message>
    <message>
      <source>CANCELLED by the customer — do not prepare it, do not hand it over.</source>
      <translation>ANNULÉE par le client — ne pas la préparer, ne pas la remettre.</translation>
    </message>
    <message>
      <source>received at {t}</source>
      <translation>reçue à {t}</translation>
    </message>
    <message>
      <source>Note: {n}</source>
      <translation>Note : {n}</translation>
    </message>
    <message>
      <source>ALLERGENS: {a}</source>
      <translation>ALLERGÈNES : {a}</translation>
    </message>
    <message>
      <source>{s} — waiting for the marketplace to confirm</source>
      <translation>{s} — en attente de confirmation par la place de marché</translation>
    </message>
    <message>
      <source>pickup slot {t}</source>
      <translation>retrait à {t}</translation>
    </message>
    <message>
      <source>promised for {t}</source>
      <translation>promise pour {t}</translation>
    </message>
    <message>
      <source>Refused: {r}</source>
      <translation>Refusée : {r}</translation>
    </message>
    <message>
      <source>Until I resume</source>
      <translation>Jusqu’à ce que je reprenne</translation>
    </message>
    <message>
      <source>Pause online orders</source>
      <translation>Mettre en pause les commandes en ligne</translation>
    </message>
    <message>
      <source>Stop taking online orders for how long?</source>
      <translation>Arrêter les commandes en ligne pendant combien de temps ?</translation>
    </message>
    <message>
      <source>The marketplace reopens the shop by itself at the end.</source>
      <translation>La place de marché rouvrira la boutique d’elle-même à la fin.</translation>
    </message>
    <message>
      <source>Back (keep taking orders)</source>
      <translation>Retour (continuer à prendre les commandes)</translation>
    </message>
    <message>
      <source>Until tomorrow's opening ({t})</source>
      <translation>Jusqu’à l’ouverture de demain ({t})</translation>
    </message>
    <message>
      <source>{h} h</source>
      <translation>{h} h</translation>
    </message>
    <message>
      <source>Until this morning's opening ({t})</source>
      <translation>Jusqu’à l’ouverture de ce matin ({t})</translation>
    </message>
    <message>
      <source>Printer unreachable: check that it is switched on and connected.</source>
      <translation>Imprimante injoignable : vérifiez qu’elle est allumée et branchée.</translation>
    </message>
    <message>
      <source>This installation of Comptoir cannot drive this kind of printer (a module is missing): reinstall Comptoir, or choose another connection.</source>
      <translation>Cette installation de Comptoir ne sait pas piloter ce type d’imprimante (un module manque) : réinstallez Comptoir, ou choisissez un autre branchement.</translation>
    </message>
    <message>
      <source>USB devices cannot be read here: on Linux, add the udev rule of the printing guide; on Windows, install the printer's WinUSB driver with Zadig. You can also enter the ids below.</source>
      <translation>Les appareils USB ne sont pas lisibles ici : sous Linux, ajoutez la règle udev du guide d’impression ; sous Windows, installez le pilote WinUSB de l’imprimante avec Zadig. Vous pouvez aussi saisir ses identifiants ci-dessous.</translation>
    </message>
    <message>
      <source>Printer unreachable: check that it is switched on, connected to the network, and that its IP address and port are right.</source>
      <translation>Imprimante injoignable : vérifiez qu’elle est allumée, reliée au réseau, et que son adresse IP et son port sont les bons.</translation>
    </message>
    <message>
      <source>USB printer unreachable: check that it is switched on and its cable plugged in. On Linux it needs libusb and the udev rule of the printing guide; on Windows, the WinUSB driver (installed with Zadig).</source>
      <translation>Imprimante USB injoignable : vérifiez qu’elle est allumée et son câble branché. Sous Linux, il lui faut libusb et la règle udev du guide d’impression ; sous Windows, le pilote WinUSB (installé avec Zadig).</translation>
    </message>
    <message>
      <source>Nothing answers on the serial port: check the cable, the port name (COM3, /dev/ttyUSB0) and the speed set on the printer.</source>
      <translation>Rien ne répond sur le port série : vérifiez le câble, le nom du port (COM3, /dev/ttyUSB0) et la vitesse réglée sur l’imprimante.</translation>
    </message>
    <message>
      <source>The system print queue did not take the ticket: check that the printer's queue exists, is enabled and accepts jobs (CUPS: http://localhost:631; Windows: Printers &amp; scanners).</source>
      <translation>La file d’attente d’impression du système n’a pas pris le ticket : vérifiez que la file de l’imprimante existe, est activée et accepte les travaux (CUPS : http://localhost:631 ; Windows : Imprimantes et scanners).</translation>
    </message>
    <message>
      <source>The ticket file cannot be written: check that the folder exists and that this user may write there.</source>
      <translation>Le fichier des tickets ne peut pas être écrit : vérifiez que le dossier existe et que cet utilisateur peut y écrire.</translation>
    </message>
    <message>
      <source>System printing is not available here: install CUPS (Linux, macOS), or choose another connection.</source>
      <translation>L’impression du système n’est pas disponible ici : installez CUPS (Linux, macOS), ou choisissez un autre branchement.</translation>
    </message>
    <message>
      <source>The printer settings are incomplete: fill in every field of this connection.</source>
      <translation>Les réglages de l’imprimante sont incomplets : remplissez tous les champs de ce branchement.</translation>
    </message>
    <message>
      <source>This installation of Comptoir cannot use USB printers (the pyusb module is missing): reinstall Comptoir, or choose another connection.</source>
      <translation>Cette installation de Comptoir ne peut pas utiliser d’imprimante USB (le module pyusb manque) : réinstallez Comptoir, ou choisissez un autre branchement.</translation>
    </message>
    <message>
      <source>USB printers cannot be listed: the libusb library is missing. On Linux, install the libusb-1.0-0 package; on Windows, install the printer's WinUSB driver with Zadig. You can also enter the ids below.</source>
      <translation>Impossible de lister les imprimantes USB : la bibliothèque libusb manque. Sous Linux, installez le paquet libusb-1.0-0 ; sous Windows, installez le pilote WinUSB de l’imprimante avec Zadig. Vous pouvez aussi saisir ses identifiants ci-dessous.</translation>
    </message>
    <message>
      <source>Connection</source>
      <translation>Connexion</translation>
    </message>
    <message>
      <source>Paper width</source>
      <translation>Largeur du papier</translation>
    </message>
    <message>
      <source>Code page</source>
      <translation>Page de code</translation>
    </message>
    <message>
      <source>Copies per order</source>
      <translation>Exemplaires par commande</translation>
    </message>
    <message>
      <source>Print each order's ticket automatically</source>
      <translation>Imprimer automatiquement le ticket de chaque commande</translation>
    </message>
    <message>
      <source>Also print a kitchen ticket</source>
      <translation>Imprimer aussi un ticket cuisine</translation>
    </message>
    <message>
      <source>on acceptance</source>
      <translation>à l’acceptation</translation>
    </message>
    <message>
      <source>on arrival</source>
      <translation>dès l’arrivée</translation>
    </message>
    <message>
      <source>Print</source>
      <translation>Imprimer</translation>
    </message>
    <message>
      <source>On acceptance the ticket carries the ready-by time, and a refused order is never printed.</source>
      <translation>À l’acceptation, le ticket porte l’heure de retrait promise et une commande refusée n’est jamais imprimée.</translation>
    </message>
    <message>
      <source>IP address or name</source>
      <translation>Adresse IP ou nom</translation>
    </message>
    <message>
      <source>Port</source>
      <translation>Port</translation>
    </message>
    <message>
      <source>Search again</source>
      <translation>Rechercher à nouveau</translation>
    </message>
    <message>
      <source>Printers found</source>
      <translation>Imprimantes trouvées</translation>
    </message>
    <message>
      <source>Vendor id (hex)</source>
      <translation>Identifiant fabricant (hexa)</translation>
    </message>
    <message>
      <source>Product id (hex)</source>
      <translation>Identifiant produit (hexa)</translation>
    </message>
    <message>
      <source>Device</source>
      <translation>Périphérique</translation>
    </message>
    <message>
      <source>Speed (baud)</source>
      <translation>Vitesse (bauds)</translation>
    </message>
    <message>
      <source>Choose…</source>
      <translation>Choisir…</translation>
    </message>
    <message>
      <source>File or device</source>
      <translation>Fichier ou périphérique</translation>
    </message>
    <message>
      <source>Printer name</source>
      <translation>Nom de l’imprimante</translation>
    </message>
    <message>
      <source>Save</source>
      <translation>Enregistrer</translation>
    </message>
    <message>
      <source>Test print</source>
      <translation>Test d’impression</translation>
    </message>
    <message>
      <source>Preview</source>
      <translation>Aperçu</translation>
    </message>
    <message>
      <source>Press Preview to see a sample ticket.</source>
      <translation>Appuyez sur Aperçu pour voir un exemple de ticket.</translation>
    </message>
    <message>
      <source>Printer settings saved.</source>
      <translation>Réglages de l’imprimante enregistrés.</translation>
    </message>
    <message>
      <source>Printing the test page…</source>
      <translation>Impression de la page de test…</translation>
    </message>
    <message>
      <source>Test print failed: unexpected error (details in the log).</source>
      <translation>Échec du test d’impression : erreur inattendue (détails dans le journal).</translation>
    </message>
    <message>
      <source>Searching for USB printers…</source>
      <translation>Recherche des imprimantes USB…</translation>
    </message>
    <message>
      <source>Network (Ethernet / Wi-Fi)</source>
      <translation>Réseau (Ethernet / Wi-Fi)</translation>
    </message>
    <message>
      <source>USB</source>
      <translation>USB</translation>
    </message>
    <message>
      <source>Serial port</source>
      <translation>Port série</translation>
    </message>
    <message>
      <source>System printer (spooler)</source>
      <translation>Imprimante du système (file d’impression)</translation>
    </message>
    <message>
      <source>Western Europe with € (recommended)</source>
      <translation>Europe de l’Ouest avec € (recommandé)</translation>
    </message>
    <message>
      <source>Western Europe, no €</source>
      <translation>Europe de l’Ouest, sans €</translation>
    </message>
    <message>
      <source>US, few accents</source>
      <translation>États-Unis, peu d’accents</translation>
    </message>
    <message>
      <source>Windows Western</source>
      <translation>Windows Europe de l’Ouest</translation>
    </message>
    <message>
      <source>Enter the printer's IP address or name.</source>
      <translation>Indiquez l’adresse IP ou le nom de l’imprimante.</translation>
    </message>
    <message>
      <source>The port must be a number between 1 and 65535 (usually 9100).</source>
      <translation>Le port doit être un nombre entre 1 et 65535 (en général 9100).</translation>
    </message>
    <message>
      <source>USB ids are hexadecimal numbers of up to 4 digits, such as 04b8.</source>
      <translation>Les identifiants USB sont des nombres hexadécimaux de 4 chiffres au plus, comme 04b8.</translation>
    </message>
    <message>
      <source>No USB printer found: check that it is switched on and plugged in, or enter its ids below.</source>
      <translation>Aucune imprimante USB trouvée : vérifiez qu’elle est allumée et branchée, ou saisissez ses identifiants ci-dessous.</translation>
    </message>
    <message>
      <source>Choose your printer: its ids are filled in below.</source>
      <translation>Choisissez votre imprimante : ses identifiants sont remplis ci-dessous.</translation>
    </message>
    <message>
      <source>{mm} mm</source>
      <translation>{mm} mm</translation>
    </message>
    <message>
      <source>{n} columns</source>
      <translation>{n} colonnes</translation>
    </message>
    <message>
      <source>Enter the serial device, such as /dev/ttyUSB0 or COM3.</source>
      <translation>Indiquez le port série, par exemple /dev/ttyUSB0 ou COM3.</translation>
    </message>
    <message>
      <source>The speed must be a number, such as 19200.</source>
      <translation>La vitesse doit être un nombre, par exemple 19200.</translation>
    </message>
    <message>
      <source>Test page sent: {s}</source>
      <translation>Page de test envoyée : {s}</translation>
    </message>
    <message>
      <source>Test print failed: {s}</source>
      <translation>Échec du test d’impression : {s}</translation>
    </message>
    <message>
      <source>Preview failed: {e}</source>
      <translation>Échec de l’aperçu : {e}</translation>
    </message>
    <message>
      <source>Enter the file or device to print to.</source>
      <translation>Indiquez le fichier ou le périphérique où imprimer.</translation>
    </message>
    <message>
      <source>Enter the name of the system printer.</source>
      <translation>Indiquez le nom de l’imprimante du système.</translation>
    </message>
    <message>
      <source>Invalid printer settings: {e}</source>
      <translation>Réglages d’imprimante invalides : {e}</translation>
    </message>
    <message>
      <source>Quit Comptoir?</source>
      <translation>Quitter Comptoir ?</translation>
    </message>
    <message>
      <source>The marketplace could not be told that the shop is closed (no connection).</source>
      <translation>La place de marché n’a pas pu être prévenue que la boutique ferme (pas de connexion).</translation>
    </message>
    <message>
      <source>It stops taking orders by itself shortly after the last counter leaves, and the closing is sent when Comptoir starts again. Orders placed meanwhile wait for an answer.</source>
      <translation>Elle cesse d’elle-même de prendre des commandes peu après le départ du dernier comptoir, et la fermeture partira au prochain démarrage de Comptoir. Les commandes passées entre-temps attendent une réponse.</translation>
    </message>
    <message>
      <source>Quit anyway</source>
      <translation>Quitter quand même</translation>
    </message>
    <message>
      <source>Stay (keep trying)</source>
      <translation>Rester (continuer d’essayer)</translation>
    </message>
    <message>
      <source>The shop is taking online orders.</source>
      <translation>La boutique prend des commandes en ligne.</translation>
    </message>
    <message>
      <source>Once Comptoir is closed, nobody hears new orders here. If no other counter is open, the marketplace stops taking orders shortly after.</source>
      <translation>Une fois Comptoir fermé, personne n’entend plus les nouvelles commandes ici. Si aucun autre comptoir n’est ouvert, la place de marché cesse de prendre des commandes peu après.</translation>
    </message>
    <message>
      <source>Close the shop online, then quit</source>
      <translation>Fermer la boutique en ligne, puis quitter</translation>
    </message>
    <message>
      <source>Leave it open (another counter is watching), then quit</source>
      <translation>La laisser ouverte (un autre comptoir veille), puis quitter</translation>
    </message>
    <message>
      <source>Cancel (keep Comptoir open)</source>
      <translation>Annuler (garder Comptoir ouvert)</translation>
    </message>
    <message>
      <source>hour of the day</source>
      <translation>heure de la journée</translation>
    </message>
    <message>
      <source>Within target</source>
      <translation>Dans l’objectif</translation>
    </message>
    <message>
      <source>Over target</source>
      <translation>Au-delà de l’objectif</translation>
    </message>
    <message>
      <source>Click &amp; collect</source>
      <translation>Click &amp; collect</translation>
    </message>
    <message>
      <source>Delivery</source>
      <translation>Livraison</translation>
    </message>
    <message>
      <source>Counter</source>
      <translation>Comptoir</translation>
    </message>
    <message>
      <source>Orders per hour</source>
      <translation>Commandes par heure</translation>
    </message>
    <message>
      <source>Time to accept each order</source>
      <translation>Délai d’acceptation par commande</translation>
    </message>
    <message>
      <source>Revenue by channel</source>
      <translation>Chiffre d’affaires par canal</translation>
    </message>
    <message>
      <source>Revenue by channel: nothing sold yet</source>
      <translation>Chiffre d’affaires par canal : rien de vendu pour l’instant</translation>
    </message>
    <message>
      <source>Target: {d}</source>
      <translation>Objectif : {d}</translation>
    </message>
    <message>
      <source>minutes (target {d})</source>
      <translation>minutes (objectif {d})</translation>
    </message>
    <message>
      <source>Indicative summary: Comptoir is not a cash register; this is not a fiscal Z report.</source>
      <translation>Récapitulatif indicatif : Comptoir n’est pas une caisse enregistreuse ; ce n’est pas un rapport Z fiscal.</translation>
    </message>
    <message>
      <source>Today</source>
      <translation>Aujourd’hui</translation>
    </message>
    <message>
      <source>Print the Z report</source>
      <translation>Imprimer le Z</translation>
    </message>
    <message>
      <source>Export CSV</source>
      <translation>Exporter CSV</translation>
    </message>
    <message>
      <source>Revenue</source>
      <translation>Chiffre d’affaires</translation>
    </message>
    <message>
      <source>Average acceptance time</source>
      <translation>Délai moyen d’acceptation</translation>
    </message>
    <message>
      <source>Average preparation time</source>
      <translation>Temps moyen de préparation</translation>
    </message>
    <message>
      <source>Late orders</source>
      <translation>En retard</translation>
    </message>
    <message>
      <source>Refused orders</source>
      <translation>Refusées</translation>
    </message>
    <message>
      <source>Cancelled orders</source>
      <translation>Annulées</translation>
    </message>
    <message>
      <source>online and counter</source>
      <translation>en ligne et comptoir</translation>
    </message>
    <message>
      <source>from order to acceptance</source>
      <translation>de la commande à l’acceptation</translation>
    </message>
    <message>
      <source>from acceptance to ready</source>
      <translation>de l’acceptation à « prête »</translation>
    </message>
    <message>
      <source>ready after the promised time</source>
      <translation>prêtes après l’heure promise</translation>
    </message>
    <message>
      <source>Export the day report</source>
      <translation>Exporter le bilan du jour</translation>
    </message>
    <message>
      <source>{s} s</source>
      <translation>{s} s</translation>
    </message>
    <message>
      <source>Best sellers</source>
      <translation>Meilleures ventes</translation>
    </message>
    <message>
      <source>Quantity</source>
      <translation>Quantité</translation>
    </message>
    <message>
      <source>Day</source>
      <translation>Jour</translation>
    </message>
    <message numerus="yes">
      <source>%n order(s)</source>
      <translation>
        <numerusform>%n commande</numerusform>
        <numerusform>%n commandes</numerusform>
      </translation>
    </message>
    <message numerus="yes">
      <source>%n item(s)</source>
      <translation>
        <numerusform>%n article</numerusform>
        <numerusform>%n articles</numerusform>
      </translation>
    </message>
    <message>
      <source>Counter sales are not recorded yet.</source>
      <translation>Les ventes au comptoir ne sont pas encore enregistrées.</translation>
    </message>
    <message>
      <source>Printing is not available.</source>
      <translation>L’impression n’est pas disponible.</translation>
    </message>
    <message>
      <source>{s} sold · {w} waiting</source>
      <translation>{s} vendues · {w} en attente</translation>
    </message>
    <message>
      <source>Z report of {d} sent to the printer.</source>
      <translation>Bilan (Z) du {d} envoyé à l’imprimante.</translation>
    </message>
    <message>
      <source>Day report saved to {p}</source>
      <translation>Bilan du jour enregistré dans {p}</translation>
    </message>
    <message>
      <source>The Z report could not be printed: {e}</source>
      <translation>Impossible d’imprimer le Z : {e}</translation>
    </message>
    <message>
      <source>General</source>
      <translation>Général</translation>
    </message>
    <message>
      <source>Printer</source>
      <translation>Imprimante</translation>
    </message>
    <message>
      <source>Shop clock</source>
      <translation>Horloge de la boutique</translation>
    </message>
    <message>
      <source>Comptoir records orders and stock; it is not a cash register and takes no payment.</source>
      <translation>Comptoir enregistre les commandes et le stock ; ce n’est pas une caisse enregistreuse et il n’encaisse aucun paiement.</translation>
    </message>
    <message>
      <source>Close</source>
      <translation>Fermer</translation>
    </message>
    <message>
      <source>Address</source>
      <translation>Adresse</translation>
    </message>
    <message>
      <source>Pairing code</source>
      <translation>Code d’appairage</translation>
    </message>
    <message>
      <source>Not paired yet.</source>
      <translation>Pas encore appairé.</translation>
    </message>
    <message>
      <source>Pairing…</source>
      <translation>Appairage en cours…</translation>
    </message>
    <message>
      <source>New-order alert</source>
      <translation>Alerte nouvelle commande</translation>
    </message>
    <message>
      <source>Listen</source>
      <translation>Écouter</translation>
    </message>
    <message>
      <source>Sound</source>
      <translation>Son</translation>
    </message>
    <message>
      <source>Volume</source>
      <translation>Volume</translation>
    </message>
    <message>
      <source>Screen, tickets and reports all show times in this zone.</source>
      <translation>L’écran, les tickets et les rapports affichent tous les heures dans ce fuseau.</translation>
    </message>
    <message>
      <source>Time zone</source>
      <translation>Fuseau horaire</translation>
    </message>
    <message>
      <source>Opening time</source>
      <translation>Heure d’ouverture</translation>
    </message>
    <message>
      <source>Language</source>
      <translation>Langue</translation>
    </message>
    <message>
      <source>Applies fully after restarting Comptoir.</source>
      <translation>S’applique entièrement au prochain démarrage de Comptoir.</translation>
    </message>
    <message>
      <source>Tickets go to</source>
      <translation>Les tickets vont vers</translation>
    </message>
    <message>
      <source>Enter the marketplace address and the pairing code.</source>
      <translation>Saisissez l’adresse de la place de marché et le code d’appairage.</translation>
    </message>
    <message>
      <source>Loading the sound…</source>
      <translation>Chargement du son…</translation>
    </message>
    <message>
      <source>The sound is playing: you should hear it now.</source>
      <translation>Le son est joué : vous devriez l’entendre maintenant.</translation>
    </message>
    <message>
      <source>Receipt printer (configured at start-up)</source>
      <translation>Imprimante de tickets (configurée au démarrage)</translation>
    </message>
    <message>
      <source>Paired with “{s}”.</source>
      <translation>Appairé avec « {s} ».</translation>
    </message>
    <message>
      <source>Pairing failed: {e}</source>
      <translation>Échec de l’appairage : {e}</translation>
    </message>
    <message>
      <source>Nothing can be heard: {why}</source>
      <translation>Rien ne peut être entendu : {why}</translation>
    </message>
    <message>
      <source>Automatic ({z})</source>
      <translation>Automatique ({z})</translation>
    </message>
    <message>
      <source>Printer: file (no paper)</source>
      <translation>Imprimante : fichier (sans papier)</translation>
    </message>
    <message>
      <source>ready</source>
      <translation>prête</translation>
    </message>
    <message>
      <source>problem</source>
      <translation>problème</translation>
    </message>
    <message>
      <source>Printer: —</source>
      <translation>Imprimante : —</translation>
    </message>
    <message numerus="yes">
      <source>%n ticket(s) waiting</source>
      <translation>
        <numerusform>%n ticket en attente</numerusform>
        <numerusform>%n tickets en attente</numerusform>
      </translation>
    </message>
    <message>
      <source>{m}. Tickets wait in the queue and print once it is fixed (Settings › Printer to check it).</source>
      <translation>{m}. Les tickets attendent dans la file et s’impriment dès que c’est réglé (Réglages › Imprimante pour vérifier).</translation>
    </message>
    <message>
      <source>Printer problem: {m}</source>
      <translation>Problème d’imprimante : {m}</translation>
    </message>
    <message numerus="yes">
      <source>%n change(s) waiting to be sent</source>
      <translation>
        <numerusform>%n changement en attente d’envoi</numerusform>
        <numerusform>%n changements en attente d’envoi</numerusform>
      </translation>
    </message>
    <message>
      <source>Everything sent</source>
      <translation>Tout est envoyé</translation>
    </message>
    <message>
      <source>Last sync: {t}</source>
      <translation>Dernière synchro : {t}</translation>
    </message>
    <message>
      <source>Not paired — open Settings</source>
      <translation>Non appairé — ouvrez les Réglages</translation>
    </message>
    <message>
      <source>Printer: {s}</source>
      <translation>Imprimante : {s}</translation>
    </message>
    <message>
      <source>Online</source>
      <translation>En ligne</translation>
    </message>
    <message>
      <source>Offline — orders keep working</source>
      <translation>Hors ligne — le comptoir continue de fonctionner</translation>
    </message>
    <message>
      <source>Tickets written to {p}</source>
      <translation>Tickets écrits dans {p}</translation>
    </message>
    <message>
      <source>SKU</source>
      <translation>Réf.</translation>
    </message>
    <message>
      <source>Alert at</source>
      <translation>Alerte à</translation>
    </message>
    <message>
      <source>Sold online</source>
      <translation>En vente en ligne</translation>
    </message>
    <message>
      <source>({d:+d} waiting)</source>
      <translation>({d:+d} en attente)</translation>
    </message>
    <message>
      <source>Confirmed by the marketplace: {c}; waiting to be sent: {p:+d}</source>
      <translation>Confirmé par la place de marché : {c} ; en attente d’envoi : {p:+d}</translation>
    </message>
    <message>
      <source>SOLD OUT</source>
      <translation>ÉPUISÉ</translation>
    </message>
    <message>
      <source>Search a product, or scan its barcode</source>
      <translation>Rechercher un produit, ou scanner son code-barres</translation>
    </message>
    <message>
      <source>No product selected</source>
      <translation>Aucun produit choisi</translation>
    </message>
    <message>
      <source>−1 counter sale</source>
      <translation>−1 vente comptoir</translation>
    </message>
    <message>
      <source>Restock…</source>
      <translation>Réassort…</translation>
    </message>
    <message>
      <source>Waste…</source>
      <translation>Perte…</translation>
    </message>
    <message>
      <source>Mark sold out</source>
      <translation>Marquer épuisé</translation>
    </message>
    <message>
      <source>Count…</source>
      <translation>Comptage…</translation>
    </message>
    <message>
      <source>Scan a product or click a line.</source>
      <translation>Scannez un produit ou touchez une ligne.</translation>
    </message>
    <message>
      <source>SOLD OUT online</source>
      <translation>ÉPUISÉ en ligne</translation>
    </message>
    <message>
      <source>Selected: {p}</source>
      <translation>Choisi : {p}</translation>
    </message>
    <message>
      <source>In stock: {q}</source>
      <translation>En stock : {q}</translation>
    </message>
    <message>
      <source>Alert below {n}</source>
      <translation>Alerte sous {n}</translation>
    </message>
    <message>
      <source>Back on sale</source>
      <translation>Remettre en vente</translation>
    </message>
    <message>
      <source>No product for “{t}”.</source>
      <translation>Aucun produit pour « {t} ».</translation>
    </message>
    <message>
      <source>Ticket possibly cut off</source>
      <translation>Ticket peut-être interrompu</translation>
    </message>
    <message>
      <source>Comptoir stopped while it was printing. Look at the paper: if the ticket is complete, answer No.</source>
      <translation>Comptoir s’est arrêté pendant une impression. Regardez le papier : si le ticket est complet, répondez Non.</translation>
    </message>
    <message>
      <source>Yes, print it again</source>
      <translation>Oui, le réimprimer</translation>
    </message>
    <message>
      <source>No, it is complete</source>
      <translation>Non, il est complet</translation>
    </message>
    <message>
      <source>Decide later</source>
      <translation>Décider plus tard</translation>
    </message>
    <message>
      <source>The ticket “{t}” may have been cut off. Print it again?</source>
      <translation>Le ticket « {t} » a peut-être été interrompu. Le réimprimer ?</translation>
    </message>
    <message>
      <source>The ticket of order No. {n} may have been cut off. Print it again?</source>
      <translation>Le ticket de la commande N° {n} a peut-être été interrompu. Le réimprimer ?</translation>
    </message>
    <message>
      <source>The kitchen ticket of order No. {n} may have been cut off. Print it again?</source>
      <translation>Le ticket cuisine de la commande N° {n} a peut-être été interrompu. Le réimprimer ?</translation>
    </message>
    <message>
      <source>The cancellation slip of order No. {n} may have been cut off. Print it again?</source>
      <translation>Le bon d’annulation de la commande N° {n} a peut-être été interrompu. Le réimprimer ?</translation>
    </message>
  </context>
</TS>
