"""The Gradio web app (Vietnamese UI), thin over ``vectorstore`` and ``chat``."""
