"""Builds tickets.csv (text, language, category, cause) from hand-written phrasings: for each
known cause, French and English ways customers describe it, each said with a few openings and
closings; plus one-off noise tickets (cause "noise"). Run: python bench/data/problems/build.py"""

from __future__ import annotations

import csv
import random
from pathlib import Path

CAUSES = {
    # cause: (category, [French descriptions], [English descriptions])
    "double_debit": (
        "billing",
        [
            "ma facture a été prélevée deux fois sur mon compte",
            "on m'a débité deux fois le même montant ce mois-ci",
            "double prélèvement de l'abonnement sur mon relevé bancaire",
        ],
        [
            "my invoice was charged twice to my bank account",
            "you debited the same amount twice this month",
            "double charge for the subscription on my bank statement",
        ],
    ),
    "meter_e42": (
        "meter",
        [
            "le compteur affiche le code erreur E42 et clignote",
            "mon compteur intelligent indique E42 depuis hier",
            "erreur E42 sur l'écran du compteur",
        ],
        [
            "the meter shows error code E42 and keeps blinking",
            "my smart meter displays E42 since yesterday",
            "E42 error on the meter display",
        ],
    ),
    "portal_login": (
        "portal",
        [
            "impossible de me connecter à l'espace client, mot de passe refusé",
            "le lien de réinitialisation du mot de passe a expiré",
            "l'espace client me déconnecte à chaque page",
        ],
        [
            "I cannot log into the customer portal, my password is rejected",
            "the password reset link has expired",
            "the online account logs me out on every page",
        ],
    ),
    "app_crash": (
        "app",
        [
            "l'application mobile plante au démarrage depuis la mise à jour",
            "l'appli se ferme dès que j'ouvre mes factures",
            "l'application se bloque sur l'écran de chargement",
        ],
        [
            "the mobile app crashes on launch since the update",
            "the app closes as soon as I open my bills",
            "the app freezes on the loading screen",
        ],
    ),
    "wifi_drops": (
        "internet",
        [
            "le wifi de la box se coupe toutes les dix minutes",
            "ma connexion internet saute plusieurs fois par jour",
            "la box redémarre toute seule et je perds internet",
        ],
        [
            "the router's wifi drops every ten minutes",
            "my internet connection cuts out several times a day",
            "the router reboots by itself and I lose internet",
        ],
    ),
    "slow_internet": (
        "internet",
        [
            "le débit internet est très lent le soir",
            "la fibre est beaucoup plus lente que prévu",
            "les vidéos n'arrêtent pas de charger, le débit est faible",
        ],
        [
            "the internet speed is very slow in the evening",
            "the fibre is much slower than advertised",
            "videos keep buffering, the bandwidth is poor",
        ],
    ),
    "late_refund": (
        "billing",
        [
            "je n'ai toujours pas reçu le remboursement promis",
            "mon remboursement n'est pas arrivé après trois semaines",
            "où en est mon avoir ? rien sur mon compte",
        ],
        [
            "I still have not received the promised refund",
            "my refund has not arrived after three weeks",
            "where is my credit note? nothing on my account",
        ],
    ),
    "price_increase": (
        "billing",
        [
            "mon tarif a augmenté sans que je sois prévenu",
            "hausse du prix de l'abonnement non annoncée",
            "pourquoi ma mensualité est-elle plus chère ce mois-ci",
        ],
        [
            "my rate went up without any notice",
            "the subscription price increased without warning",
            "why is my monthly payment higher this month",
        ],
    ),
    "power_outage": (
        "outage",
        [
            "plus d'électricité dans tout l'immeuble depuis ce matin",
            "coupure de courant dans ma rue",
            "panne d'électricité, tout le quartier est dans le noir",
        ],
        [
            "no electricity in the whole building since this morning",
            "power cut on my street",
            "power outage, the whole neighbourhood is dark",
        ],
    ),
    "water_brown": (
        "water",
        [
            "l'eau du robinet est marron",
            "l'eau sort trouble et jaunâtre",
            "eau colorée et odeur de rouille au robinet",
        ],
        [
            "the tap water is brown",
            "the water comes out cloudy and yellowish",
            "discoloured water smelling of rust",
        ],
    ),
    "low_pressure": (
        "water",
        [
            "presque plus de pression d'eau à la douche",
            "le débit d'eau est très faible dans la cuisine",
            "l'eau coule au goutte-à-goutte",
        ],
        [
            "almost no water pressure in the shower",
            "the water flow is very weak in the kitchen",
            "water is only trickling out of the taps",
        ],
    ),
    "appointment_missed": (
        "visit",
        [
            "le technicien n'est pas venu au rendez-vous",
            "j'ai attendu toute la journée, personne n'est passé",
            "rendez-vous d'installation manqué par votre technicien",
        ],
        [
            "the technician did not show up for the appointment",
            "I waited all day and nobody came",
            "your technician missed the installation appointment",
        ],
    ),
    "move_transfer": (
        "contract",
        [
            "je déménage, comment transférer mon contrat à ma nouvelle adresse",
            "transfert d'abonnement suite à un déménagement",
            "changement d'adresse pour mon contrat",
        ],
        [
            "I am moving, how do I transfer my contract to my new address",
            "subscription transfer because I am moving house",
            "change of address for my contract",
        ],
    ),
    "cancel_fees": (
        "contract",
        [
            "on me facture des frais de résiliation injustifiés",
            "frais de résiliation alors que j'étais hors engagement",
            "pénalité de résiliation anticipée que je conteste",
        ],
        [
            "I am charged unjustified cancellation fees",
            "termination fees although my commitment was over",
            "early termination penalty that I dispute",
        ],
    ),
    "email_bounce": (
        "email",
        [
            "je ne reçois plus mes factures par courriel",
            "les courriels de votre service n'arrivent plus",
            "vos e-mails finissent dans les indésirables",
        ],
        [
            "I no longer receive my bills by email",
            "emails from your service stopped arriving",
            "your emails end up in my spam folder",
        ],
    ),
    "direct_debit_setup": (
        "billing",
        [
            "je veux mettre en place le prélèvement automatique",
            "comment activer le prélèvement mensuel",
            "passer au paiement par prélèvement SEPA",
        ],
        [
            "I want to set up automatic direct debit",
            "how do I turn on monthly direct debit",
            "switch to SEPA direct debit payment",
        ],
    ),
    "tv_no_signal": (
        "tv",
        [
            "la télévision affiche aucun signal",
            "plus aucune chaîne sur le décodeur",
            "écran noir sur le décodeur télé",
        ],
        ["the TV says no signal", "no channels at all on the set-top box", "black screen on the TV box"],
    ),
    "sim_activation": (
        "mobile",
        [
            "ma nouvelle carte SIM n'est pas activée",
            "la carte SIM reçue indique aucun service",
            "impossible d'activer la SIM commandée",
        ],
        [
            "my new SIM card is not activated",
            "the SIM card I received shows no service",
            "cannot activate the SIM I ordered",
        ],
    ),
    "roaming": (
        "mobile",
        [
            "pas de réseau mobile à l'étranger malgré l'itinérance",
            "mon téléphone ne capte rien en vacances en Espagne",
            "frais d'itinérance facturés en Europe",
        ],
        [
            "no mobile network abroad even with roaming on",
            "my phone gets no signal on holiday in Spain",
            "roaming charges billed in Europe",
        ],
    ),
    "delivery_late": (
        "order",
        [
            "ma commande n'est toujours pas livrée",
            "le colis avec le matériel n'est jamais arrivé",
            "retard de livraison de ma box",
        ],
        [
            "my order still has not been delivered",
            "the parcel with the equipment never arrived",
            "late delivery of my router",
        ],
    ),
    "gas_smell": (
        "gas",
        [
            "odeur de gaz près du compteur",
            "ça sent le gaz dans la cage d'escalier",
            "je crois qu'il y a une fuite de gaz",
        ],
        ["smell of gas near the meter", "it smells of gas in the stairwell", "I think there is a gas leak"],
    ),
    "meter_reading": (
        "meter",
        [
            "l'index de consommation relevé est faux",
            "relevé de compteur estimé bien trop élevé",
            "ma consommation facturée ne correspond pas au relevé",
        ],
        [
            "the meter reading taken is wrong",
            "estimated meter reading far too high",
            "the consumption billed does not match my reading",
        ],
    ),
    "heating_boiler": (
        "heating",
        [
            "la chaudière s'arrête et affiche un défaut de pression",
            "plus de chauffage, la chaudière est en panne",
            "la chaudière ne s'allume plus",
        ],
        [
            "the boiler stops and shows a pressure fault",
            "no heating, the boiler has broken down",
            "the boiler will not light anymore",
        ],
    ),
    "invoice_pdf": (
        "portal",
        [
            "impossible de télécharger ma facture en PDF",
            "le PDF de la facture est vide",
            "le bouton télécharger la facture ne fait rien",
        ],
        [
            "I cannot download my invoice as a PDF",
            "the invoice PDF is blank",
            "the download invoice button does nothing",
        ],
    ),
}
OPEN_FR = ["Bonjour, ", "Bonjour,\n", "", "Madame, Monsieur, ", "Salut, "]
CLOSE_FR = [" Merci de votre aide.", " Cordialement.", " C'est urgent.", "", " Pouvez-vous regarder ?"]
OPEN_EN = ["Hello, ", "Hi,\n", "", "Dear team, ", "Good morning, "]
CLOSE_EN = [" Thanks for your help.", " Regards.", " This is urgent.", "", " Could you look into it?"]
NOISE = [
    ("Quels sont vos horaires d'ouverture le samedi ?", "fr", "other"),
    ("Can I get a paper copy of my contract?", "en", "contract"),
    ("Je voudrais féliciter l'agent qui m'a aidé hier.", "fr", "other"),
    ("Do you offer a discount for students?", "en", "billing"),
    ("Comment ajouter une deuxième personne sur le compte ?", "fr", "portal"),
    ("What is the phone number of your head office?", "en", "other"),
    ("Je souhaite recevoir le catalogue des offres professionnelles.", "fr", "other"),
    ("Is there a loyalty programme for long-time customers?", "en", "other"),
    ("Puis-je payer par chèque ?", "fr", "billing"),
    ("My neighbour's dog keeps barking at your technicians, sorry about that.", "en", "other"),
    ("Quelle est la durée minimale d'engagement ?", "fr", "contract"),
    ("Can you send me the terms and conditions in large print?", "en", "other"),
    ("Je veux changer le nom du titulaire du contrat.", "fr", "contract"),
    ("Do you recycle old routers?", "en", "order"),
    ("Votre agence de Lyon est-elle ouverte pendant les travaux ?", "fr", "other"),
    ("I would like to update my phone number.", "en", "portal"),
    ("Est-ce que vous proposez l'énergie verte ?", "fr", "other"),
    ("How do I read the graph on my consumption page?", "en", "portal"),
    ("Je cherche un stage dans votre entreprise.", "fr", "other"),
    ("Can I pause my subscription during a long trip?", "en", "contract"),
    ("Le livret d'accueil mentionne un cadeau, comment l'obtenir ?", "fr", "other"),
    ("Which payment cards do you accept?", "en", "billing"),
    ("Mon fils veut savoir comment fonctionne un compteur.", "fr", "meter"),
    ("Could I visit your data centre with my school class?", "en", "other"),
    ("Je voudrais une attestation de domicile.", "fr", "contract"),
    ("Is the customer portal available in Spanish?", "en", "portal"),
    ("Pouvez-vous me rappeler après 18 h ?", "fr", "other"),
    ("Do you sponsor local football clubs?", "en", "other"),
    ("Quel est le délai pour une réclamation écrite ?", "fr", "other"),
    ("How many people work in customer service?", "en", "other"),
]


def build(seed: int = 13) -> list[tuple[str, str, str, str]]:
    rng = random.Random(seed)
    rows = []
    for cause, (category, french, english) in CAUSES.items():
        for phrases, language, opens, closes in (
            (french, "fr", OPEN_FR, CLOSE_FR),
            (english, "en", OPEN_EN, CLOSE_EN),
        ):
            for phrase in phrases:
                for _ in range(2 + (rng.random() < 0.5)):
                    text = rng.choice(opens) + phrase[0].upper() + phrase[1:] + "." + rng.choice(closes)
                    rows.append((text, language, category, cause))
    rows.extend((text, language, category, "noise") for text, language, category in NOISE)
    rng.shuffle(rows)
    return rows


if __name__ == "__main__":
    out = Path(__file__).with_name("tickets.csv")
    with out.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["text", "language", "category", "cause"])
        writer.writerows(build())
    print(out, len(build()), "tickets")
