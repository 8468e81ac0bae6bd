"""The application service, one module per context; composed in capacity/application.py."""
