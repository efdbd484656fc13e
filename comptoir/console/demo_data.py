"""Bilingual support texts for the demo and the benchmarks (plain Python, no Django).

Each request is written from one topic, so its subject, its body and its demo category agree
(a billing subject never comes with an outage body). Topics use the categories of the starter
triage model (outage, billing, payment_arrangement, move, meter, account_access, ...).
"""

from __future__ import annotations

import random
from dataclasses import dataclass


@dataclass(frozen=True)
class Topic:
    category: str
    subjects: dict[str, list[str]]
    problems: dict[str, list[str]]


TOPICS = [
    Topic(
        "billing",
        {"fr": ["Facture n°{n} incorrecte", "Montant de ma facture de {month}"],
         "en": ["Invoice #{n} is wrong", "Amount of my {month} bill"]},
        {"fr": ["le montant facturé est le double de d'habitude", "ma facture compte deux fois le même mois"],
         "en": ["the amount billed is twice the usual", "my bill charges the same month twice"]},
    ),
    Topic(
        "payment_arrangement",
        {"fr": ["Demande d'entente de paiement", "Délai pour payer ma facture n°{n}"],
         "en": ["Payment arrangement request", "More time to pay invoice #{n}"]},
        {"fr": ["je ne peux pas payer ma facture en entier ce mois-ci et je voudrais l'étaler",
                "j'ai perdu mon emploi et j'ai besoin d'un délai pour payer"],
         "en": ["I cannot pay my bill in full this month and would like to spread it out",
                "I lost my job and need more time to pay"]},
    ),
    Topic(
        "outage",
        {"fr": ["Panne de courant rue {street}", "Plus d'électricité rue {street}"],
         "en": ["Power outage on {street} Street", "No power on {street} Street"]},
        {"fr": ["nous n'avons plus d'électricité dans tout l'immeuble",
                "le courant est coupé dans toute la rue"],
         "en": ["the whole building has no power", "the power is out on the whole street"]},
    ),
    Topic(
        "meter",
        {"fr": ["Compteur électrique qui affiche une erreur", "Relevé de compteur n°{n}"],
         "en": ["Electric meter shows an error code", "Meter reading #{n}"]},
        {"fr": ["le compteur clignote et affiche E-42",
                "le relevé de mon compteur ne correspond pas à ma facture"],
         "en": ["the meter blinks and shows E-42", "my meter reading does not match my bill"]},
    ),
    Topic(
        "move",
        {"fr": ["Changement d'adresse après déménagement", "Déménagement le {day} {month}"],
         "en": ["Change of address after moving", "Moving out on {month} {day}"]},
        {"fr": ["je déménage et je dois transférer mon abonnement à ma nouvelle adresse",
                "je quitte mon logement et je veux fermer mon compte à cette adresse"],
         "en": ["I am moving and need my service transferred to my new address",
                "I am leaving my home and want to close my account at that address"]},
    ),
    Topic(
        "account_access",
        {"fr": ["Impossible de me connecter à mon espace client",
                "Mot de passe oublié, le courriel n'arrive pas"],
         "en": ["Cannot log in to my account", "Forgot my password, reset email never arrives"]},
        {"fr": ["le site affiche une erreur après la connexion",
                "le courriel de réinitialisation n'arrive jamais"],
         "en": ["the website shows an error after login", "the password reset email never arrives"]},
    ),
    Topic(
        "service_request",
        {"fr": ["Rendez-vous pour l'installation du compteur", "Demande de branchement n°{n}"],
         "en": ["Appointment to install the meter", "Connection request #{n}"]},
        {"fr": ["je voudrais un rendez-vous pour l'installation de mon nouveau compteur",
                "je n'ai reçu aucune confirmation de mon rendez-vous de branchement"],
         "en": ["I would like an appointment to install my new meter",
                "I never received a confirmation of my connection appointment"]},
    ),
    Topic(
        "complaint",
        {"fr": ["Réclamation : coupure sans préavis", "Plainte sur le service"],
         "en": ["Complaint: outage without notice", "Complaint about the service"]},
        {"fr": ["le courant a été coupé sans aucun préavis et j'ai perdu le contenu de mon congélateur",
                "personne ne m'a rappelé malgré trois appels"],
         "en": ["the power was cut without any notice and I lost everything in my freezer",
                "nobody called me back despite three calls"]},
    ),
]  # fmt: skip
BODIES = {
    "fr": [
        "Bonjour,\n\nDepuis le {day} {month}, {problem}. Pouvez-vous m'aider rapidement ?\n\n"
        "Merci d'avance,\n{name}",
        "Bonjour,\n\nJe vous écris car {problem}. Mon numéro de client est le {n}. "
        "Quel est le délai de traitement ?\n\nCordialement,\n{name}",
    ],
    "en": [
        "Hello,\n\nSince {month} {day}, {problem}. Could you help me quickly?\n\nThanks,\n{name}",
        "Hi,\n\nI am writing because {problem}. My customer number is {n}. "
        "How long will it take?\n\nBest regards,\n{name}",
    ],
}
REPLIES = {
    "fr": [
        "Bonjour {name},\n\nMerci pour votre message. Nous avons vérifié votre dossier et "
        "corrigé le problème. N'hésitez pas à nous répondre si ce n'est pas réglé.\n\nBonne journée",
        "Bonjour {name},\n\nNous nous en occupons et vous tiendrons informé(e) de "
        "l'avancement.\n\nCordialement",
    ],
    "en": [
        "Hello {name},\n\nThanks for your message. We checked your file and fixed the issue. "
        "Just reply if it is not solved.\n\nHave a good day",
        "Hi {name},\n\nWe are on it and will keep you posted.\n\nBest regards",
    ],
}
STREETS = ["Saint-Denis", "Sherbrooke", "Rideau", "Bank", "Laurier", "Maple", "King", "Queen"]
MONTHS = {
    "fr": ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
           "octobre", "novembre", "décembre"],
    "en": ["January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December"],
}  # fmt: skip
NAMES = {
    "fr": ["Élodie Tremblay", "François Côté", "Hélène Gagnon", "Benoît Lévesque", "Zoé Bélanger",
           "Jérôme Pelletier", "Anaïs Roy", "Gaël Fortin", "Maëlle Bouchard", "Noël Gauthier"],
    "en": ["Olivia Smith", "Liam Brown", "Emma Wilson", "Noah Taylor", "Ava Martin",
           "Lucas Anderson", "Mia Thompson", "Ethan White", "Chloe Harris", "Jack Clark"],
}  # fmt: skip


