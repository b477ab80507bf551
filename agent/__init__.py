"""The receptionist agent: the per-call loop, its two brains and the safety rules.

The agent knows nothing of Twilio or pipecat: text goes in, events come out. Telephony,
the text chat and evals drive it the same way::

    session = build_session(settings, session_factory, call_sid=..., caller_number=...,
                            channel="phone")              # agent.factory
    async for event in session.greet(): ...               # Speech sentences, TurnInfo
    async for event in session.respond(text, stt_confidence=0.9):
        ...                                               # Speech, ToolStarted/Finished,
                                                          # Transfer or Hangup, TurnInfo
    session.interrupt(delivered_text)                     # after a barge-in
    await session.finish(outcome=None)                    # outcome and staff summary

Modules: :mod:`agent.session` (the loop), :mod:`agent.brain` (the brain contract),
:mod:`agent.offline` (the rule-based brain), :mod:`agent.llm` (the LLM brain),
:mod:`agent.safety` and :mod:`agent.reply_check` (rules before and after the brain),
:mod:`agent.speech` and :mod:`agent.sentences` (speech-ready sentences).
"""
