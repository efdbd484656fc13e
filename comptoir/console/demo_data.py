"""Bilingual support texts for the demo and the benchmarks (plain Python, no Django)."""

from __future__ import annotations

import random

SUBJECTS = {
    "fr": [
        "Facture n°{n} incorrecte",
        "Panne de courant rue {street}",
        "Impossible de me connecter à mon espace client",
        "Demande de remboursement pour le prélèvement du {day} {month}",
        "Compteur électrique qui affiche une erreur",
        "Changement d'adresse après déménagement",
        "Carte bancaire refusée lors du paiement",
        "Question sur mon contrat d'électricité",
        "Imprimante du bureau {n} hors service",
        "Réclamation : coupure sans préavis",
        "Rendez-vous pour la leçon de conduite du {day} {month}",
        "Mot de passe oublié, le courriel n'arrive pas",
    ],
    "en": [
        "Invoice #{n} is wrong",
        "Power outage on {street} Street",
        "Cannot log in to my account",
        "Refund request for the {day} {month} charge",
        "Electric meter shows an error code",
        "Change of address after moving",
        "Card declined at checkout",
        "Question about my electricity plan",
        "Office printer {n} out of order",
        "Complaint: outage without notice",
        "Booking a driving lesson on {month} {day}",
        "Forgot my password, reset email never arrives",
    ],
}
BODIES = {
    "fr": [
        "Bonjour,\n\nDepuis {day} {month}, {problem}. J'ai déjà essayé de redémarrer sans succès. "
        "Pouvez-vous m'aider rapidement ?\n\nMerci d'avance,\n{name}",
        "Bonjour,\n\nJe vous écris car {problem}. Mon numéro de client est le {n}. "
        "Est-ce normal ? Quel est le délai de traitement ?\n\nCordialement,\n{name}",
    ],
    "en": [
        "Hello,\n\nSince {month} {day}, {problem}. I already tried restarting, without luck. "
        "Could you help me quickly?\n\nThanks,\n{name}",
        "Hi,\n\nI am writing because {problem}. My customer number is {n}. "
        "Is this expected? How long will it take?\n\nBest regards,\n{name}",
    ],
}
PROBLEMS = {
    "fr": [
        "le montant facturé est le double de d'habitude",
        "nous n'avons plus d'électricité dans tout l'immeuble",
        "le site affiche une erreur après la connexion",
        "ma carte est refusée alors que le solde est suffisant",
        "le compteur clignote et affiche E-42",
        "je n'ai reçu aucune confirmation de mon rendez-vous",
    ],
    "en": [
        "the amount billed is twice the usual",
        "the whole building has no power",
        "the website shows an error after login",
        "my card is declined although the balance is fine",
        "the meter blinks and shows E-42",
        "I never received a confirmation of my appointment",
    ],
}
REPLIES = {
    "fr": [
        "Bonjour {name},\n\nMerci pour votre message. Nous avons vérifié votre dossier et "
        "corrigé le problème. N'hésitez pas à nous répondre si ce n'est pas réglé.\n\nBonne journée",
        "Bonjour {name},\n\nUne équipe est en route. Nous vous tiendrons informé(e) de "
        "l'avancement.\n\nCordialement",
    ],
    "en": [
        "Hello {name},\n\nThanks for your message. We checked your file and fixed the issue. "
        "Just reply if it is not solved.\n\nHave a good day",
        "Hi {name},\n\nA crew is on its way. We will keep you posted.\n\nBest regards",
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


def ticket_text(rng: random.Random, lang: str, name: str) -> tuple[str, str]:
    """A (subject, body) pair in ``lang`` that reads like a real support request."""
    fields = {
        "n": rng.randint(1000, 99999),
        "street": rng.choice(STREETS),
        "day": rng.randint(1, 28),
        "month": rng.choice(MONTHS[lang]),
        "name": name,
    }
    subject = rng.choice(SUBJECTS[lang]).format(**fields)
    body = rng.choice(BODIES[lang]).format(problem=rng.choice(PROBLEMS[lang]), **fields)
    return subject, body


def reply_text(rng: random.Random, lang: str, name: str) -> str:
    return rng.choice(REPLIES[lang]).format(name=name.split()[0])