def ticket_topic(rng: random.Random, lang: str, name: str) -> tuple[str, str, str]:
    """(category, subject, body) in ``lang``: a support request whose parts tell one story."""
    topic = rng.choice(TOPICS)
    fields = {
        "n": rng.randint(1000, 99999),
        "street": rng.choice(STREETS),
        "day": rng.randint(1, 28),
        "month": rng.choice(MONTHS[lang]),
        "name": name,
    }
    subject = rng.choice(topic.subjects[lang]).format(**fields)
    body = rng.choice(BODIES[lang]).format(problem=rng.choice(topic.problems[lang]), **fields)
    return topic.category, subject, body


def ticket_text(rng: random.Random, lang: str, name: str) -> tuple[str, str]:
    """A (subject, body) pair in ``lang`` that reads like a real support request."""
    _category, subject, body = ticket_topic(rng, lang, name)
    return subject, body


def reply_text(rng: random.Random, lang: str, name: str) -> str:
    return rng.choice(REPLIES[lang]).format(name=name.split()[0])


# Shared macros of the demo (issue 10): name, French text, English text, status set when sent.
# Placeholders are those of ``comptoir.macros.placeholders``.
MACROS = [
    (
        "Accusé de lecture / Looking into it",
        "Bonjour {{customer_name}},\n\nMerci pour votre message. Nous examinons votre demande "
        "{{reference}} et revenons vers vous rapidement. Vous pouvez la suivre ici : {{tracking_link}}",
        "Hello {{customer_name}},\n\nThank you for your message. We are looking into your request "
        "{{reference}} and will get back to you shortly. You can follow it here: {{tracking_link}}",
        "",
    ),
    (
        "Renseignements manquants / Missing information",
        "Bonjour {{customer_name}},\n\nPour traiter votre demande {{reference}}, pourriez-vous nous "
        "indiquer votre numéro de compte et l'adresse du service ?",
        "Hello {{customer_name}},\n\nTo handle your request {{reference}}, could you send us your "
        "account number and the service address?",
        "waiting_customer",
    ),
    (
        "Demande réglée / Request solved",
        "Bonjour {{customer_name}},\n\nVotre demande {{reference}} est réglée. Si quelque chose "
        "n'est pas résolu, répondez simplement à ce courriel.",
        "Hello {{customer_name}},\n\nYour request {{reference}} is solved. If anything is still "
        "wrong, just reply to this email.",
        "resolved",
    ),
]


