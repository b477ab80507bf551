"""Sub-commands of ``frontdesk``; each module exposes ``register(subparsers)``.

A module's ``register`` adds its parser and sets ``handler`` (a function taking the parsed
arguments and returning the exit status) with ``set_defaults``.
"""
