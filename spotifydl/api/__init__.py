"""The JSON API under /api/v1/ (django-ninja) and the personal access tokens it takes."""