# The demo's knowledge base (issue 11): topic slug, then (title, Markdown body) in French and in
# English (the English one is linked as the French one's translation), and whether it is public.
ARTICLES = [
    (
        "outage",
        (
            "Panne de courant : que vérifier avant d’appeler",
            "Si vous n’avez plus d’électricité :\n\n1. Vérifiez le **disjoncteur principal** de votre "
            "panneau électrique et remettez-le en position marche.\n2. Regardez si vos voisins ont du "
            "courant : si toute la rue est touchée, c’est une panne du réseau, nos équipes sont "
            "prévenues.\n3. Signalez la panne avec votre adresse pour que nous envoyions une équipe.",
        ),
        (
            "Power outage: what to check before you call",
            "If you have no power:\n\n1. Check the **main breaker** in your electrical panel and switch "
            "it back on.\n2. See whether your neighbours have power: if the whole street is out, it is "
            "a network outage and our crews know.\n3. Report the outage with your address so that we "
            "send a crew.",
        ),
        True,
    ),
    (
        "billing",
        (
            "Ma facture est plus élevée que d’habitude",
            "Une facture plus élevée vient souvent d’une **estimation** (relevé non transmis) ou d’un "
            "mois compté deux fois après un changement de tarif.\n\n- Comparez l’index de votre compteur "
            "à celui de la facture.\n- Envoyez-nous une photo du compteur : nous corrigeons la facture "
            "et remboursons la différence sous 10 jours ouvrables.",
        ),
        (
            "My bill is higher than usual",
            "A higher bill usually comes from an **estimate** (no reading sent) or from a month "
            "charged twice after a rate change.\n\n- Compare your meter's reading with the bill's.\n"
            "- Send us a photo of the meter: we correct the bill and refund the difference within "
            "10 business days.",
        ),
        True,
    ),
    (
        "payment_arrangement",
        (
            "Étaler le paiement d’une facture",
            "Vous ne pouvez pas payer votre facture en entier ? Demandez une **entente de paiement** : "
            "le solde est réparti sur 3 à 12 mois, sans frais, et votre service n’est pas interrompu "
            "tant que les versements sont faits.",
        ),
        (
            "Spreading out a bill's payment",
            "You cannot pay your bill in full? Ask for a **payment arrangement**: the balance is spread "
            "over 3 to 12 months, with no fees, and your service is not interrupted while the "
            "instalments are paid.",
        ),
        True,
    ),
    (
        "meter",
        (
            "Le compteur affiche une erreur (E-42)",
            "Le code **E-42** indique que le compteur n’a pas pu transmettre son relevé. Il n’y a aucun "
            "danger : le courant continue d’être fourni. Un technicien passe dans les 5 jours "
            "ouvrables ; en attendant, la facture est estimée.",
        ),
        (
            "The meter shows an error (E-42)",
            "Code **E-42** means the meter could not send its reading. There is no danger: power keeps "
            "flowing. A technician comes within 5 business days; meanwhile the bill is estimated.",
        ),
        True,
    ),
    (
        "move",
        (
            "Déménagement : transférer votre abonnement",
            "Prévenez-nous **au moins 5 jours** avant votre déménagement avec la date et la nouvelle "
            "adresse. Nous relevons le compteur de l’ancien logement le jour du départ et ouvrons le "
            "service au nouveau : une seule facture de clôture, pas de frais d’ouverture.",
        ),
        (
            "Moving: transferring your service",
            "Tell us **at least 5 days** before you move, with the date and the new address. We read "
            "the old home's meter on the day you leave and open the service at the new one: one "
            "closing bill, no opening fee.",
        ),
        True,
    ),
    (
        "account_access",
        (
            "Mot de passe oublié ou compte en ligne bloqué",
            "Sur la page de connexion, choisissez **Mot de passe oublié** et suivez le lien reçu par "
            "courriel (valable 1 heure). Après 5 essais manqués, le compte est bloqué 15 minutes.",
        ),
        (
            "Forgotten password or locked online account",
            "On the sign-in page, choose **Forgot password** and follow the link sent by email (valid "
            "for 1 hour). After 5 failed attempts the account is locked for 15 minutes.",
        ),
        True,
    ),
    (
        "complaint",
        (
            "Traiter une plainte (procédure interne)",
            "Accusez réception le jour même, nommez un responsable, proposez un appel sous 48 heures. "
            "Toute plainte qui mentionne un geste commercial passe par un agent de niveau 2.",
        ),
        (
            "Handling a complaint (internal procedure)",
            "Acknowledge the same day, name an owner, offer a call within 48 hours. Any complaint that "
            "mentions a goodwill gesture goes to a level-2 agent.",
        ),
        False,
    ),
]


# Unhappy customers (issue 12): the worker's sentiment scoring flags these tickets "Unhappy",
# alerts their agent and the team's supervisors and raises them to P2.
ANGRY = [
    (
        "fr",
        "Sylvie Gagnon",
        "Troisième appel pour la même panne",
        "C'est la troisième fois que j'appelle pour la même coupure. C'est INACCEPTABLE !!! "
        "Si rien n'est fait aujourd'hui, je vais changer de fournisseur.",
    ),
    (
        "en",
        "Robert Miller",
        "Still no refund",
        "I have called you four times about the double charge and still nothing. This is "
        "ridiculous. Fix it this week or I will switch to another provider.",
    ),
]
