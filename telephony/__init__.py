"""Phone calls: Twilio Media Streams in, the agent in the middle, speech back out.

Modules, in the order a call meets them: :mod:`telephony.routes` (webhooks and the media
stream), :mod:`telephony.call` (one call's pipecat pipeline and its ending),
:mod:`telephony.serializer`, :mod:`telephony.vad`, :mod:`telephony.services` (Whisper and
piper on the shared :mod:`telephony.speech` models), :mod:`telephony.adapter` (turn-taking,
barge-in, silence, DTMF) and :mod:`telephony.control` (transfers and hang-ups).
:mod:`telephony.phone` is the simulated phone that ``frontdesk call``, the tests and the
benchmark dial with.

Errors raised at this boundary; inside a live call each is handled, never left to end it::

    SpeechModelError     a speech model is missing or fails to load (at startup)
    StreamTokenError     a media stream's token is missing, forged, expired or for another call
    CallControlError     Twilio rejected or did not answer a transfer or hang-up
    PhoneError           the simulated phone could not place or keep its call
    ScriptError          a simulated caller's script line cannot be understood
"""
