"""What other features may use of the survey: its public face."""

from portal.survey.service import form_link

__all__ = ["form_link"]
