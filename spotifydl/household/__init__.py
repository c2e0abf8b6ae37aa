"""Settings pages of a shared installation: a person's own settings, and the admin's page for
the installation (downloads, who may sign in, who else is an admin)."""
