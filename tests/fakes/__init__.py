"""In-process fakes of the services Frontdesk talks to, for tests."""
