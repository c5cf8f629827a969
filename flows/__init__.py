"""The top layer: the Prefect flow (main, work, state, server, settings, report) and the
``vanban`` command (cli). Only this package imports Prefect."""
