"""The device-free core: routines, intents, the session engine, safety rules.

Nothing under ``voicecoach.core`` sleeps, reads a clock, starts a thread or
touches audio. Time enters as an argument, so whole sessions run in virtual
time inside tests.
"""
