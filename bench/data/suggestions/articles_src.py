"""Knowledge articles of the suggestions labelled set (hand-written for this project, CC0-like:
no text copied from any dataset). Topic id -> {language: (title, body)}."""

ARTICLES = {
    # --- Power utility ---------------------------------------------------------------------------
    "outage": {
        "fr": (
            "Panne de courant : que faire et comment suivre le rétablissement",
            "Vérifiez d'abord votre panneau électrique : si un disjoncteur a sauté, réarmez-le. Si vos voisins sont aussi privés d'électricité, la panne touche le réseau. Consultez la carte des pannes sur notre site pour connaître la cause et l'heure estimée de rétablissement. Signalez la panne en ligne ou par téléphone si elle n'y figure pas. Débranchez les appareils sensibles pour éviter une surtension au retour du courant.",
        ),
        "en": (
            "Power outage: what to do and how to follow the restoration",
            "First check your electrical panel: if a breaker tripped, reset it. If your neighbours are also without power, the outage is on the grid. Open the outage map on our website to see the cause and the estimated restoration time. Report the outage online or by phone if it is not listed. Unplug sensitive appliances to avoid a surge when power comes back.",
        ),
    },
    "meter_error": {
        "fr": (
            "Compteur intelligent : voyant clignotant ou code d'erreur",
            "Un compteur dont l'écran clignote ou affiche un code comme E-42 a perdu la communication avec notre réseau. Cela n'a aucun effet sur votre alimentation. Notez le code affiché et envoyez-le-nous avec une photo du compteur. Un technicien le réinitialise à distance en général sous 48 heures ; sinon nous planifions une visite. Vos factures sont estimées en attendant.",
        ),
        "en": (
            "Smart meter: blinking light or error code",
            "A meter whose display blinks or shows a code such as E-42 has lost communication with our network. This does not affect your power supply. Write down the code and send it to us with a photo of the meter. A technician resets it remotely, usually within 48 hours; otherwise we schedule a visit. Your bills are estimated in the meantime.",
        ),
    },
    "estimated_reading": {
        "fr": (
            "Facture estimée : transmettre votre relevé de compteur",
            "Lorsque nous n'avons pas pu lire votre compteur, la facture est établie sur une estimation de votre consommation. Vous pouvez transmettre votre propre relevé dans votre espace client, rubrique Relevé, ou par téléphone. Indiquez les chiffres affichés avant la virgule. La facture suivante est corrigée automatiquement selon la consommation réelle.",
        ),
        "en": (
            "Estimated bill: send us your meter reading",
            "When we could not read your meter, the bill is based on an estimate of your consumption. You can submit your own reading in your online account, under Meter reading, or by phone. Enter the digits before the decimal point. The next bill is adjusted automatically to your actual usage.",
        ),
    },
    "move": {
        "fr": (
            "Déménagement : transférer ou fermer votre abonnement",
            "Prévenez-nous au moins cinq jours ouvrables avant votre départ. Indiquez la date du déménagement, la nouvelle adresse et un relevé du compteur le jour du départ. Nous fermons le compte à l'ancienne adresse et ouvrons le service à la nouvelle sans frais de transfert. La facture finale est envoyée à votre nouvelle adresse.",
        ),
        "en": (
            "Moving: transfer or close your service",
            "Tell us at least five business days before you move. Give the moving date, your new address and a meter reading on the day you leave. We close the account at the old address and start service at the new one with no transfer fee. The final bill is sent to your new address.",
        ),
    },
    "high_bill": {
        "fr": (
            "Pourquoi ma facture est-elle plus élevée que d'habitude ?",
            "Une facture plus élevée s'explique le plus souvent par le chauffage ou la climatisation, une période de facturation plus longue, une estimation corrigée par un relevé réel ou une hausse de tarif. Comparez votre consommation en kWh d'une année à l'autre dans votre espace client. Si la hausse reste inexpliquée, demandez une vérification du compteur.",
        ),
        "en": (
            "Why is my bill higher than usual?",
            "A higher bill is most often due to heating or air conditioning, a longer billing period, an estimate corrected by an actual reading, or a rate increase. Compare your kWh usage year over year in your online account. If the increase remains unexplained, ask for a meter check.",
        ),
    },
    "payment_plan": {
        "fr": (
            "Entente de paiement : étaler le paiement d'une facture",
            "Si vous ne pouvez pas payer votre facture en entier, nous pouvons convenir d'une entente de paiement sur trois à douze mois. Aucun frais de retard n'est ajouté tant que les versements sont respectés. Faites la demande avant la date d'échéance depuis votre espace client ou par téléphone. Le service n'est pas interrompu pendant l'entente.",
        ),
        "en": (
            "Payment arrangement: spread out a bill",
            "If you cannot pay your bill in full, we can agree on a payment arrangement over three to twelve months. No late fee is added while the instalments are paid on time. Ask before the due date from your online account or by phone. Your service is not interrupted during the arrangement.",
        ),
    },
    "downed_line": {
        "fr": (
            "Fil électrique tombé ou arbre sur une ligne : consignes de sécurité",
            "Restez à au moins dix mètres d'un fil tombé, même s'il semble hors tension, et tenez les enfants et les animaux à l'écart. Ne tentez jamais de dégager une branche vous-même. Appelez immédiatement notre ligne d'urgence, ouverte jour et nuit. Pour l'élagage préventif des arbres près des lignes, faites une demande en ligne.",
        ),
        "en": (
            "Downed wire or tree on a power line: safety instructions",
            "Stay at least ten metres away from a fallen wire, even if it looks dead, and keep children and pets away. Never try to clear a branch yourself. Call our emergency line right away, open day and night. For preventive tree trimming near the lines, make a request online.",
        ),
    },
    "solar": {
        "fr": (
            "Raccorder des panneaux solaires au réseau (autoproduction)",
            "Avant l'installation, votre installateur dépose une demande de raccordement avec le schéma unifilaire. Nous vérifions la capacité du réseau sous 20 jours ouvrables, puis remplaçons le compteur par un compteur bidirectionnel. L'énergie injectée est portée en crédit sur vos factures. N'activez pas l'onduleur avant notre autorisation écrite.",
        ),
        "en": (
            "Connecting solar panels to the grid (net metering)",
            "Before installation, your installer files a connection request with the single-line diagram. We check grid capacity within 20 business days, then replace the meter with a bidirectional one. Energy fed into the grid is credited on your bills. Do not switch on the inverter before our written approval.",
        ),
    },
    "flicker": {
        "fr": (
            "Lumières qui vacillent ou baisses de tension",
            "Si une seule pièce est touchée, il s'agit probablement d'une ampoule, d'un gradateur ou d'un mauvais contact : faites vérifier par un électricien. Si toute la maison ou tout le quartier est touché, la cause peut être sur notre réseau. Notez les heures des baisses de tension et signalez-les : nous pouvons installer un enregistreur de tension.",
        ),
        "en": (
            "Flickering lights or voltage drops",
            "If only one room is affected, it is probably a bulb, a dimmer or a loose connection: have an electrician check it. If the whole house or the neighbourhood is affected, the cause may be on our network. Note the times of the voltage drops and report them: we can install a voltage recorder.",
        ),
    },
    # --- Payments ----------------------------------------------------------------------------
    "double_charge": {
        "fr": (
            "Paiement prélevé deux fois",
            "Un double prélèvement vient le plus souvent d'un paiement validé deux fois ou d'une autorisation bancaire temporaire. Une autorisation en double disparaît d'elle-même sous trois à cinq jours. Si les deux opérations sont débitées, envoyez-nous la date, le montant et les quatre derniers chiffres de la carte : le second paiement est remboursé sous cinq jours ouvrables.",
        ),
        "en": (
            "Payment charged twice",
            "A double charge usually comes from a payment submitted twice or from a temporary bank authorisation. A duplicate authorisation drops off by itself within three to five days. If both transactions are debited, send us the date, the amount and the last four digits of the card: the second payment is refunded within five business days.",
        ),
    },
    "refund_delay": {
        "fr": (
            "Délai d'un remboursement",
            "Un remboursement est émis sous deux jours ouvrables après notre accord, sur le moyen de paiement d'origine. Il apparaît ensuite sur votre compte sous cinq à dix jours ouvrables selon votre banque. Passé ce délai, demandez-nous la référence du remboursement et présentez-la à votre banque pour qu'elle le retrouve.",
        ),
        "en": (
            "How long a refund takes",
            "A refund is issued within two business days of our approval, to the original payment method. It then shows on your account within five to ten business days depending on your bank. After that, ask us for the refund reference and give it to your bank so it can trace it.",
        ),
    },
    "debit_failed": {
        "fr": (
            "Prélèvement automatique rejeté",
            "Un prélèvement est rejeté quand le compte est insuffisamment approvisionné, fermé, ou quand les coordonnées bancaires ont changé. Nous vous prévenons par courriel et présentons à nouveau le prélèvement sept jours plus tard. Mettez à jour vos coordonnées bancaires dans votre espace client ou payez le montant en ligne. Des frais de rejet peuvent s'appliquer.",
        ),
        "en": (
            "Automatic payment (direct debit) rejected",
            "A direct debit is rejected when the account has insufficient funds, is closed, or the bank details changed. We email you and present the debit again seven days later. Update your bank details in your online account or pay the amount online. A returned payment fee may apply.",
        ),
    },
    "card_declined": {
        "fr": (
            "Carte refusée lors d'un paiement en ligne",
            "Vérifiez la date d'expiration, le code de sécurité et l'adresse de facturation saisis. Un refus peut aussi venir de votre banque : plafond atteint, achats en ligne désactivés ou validation 3-D Secure non terminée. Essayez une autre carte ou contactez votre banque ; nous ne voyons pas la raison précise du refus.",
        ),
        "en": (
            "Card declined when paying online",
            "Check the expiry date, the security code and the billing address you entered. A decline can also come from your bank: limit reached, online purchases disabled, or 3-D Secure verification not completed. Try another card or contact your bank; we cannot see the exact reason for the decline.",
        ),
    },
    "card_lost": {
        "fr": (
            "Carte perdue ou volée : la bloquer immédiatement",
            "Bloquez votre carte tout de suite depuis l'application, rubrique Cartes, ou appelez le service d'opposition disponible 24 h sur 24. Les paiements faits après le blocage ne sont pas à votre charge. Une nouvelle carte est envoyée sous cinq jours ouvrables. Signalez ensuite les opérations que vous ne reconnaissez pas.",
        ),
        "en": (
            "Lost or stolen card: block it immediately",
            "Block your card right away in the app, under Cards, or call the 24/7 card blocking line. Payments made after the block are not your responsibility. A new card is mailed within five business days. Then report any transaction you do not recognise.",
        ),
    },
    "transfer_delay": {
        "fr": (
            "Virement non reçu par le bénéficiaire",
            "Un virement entre banques du pays arrive en un jour ouvrable ; un virement international prend deux à cinq jours ouvrables, plus si une banque intermédiaire intervient. Vérifiez l'IBAN ou le numéro de compte du bénéficiaire. Passé ce délai, nous pouvons lancer une recherche avec la référence du virement.",
        ),
        "en": (
            "Transfer not received by the payee",
            "A domestic bank transfer arrives within one business day; an international wire takes two to five business days, more when an intermediary bank is involved. Check the payee's IBAN or account number. After that time, we can open a trace with the transfer reference.",
        ),
    },
    "foreign_fees": {
        "fr": (
            "Frais sur les paiements en devise étrangère",
            "Un paiement dans une autre devise est converti au taux du réseau de la carte le jour du traitement, plus des frais de conversion de 2,5 %. Un commerçant étranger peut aussi proposer de payer dans votre devise : refusez, le taux appliqué est souvent moins bon. Le détail figure sur votre relevé.",
        ),
        "en": (
            "Fees on foreign currency payments",
            "A payment in another currency is converted at the card network rate on the processing day, plus a 2.5% conversion fee. A foreign merchant may offer to charge you in your own currency: decline, the rate is often worse. The details are on your statement.",
        ),
    },
    "chargeback": {
        "fr": (
            "Contester une opération chez un commerçant",
            "Contactez d'abord le commerçant : la plupart des litiges se règlent ainsi. Sans réponse sous quinze jours, ouvrez une contestation depuis l'application en joignant les preuves (commande, échanges, preuve de retour). Le montant est crédité provisoirement pendant l'enquête, qui dure jusqu'à 90 jours.",
        ),
        "en": (
            "Disputing a transaction with a merchant",
            "Contact the merchant first: most disputes are settled that way. With no answer within fifteen days, open a dispute in the app with your evidence (order, emails, proof of return). The amount is credited provisionally during the investigation, which can take up to 90 days.",
        ),
    },
    # --- IT service desk ---------------------------------------------------------------------
    "password_reset": {
        "fr": (
            "Mot de passe oublié : le réinitialiser",
            "Sur la page de connexion, choisissez « Mot de passe oublié » et saisissez votre adresse professionnelle. Un lien valable 30 minutes vous est envoyé sur votre adresse de secours ou par SMS. Le nouveau mot de passe doit compter 12 caractères et ne pas reprendre les cinq derniers. Pensez à le changer aussi sur votre téléphone.",
        ),
        "en": (
            "Forgotten password: reset it",
            'On the sign-in page, choose "Forgot password" and enter your work address. A link valid for 30 minutes is sent to your recovery address or by text message. The new password needs 12 characters and must differ from your last five. Remember to update it on your phone too.',
        ),
    },
    "account_locked": {
        "fr": (
            "Compte verrouillé après plusieurs tentatives",
            "Après cinq mots de passe erronés, le compte est verrouillé pendant 30 minutes. Un ancien mot de passe enregistré sur un téléphone ou un lecteur réseau provoque souvent ces échecs à répétition. Attendez le déverrouillage automatique ou demandez au centre de services de le débloquer, puis mettez à jour le mot de passe sur chaque appareil.",
        ),
        "en": (
            "Account locked after several attempts",
            "After five wrong passwords, the account is locked for 30 minutes. An old password saved on a phone or a mapped drive often causes these repeated failures. Wait for the automatic unlock or ask the service desk to unlock it, then update the password on every device.",
        ),
    },
    "mfa_phone": {
        "fr": (
            "Nouveau téléphone : réinscrire l'authentification à deux facteurs",
            "Si vous avez changé ou perdu votre téléphone, l'application d'authentification ne génère plus vos codes. Le centre de services vérifie votre identité puis réinitialise vos méthodes d'authentification. Vous réinscrivez ensuite le nouveau téléphone en scannant le code QR affiché à la connexion. Gardez des codes de secours.",
        ),
        "en": (
            "New phone: re-register two-factor authentication",
            "If you changed or lost your phone, the authenticator app no longer generates your codes. The service desk verifies your identity and resets your authentication methods. You then register the new phone by scanning the QR code shown at sign-in. Keep backup codes.",
        ),
    },
    "vpn": {
        "fr": (
            "Le VPN ne se connecte pas",
            "Vérifiez d'abord votre connexion Internet sans le VPN. Redémarrez le client VPN et choisissez la passerelle la plus proche. L'erreur 809 ou un délai dépassé vient souvent d'un réseau d'hôtel ou d'un pare-feu qui bloque le port : essayez le partage de connexion de votre téléphone. Si le certificat a expiré, le centre de services le renouvelle.",
        ),
        "en": (
            "The VPN does not connect",
            "First check your Internet connection without the VPN. Restart the VPN client and pick the nearest gateway. Error 809 or a timeout is often caused by a hotel network or a firewall blocking the port: try your phone's hotspot. If the certificate expired, the service desk renews it.",
        ),
    },
    "mailbox_full": {
        "fr": (
            "Boîte aux lettres pleine",
            "Au-delà de 50 Go, vous ne pouvez plus envoyer de courriels. Videz le dossier Éléments supprimés, supprimez les messages volumineux (triez par taille) et activez l'archivage en ligne, qui déplace les courriels de plus de deux ans. Un quota supérieur peut être demandé par votre gestionnaire.",
        ),
        "en": (
            "Mailbox full",
            "Beyond 50 GB you can no longer send email. Empty the Deleted Items folder, delete large messages (sort by size) and turn on online archiving, which moves email older than two years. Your manager can request a larger quota.",
        ),
    },
    "printer": {
        "fr": (
            "L'imprimante n'imprime pas",
            "Vérifiez que l'imprimante est allumée, sans bourrage et avec du papier. Supprimez les documents bloqués dans la file d'attente, puis redémarrez-la. Si elle n'apparaît plus, ajoutez-la de nouveau depuis le portail d'impression avec son numéro inscrit sur l'étiquette. Les impressions sécurisées se libèrent avec votre badge.",
        ),
        "en": (
            "The printer does not print",
            "Check that the printer is on, with no paper jam and with paper. Clear the stuck documents in the print queue, then restart it. If it no longer appears, add it again from the print portal with the number on its label. Secure print jobs are released with your badge.",
        ),
    },
    "slow_laptop": {
        "fr": (
            "Ordinateur portable très lent",
            "Redémarrez l'ordinateur : beaucoup de lenteurs viennent d'un poste allumé depuis des semaines. Installez les mises à jour en attente, fermez les onglets inutiles et vérifiez l'espace disque (au moins 10 % libre). Si la lenteur persiste, le centre de services analyse le poste à distance et peut remplacer un disque ou la mémoire.",
        ),
        "en": (
            "Laptop very slow",
            "Restart the computer: many slowdowns come from a machine left on for weeks. Install pending updates, close unused tabs and check disk space (at least 10% free). If it stays slow, the service desk checks the machine remotely and can replace a disk or memory.",
        ),
    },
    "shared_drive": {
        "fr": (
            "Accès à un dossier partagé",
            "L'accès à un dossier partagé est accordé par son propriétaire, en général le gestionnaire de l'équipe. Faites la demande dans le portail en indiquant le chemin du dossier et le niveau d'accès (lecture ou modification). Une fois l'accès approuvé, déconnectez-vous puis reconnectez-vous pour qu'il soit pris en compte.",
        ),
        "en": (
            "Access to a shared folder",
            "Access to a shared folder is granted by its owner, usually the team's manager. Request it in the portal with the folder path and the access level (read or modify). Once approved, sign out and back in for the access to take effect.",
        ),
    },
    "software_install": {
        "fr": (
            "Installer un logiciel sur votre poste",
            "Les postes sont gérés : vous ne pouvez pas installer de logiciel vous-même. Les logiciels approuvés s'installent en libre-service depuis le Centre logiciel. Pour un autre logiciel, faites une demande avec son nom, sa version et le besoin métier ; la sécurité le vérifie avant l'installation, sous cinq jours ouvrables.",
        ),
        "en": (
            "Installing software on your computer",
            "Computers are managed: you cannot install software yourself. Approved software installs self-service from the Software Center. For anything else, submit a request with its name, version and business need; security reviews it before installation, within five business days.",
        ),
    },
    "phishing": {
        "fr": (
            "Courriel suspect : le signaler (hameçonnage)",
            "Ne cliquez sur aucun lien et n'ouvrez aucune pièce jointe. Utilisez le bouton « Signaler l'hameçonnage » dans la messagerie, puis supprimez le message. Si vous avez déjà saisi votre mot de passe sur la page, changez-le immédiatement et prévenez le centre de services pour qu'il vérifie votre compte.",
        ),
        "en": (
            "Suspicious email: report it (phishing)",
            'Do not click any link or open any attachment. Use the "Report phishing" button in your mail client, then delete the message. If you already typed your password on the page, change it right away and tell the service desk so it can check your account.',
        ),
    },
    "wifi": {
        "fr": (
            "Le Wi-Fi du bureau ne se connecte pas",
            "Choisissez le réseau Entreprise et connectez-vous avec votre compte professionnel, pas le réseau Invités. Si la connexion échoue après un changement de mot de passe, oubliez le réseau puis reconnectez-vous. Les appareils personnels utilisent le réseau Invités avec un code valable une journée.",
        ),
        "en": (
            "Office Wi-Fi does not connect",
            "Pick the Corporate network and sign in with your work account, not the Guest network. If it fails after a password change, forget the network and connect again. Personal devices use the Guest network with a code valid for one day.",
        ),
    },
    # --- English only ------------------------------------------------------------------------
    "ev_charger": {
        "en": (
            "Installing a home EV charger",
            "A level 2 charger needs a dedicated 240 V, 40 A circuit installed by a licensed electrician. If your panel is 100 A or less, a load assessment may show that a service upgrade is needed; we handle the upgrade request. Charging at night on the time-of-use rate costs about half as much.",
        ),
    },
    "paperless": {
        "en": (
            "Paperless billing: receive your bills by email",
            "Turn on paperless billing in your online account under Preferences. Your bills then arrive as PDF by email and remain available for seven years in the account. Paper bills stop from the next billing cycle. You can switch back at any time.",
        ),
    },
    "terminal": {
        "en": (
            "Card payment terminal offline (merchants)",
            'If your terminal shows "No connection" or "Host unavailable", restart it and check the network cable or Wi-Fi. A terminal that stays offline can store up to 50 offline transactions, sent once reconnected. If it still fails, note the terminal ID and call merchant support; a replacement ships next business day.',
        ),
    },
    "calendar_sync": {
        "en": (
            "Shared calendar not syncing on your phone",
            "Shared calendars appear on a phone only once they are added in the mail app on the computer. Remove and re-add the work account on the phone, then allow calendar sync in the phone settings. Changes can take up to 15 minutes to appear.",
        ),
    },
    # --- French only -------------------------------------------------------------------------
    "equal_billing": {
        "fr": (
            "Mode de versements égaux : payer le même montant chaque mois",
            "Le mode de versements égaux répartit le coût annuel estimé de votre électricité en douze versements identiques. Le montant est révisé tous les six mois selon votre consommation réelle, et l'écart est régularisé au mois anniversaire. L'adhésion se fait dans votre espace client, sans frais.",
        ),
    },
    "bad_cheque": {
        "fr": (
            "Chèque retourné pour provision insuffisante",
            "Lorsqu'un chèque nous est retourné par votre banque, le paiement est annulé et des frais de 15 $ sont ajoutés à votre compte. Le solde doit être réglé par un autre moyen de paiement sous dix jours. Après deux chèques retournés, seuls les paiements en ligne ou par prélèvement sont acceptés.",
        ),
    },
    "meeting_audio": {
        "fr": (
            "Pas de son ou micro muet en visioconférence",
            "Dans l'application de réunion, ouvrez Paramètres > Périphériques et choisissez le bon micro et le bon haut-parleur, surtout avec un casque Bluetooth. Vérifiez que le navigateur ou l'application a l'autorisation d'utiliser le micro. Débranchez puis rebranchez le casque, et faites un appel de test avant la réunion.",
        ),
    },
    "badge": {
        "fr": (
            "Badge d'accès au bâtiment refusé",
            "Un badge refusé est souvent désactivé après 90 jours sans utilisation ou à la fin d'un contrat. Présentez-vous à l'accueil avec une pièce d'identité : la sécurité réactive le badge ou en imprime un nouveau. Un badge perdu doit être déclaré aussitôt pour être désactivé.",
        ),
    },
}
