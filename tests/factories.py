"""Factories with bilingual, realistic data; one place so every test builds the same shapes."""

from __future__ import annotations

import factory

from comptoir.accounts.models import User
from comptoir.customers.models import Customer, Identity
from comptoir.routing.models import Team


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Équipe {n}")
    level = 1


class AgentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"agent{n}@comptoir.test")
    username = factory.SelfAttribute("email")
    name = factory.Faker("name", locale="fr_CA")
    is_agent = True
    is_staff = True
    password = factory.django.Password("agent-password-1")

    @factory.post_generation
    def teams(self, create, extracted, **kwargs):  # type: ignore[no-untyped-def]
        if create and extracted:
            self.teams.add(*extracted)


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Customer

    name = factory.Faker("name", locale="fr_CA")
    language = "fr"


class EmailIdentityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Identity

    customer = factory.SubFactory(CustomerFactory)
    kind = Identity.Kind.EMAIL
    value = factory.Sequence(lambda n: f"client{n}@example.test")
