"""Queries of the suggestions labelled set (new tickets, hand-written for this project): topic ->
[(language, subject, message)]. Worded differently from the tickets and articles of the topic.
For the English-only and French-only topics, most queries are in the other language: their only
right answers are across languages."""

QUERIES = {
    # --- Power utility ---------------------------------------------------------------------------
    "outage": [
        (
            "fr",
            "Électricité coupée dans le quartier",
            "Depuis une heure tout le quartier est sans électricité, même les lampadaires. Y a-t-il une panne en cours ?",
        ),
        (
            "fr",
            "Toujours pas de courant",
            "Ça fait six heures qu'on attend le retour du courant. Avez-vous une heure prévue ?",
        ),
        (
            "en",
            "Whole neighbourhood dark",
            "Our area lost electricity about 30 minutes ago, traffic lights too. Is this a known outage and when will it be fixed?",
        ),
    ],
    "meter_error": [
        (
            "fr",
            "Mon compteur affiche E-42",
            "Bonjour, le petit écran du compteur dans le garage montre E-42 en clignotant. Faut-il appeler un électricien ?",
        ),
        (
            "en",
            "Strange code on meter screen",
            "The screen on my electricity meter has been showing a weird code and flashing since Monday.",
        ),
        (
            "en",
            "Meter stopped showing numbers",
            "The digital meter just shows dashes now, no reading at all. Is it broken?",
        ),
    ],
    "estimated_reading": [
        (
            "fr",
            "Pourquoi une estimation ?",
            "Ma facture est basée sur une estimation et non sur mon compteur. Comment vous donner les vrais chiffres ?",
        ),
        (
            "fr",
            "Relevé réel à envoyer",
            "Je voudrais vous communiquer l'index de mon compteur pour corriger la facture estimée.",
        ),
        (
            "en",
            "Estimated usage on my bill",
            "The bill says my usage was estimated. I can read the meter myself, where do I enter it?",
        ),
    ],
    "move": [
        (
            "fr",
            "Nouvelle adresse en août",
            "Nous emménageons dans un nouvel appartement le 15 août, il faut arrêter le contrat ici et l'ouvrir là-bas.",
        ),
        (
            "en",
            "Transfer electricity to new home",
            "Hi, I'm relocating across town on the 1st. Can you move my electricity account to the new place?",
        ),
        (
            "en",
            "Cancel service, selling house",
            "We sold our house and move out on Friday. Please stop the electricity service in our name.",
        ),
    ],
    "high_bill": [
        (
            "fr",
            "Facture qui a explosé",
            "Je ne comprends pas ma facture : 310 $ au lieu de 140 $ habituellement. Il doit y avoir une erreur.",
        ),
        (
            "fr",
            "Consommation anormale",
            "Ma consommation a triplé selon la facture, pourtant je suis parti deux semaines. Pouvez-vous vérifier le compteur ?",
        ),
        (
            "en",
            "Huge electricity bill",
            "My electricity bill is way more than last year for the same month. Can you explain why?",
        ),
    ],
    "payment_plan": [
        (
            "fr",
            "Difficultés financières",
            "Je traverse une période difficile et je n'arrive pas à payer ma facture d'électricité. Pouvez-vous m'aider ?",
        ),
        (
            "en",
            "Pay my bill in parts",
            "Is it possible to pay my overdue balance in several monthly payments? I can't afford it all at once.",
        ),
        (
            "en",
            "Avoid disconnection",
            "I'm behind on my bill. Can we work out a plan so my power isn't cut off?",
        ),
    ],
    "downed_line": [
        (
            "fr",
            "Câble par terre dans la rue",
            "Il y a un câble électrique au sol sur le trottoir devant l'école, c'est dangereux !",
        ),
        (
            "fr",
            "Élagage des arbres",
            "Les branches de l'érable devant chez moi frottent contre les fils. Qui s'occupe de couper ça ?",
        ),
        (
            "en",
            "Wire hanging low after storm",
            "After the windstorm a wire is hanging very low over our driveway. Is it safe to drive under it?",
        ),
    ],
    "solar": [
        (
            "fr",
            "Installer des panneaux photovoltaïques",
            "Je veux poser des panneaux photovoltaïques. Faut-il une autorisation de votre part ?",
        ),
        (
            "en",
            "Selling solar power back",
            "If my rooftop panels produce more than I use, do I get paid or credited for it?",
        ),
        (
            "en",
            "Solar installation approval",
            "Our solar installer is done. What's the next step with the utility before we turn it on?",
        ),
    ],
    "flicker": [
        (
            "fr",
            "Lumière qui baisse",
            "Les lumières baissent d'intensité plusieurs fois par jour dans toute la maison.",
        ),
        (
            "fr",
            "Surtensions et coupures brèves",
            "On a des micro-coupures et les lampes clignotent, l'ordinateur s'éteint parfois.",
        ),
        (
            "en",
            "Lights keep flickering",
            "Every evening the lights in the whole house flicker for a few seconds. What's causing it?",
        ),
    ],
    # --- Payments ----------------------------------------------------------------------------
    "double_charge": [
        (
            "fr",
            "Débité en double",
            "Bonjour, mon compte bancaire montre deux retraits identiques pour une seule facture.",
        ),
        (
            "en",
            "Paid twice by mistake",
            "I think I was billed twice, there are two identical charges on my bank statement.",
        ),
        (
            "en",
            "Two charges same day",
            "Two payments of the same amount came out of my account on the same day. I only paid once.",
        ),
    ],
    "refund_delay": [
        (
            "fr",
            "Toujours pas remboursé",
            "Vous avez confirmé mon remboursement il y a 15 jours et je ne vois rien sur mon compte.",
        ),
        (
            "fr",
            "Suivi de remboursement",
            "Pouvez-vous me dire où en est le remboursement de ma commande annulée ?",
        ),
        (
            "en",
            "Refund still missing",
            "It's been three weeks since you approved my refund and it's not on my card.",
        ),
    ],
    "debit_failed": [
        (
            "fr",
            "Prélèvement impayé",
            "On m'informe que le prélèvement de ce mois est revenu impayé. Comment régulariser ?",
        ),
        (
            "en",
            "Payment bounced",
            "My pre-authorized payment bounced and I was charged a fee. I have changed bank accounts.",
        ),
        (
            "en",
            "Automatic withdrawal failed",
            "The automatic withdrawal for my bill failed. What do I need to do?",
        ),
    ],
    "card_declined": [
        (
            "fr",
            "Paiement refusé sur le site",
            "Je n'arrive pas à payer avec ma Visa sur votre site, le paiement est refusé.",
        ),
        (
            "fr",
            "Erreur de carte",
            "Ma carte ne passe pas pour régler la facture en ligne, message d'erreur de paiement.",
        ),
        ("en", "Card not accepted", "Your payment page won't accept my Mastercard, it just says declined."),
    ],
    "card_lost": [
        ("fr", "Opposition carte", "Je veux faire opposition sur ma carte, je l'ai perdue dans le métro."),
        (
            "en",
            "Block my debit card",
            "Someone stole my bag with my debit card. I need to cancel it immediately.",
        ),
        ("en", "Card missing", "I can't find my card anywhere, please freeze it before someone uses it."),
    ],
    "transfer_delay": [
        (
            "fr",
            "Argent pas reçu",
            "J'ai envoyé de l'argent à ma sœur en Belgique lundi et elle ne l'a toujours pas.",
        ),
        (
            "fr",
            "Recherche de virement",
            "Mon virement n'apparaît pas chez le destinataire. Pouvez-vous le retrouver ?",
        ),
        ("en", "Wire transfer missing", "The money I wired last week hasn't shown up in the other account."),
    ],
    "foreign_fees": [
        (
            "fr",
            "Frais en voyage",
            "Pendant mon voyage en Espagne, chaque paiement par carte a coûté plus cher que prévu. Pourquoi ?",
        ),
        ("en", "Extra charges after trip", "After my trip to Japan I see extra fees on every card purchase."),
        (
            "en",
            "Paid in dollars or euros",
            "A shop abroad asked if I wanted to pay in dollars or euros. Which is cheaper?",
        ),
    ],
    "chargeback": [
        (
            "fr",
            "Commande jamais livrée",
            "J'ai acheté un téléphone en ligne, jamais reçu, et le site ne répond plus. Comment récupérer mon argent ?",
        ),
        (
            "fr",
            "Remboursement refusé par le magasin",
            "Le magasin refuse de rembourser un produit défectueux que j'ai rapporté.",
        ),
        ("en", "Seller scam", "I paid a seller who never shipped the item. Can the bank get my money back?"),
    ],
    # --- IT service desk ---------------------------------------------------------------------
    "password_reset": [
        (
            "fr",
            "Je ne me souviens plus du mot de passe",
            "Impossible de me rappeler mon mot de passe pour ouvrir ma session Windows.",
        ),
        (
            "en",
            "Reset password please",
            "I can't remember my password for my work account. Can you reset it?",
        ),
        ("en", "Locked out, forgot password", "I forgot my login password after the holidays."),
    ],
    "account_locked": [
        ("fr", "Verrouillage du compte", "Mon compte se verrouille tout seul plusieurs fois par jour."),
        (
            "fr",
            "Trop de tentatives",
            "Message « trop de tentatives de connexion », je ne peux plus ouvrir ma session.",
        ),
        ("en", "Account keeps locking", "My user account keeps getting locked several times a day."),
    ],
    "mfa_phone": [
        (
            "fr",
            "Codes de validation",
            "Mon ancien téléphone est cassé et l'appli qui génère les codes était dessus.",
        ),
        (
            "en",
            "Two-factor on new phone",
            "Switched to a new iPhone and now I can't sign in because the codes were on the old one.",
        ),
        ("en", "MFA lost device", "I lost the phone I use for multi-factor authentication."),
    ],
    "vpn": [
        (
            "fr",
            "Connexion à distance impossible",
            "En télétravail, je n'arrive plus à me connecter au réseau de l'entreprise par le VPN.",
        ),
        (
            "en",
            "Remote access not working",
            "Working from home, the VPN keeps timing out and I can't reach the network.",
        ),
        ("en", "VPN error at airport", "The VPN fails on the airport Wi-Fi with an error."),
    ],
    "mailbox_full": [
        ("fr", "Messagerie saturée", "Ma messagerie est saturée, je ne peux plus envoyer de messages."),
        (
            "fr",
            "Stockage des courriels",
            "Outlook m'avertit que je n'ai presque plus d'espace de stockage pour mes courriels.",
        ),
        (
            "en",
            "Can't send email, storage full",
            "I'm getting an error that my email storage is full and messages won't send.",
        ),
    ],
    "printer": [
        (
            "fr",
            "Rien ne s'imprime",
            "J'ai lancé trois impressions et rien ne sort de l'imprimante du couloir.",
        ),
        ("en", "Printer offline", "The printer near my desk shows offline and nothing prints."),
        ("en", "Missing printer", "I can't see the office printer on my laptop anymore."),
    ],
    "slow_laptop": [
        (
            "fr",
            "Lenteur de l'ordinateur",
            "Mon ordinateur est d'une lenteur insupportable, tout met des minutes à s'ouvrir.",
        ),
        (
            "fr",
            "PC lent depuis la mise à jour",
            "Depuis la dernière mise à jour, mon portable est très lent.",
        ),
        ("en", "Computer so slow", "My computer is painfully slow, every program takes forever to load."),
    ],
    "shared_drive": [
        (
            "fr",
            "Dossier réseau inaccessible",
            "Je n'ai pas accès au dossier commun de mon équipe sur le réseau.",
        ),
        (
            "en",
            "Need permissions on team folder",
            "Could I get access to the Marketing team folder on the network drive?",
        ),
        (
            "en",
            "Read only on shared files",
            "I can only read the files in our shared folder, I need to edit them.",
        ),
    ],
    "software_install": [
        (
            "fr",
            "Logiciel à installer",
            "J'aurais besoin du logiciel Tableau sur mon poste pour mes analyses.",
        ),
        (
            "fr",
            "Installation bloquée",
            "Quand j'essaie d'installer un programme, on me demande un compte administrateur.",
        ),
        (
            "en",
            "Need a program installed",
            "Could you please install Visio on my laptop? I need it for diagrams.",
        ),
    ],
    "phishing": [
        (
            "fr",
            "Faux courriel de la banque",
            "J'ai reçu un courriel bizarre qui ressemble à notre service informatique et demande mes identifiants.",
        ),
        (
            "en",
            "Possible phishing email",
            "Got an email pretending to be IT asking me to verify my login on a link. Is it legit?",
        ),
        (
            "en",
            "Entered password on fake site",
            "I think I entered my password on a fake login page from an email.",
        ),
    ],
    "wifi": [
        ("fr", "Réseau sans fil", "Mon portable n'arrive pas à se connecter au réseau sans fil au bureau."),
        ("fr", "Wi-Fi invité", "Quel réseau Wi-Fi dois-je utiliser pour ma tablette personnelle ?"),
        ("en", "Can't join wireless", "My laptop can't join the wireless network at the office anymore."),
    ],
    # --- English only: every French query is cross-language ----------------------------------
    "ev_charger": [
        (
            "en",
            "Charging station at home",
            "We're getting an electric car. What's needed to put a charging station in the garage?",
        ),
        (
            "fr",
            "Borne de recharge à domicile",
            "Je viens d'acheter une voiture électrique et je voudrais installer une borne de recharge dans mon garage. Que faut-il faire ?",
        ),
        (
            "fr",
            "Recharge de voiture électrique la nuit",
            "À quelle heure est-ce le moins cher de recharger ma voiture électrique ?",
        ),
        (
            "fr",
            "Borne qui fait sauter le disjoncteur",
            "Ma nouvelle borne de recharge fait sauter le disjoncteur à chaque fois.",
        ),
        (
            "fr",
            "Panneau électrique trop petit",
            "L'électricien dit que mon panneau électrique est trop petit pour une borne de voiture. Pouvez-vous augmenter l'entrée électrique ?",
        ),
    ],
    "paperless": [
        ("en", "Go paperless", "I want all my bills emailed, no more paper please."),
        (
            "fr",
            "Facture par courriel",
            "Je voudrais recevoir mes factures par courriel et ne plus recevoir de papier.",
        ),
        ("fr", "Facture électronique", "Comment s'inscrire à la facturation électronique ?"),
        (
            "fr",
            "Encore une facture papier",
            "Je me suis inscrit aux factures sans papier mais j'ai encore reçu une facture par la poste.",
        ),
        (
            "fr",
            "Anciennes factures",
            "Où puis-je retrouver mes anciennes factures depuis que je n'ai plus de papier ?",
        ),
    ],
    "terminal": [
        (
            "en",
            "Card reader down at store",
            "The card reader at our store is offline and we can't take payments.",
        ),
        (
            "fr",
            "Terminal de paiement hors ligne",
            "Notre terminal de paiement au magasin affiche « pas de connexion » et les clients ne peuvent pas payer par carte.",
        ),
        ("fr", "TPE en panne", "Notre TPE ne fonctionne plus depuis ce matin, que faire ?"),
        (
            "fr",
            "Terminal et nouveau Wi-Fi",
            "Le terminal de paiement ne se connecte pas à notre nouveau réseau Wi-Fi.",
        ),
        (
            "fr",
            "Hôte indisponible",
            "Le terminal de carte affiche « hôte indisponible » à chaque transaction.",
        ),
    ],
    "calendar_sync": [
        (
            "en",
            "Team calendar missing on mobile",
            "Our shared team calendar doesn't appear on my Android phone.",
        ),
        (
            "fr",
            "Calendrier partagé sur téléphone",
            "Le calendrier partagé de l'équipe s'affiche sur mon ordinateur mais pas sur mon téléphone.",
        ),
        (
            "fr",
            "Agenda non synchronisé",
            "Les réunions acceptées sur mon portable n'apparaissent pas dans l'agenda de mon téléphone.",
        ),
        (
            "fr",
            "Agenda du téléphone en retard",
            "L'agenda de mon téléphone n'est pas à jour par rapport à Outlook.",
        ),
        (
            "fr",
            "Calendrier de ma gestionnaire",
            "Je vois le calendrier de ma gestionnaire dans Outlook mais pas sur mon mobile.",
        ),
    ],
    # --- French only: every English query is cross-language ----------------------------------
    "equal_billing": [
        (
            "fr",
            "Mensualités fixes",
            "Je voudrais payer une somme fixe chaque mois pour l'électricité plutôt que des factures variables.",
        ),
        (
            "en",
            "Same amount every month",
            "Can I pay the same amount for electricity every month instead of big winter bills?",
        ),
        ("en", "Budget billing increased", "My monthly budget billing amount went up from $95 to $130. Why?"),
        (
            "en",
            "Year-end adjustment",
            "I'm on equal monthly payments but got a year-end adjustment of $240 to pay.",
        ),
        ("en", "Sign up for budget billing", "How do I enrol in the equal payment plan?"),
    ],
    "bad_cheque": [
        ("fr", "Chèque impayé", "Mon chèque de paiement est revenu impayé, que dois-je faire maintenant ?"),
        ("en", "Returned cheque", "My bank says the cheque I sent for my bill bounced. What happens now?"),
        ("en", "NSF fee on account", "Why was a $15 NSF fee added to my account?"),
        ("en", "Cheque rejected, pay another way", "My check was rejected, how else can I pay the balance?"),
        ("en", "No more cheques allowed?", "I was told I can't pay by cheque anymore. Is that true?"),
    ],
    "meeting_audio": [
        ("fr", "On ne m'entend pas", "Pendant les appels Teams, mes collègues ne m'entendent pas du tout."),
        (
            "en",
            "Microphone not working in meetings",
            "Nobody can hear me in video meetings, my microphone seems muted.",
        ),
        ("en", "No sound in video calls", "I can't hear anything in video calls but music plays fine."),
        (
            "en",
            "Bluetooth headset drops in calls",
            "My Bluetooth headset disconnects as soon as I join a meeting.",
        ),
        ("en", "Browser blocking mic", "The web meeting says my microphone is blocked by the browser."),
    ],
    "badge": [
        ("fr", "Porte refuse mon badge", "Le lecteur refuse mon badge à l'entrée depuis lundi."),
        ("en", "Access card not working", "My building access card stopped opening the door after my leave."),
        ("en", "Lost my access badge", "I lost my building badge yesterday, what should I do?"),
        ("en", "Badge reader blinking red", "The badge reader blinks red when I tap my card."),
        ("en", "Parking gate won't open", "My badge opens the building but not the parking gate."),
    ],
}
