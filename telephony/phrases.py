"""Lines the phone layer speaks itself, when the agent is not the one answering."""

SILENCE_CHECK_IN = "Are you still there?"
SILENCE_GOODBYE = (
    "I haven't heard anything, so I'll end the call now. Please call back any time. Goodbye."
)
AGENT_FAILED = (
    "I'm sorry, I'm having trouble on my end. Please call the clinic back in a few minutes. "
    "Goodbye."
)
TRANSFER_FAILED = (
    "I'm sorry, I couldn't connect your call. Please call the clinic back in a few minutes. "
    "Goodbye."
)
