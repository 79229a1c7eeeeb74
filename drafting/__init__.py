"""Speech drafting for branch secretaries: sourced excerpts in a conventional outline."""

from drafting.outline import Draft, Drafter, Excerpt, Section, SpeechKinds

__all__ = ["Draft", "Drafter", "Excerpt", "Section", "SpeechKinds"]
