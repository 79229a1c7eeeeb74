"""The organisation server: FastAPI routes, login, the Gradio UI mounted; thin over ``services``."""
