from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SearchConfig(AppConfig):
    name = "comptoir.search"
    label = "search"
    verbose_name = _("Search")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from comptoir.customers.models import Customer, CustomerMerge, Identity
        from comptoir.customers.services import customer_created
        from comptoir.knowledge.models import Article
        from comptoir.tickets.changes import When, on_change

        from . import services

        # Every change: the handler itself skips those that cannot change a ticket's text, so
        # a kind added later (a merge, a split, a new subject) is indexed without a change here.
        on_change(None, services.ticket_index_on_change, when=When.IN_TRANSACTION)
        # Customers live in a lower layer that cannot call us: their index follows their rows
        # through signals (cache upkeep, the one use of signals the style allows), which fire
        # inside the saving transaction.
        post_save.connect(services.customer_index_on_save, sender=Customer, dispatch_uid="search-customer")
        post_save.connect(services.identity_index_on_save, sender=Identity, dispatch_uid="search-identity")
        post_delete.connect(
            services.identity_index_on_save, sender=Identity, dispatch_uid="search-identity-del"
        )
        post_save.connect(services.merge_index_on_save, sender=CustomerMerge, dispatch_uid="search-merge")
        # A customer created by intake (plain SQL, no post_save): one signal with its identities.
        customer_created.connect(
            services.customer_index_on_create, sender=Customer, dispatch_uid="search-customer-created"
        )
        # Articles (issue 11), a lower layer too: written by knowledge.services in a transaction.
        post_save.connect(services.article_index_on_save, sender=Article, dispatch_uid="search-article")
        self._suggestions_ready()

    def _suggestions_ready(self) -> None:
        """Suggestions (issue 11, item 4): vectors follow articles and resolved tickets through
        worker tasks queued with the change; a new ticket's suggestions are an enrichment step;
        articles linked in replies that reach the customer are recorded after the commit."""
        from django.db.models.signals import post_delete, post_save

        from comptoir.knowledge.models import Article
        from comptoir.tickets.changes import AGENT_MESSAGE, When, enricher, on_change
        from comptoir.tickets.models import TicketEvent

        from . import suggestions

        on_change({TicketEvent.Kind.STATUS}, suggestions.vectors_on_status_change, when=When.IN_TRANSACTION)
        on_change(
            {AGENT_MESSAGE, TicketEvent.Kind.REPLY_APPROVED}, suggestions.sent_articles_on_change,
            when=When.AFTER_COMMIT,
        )  # fmt: skip
        enricher("suggestions", suggestions.suggestions_enrich, order=40)
        post_save.connect(suggestions.vectors_on_article_save, sender=Article, dispatch_uid="suggest-article")
        post_delete.connect(
            suggestions.vectors_on_article_delete, sender=Article, dispatch_uid="suggest-article-del"
        )
