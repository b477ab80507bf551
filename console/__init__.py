"""The staff console: a server-rendered web app where front-office staff review calls.

Staff sign in, read transcripts and tool calls, listen to recordings, flag bad calls, export a
flagged call as an eval scenario skeleton, and work the queue of items the receptionist handed
over. ``console.routes.router`` is the one entry point; the FastAPI app includes it and sets
``app.state.settings`` and ``app.state.session_factory``.
"""
