from django_tasks import task


@task()
def message_sentiment_task(message_id: int) -> bool:
    """Score one customer message and act on it (``voice.services.message_score``); idempotent."""
    from .services import message_score

    return message_score(message_id=message_id) is not None
