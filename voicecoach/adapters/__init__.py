"""Adapters to the outside world, each behind a small Protocol.

Speech synthesis, audio output and input, speech recognizers and storage live
here. The core never imports from this package.
"""
