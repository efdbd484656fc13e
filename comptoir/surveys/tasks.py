from django_tasks import task


@task()
def survey_send_task(survey_id: int) -> None:
    """Send a survey whose delay is over; a no-op once sent (the sweep may have sent it)."""
    from .services import survey_send

    survey_send(survey_id=survey_id)
